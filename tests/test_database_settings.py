"""PostgreSQL connection settings (docs/CONFIGURATION.md, docs/DEPLOYING.md): what the THAW_DB_*
variables become, the checks that refuse bad values (thaw.E020-E024), and, against a real server,
that the statement and idle-in-transaction timeouts are enforced and that a connection the server
killed is replaced before the next request uses it.

The first part reads thaw/settings.py afresh with the variables set, as a server starting with
them would, and runs on both databases (nothing connects). The second part runs only in the
PostgreSQL pass: each test starts a ``thaw`` subprocess with its own database and its own variables.
"""

from __future__ import annotations

import json
import os
import runpy
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import Error, Warning, registry
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.support import isolated_env, thaw
from thaw.monitoring.checks import database_connections_are_sane

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "thaw" / "settings.py"
# Parsed into settings only: nothing here connects to it.
SOME_POSTGRES = "postgres://thaw@db.invalid:5432/thaw"
CHECKED = ("DB_POOL", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE", "DB_STATEMENT_TIMEOUT_MS",
           "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS")
CONNECTION_CHECK_IDS = {"thaw.E020", "thaw.W021", "thaw.W022", "thaw.E023", "thaw.E024"}


def settings_with(monkeypatch: pytest.MonkeyPatch, database_url: str | None = SOME_POSTGRES,
                  **variables: str) -> dict[str, Any]:
    """thaw/settings.py evaluated with only these THAW_DB_* variables (and DATABASE_URL) set."""
    for name in list(os.environ):
        if name.startswith("THAW_DB_"):
            monkeypatch.delenv(name)
    if database_url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", database_url)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def connection_checks(monkeypatch: pytest.MonkeyPatch, database_url: str | None = SOME_POSTGRES,
                      **variables: str) -> dict[str, Error | Warning]:
    """What thaw.E020-E024 say about a server started with these variables, by check id."""
    loaded = settings_with(monkeypatch, database_url, **variables)
    with override_settings(**{name: loaded[name] for name in CHECKED if name in loaded}):
        for name in CHECKED:
            if name not in loaded and hasattr(settings, name):
                delattr(settings, name)  # a SQLite server has none of them
        found = database_connections_are_sane()
    by_id = {message.id: message for message in found}
    assert len(by_id) == len(found), found
    return by_id


def test_the_connection_checks_are_part_of_thaw_check() -> None:
    assert database_connections_are_sane in registry.registry.get_checks()


def test_defaults_reach_postgresql_as_startup_options_and_a_checked_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = settings_with(monkeypatch)
    database = loaded["DATABASES"]["default"]
    assert database["OPTIONS"]["options"] == "-c statement_timeout=20000 -c idle_in_transaction_session_timeout=60000"
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10, "max_idle": 600,
                                           "max_lifetime": 1800}
    # Django builds the pool with ConnectionPool.check_connection only when CONN_HEALTH_CHECKS is on.
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] == 0  # the pool keeps the connections, Django does not
    assert not database.get("DISABLE_SERVER_SIDE_CURSORS")
    assert connection_checks(monkeypatch) == {}


