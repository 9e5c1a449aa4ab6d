from django.urls import path

from thaw.core import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("tools/", views.tools, name="tools"),
    path("more/", views.more, name="more"),
    path("language", views.set_language, name="set_language"),
    path("i18n/<str:language>.js", views.js_catalog, name="js_catalog"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
]
