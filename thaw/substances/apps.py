from django.apps import AppConfig


class SubstancesConfig(AppConfig):
    name = "thaw.substances"
    label = "substances"
    verbose_name = "Substance use"