def test_each_variable_lands_where_the_guide_says(monkeypatch: pytest.MonkeyPatch) -> None:
    database = settings_with(monkeypatch, THAW_DB_POOL_MIN_SIZE="2", THAW_DB_POOL_MAX_SIZE="6",
                             THAW_DB_POOL_TIMEOUT="3", THAW_DB_STATEMENT_TIMEOUT_MS="15000",
                             THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS="0")["DATABASES"]["default"]
    assert database["OPTIONS"]["options"] == "-c statement_timeout=15000 -c idle_in_transaction_session_timeout=0"
    pool = database["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 6, 3)


def test_without_the_pool_one_persistent_health_checked_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    database = settings_with(monkeypatch, THAW_DB_POOL="false", THAW_DB_CONN_MAX_AGE="120")["DATABASES"]["default"]
    assert "pool" not in database["OPTIONS"]
    assert database["CONN_MAX_AGE"] == 120 and database["CONN_HEALTH_CHECKS"] is True
    assert "statement_timeout=20000" in database["OPTIONS"]["options"]  # pgbouncer in session mode passes them


def test_behind_a_transaction_pooler_no_startup_options(monkeypatch: pytest.MonkeyPatch) -> None:
    database = settings_with(monkeypatch, THAW_DB_POOL="false",
                             THAW_DB_TRANSACTION_POOLER="true")["DATABASES"]["default"]
    assert "options" not in database["OPTIONS"]  # pgbouncer refuses them: the timeouts go on the role
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.parametrize(("variables", "expected", "said"), [
    # thaw.E020: the pool's minimum above its maximum.
    ({"THAW_DB_POOL_MIN_SIZE": "5", "THAW_DB_POOL_MAX_SIZE": "2"}, "thaw.E020",
     ["THAW_DB_POOL_MIN_SIZE=5", "THAW_DB_POOL_MAX_SIZE=2", "1 and 4"]),
    ({"THAW_DB_POOL_MIN_SIZE": "4", "THAW_DB_POOL_MAX_SIZE": "4"}, None, []),
    ({"THAW_DB_POOL": "false", "THAW_DB_POOL_MIN_SIZE": "5", "THAW_DB_POOL_MAX_SIZE": "2"}, None, []),
    # thaw.W021: more connections per process than a worker can use.
    ({"THAW_DB_POOL_MAX_SIZE": "21"}, "thaw.W021", ["THAW_DB_POOL_MAX_SIZE=21", "max_connections"]),
    ({"THAW_DB_POOL_MAX_SIZE": "20"}, None, []),
    ({"THAW_DB_POOL": "false", "THAW_DB_POOL_MAX_SIZE": "50"}, None, []),
    # thaw.W022: no statement limit, or one gunicorn's 30 s worker timeout would beat.
    ({"THAW_DB_STATEMENT_TIMEOUT_MS": "0"}, "thaw.W022", ["THAW_DB_STATEMENT_TIMEOUT_MS=0", "no limit", "20000"]),
    ({"THAW_DB_STATEMENT_TIMEOUT_MS": "30000"}, "thaw.W022",
     ["THAW_DB_STATEMENT_TIMEOUT_MS=30000", "30 s", "20000"]),
    ({"THAW_DB_STATEMENT_TIMEOUT_MS": "29999"}, None, []),
    # thaw.E023: a statement limit under a second.
    ({"THAW_DB_STATEMENT_TIMEOUT_MS": "999"}, "thaw.E023", ["THAW_DB_STATEMENT_TIMEOUT_MS=999", "at least 1000"]),
    ({"THAW_DB_STATEMENT_TIMEOUT_MS": "1000"}, None, []),
    # thaw.E024: an idle-in-transaction limit under a second (0 is no limit).
    ({"THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "999"}, "thaw.E024",
     ["THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS=999", "at least 1000", "0 for no limit"]),
    ({"THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "1000"}, None, []),
    ({"THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "0"}, None, []),
])
def test_each_connection_check_names_the_variable_and_a_value_to_use(
        monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str | None, said: list[str]) -> None:
    found = connection_checks(monkeypatch, **variables)
    assert set(found) == ({expected} if expected else set()), found
    if expected:
        message = found[expected]
        assert isinstance(message, Error if ".E" in expected else Warning)
        assert message.is_serious() == (".E" in expected)  # an error stops `thaw serve`, a warning does not
        text = f"{message.msg} {message.hint}"
        assert all(part in text for part in said), text


def test_every_connection_check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    found = connection_checks(monkeypatch, THAW_DB_POOL_MIN_SIZE="30", THAW_DB_POOL_MAX_SIZE="25",
                              THAW_DB_STATEMENT_TIMEOUT_MS="500", THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS="500")
    assert set(found) == {"thaw.E020", "thaw.W021", "thaw.E023", "thaw.E024"}


def test_on_sqlite_the_postgresql_settings_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert connection_checks(monkeypatch, None, THAW_DB_POOL_MIN_SIZE="5", THAW_DB_POOL_MAX_SIZE="2",
                             THAW_DB_STATEMENT_TIMEOUT_MS="1") == {}


@pytest.mark.parametrize(("name", "value", "said"), [
    ("THAW_DB_STATEMENT_TIMEOUT_MS", "-1", "too small"),
    ("THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "1 minute", "not a whole number"),
    ("THAW_DB_POOL_MAX_SIZE", "0", "too small"),
    ("THAW_DB_POOL", "maybe", "not a boolean"),
])
def test_values_that_cannot_be_read_stop_the_start(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                    said: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"{name}=.*{said}"):
        settings_with(monkeypatch, **{name: value})


def test_a_pool_thaw_check_refuses_can_still_be_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """With MIN above MAX, `thaw check` must get as far as saying thaw.E020: the checks that read
    the database build the pool first, and psycopg refuses min_size > max_size with a ValueError."""
    from psycopg_pool import ConnectionPool

    loaded = settings_with(monkeypatch, THAW_DB_POOL_MIN_SIZE="5", THAW_DB_POOL_MAX_SIZE="2")
    pool = ConnectionPool(SOME_POSTGRES, open=False, **loaded["DATABASES"]["default"]["OPTIONS"]["pool"])
    pool.close()
    assert set(connection_checks(monkeypatch, THAW_DB_POOL_MIN_SIZE="5", THAW_DB_POOL_MAX_SIZE="2")) == {"thaw.E020"}


# --- against PostgreSQL ----------------------------------------------------------------------
# Each test gets a database of its own (tests/support.py), so killing every other connection to
# it touches only the subprocess under test. The subprocess prints one line: RESULT {json}.


def run_script(tmp_path: Path, script: str, **variables: str) -> dict[str, Any]:
    with isolated_env(tmp_path / "data") as env:
        env.update(variables)
        done = thaw("manage", "shell", "--no-imports", "-c", textwrap.dedent(script), env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.postgres_only
def test_thaw_check_names_each_bad_connection_setting(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        bad = thaw("check", env={**env, "THAW_DB_POOL_MIN_SIZE": "5", "THAW_DB_POOL_MAX_SIZE": "2",
                                     "THAW_DB_STATEMENT_TIMEOUT_MS": "200",
                                     "THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "500"})
        assert bad.returncode == 1 and "Traceback" not in bad.stderr, bad.stderr
        for shown in ("thaw.E020", "THAW_DB_POOL_MIN_SIZE=5", "thaw.E023", "THAW_DB_STATEMENT_TIMEOUT_MS=200",
                      "at least 1000", "thaw.E024", "THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS=500"):
            assert shown in bad.stderr, bad.stderr
        warned = thaw("check", env={**env, "THAW_DB_POOL_MAX_SIZE": "50", "THAW_DB_STATEMENT_TIMEOUT_MS": "0"})
        assert warned.returncode == 0, warned.stderr
        assert "thaw.W021" in warned.stderr and "thaw.W022" in warned.stderr, warned.stderr
        good = thaw("check", env=env)
        assert good.returncode == 0, good.stderr
        assert not [found for found in CONNECTION_CHECK_IDS if found in good.stdout + good.stderr]


@pytest.mark.postgres_only
def test_a_statement_longer_than_the_timeout_is_cancelled_with_an_error(tmp_path: Path) -> None:
    """1 s against a 60 s pg_sleep: PostgreSQL cancels it and Django raises, long before 60 s."""
    result = run_script(tmp_path, """
        import json, time
        from django.db import OperationalError, connection
        from thaw.cli import _migration_lock

        out = {}
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            out["setting"] = cursor.fetchone()[0]
            started = time.monotonic()
            try:
                cursor.execute("SELECT pg_sleep(60)")
                out["error"] = None
            except OperationalError as exc:
                out["error"] = type(exc).__module__ + "." + type(exc).__name__
                out["sqlstate"] = getattr(exc.__cause__, "sqlstate", None)
                out["message"] = str(exc)
            out["seconds"] = time.monotonic() - started
            cursor.execute("SELECT 1")  # the connection is still good for the next statement
            out["after"] = cursor.fetchone()[0]
        with _migration_lock():  # migrations run without the limit (docs/CONFIGURATION.md)
            with connection.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                out["migrating"] = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            out["after_migrating"] = cursor.fetchone()[0]
        print("RESULT " + json.dumps(out))
    """, THAW_DB_STATEMENT_TIMEOUT_MS="1000")
    assert result["setting"] == "1s"
    assert result["error"] == "django.db.utils.OperationalError", result
    assert result["sqlstate"] == "57014" and "statement timeout" in result["message"]  # query_canceled
    assert result["seconds"] < 30, result
    assert result["after"] == 1
    assert (result["migrating"], result["after_migrating"]) == ("0", "1s")


@pytest.mark.postgres_only
def test_a_transaction_left_idle_is_ended_by_the_server(tmp_path: Path) -> None:
    """1 s idle inside a transaction: PostgreSQL ends the session (no one else touches it here);
    the next statement in that transaction is an error, and the next one after it gets a new
    connection."""
    result = run_script(tmp_path, """
        import json, os, time
        import psycopg
        from django.db import DatabaseError, connection, transaction

        watcher = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)

        def alive(pid):
            query = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
            return watcher.execute(query, [pid]).fetchone()[0] == 1

        out = {}
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # one statement: no pause to be cut off in
                    cursor.execute("SELECT pg_backend_pid(), current_setting('idle_in_transaction_session_timeout')")
                    out["pid"], out["setting"] = cursor.fetchone()
                deadline = time.monotonic() + 180
                while alive(out["pid"]) and time.monotonic() < deadline:
                    time.sleep(0.05)
                out["ended"] = not alive(out["pid"])
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            out["error"] = None
        except DatabaseError as exc:
            out["error"] = type(exc).__module__ + "." + type(exc).__name__
            out["sqlstate"] = getattr(exc.__cause__, "sqlstate", None)
            out["message"] = str(exc)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            out["next_pid"] = cursor.fetchone()[0]
        print("RESULT " + json.dumps(out))
    """, THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS="1000")
    assert result["setting"] == "1s"
    assert result["ended"] is True, result
    assert result["error"] is not None and result["error"].startswith("django.db."), result
    assert result["sqlstate"] == "25P03" and "idle-in-transaction timeout" in result["message"], result
    assert result["next_pid"] != result["pid"]


@pytest.mark.postgres_only
@pytest.mark.parametrize("pool", ["true", "false"])
def test_a_connection_the_server_killed_is_replaced_before_the_next_request(tmp_path: Path, pool: str) -> None:
    """Requests go through Thaw's WSGI application as gunicorn sends them (Django's test client
    would not do: it keeps one connection across requests on purpose). Between two requests every
    connection to the database is terminated from another connection; the second /healthz still
    answers 200 from a new one. With the pool, psycopg checks a connection before lending it;
    without it (THAW_DB_POOL=false), Django's CONN_HEALTH_CHECKS checks it at the first query."""
    result = run_script(tmp_path, """
        import io, json, os, sys, time
        import psycopg
        from django.conf import settings
        from django.db import connection
        from thaw.wsgi import application

        def get(path):
            statuses = []
            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                       "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
                       "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
                       "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
                       "wsgi.multiprocess": True, "wsgi.run_once": False}
            body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
            try:
                b"".join(body)
            finally:
                body.close()  # as gunicorn does: request_finished, the connection goes back or stays
            return int(statuses[0].split()[0])

        watcher = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        out = {"pooled": "pool" in settings.DATABASES["default"]["OPTIONS"]}
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            out["statement_timeout"] = cursor.fetchone()[0]
            cursor.execute("SHOW idle_in_transaction_session_timeout")
            out["idle_timeout"] = cursor.fetchone()[0]
        connection.close()
        out["first"] = get("/healthz")
        out["killed"] = [row[0] for row in watcher.execute("SELECT pid, pg_terminate_backend(pid) " + others)]
        deadline = time.monotonic() + 180
        while watcher.execute("SELECT count(*) " + others).fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        out["second"] = get("/healthz")
        out["now"] = [row[0] for row in watcher.execute("SELECT pid " + others)]
        print("RESULT " + json.dumps(out))
    """, THAW_DB_POOL=pool)
    assert result["pooled"] is (pool == "true")
    # The documented defaults reach the server (docs/DEPLOYING.md: 20 s and 60 s).
    assert (result["statement_timeout"], result["idle_timeout"]) == ("20s", "1min")
    assert result["first"] == 200
    assert result["killed"], "the first request left a connection to kill"
    assert result["second"] == 200, result
    assert result["now"] and not set(result["now"]) & set(result["killed"]), result
