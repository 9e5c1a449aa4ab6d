"""The ``thaw`` command: serve the app, manage accounts, and run maintenance tasks."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROLES = ("person", "clinician", "admin", "editor", "intake")
MAIN_ROLES = ("person", "clinician", "admin")  # an account has one; editor and intake may be added to staff


def _setup_django() -> None:
    os.umask(0o077)  # the database, keys and backups are for this account's eyes only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    import django

    django.setup()


# The key of the PostgreSQL advisory lock that lets one server at a time migrate (any fixed
# number no other program on the database uses: "thaw" in ASCII, then "mig").
MIGRATION_LOCK = 0x74686177_6D6967


@contextlib.contextmanager
def _migration_lock() -> Iterator[None]:
    """On PostgreSQL several servers (and workers) may start together: a session advisory lock
    lets one migrate while the others wait, then find nothing left to do."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql" or getattr(settings, "DB_TRANSACTION_POOLER", False):
        yield  # SQLite: one machine, and migrate takes SQLite's write lock; a pooler: see _migrate_now
        return
    with connection.cursor() as cursor:
        # Waiting for another server's migration, and the migration itself (it may rewrite a
        # big table), are not cut short by the statement limit.
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        yield
    finally:
        # Never hide why a migration failed; the lock ends with the session in any case.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
            cursor.execute("RESET statement_timeout")


def _migrate(verbose: bool = True) -> None:
    """Apply any migrations this version has and the database lacks, one server at a time."""
    with _migration_lock():
        _migrate_now(verbose)


def _migrate_now(verbose: bool) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        from django.conf import settings

        if getattr(settings, "DB_TRANSACTION_POOLER", False):
            raise SystemExit(f"{len(plan)} database migration(s) are not applied, and THAW_DB_TRANSACTION_POOLER "
                             "says DATABASE_URL is a pooler, which cannot keep two servers from migrating at once. "
                             "Run `thaw manage migrate` once with DATABASE_URL naming PostgreSQL itself and "
                             "THAW_DB_TRANSACTION_POOLER=false, then start Thaw again.")
        if verbose:
            print(f"Applying {len(plan)} database migration(s)…", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # shared counters (sign-in limits); no-op once made


def _record_key_fingerprints() -> None:
    """The first server's key fingerprints; later servers are compared with them (thaw.E030, E033)."""
    from thaw.monitoring.fingerprints import record

    record()


def _metrics_dir(port: int) -> None:
    """Multiprocess metrics (thaw.monitoring.metrics): one directory per served port in the data
    directory, emptied now (counts from a previous run would be added to this one's). Set
    before Django loads anything, because prometheus-client reads it when first imported."""
    import shutil

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    else:
        data_dir = Path(os.environ.get("THAW_DATA_DIR") or "./data").expanduser().resolve()
        path = data_dir / "metrics" / f"serve-{port}"
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o700)


def default_workers() -> int:
    """One worker per core, at least two: measured fastest for both reads and SQLite writes
    (docs/PERFORMANCE.md); more workers only add scheduling and lock hand-offs."""
    return max(2, min(os.cpu_count() or 1, 8))


def _env_workers() -> int:
    raw = os.environ.get("THAW_WORKERS", "")
    if raw.strip().isdigit() and int(raw) >= 1:
        return int(raw)
    if raw.strip():
        print(f"THAW_WORKERS is \"{raw.strip()}\", not a whole number of workers (1 or more); using "
              f"{default_workers()}.", file=sys.stderr)
    return default_workers()


