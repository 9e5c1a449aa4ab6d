from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "thaw.schedule"
    label = "schedule"
    verbose_name = "Sessions and calendar feeds"
