"""Every API endpoint × {anonymous, owner, other person, admin}.

Built from the OpenAPI document, so a new endpoint fails here until it is classified.
Another person and an admin must never see the owner's data: objects answer 404 (the
same as a missing one) and collections show nothing of the owner's.
"""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import ApiClient, checkin_body, make_user
from thaw.accounts.models import Role
from thaw.safety.services import save_plan

pytestmark = pytest.mark.django_db

CANARY = "owner-canary-3f9b"
PUBLIC = {("post", "/api/v1/auth/token"), ("get", "/api/v1/emotions"), ("get", "/api/v1/body-sensations"),
          ("get", "/api/v1/instruments"), ("get", "/api/v1/crisis-resources")}
OBJECTS = {  # endpoints naming one of the owner's objects
    "/api/v1/checkins/{checkin_id}": "checkin", "/api/v1/assessments/{assessment_id}": "assessment",
    "/api/v1/tokens/{token_id}": "token",
}
COLLECTIONS = {"/api/v1/checkins", "/api/v1/assessments", "/api/v1/tags", "/api/v1/tokens", "/api/v1/audit",
               "/api/v1/insights", "/api/v1/safety-plan", "/api/v1/export", "/api/v1/me"}


@pytest.fixture
def world(alice, bob):
    owner = ApiClient(alice)
    checkin = owner.post("/api/v1/checkins", checkin_body(note=CANARY, tags=[CANARY])).json()
    assessment = owner.post("/api/v1/assessments", {"instrument": "phq9", "answers": [0] * 8 + [1]}).json()
    save_plan(alice, {"reasons": CANARY})
    token_id = owner.get("/api/v1/tokens").json()[0]["id"]
    admin = make_user("root@example.org", Role.ADMIN)
    # The admin has two-factor, so they pass every gate and only the access rules stand in the way.
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    return {"owner": owner, "other": ApiClient(bob), "admin": ApiClient(admin), "anon": ApiClient(None),
            "ids": {"checkin": checkin["id"], "assessment": assessment["id"], "token": token_id}}


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


def test_every_endpoint_is_classified(world) -> None:
    for method, path in operations(world["anon"]):
        assert (method, path) in PUBLIC or path in OBJECTS or path in COLLECTIONS, (method, path)


def test_anonymous_gets_401_everywhere_but_public_endpoints(world) -> None:
    for method, path in operations(world["anon"]):
        concrete = path
        for template, kind in OBJECTS.items():
            concrete = concrete.replace(template, template.split("{")[0] + str(world["ids"][kind]))
        response = call(world["anon"], method, concrete, {"confirm": "alice@example.org"})
        if (method, path) in PUBLIC:
            assert response.status_code != 401, (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)


@pytest.mark.parametrize("who", ["other", "admin"])
def test_others_cannot_reach_the_owners_objects(world, who: str) -> None:
    client = world[who]
    for method, path in operations(client):
        if path not in OBJECTS:
            continue
        concrete = path.split("{")[0] + str(world["ids"][OBJECTS[path]])
        body = {"numbness": 0} if method == "patch" else None
        response = call(client, method, concrete, body)
        assert response.status_code == 404, (who, method, path, response.status_code)
    owner = world["owner"]
    assert owner.get(f"/api/v1/checkins/{world['ids']['checkin']}").json()["note"] == CANARY
    assert owner.get("/api/v1/checkins").status_code == 200, "the owner's token was not revoked by anyone else"


@pytest.mark.parametrize("who", ["other", "admin"])
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
