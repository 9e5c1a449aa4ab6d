"""WSGI entry point for gunicorn (``thaw serve`` starts it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
application = get_wsgi_application()
