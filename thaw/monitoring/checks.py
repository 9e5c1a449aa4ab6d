"""System checks for a deployment: connection settings, migrations, and keys every server shares."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

GUNICORN_TIMEOUT_MS = 30_000  # thaw.server


@register()
def database_connections_are_sane(app_configs: object = None, **kwargs: object) -> list[Error | Warning]:
    if not hasattr(settings, "DB_POOL"):
        return []  # SQLite
    problems: list[Error | Warning] = []
    if settings.DB_POOL and settings.DB_POOL_MIN_SIZE > settings.DB_POOL_MAX_SIZE:
        problems.append(Error(
            f"THAW_DB_POOL_MIN_SIZE={settings.DB_POOL_MIN_SIZE} is larger than THAW_DB_POOL_MAX_SIZE="
            f"{settings.DB_POOL_MAX_SIZE}.", hint="Each server process keeps between MIN and MAX connections; "
            "1 and 4 suit synchronous workers.", id="thaw.E020"))
    if settings.DB_POOL and settings.DB_POOL_MAX_SIZE > 20:
        problems.append(Warning(
            f"THAW_DB_POOL_MAX_SIZE={settings.DB_POOL_MAX_SIZE} connections per server process.",
            hint="A worker process answers one request at a time and needs one connection; multiply by "
                 "workers and servers and compare with PostgreSQL's max_connections.", id="thaw.W021"))
    statement = settings.DB_STATEMENT_TIMEOUT_MS
    if statement == 0 or statement >= GUNICORN_TIMEOUT_MS:
        problems.append(Warning(
            f"THAW_DB_STATEMENT_TIMEOUT_MS={statement}: " + ("no limit" if statement == 0 else
                                                            "not below gunicorn's 30 s worker timeout") + ".",
            hint="A runaway query should be cancelled by PostgreSQL (a clear error) before gunicorn kills the "
                 "worker; 20000 is the default.", id="thaw.W022"))
    elif statement < 1000:
        problems.append(Error(
            f"THAW_DB_STATEMENT_TIMEOUT_MS={statement} cancels any statement after under a second.",
            hint="Caseload pages of hundreds of people take longer under load; use at least 1000 (default 20000).",
            id="thaw.E023"))
    idle = settings.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS
    if 0 < idle < 1000:
        problems.append(Error(
            f"THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS={idle} would end transactions between two statements.",
            hint="Use at least 1000 (default 60000), or 0 for no limit.", id="thaw.E024"))
    return problems


@register()
def metrics_access_is_sane(app_configs: object = None, **kwargs: object) -> list[Error]:
    from thaw.monitoring.views import allowed_networks

    try:
        allowed_networks()
    except ValueError as exc:
        return [Error(f"THAW_METRICS_ALLOW: {exc}", hint="A comma-separated list of addresses or networks, "
                      "e.g. 127.0.0.1,10.0.5.0/24.", id="thaw.E025")]
    token = getattr(settings, "THAW_METRICS_TOKEN", "")
    if token and len(token) < 24:
        return [Error("THAW_METRICS_TOKEN is shorter than 24 characters.",
                      hint="Use a long random value, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
                      id="thaw.E026")]
    return []


@register(deploy=True)
def migrations_are_applied(app_configs: object = None, databases: object = None, **kwargs: object) -> list[Error]:
    if not databases:
        return []
    from django.db import DatabaseError

    from thaw.monitoring.readiness import unapplied_migrations

    try:
        missing = unapplied_migrations()
    except DatabaseError as exc:
        return [Error(f"The database cannot be reached: {exc.__class__.__name__}.",
                      hint="Check DATABASE_URL and that PostgreSQL accepts connections from this server.",
                      id="thaw.E031")]
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    return [Error(f"{len(missing)} database migration(s) are not applied: {shown}.",
                  hint="Run `thaw manage migrate` once (or start `thaw serve`, which migrates) before routing "
                       "traffic to this version.", id="thaw.E032")]


@register()
def keys_agree_with_the_other_servers(app_configs: object = None, databases: object = None,
                                      **kwargs: object) -> list[Error]:
    if not databases:
        return []
    from django.db import DatabaseError

    from thaw.monitoring.fingerprints import disagreements

    try:
        differ = disagreements()
    except DatabaseError:
        return []  # not migrated yet: nothing recorded to compare with
    problems = []
    if "secret_key" in differ:
        problems.append(Error(
            "This server's secret key differs from the one the other servers of this database use.",
            hint="Give every app server the same THAW_SECRET_KEY (or THAW_SECRET_KEY_FILE): otherwise a "
                 "session signed in on one server is refused by another, and sign-in limits are counted apart.",
            id="thaw.E030"))
    if "encryption_key" in differ:
        problems.append(Error(
            "This server's current encryption key differs from the one the other servers of this database use.",
            hint="Copy the same key file (or THAW_ENCRYPTION_KEY) to every server; after `thaw rotate-key`, "
                 "copy the new key file to every server and restart each.", id="thaw.E033"))
    if "vapid_key" in differ:
        problems.append(Error(
            "This server's Web Push (VAPID) key differs from the one the other servers of this database use.",
            hint="Give every app server and worker the same THAW_VAPID_PRIVATE_KEY_FILE (copy "
                 "<data dir>/vapid_private_key.pem from the first server): browsers subscribe to one server's "
                 "key, and push services refuse reminders signed with another.", id="thaw.E034"))
    return problems
