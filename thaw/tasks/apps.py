from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "thaw.tasks"
    label = "tasks"
    verbose_name = "Background tasks"

    def ready(self) -> None:
        from thaw.tasks import queue  # noqa: F401  (registers the email job)
