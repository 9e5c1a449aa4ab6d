from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thaw.core"
    label = "core"
    verbose_name = "Thaw"

    def ready(self) -> None:
        from thaw.core import checks  # noqa: F401  (registers system checks)
