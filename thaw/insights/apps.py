from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "thaw.insights"
    label = "insights"
    verbose_name = "Insights"
