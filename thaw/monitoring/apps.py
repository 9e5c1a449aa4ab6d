from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "thaw.monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thaw.monitoring import checks  # noqa: F401  (registers the system checks)
