from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "thaw.learn"
    label = "learn"
    verbose_name = "Learn"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from thaw.learn import checks, counter  # noqa: F401  (checks: registers the system check)

        # After each response has gone out: write this process's buffered views if it is time.
        request_finished.connect(counter.flush_if_due, dispatch_uid="thaw.learn.counter")
