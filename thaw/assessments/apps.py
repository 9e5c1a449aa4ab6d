from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thaw.assessments"
    label = "assessments"
    verbose_name = "Self-assessments"

    def ready(self) -> None:
        from thaw.assessments.instruments import instruments

        instruments()  # a broken instrument file stops start-up with the reason
