from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "thaw.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Registers the system check, the retention task and the notification email.
        from thaw.intake import checks, tasks  # noqa: F401
