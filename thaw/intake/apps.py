from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "thaw.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from thaw.intake import tasks  # noqa: F401  (registers the retention task and the notification email)
