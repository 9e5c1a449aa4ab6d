"""Every API endpoint × {anonymous, owner, other person, admin, editor, intake}.

Built from the OpenAPI document, so a new endpoint fails here until it is classified.
Another person and an admin must never see the owner's data: objects answer 404 (the
same as a missing one) and collections show nothing of the owner's. Editors and intake staff
see no clinical data either; only intake sees contact requests, and nobody else does.
"""

from __future__ import annotations

import json
import re

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import ApiClient, checkin_body, make_user
from thaw.accounts.models import Role
from thaw.safety.services import save_plan

pytestmark = pytest.mark.django_db

CANARY = "owner-canary-3f9b"
PUBLIC = {("post", "/api/v1/auth/token"), ("get", "/api/v1/emotions"), ("get", "/api/v1/body-sensations"),
          ("get", "/api/v1/instruments"), ("get", "/api/v1/crisis-resources"),
          ("get", "/api/v1/grounding/exercises"), ("get", "/api/v1/substance-use/units"),
          ("get", "/api/v1/articles"), ("get", "/api/v1/articles/{slug}"), ("post", "/api/v1/articles/{slug}/comments"),
          ("get", "/api/v1/programs"), ("post", "/api/v1/contact")}
SHARED = ("summary", "checkins", "assessments", "grounding", "substance-use")
OBJECTS = {  # endpoints naming one of the owner's objects (or the owner, for shared views)
    "/api/v1/checkins/{checkin_id}": "checkin", "/api/v1/assessments/{assessment_id}": "assessment",
    "/api/v1/tokens/{token_id}": "token", "/api/v1/substance-use/{use_id}": "use",
    "/api/v1/substance-use/cravings/{craving_id}": "craving", "/api/v1/grants/{grant_id}": "grant",
    "/api/v1/grants/{grant_id}/revoke": "grant",
    **{f"/api/v1/shared/{{person}}/{name}": "person" for name in SHARED},
    "/api/v1/push/subscriptions/{subscription_id}": "subscription",
}
COLLECTIONS = {"/api/v1/checkins", "/api/v1/assessments", "/api/v1/tags", "/api/v1/tokens", "/api/v1/audit",
               "/api/v1/insights", "/api/v1/safety-plan", "/api/v1/export", "/api/v1/me",
               "/api/v1/grounding/sessions", "/api/v1/substance-use", "/api/v1/substance-use/cravings",
               "/api/v1/substance-use/goals", "/api/v1/substance-use/review", "/api/v1/substance-use/insights",
               "/api/v1/grants", "/api/v1/grants/accept", "/api/v1/sharing", "/api/v1/reach-out", "/api/v1/shared",
               "/api/v1/enrolments/accept", "/api/v1/sessions", "/api/v1/emotions/suggest",
               "/api/v1/reminders", "/api/v1/prompts", "/api/v1/push/key", "/api/v1/push/subscriptions"}


class _ClinicianOnly:
    """Everything under /api/v1/clinic/: everyone but clinicians is refused (403)."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path.startswith("/api/v1/clinic/")


CLINICIAN = _ClinicianOnly()
# A browser's subscription keys (a valid P-256 point and a 16-byte secret).
DEVICE_KEYS = {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
               "auth": "tBHItJI5svbpez7KI4CCXg"}


class _IntakeOnly:
    """Everything under /api/v1/intake/: everyone but intake staff is refused (403)."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path.startswith("/api/v1/intake/")


INTAKE = _IntakeOnly()
REQUESTER_CANARY = "requester-canary-77c1"
PATCH_BODIES = {"checkin": {"numbness": 0}, "use": {"craving": 1}, "grant": {"categories": ["summary"]}}


@pytest.fixture
def world(alice, bob):
    owner = ApiClient(alice)
    checkin = owner.post("/api/v1/checkins", checkin_body(note=CANARY, tags=[CANARY])).json()
    assessment = owner.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 8 + [1]}).json()
    save_plan(alice, {"reasons": CANARY})
    token_id = owner.get("/api/v1/tokens").json()[0]["id"]
    from datetime import timedelta

    from django.utils import timezone

    now = (timezone.now() - timedelta(minutes=10)).isoformat()
    assert owner.post("/api/v1/grounding/sessions", {"exercise": "orienting", "started_at": now,
                                                     "note": CANARY}).status_code == 201
    use = owner.post("/api/v1/substance-use", {"substance": "alcohol", "amount": 1, "unit": "standard_drink",
                                               "note": CANARY}).json()
    craving = owner.post("/api/v1/substance-use/cravings", {"substance": "alcohol", "intensity": 6,
                                                            "helped_note": CANARY}).json()
    grant = owner.post("/api/v1/grants", {"name": CANARY, "categories": ["summary"]}).json()
    assert owner.put("/api/v1/reminders", {"mode": "fixed", "times": ["09:00"], "message": CANARY}).status_code == 200
    # A public address given as a literal needs no DNS lookup in the test.
    device = owner.post("/api/v1/push/subscriptions", {"endpoint": f"https://93.184.216.34/push/{CANARY}",
                                                       "keys": DEVICE_KEYS}).json()
    admin = make_user("root@example.org", Role.ADMIN)
    editor = make_user("editor@example.org", Role.EDITOR)
    intake = make_user("intake@example.org", Role.INTAKE)
    # Staff have two-factor, so they pass every gate and only the access rules stand in the way.
    for staff in (admin, editor, intake):
        Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    from thaw.intake.services import receive

    contact = receive({"name": "Dee", "reach_by": "email", "reach_at": "dee@example.org", "looking_for": "not_sure",
                       "region": "Oregon", "message": REQUESTER_CANARY, "consent": True}).request
    return {"owner": owner, "other": ApiClient(bob), "admin": ApiClient(admin), "anon": ApiClient(None),
            "editor": ApiClient(editor), "intake": ApiClient(intake), "contact": str(contact.pk),
            "ids": {"checkin": checkin["id"], "assessment": assessment["id"], "token": token_id, "use": use["id"],
                    "craving": craving["id"], "grant": grant["id"], "person": alice.pk, "subscription": device["id"]}}


