from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "thaw.schedule"
    label = "schedule"
    verbose_name = "Sessions and calendar feeds"

    def ready(self) -> None:
        from thaw.accounts.signals import password_changed
        from thaw.schedule.services import revoke_feed

        # A calendar link is a bearer secret like an API token: a new password ends it too.
        password_changed.connect(lambda sender, user, **kwargs: revoke_feed(user), weak=False,
                                 dispatch_uid="thaw-revoke-calendar-feeds")
