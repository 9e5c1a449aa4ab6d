from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "thaw.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        # A broken crisis-resource or phrase file must stop start-up, never a person's crisis screen.
        from thaw.safety.language import find_crisis_language
        from thaw.safety.resources import TRANSLATIONS, crisis_regions, regions_in

        crisis_regions()
        for language in TRANSLATIONS:
            regions_in(language)
        find_crisis_language("start-up check")
        # The statistical layer's weights, read once here so that gunicorn's workers share them
        # (the app is preloaded before forking) and a missing or broken file stops start-up.
        from thaw.safety.ngram import shows_help

        shows_help("start-up check")
        # The optional semantic backstop loads in each worker after it forks (thaw/server.py), or
        # on a process's first scan: never here, where gunicorn's master would fork a loading thread.
        # Its setting is checked here, though: a value other than 0 or 1 stops start-up.
        from thaw.safety.backstop import switched_on

        switched_on()