def _env_run_worker() -> bool:
    return os.environ.get("THAW_RUN_WORKER", "1").strip().lower() not in ("0", "false", "no", "off")


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for ``thaw serve --host H --port P``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    url = served_url(args.host, args.port)
    # Links in invitations and emails must point where Thaw really answers: without
    # THAW_SITE_URL, the site address follows --host/--port (the worker inherits it too).
    os.environ.setdefault("THAW_SITE_URL", url)
    os.environ["THAW_SERVED_URL"] = url  # for the check that compares the two (thaw.core.checks)
    _metrics_dir(args.port)
    _setup_django()
    from django.conf import settings
    from django.core import checks
    from django.db import connections

    from thaw.core.checks import serving

    found = checks.run_checks()
    errors = [e for e in found if e.is_serious()]
    if not errors:
        _migrate()
        _record_key_fingerprints()
        found = checks.run_checks(databases=["default"])
        errors = [e for e in found if e.is_serious()]
    for problem in found:
        print(f"{problem.id}: {problem.msg}\n  hint: {problem.hint}", file=sys.stderr)
    if errors:
        return 2
    from thaw.core.delivery import collect_static

    if collect_static():  # hashed, compressed static files; quick when nothing changed
        print(f"Collected the static files into {settings.STATIC_ROOT}", flush=True)
    connections.close_all()  # never share a database connection across the forked workers
    close_pool = getattr(connections["default"], "close_pool", None)
    if close_pool is not None:
        close_pool()  # nor a connection pool: its threads do not survive a fork

    from thaw.server import run_gunicorn

    worker = _start_worker() if args.worker else None
    print(f"Thaw is running at {url}  (data: {settings.DATA_DIR}; press Ctrl+C to stop)", flush=True)
    try:
        with serving(url):
            run_gunicorn(host=args.host, port=args.port, workers=args.workers)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _start_worker() -> subprocess.Popen[bytes]:
    """The background worker (emails, check-on-me rules) runs beside the web server."""
    return subprocess.Popen([sys.executable, "-m", "thaw.cli", "worker", "--parent-pid", str(os.getpid())])


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from thaw.tasks.worker import run_forever

    if args.parent_pid is None:
        _migrate()
        _record_key_fingerprints()
        from django.core import checks

        problems = [e for e in checks.run_checks(databases=["default"]) if e.is_serious()]
        for problem in problems:
            print(f"{problem.id}: {problem.msg}\n  hint: {problem.hint}", file=sys.stderr)
        if problems:
            return 2
        print("Thaw's worker is running (press Ctrl+C to stop)", flush=True)
    run_forever(poll_seconds=args.poll, parent_pid=args.parent_pid)
    return 0


def _secret(variable: str, prompt: str, *, confirm: bool) -> str:
    """A secret from the environment, or typed at a terminal (never echoed)."""
    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin.isatty():
        raise SystemExit(f"Set {variable}, or run this in a terminal to be asked.")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and first != getpass.getpass(f"{prompt} again: "):
        raise SystemExit("The two entries differ; nothing was changed.")
    return first


def _read_password() -> str:
    return _secret("THAW_PASSWORD", "Password", confirm=True)


