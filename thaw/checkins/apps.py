from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "thaw.checkins"
    label = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        # Load and validate the content files now, so a broken file stops start-up
        # with a clear message instead of failing during someone's check-in.
        from thaw.checkins import checks  # noqa: F401  (registers the system check)
        from thaw.checkins.vocabulary import (
            body_map,
            languages,
            tag_groups,
            translation,
            vocabulary,
        )

        vocabulary()
        body_map()
        tag_groups()
        for language in languages():
            translation(language)
