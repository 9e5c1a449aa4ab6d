from django.apps import AppConfig


class GroundingConfig(AppConfig):
    name = "thaw.grounding"
    label = "grounding"
    verbose_name = "Grounding"

    def ready(self) -> None:
        # Load and validate the exercise scripts now, so a broken file stops start-up
        # with a clear message instead of failing in the middle of someone's exercise.
        from thaw.grounding import checks  # noqa: F401  (registers the system check)
        from thaw.grounding.exercises import every_language

        every_language()
