"""Shared fixtures: the personas every authorization test uses.

- alice: a person; owns the data under test.
- bob: another person; "should have no access to Alice's stuff".
- carol: a clinician with no link to alice (clinician access arrives with grants).
- admin: administers accounts; no blanket access to clinical data.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile

# Keep the suite's own files (secret key, e2e data) out of the working tree.
# The semantic crisis backstop (optional extra) stays off in the ordinary suite, so its answers
# do not depend on what is installed; tests/test_crisis_backstop.py turns it on where it is.
os.environ.setdefault("THAW_CRISIS_BACKSTOP", "0")
os.environ.setdefault("THAW_DATA_DIR", tempfile.mkdtemp(prefix="thaw-tests-"))
# Static files (hashed, compressed) are collected once into a gitignored folder that every test
# server shares; later runs reuse it unless a source file changed (thaw/core/delivery.py).
os.environ.setdefault("THAW_STATIC_ROOT", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                       "build", "test-static"))
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from thaw.accounts.models import ApiToken, Role, User

PASSWORD = "a calm, long passphrase"


@pytest.fixture(scope="session", autouse=True)
def static_files() -> None:
    """Pages name their CSS and scripts by hashed names from the collected manifest."""
    from thaw.core.delivery import collect_static

    collect_static()


@functools.lru_cache
def _hash_of_password(hashers: tuple[str, ...]) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_user(email: str, role: str = Role.PERSON) -> User:
    """An account whose password is PASSWORD, hashed as Thaw hashes it (Argon2, its own cost).
    The hash is made once per session and given to every such account: each Argon2 hash takes
    about 0.2 s of CPU, and hundreds of tests begin with an account. Only the salt is shared; a
    sign-in still checks the password against a real Argon2 hash, and the tests that set a
    password (sign-up, a password change, ``thaw user add``) still hash it themselves."""
    admin = role == Role.ADMIN
    user = User.objects.create_user(email, None, role=role, is_staff=admin, is_superuser=admin)
    user.password = _hash_of_password(tuple(settings.PASSWORD_HASHERS))
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def alice(db: Any) -> User:
    return make_user("alice@example.org")


@pytest.fixture
def bob(db: Any) -> User:
    return make_user("bob@example.org")


@pytest.fixture
def carol(db: Any) -> User:
    return make_user("carol@clinic.example", Role.CLINICIAN)


@pytest.fixture
def admin(db: Any) -> User:
    return make_user("admin@example.org", Role.ADMIN)


class ApiClient:
    """A Django test client that speaks JSON with a bearer token (or none)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = ApiToken.issue(user, "tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method: str, path: str, body: Any = None, raw: str | None = None, **params: Any) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"headers": self.headers}
        if method == "get":
            return self.client.get(path, params, **kwargs)
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._call("post", path, body, raw)

    def patch(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._call("patch", path, body, raw)

    def put(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._call("put", path, body, raw)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


@pytest.fixture
def api_alice(alice: User) -> ApiClient:
    return ApiClient(alice)


@pytest.fixture
def api_bob(bob: User) -> ApiClient:
    return ApiClient(bob)


@pytest.fixture
def api_anon(db: Any) -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def web_alice(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def web_bob(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def checkin_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "emotions": [{"word": "lonely", "intensity": 6}, {"word": "tired", "intensity": 4}],
        "numbness": 7,
        "body": ["chest/tight"],
        "tags": ["work"],
        "note": "Long day; felt far away in the meeting.",
    }
    body.update(overrides)
    return body


# Fixtures that give a test a database (pytest-django's, and what every fixture of ours that
# reads or writes one depends on).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server", "django_db_setup", "admin_client", "admin_user", "django_user_model"}
# A module that starts Thaw in a process of its own (a command, a server) reaches the database
# there, where pytest-django cannot see it; one that reads which database is configured may
# expect different things of each.
DEPENDS_ON_DATABASE = re.compile(r"\b(subprocess|live_thaw|isolated_env|person_with_note|DATABASE_URL|DATABASES|"
                                 r"psycopg|sqlite3|unblock|getfixturevalue|connections)\b"
                                 r"|\bthaw\(|connection\.(vendor|features|ops|settings_dict)|settings\.DB_")


def touches_no_database(item: Any) -> bool:
    """True for a test that reads and writes no database: it asks for none (no ``django_db``
    marker, no database fixture: pytest-django refuses any query otherwise), is no end-to-end
    test, and its module's text names nothing that reaches a database around pytest-django
    (a Thaw process, a connection of its own, unblocking, which database is configured). The crisis
    detector's evaluations, the instruments' scoring, the insights engine and the like: their
    result cannot depend on the database."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("e2e"):
        return False
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return False
    path = getattr(item, "path", None)
    if path is None:
        return False
    source = _module_sources.get(path)
    if source is None:
        source = _module_sources[path] = path.read_text(encoding="utf-8")
    return not DEPENDS_ON_DATABASE.search(source)


_module_sources: dict[Any, str] = {}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked ``postgres_only`` (the several-servers deployment, tests/e2e/test_deployment.py)
    need PostgreSQL: on SQLite they are deselected here, so they are neither run nor reported as
    skipped. CI's PostgreSQL pass runs them.

    Tests marked ``same_on_every_database`` look only at what the browser draws from the same
    templates and static files (axe, touch targets, contrast from pixels, bytes sent, the pacer's
    timing); the database under the page cannot change it. They run in the SQLite pass and are
    deselected in the PostgreSQL pass, which still opens every page of every role through the
    test client (tests/test_role_crawl.py) and runs every browser flow that saves something.
    So are the tests that touch no database at all (``touches_no_database``), when
    ``THAW_TESTS_SECOND_PASS=1`` says this run repeats one on SQLite (.ci/run sets it): the same
    code with the same inputs, run once. Without it every test runs, whatever the database."""
    from urllib.parse import urlsplit

    on_postgres = urlsplit(os.environ.get("DATABASE_URL", "")).scheme.startswith("postgres")
    second_pass = on_postgres and os.environ.get("THAW_TESTS_SECOND_PASS") == "1"
    unwanted = "same_on_every_database" if on_postgres else "postgres_only"
    kept = [item for item in items if item.get_closest_marker(unwanted) is None
            and not (second_pass and touches_no_database(item))]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_report_header(config: Any) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return f"thaw database engine: {engine}"

