from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "thaw.audit"
    label = "audit"
    verbose_name = "Audit trail"