def operations(client: ApiClient) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json()
    return [(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"]


def call(client: ApiClient, method: str, path: str, body: object = None):
    if method == "get":
        return client.get(path)
    if method == "delete" and body is not None:
        return client.client.delete(path, data=json.dumps(body), content_type="application/json",
                                    headers=client.headers)
    if method == "put":
        return client.client.put(path, data=json.dumps(body or {}), content_type="application/json",
                                 headers=client.headers)
    return getattr(client, method)(path, **({} if method == "delete" else {"body": body or {}}))


def concrete_path(world, path: str) -> str:
    if path in OBJECTS:
        start, rest = path.split("{", 1)
        return start + str(world["ids"][OBJECTS[path]]) + rest.split("}", 1)[1]
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_endpoint_is_classified(world) -> None:
    for method, path in operations(world["anon"]):
        assert (method, path) in PUBLIC or path in OBJECTS or path in COLLECTIONS or path in CLINICIAN \
            or path in INTAKE, (method, path)


def test_anonymous_gets_401_everywhere_but_public_endpoints(world) -> None:
    for method, path in operations(world["anon"]):
        concrete = concrete_path(world, path)
        response = call(world["anon"], method, concrete, {"confirm": "alice@example.org"})
        if (method, path) in PUBLIC:
            assert response.status_code != 401, (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)


@pytest.mark.parametrize("who", ["other", "admin", "editor", "intake"])
def test_others_cannot_reach_the_owners_objects(world, who: str) -> None:
    client = world[who]
    for method, path in operations(client):
        if path not in OBJECTS:
            continue
        concrete = concrete_path(world, path)
        body = PATCH_BODIES.get(OBJECTS[path]) if method == "patch" else None
        response = call(client, method, concrete, body)
        assert response.status_code == 404, (who, method, path, response.status_code)
    owner = world["owner"]
    assert owner.get(f"/api/v1/checkins/{world['ids']['checkin']}").json()["note"] == CANARY
    assert owner.get("/api/v1/checkins").status_code == 200, "the owner's token was not revoked by anyone else"


@pytest.mark.parametrize("who", ["other", "admin", "editor", "intake"])
def test_only_clinicians_reach_the_clinic_endpoints(world, who: str) -> None:
    for method, path in operations(world[who]):
        if path in CLINICIAN:
            response = call(world[who], method, concrete_path(world, path), {"note": "x"})
            assert response.status_code in (403, 404, 422), (who, method, path, response.status_code)
            assert CANARY not in response.content.decode(errors="replace")


@pytest.mark.parametrize("who", ["other", "admin", "editor", "intake"])
def test_others_see_nothing_of_the_owners_in_collections(world, who: str) -> None:
    client = world[who]
    for method, path in operations(client):
        if path not in COLLECTIONS or method not in ("get",):
            continue
        response = call(client, method, path)
        assert response.status_code == 200, (who, path, response.status_code)
        assert CANARY not in response.content.decode(errors="replace"), (who, path)
        assert "alice@example.org" not in response.content.decode(errors="replace"), (who, path)
        assert str(world["ids"]["checkin"]) not in response.content.decode(errors="replace"), (who, path)


@pytest.mark.parametrize("who", ["owner", "other", "admin", "editor"])
def test_only_intake_reaches_contact_requests(world, who: str) -> None:
    """A person, an admin and an editor get 403 from every intake endpoint, with nothing of the
    requester in the answer; anonymous callers get 401 (test above)."""
    client = world[who]
    for method, path in operations(client):
        if path not in INTAKE:
            continue
        concrete = path.replace("{request_id}", world["contact"])
        response = call(client, method, concrete, {"status": "contacted", "note": "x"})
        assert response.status_code == 403, (who, method, path, response.status_code)
        assert REQUESTER_CANARY not in response.content.decode(errors="replace")
        assert "dee@example.org" not in response.content.decode(errors="replace")


def test_intake_reaches_contact_requests_and_every_look_is_audited(world) -> None:
    from thaw.audit.models import AuditEvent
    from thaw.intake.models import ContactRequest

    client = world["intake"]
    listed = client.get("/api/v1/intake/requests")
    assert listed.status_code == 200 and REQUESTER_CANARY in listed.content.decode()
    changed = client.patch(f"/api/v1/intake/requests/{world['contact']}", {"status": "contacted", "note": "Called."})
    assert changed.status_code == 200 and changed.json()["status"] == "contacted"
    assert client.patch("/api/v1/intake/requests/not-a-uuid", {"note": "x"}).status_code == 404
    actions = list(AuditEvent.objects.filter(action__startswith="contact_request.").values_list("action", flat=True))
    assert "contact_request.listed" in actions and "contact_request.viewed" in actions
    assert ContactRequest.objects.get(pk=world["contact"]).notes.get().body == "Called."


def test_the_access_module_keeps_editors_and_intake_apart(world) -> None:
    from django.contrib.auth.models import AnonymousUser

    from thaw import access
    from thaw.accounts.models import User

    editor, intake = User.objects.get(email="editor@example.org"), User.objects.get(email="intake@example.org")
    assert access.is_editor(editor) and not access.is_intake(editor)
    assert access.is_intake(intake) and not access.is_editor(intake)
    for nobody in (editor, AnonymousUser(), None, User.objects.get(email="alice@example.org")):
        assert access.contact_request(nobody, world["contact"]) is None
        assert not access.contact_requests(nobody).exists()
    assert access.contact_request(intake, world["contact"]) is not None
    intake.is_active = False
    assert access.contact_request(intake, world["contact"]) is None
    # An admin may also hold the roles (a small practice), and then reaches what they allow.
    admin = User.objects.get(email="root@example.org")
    assert not access.is_intake(admin) and access.may_edit_program_pages(admin)
    admin.extra_roles = ["intake", "editor"]
    assert access.is_intake(admin) and access.is_editor(admin) and admin.role == "admin"


def test_the_owner_sees_their_data(world) -> None:
    owner = world["owner"]
    assert CANARY in owner.get("/api/v1/checkins").content.decode()
    assert CANARY in owner.get("/api/v1/safety-plan").content.decode()
    assert CANARY in owner.get("/api/v1/export").content.decode()


def test_the_access_module_refuses_everyone_but_the_owner(world, alice, bob) -> None:
    from django.contrib.auth.models import AnonymousUser

    from thaw import access

    checkin_id, assessment_id = world["ids"]["checkin"], world["ids"]["assessment"]
    assert access.checkin(alice, checkin_id) is not None and access.assessment(alice, assessment_id) is not None
    for viewer in (bob, AnonymousUser(), None):
        assert access.checkin(viewer, checkin_id) is None
        assert access.assessment(viewer, assessment_id) is None
    alice.is_active = False
    assert access.checkin(alice, checkin_id) is None
    assert access.checkin(bob, "not-a-uuid") is None


def test_every_api_route_has_its_own_name() -> None:
    """Templates find API routes by name ({% url 'api:create_session' %}); two operations with
    one function name make one of them unreachable by name (a grounding page once posted to
    the clinic's session endpoint this way)."""
    from thaw.api import api

    names = [p.name for p in api.urls[0] if getattr(p, "name", None)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_me_only_ever_reads_and_changes_the_callers_own_profile(world, alice) -> None:
    """GET/PATCH /api/v1/me has no way to name anyone: another person, a clinician and an
    admin each get and change their own profile, never the owner's."""
    clinician = make_user("clin@clinic.example", Role.CLINICIAN)
    Authenticator.objects.create(user=clinician, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    callers = {"other": world["other"], "admin": world["admin"], "clinician": ApiClient(clinician)}
    before = world["owner"].get("/api/v1/me").json()
    assert before["email"] == "alice@example.org"
    for who, client in callers.items():
        mine = client.get("/api/v1/me", id=alice.pk, user=alice.pk, email="alice@example.org")
        assert mine.status_code == 200 and mine.json()["email"] != "alice@example.org", who
        changed = client.patch("/api/v1/me", {"screening_sex": "male", "timezone": "Asia/Tokyo"})
        assert changed.status_code == 200 and changed.json()["email"] == mine.json()["email"], who
        for body in ({"email": "alice@example.org"}, {"id": alice.pk}, {"user": alice.pk},
                     {"person": alice.pk, "screening_sex": "female"}):
            refused = client.patch("/api/v1/me", body)
            assert refused.status_code == 422 and "alice@example.org" not in refused.content.decode(), (who, body)
    alice.refresh_from_db()
    assert (alice.screening_sex, alice.timezone, alice.screening_sex_answered_at) == ("", before["timezone"], None)
    assert world["owner"].get("/api/v1/me").json() == before
