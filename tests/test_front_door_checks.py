"""The deployment checks that tell a self-hoster the clinic's front door is not ready: contact
requests nobody would see (thaw.W060), example programs still shown to visitors (thaw.W061)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tests.learn_support import seeded, staff
from thaw.accounts.models import Role
from thaw.learn.models import ProgramPage

pytestmark = pytest.mark.django_db


def deploy_warnings() -> dict[str, str]:
    found = run_checks(include_deployment_checks=True, databases=["default"])
    return {c.id: f"{c.msg} {c.hint}" for c in found if c.id in ("thaw.W060", "thaw.W061")}


@override_settings(THAW_INTAKE_NOTIFY_EMAIL="")
def test_contact_requests_that_nobody_would_see_are_a_warning_until_someone_is_told() -> None:
    assert "THAW_INTAKE_NOTIFY_EMAIL" in deploy_warnings()["thaw.W060"]
    assert "thaw.W060" not in {c.id for c in run_checks(databases=["default"])}, "only under check --deploy"
    with override_settings(THAW_INTAKE_NOTIFY_EMAIL="team@clinic.example"):
        assert "thaw.W060" not in deploy_warnings()
    departed = staff("gone@clinic.example", Role.INTAKE)
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    assert "thaw.W060" in deploy_warnings(), "an account that can no longer sign in reads nothing"
    staff("admin@clinic.example", Role.ADMIN, extra=(Role.INTAKE,))
    assert "thaw.W060" not in deploy_warnings(), "an admin holding the intake role reads the inbox"


def test_example_programs_left_public_are_a_warning_until_rewritten_or_hidden() -> None:
    seeded()
    examples = list(ProgramPage.objects.filter(example=True, public=True).values_list("slug", flat=True))
    assert examples, "a new clinic starts with the example programs"
    message = deploy_warnings()["thaw.W061"]
    assert all(slug in message for slug in examples) and "Label it as an example" in message
    first, *rest = examples
    ProgramPage.objects.filter(slug=first).update(example=False)  # rewritten for a real program
    assert first not in deploy_warnings().get("thaw.W061", "")
    ProgramPage.objects.filter(slug__in=rest).update(public=False)  # hidden
    assert "thaw.W061" not in deploy_warnings()
