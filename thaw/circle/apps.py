from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "thaw.circle"
    label = "circle"
    verbose_name = "Trusted circle"

    def ready(self) -> None:
        from thaw.circle import tasks  # noqa: F401  (registers the check-on-me rules with the worker)