def cmd_user_add(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from thaw.accounts.models import Role

    email = args.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        from thaw.text import shown

        print(f"{shown(args.email)} is not an email address.", file=sys.stderr)
        return 2
    main, extra = _roles(args.role)
    if main is None:
        print(extra[0], file=sys.stderr)
        return 2
    user_model = get_user_model()
    if user_model.objects.filter(email=email).exists():
        print(f"An account for {email} already exists; nothing was changed.", file=sys.stderr)
        return 1
    password = _read_password()
    try:
        validate_password(password, user_model(email=email))
    except ValidationError as exc:
        print("That password is not accepted: " + " ".join(exc.messages), file=sys.stderr)
        return 2
    admin = main == Role.ADMIN
    user_model.objects.create_user(email, password, role=main, extra_roles=extra, is_staff=admin, is_superuser=admin)
    print(f"Created {' + '.join([main, *extra])} account {email}." + _second_factor_note(main, extra))
    return 0


def _roles(asked: list[str] | None) -> tuple[str | None, list[str]]:
    """``--role`` given once or more → (main role, extra roles), or (None, [why not])."""
    asked = list(dict.fromkeys(asked or ["person"]))
    mains = [r for r in asked if r in MAIN_ROLES]
    extra = [r for r in asked if r not in MAIN_ROLES]
    if len(mains) > 1:
        return None, [f"An account has one main role; choose one of {', '.join(mains)}."]
    main = mains[0] if mains else extra.pop(0)
    if main == "person" and extra:
        return None, ["A person's account cannot also be staff: give the staff role its own account."]
    return main, extra


def _second_factor_note(main: str, extra: list[str]) -> str:
    return "" if main == "person" and not extra else " They set up two-factor authentication at first sign-in."


def cmd_user_roles(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from django.contrib.auth import get_user_model

    from thaw.accounts.models import EXTRA_ROLES, Role
    from thaw.audit.models import record

    user = get_user_model().objects.filter(email=args.email.strip().lower()).first()
    if user is None:
        print(f"No account has the address {args.email.strip().lower()}; nothing was changed.", file=sys.stderr)
        return 1
    extra = list(user.extra_roles or [])
    for role in args.add or []:
        if role == user.role or role in extra:
            continue
        if user.role == Role.PERSON:
            print("A person's account cannot also be staff: give the staff role its own account.", file=sys.stderr)
            return 2
        extra.append(role)
    extra = [r for r in extra if r not in (args.remove or [])]
    if extra != list(user.extra_roles or []):
        user.extra_roles = [r for r in EXTRA_ROLES if r in extra]
        user.save(update_fields=["extra_roles"])
        record("account.roles_changed", person=user, role=user.role, extra_roles=user.extra_roles)
    print(f"{user.email}: {' + '.join([user.role, *user.extra_roles])}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from thaw.insights.demo import PLANTED, ensure_demo

    summary = ensure_demo(os.environ.get("THAW_DEMO_PASSWORD") or None)
    state = "Created" if summary.created else "Already there:"
    print(f"{state} a demo person with {summary.checkins} synthetic check-ins over a year.")
    print(f"Sign in at /accounts/login/ with  {summary.email}  /  {summary.password}")
    print("Planted patterns the Insights page should find: " + ", ".join(PLANTED))
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from django.core.exceptions import ImproperlyConfigured

    from thaw.crypto import rotate

    try:
        key_id, rewritten, in_use = rotate(drop_old=args.drop_old)
    except ImproperlyConfigured as exc:
        print(str(exc), file=sys.stderr)
        return 2
    from thaw.monitoring.fingerprints import record

    record(replace="encryption_key")  # servers still on the old key now fail `thaw check` (thaw.E033)
    if args.drop_old:
        print(f"Kept only key {key_id}; values per key: {in_use or 'none stored'}. Backups made with an older key "
              "can no longer be opened with this key file: keep a copy of the old key file beside them.")
    else:
        print(f"New key {key_id}; re-encrypted {rewritten} value(s). Values per key now: {in_use or 'none stored'}.")
        print("Old keys stay in the key file (older backups need them). Restart every app server, then "
              "`thaw rotate-key --drop-old` if you want them gone.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from thaw.audit.models import verify

    intact, checked, problem = verify()
    if intact:
        print(f"Audit trail intact: {checked} event(s), chain verified.")
        return 0
    print(f"Audit trail BROKEN after {checked} good event(s): {problem}", file=sys.stderr)
    return 1


def _passphrase() -> str:
    return _secret("THAW_EXPORT_PASSPHRASE", "Export passphrase", confirm=False)


def _read_export(path: str) -> bytes:
    from thaw.exports.formats import MAGIC, unseal

    data = Path(path).read_bytes()
    if data.startswith(MAGIC):
        try:
            data = unseal(data, _passphrase())
        except ValueError as exc:
            raise SystemExit(f"Cannot open {path}: {exc}.") from None
    return data


def cmd_unseal(args: argparse.Namespace) -> int:
    from thaw.exports.formats import MAGIC

    if not Path(args.file).read_bytes().startswith(MAGIC):
        print(f"{args.file} is not a sealed Thaw export.", file=sys.stderr)
        return 2
    data = _read_export(args.file)
    Path(args.output).write_bytes(data)
    print(f"Wrote {args.output} ({len(data):,} bytes).")
    return 0


def _not_imported(path: str, problem: str) -> int:
    print(f"Not imported: {path}: {problem}. Nothing was changed.", file=sys.stderr)
    return 2


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbose=False)
    from django.db import DatabaseError

    from thaw.audit.models import record
    from thaw.backup import MAGIC as BACKUP_MAGIC
    from thaw.exports.document import check_importable, restore
    from thaw.exports.schema import DocumentInvalid
    from thaw.validation import BodyNotJSON, parse_json_body

    try:
        raw = _read_export(args.file)
    except OSError as exc:
        return _not_imported(args.file, f"cannot be read ({exc.strerror or exc})")
    if raw.startswith(BACKUP_MAGIC):
        return _not_imported(args.file, "this is a backup of a whole install; restore it with `thaw restore`")
    try:
        document = parse_json_body(raw)
        check_importable(document)  # the whole file is checked before the password is asked for
        person = restore(document, _read_password())
    except BodyNotJSON as exc:
        return _not_imported(args.file, f"not a JSON file: {exc}")
    except DocumentInvalid as exc:
        return _not_imported(args.file, str(exc))
    except DatabaseError as exc:  # checked first, so this is the database itself refusing
        print(f"Not imported: the database refused the import ({exc.__class__.__name__}). Nothing was changed.",
              file=sys.stderr)
        return 1
    record("data.imported", actor=None, person=person)
    print(f"Imported {person.email}: {len(document.get('checkins', []))} check-ins, "
          f"{len(document.get('assessments', []))} assessments.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    _setup_django()
    from thaw.backup import BackupError, backup

    try:
        header = backup(Path(args.path))
    except (BackupError, OSError, subprocess.CalledProcessError) as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {args.path}: {header['engine']} database, {header['bytes']:,} bytes, encrypted with key "
          f"{header['key_id']}. Keep the encryption key backed up separately: the backup needs it.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup_django()
    from thaw.backup import BackupError, restore

    if not args.yes:
        if not sys.stdin.isatty():
            print("Restoring replaces the whole database. Stop Thaw, then run again with --yes.", file=sys.stderr)
            return 2
        if input("This replaces the whole database. Is Thaw stopped, and do you want to go on? [y/N] ").lower() != "y":
            return 1
    try:
        header = restore(Path(args.path))
    except BackupError as exc:  # the file: missing, not a backup, damaged, for another install
        print(f"Not restored: {exc}. Nothing was replaced.", file=sys.stderr)
        return 2
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"Restore failed, nothing was replaced: {exc}", file=sys.stderr)
        return 1
    _migrate()
    print(f"Restored the {header['engine']} backup made at {header['created']} (checksum and integrity verified).")
    if header["vapid_note"]:
        print(header["vapid_note"])
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    from django.core.management import execute_from_command_line

    if args.rest[:1] == ["migrate"]:  # by hand, while a server may be starting: take turns with it
        import django

        django.setup()
        with _migration_lock():
            execute_from_command_line(["thaw manage", *args.rest])
        return 0
    execute_from_command_line(["thaw manage", *args.rest])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    code = cmd_manage(argparse.Namespace(rest=["check", "--database", "default", *(["--deploy"] if args.deploy else [])]))
    from thaw.checkins.wordmodel import mode

    print(f"Word finding: {mode()}.")
    from thaw.safety.backstop import mode as crisis_mode

    print(f"Crisis screening: {crisis_mode()}.")
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thaw",
        description="Thaw: a companion for people who feel emotionally numb, and their clinicians.",
        epilog="Settings come from environment variables (THAW_DATA_DIR, DATABASE_URL, THAW_SITE_URL, …); see docs/CONFIGURATION.md.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="migrate the database if needed, then serve Thaw with gunicorn",
                           description="Migrate the database if needed, then serve Thaw with gunicorn.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=_env_workers(),
                       help=f"worker processes (default THAW_WORKERS or {default_workers()})")
    serve.add_argument("--no-worker", dest="worker", action="store_false", default=_env_run_worker(),
                       help="do not start the background worker here (run `thaw worker` elsewhere); "
                            "default from THAW_RUN_WORKER (on)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the background worker: emails, reminders, check-on-me rules",
                            description="Run queued background jobs and periodic rules until stopped. "
                                        "`thaw serve` starts one by default; run this on its own when "
                                        "several app servers share one database.")
    worker.add_argument("--poll", type=float, default=2.0, help="seconds between looks for new work (default 2)")
    worker.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    user = sub.add_parser("user", help="manage accounts (user add EMAIL --role person|clinician|admin|editor|intake)",
                          description="Manage accounts.")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="create an account; password from THAW_PASSWORD or a prompt",
                              description="Create an account. The password comes from THAW_PASSWORD or a prompt.")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, action="append",
                     help="person (default), clinician, admin, editor or intake; give it twice for a staff "
                          "account with two roles, e.g. --role admin --role editor")
    add.set_defaults(func=cmd_user_add)
    roles = user_sub.add_parser("roles", help="show, add or remove an account's editor and intake roles",
                                description="Show an account's roles; add or remove editor and intake.")
    roles.add_argument("email")
    roles.add_argument("--add", choices=("editor", "intake"), action="append", help="add a role")
    roles.add_argument("--remove", choices=("editor", "intake"), action="append", help="remove a role")
    roles.set_defaults(func=cmd_user_roles)

    demo = sub.add_parser("demo", help="create (once) a demo person with a year of synthetic check-ins",
                          description="Create a demo person with a year of synthetic check-ins and planted patterns; "
                                      "running it again only resets the demo password (THAW_DEMO_PASSWORD or random).")
    demo.set_defaults(func=cmd_demo)

    rotate = sub.add_parser("rotate-key", help="make a new encryption key and re-encrypt all stored free text",
                            description="Add a new encryption key, re-encrypt every note and safety plan with it, "
                                        "and optionally drop the old keys.")
    rotate.add_argument("--drop-old", action="store_true",
                        help="remove the old keys once nothing uses them (restart running servers first)")
    rotate.set_defaults(func=cmd_rotate_key)

    audit = sub.add_parser("audit", help="audit trail tools (audit verify: check the hash chain)",
                           description="Audit trail tools.")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", help="check that no audit event was changed, removed or reordered",
                                  description="Walk the audit trail's hash chain and report the first break.")
    verify.set_defaults(func=cmd_audit_verify)

    imp = sub.add_parser("import", help="import a JSON export (sealed or not) into this install as a new account",
                         description="Import a Thaw JSON export as a new account. The password comes from "
                                     "THAW_PASSWORD or a prompt; a sealed file's passphrase from "
                                     "THAW_EXPORT_PASSPHRASE or a prompt.")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)

    unseal = sub.add_parser("unseal", help="decrypt a passphrase-sealed export file",
                            description="Decrypt a sealed export (passphrase from THAW_EXPORT_PASSPHRASE or a prompt).")
    unseal.add_argument("file")
    unseal.add_argument("output")
    unseal.set_defaults(func=cmd_unseal)

    back = sub.add_parser("backup", help="write an encrypted, checksummed copy of the database to PATH",
                          description="Back up the database (SQLite online backup or pg_dump), encrypted with the "
                                      "current encryption key.")
    back.add_argument("path")
    back.set_defaults(func=cmd_backup)

    rest = sub.add_parser("restore", help="replace the database with a backup after checking it (stop Thaw first)",
                          description="Restore a backup made by `thaw backup`, after verifying its checksum and "
                                      "integrity. Stop Thaw first.")
    rest.add_argument("path")
    rest.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rest.set_defaults(func=cmd_restore)

    check = sub.add_parser("check", help="check the configuration and explain anything that is wrong",
                           description="Run Thaw's system checks.")
    check.add_argument("--deploy", action="store_true", help="also run the production-deployment checks")
    check.set_defaults(func=cmd_check)

    manage = sub.add_parser("manage", help="run a Django management command (e.g. thaw manage migrate)",
                            description="Run a Django management command.", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


# Commands that seldom scan text (accounts, keys, backups) leave the crisis detector to their
# first scan (thaw.safety.apps): about 1 s off each one's start-up. So does `thaw manage` (a shell,
# migrate…), except for the Django commands that serve or check. Every other command (serve,
# worker, check, and one added later) reads and checks it as Django starts: a broken file stops it.
LIGHT_COMMANDS = ("user", "demo", "rotate-key", "audit", "import", "unseal", "backup", "restore")
MANAGE_LOADING_DETECTOR = ("runserver", "testserver", "check")


def loads_crisis_detector_at_start(args: argparse.Namespace) -> bool:
    if args.command == "manage":
        return bool(args.rest) and args.rest[0] in MANAGE_LOADING_DETECTOR
    return args.command not in LIGHT_COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if loads_crisis_detector_at_start(args):
        return int(args.func(args) or 0)
    from thaw.safety.apps import detector_on_first_scan

    with detector_on_first_scan():
        return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
