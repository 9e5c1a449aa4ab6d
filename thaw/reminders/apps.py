from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "thaw.reminders"
    label = "reminders"
    verbose_name = "Reminders, prompts and push"

    def ready(self) -> None:
        from thaw.reminders import signals, tasks  # noqa: F401  (periodic work and due-time hooks)

        signals.connect()
