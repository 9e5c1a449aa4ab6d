from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "thaw.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from thaw.audit.signals import connect

        connect()
