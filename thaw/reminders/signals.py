"""Hooks that move a person's questionnaire due time when something changes it, and remove a
device's push subscription when someone signs out there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save


def _after_commit(function: Any) -> None:
    transaction.on_commit(function)


def on_homework(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from thaw.reminders.services import refresh_questionnaires

    _after_commit(lambda: refresh_questionnaires(instance.person_id))


def on_assessment(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    from thaw.reminders.services import questionnaire_answered

    _after_commit(lambda: questionnaire_answered(instance.person_id, instance.instrument, instance.taken_at))


def on_sharing(sender: Any, instance: Any, **kwargs: Any) -> None:
    from thaw.reminders.services import refresh_questionnaires

    _after_commit(lambda: refresh_questionnaires(instance.person_id))


def on_grant(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.program_id is None:
        return
    from thaw.reminders.services import refresh_questionnaires

    _after_commit(lambda: refresh_questionnaires(instance.owner_id))


def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from thaw.reminders.services import forget_session_devices

    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if key:
        forget_session_devices(key)


def on_person_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is None or "timezone" not in update_fields:
        return
    from thaw.reminders.services import replan

    _after_commit(lambda: replan(instance))


def connect() -> None:
    from django.contrib.auth import get_user_model

    from thaw.assessments.models import Assessment
    from thaw.circle.models import Grant, SharingState
    from thaw.clinic.models import Homework

    post_save.connect(on_homework, sender=Homework, dispatch_uid="thaw-reminders-homework")
    post_save.connect(on_assessment, sender=Assessment, dispatch_uid="thaw-reminders-assessment")
    post_save.connect(on_sharing, sender=SharingState, dispatch_uid="thaw-reminders-sharing")
    post_save.connect(on_grant, sender=Grant, dispatch_uid="thaw-reminders-grant")
    post_save.connect(on_person_saved, sender=get_user_model(), dispatch_uid="thaw-reminders-timezone")
    user_logged_out.connect(on_sign_out, dispatch_uid="thaw-reminders-sign-out")
