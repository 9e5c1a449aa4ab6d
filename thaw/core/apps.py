from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thaw.core"
    label = "core"
    verbose_name = "Thaw"

    def ready(self) -> None:
        from thaw.core import catalogue, checks  # noqa: F401  (registers system checks)

        # Translations: .po files are the source; compile any whose .mo is missing or older
        # (a fresh checkout, a git pull) before the first page is translated.
        catalogue.compile_stale()
