from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "thaw.exports"
    label = "exports"
    verbose_name = "Export and import"
