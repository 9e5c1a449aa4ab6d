from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "thaw.clinic"
    label = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from thaw.clinic import rules, signals, tasks  # noqa: F401  (rules load; signals and periodic tasks register)

        rules.risk_rules()
