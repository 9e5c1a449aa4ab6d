"""Risk rules react to new assessments and new flags, inside the same transaction."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from thaw.assessments.models import Assessment
from thaw.safety.models import RiskFlag


@receiver(post_save, sender=Assessment, dispatch_uid="clinic-assessment-rules")
def _assessment_saved(sender: Any, instance: Assessment, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from thaw.clinic.services import on_assessment

        on_assessment(instance)


@receiver(post_save, sender=RiskFlag, dispatch_uid="clinic-flag-alerts")
def _flag_saved(sender: Any, instance: RiskFlag, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from thaw.clinic.services import on_new_flag

        on_new_flag(instance)
