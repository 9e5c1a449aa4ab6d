"""The ``thaw`` command as a self-hoster uses it, run as a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import another_vapid_key, isolated_env, thaw


def test_help_lists_every_command_with_a_description() -> None:
    result = subprocess.run([sys.executable, "-m", "thaw.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "user", "check", "manage"):
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10, line
    serve_help = subprocess.run([sys.executable, "-m", "thaw.cli", "serve", "--help"], capture_output=True, text=True, timeout=60)
    for option in ("--host", "--port", "--workers"):
        assert option in serve_help.stdout


def test_user_add_creates_an_account_once(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        created = thaw("user", "add", "Sam@Example.org", "--role", "clinician", env=env)
        assert created.returncode == 0, created.stderr
        assert "clinician" in created.stdout and "sam@example.org" in created.stdout
        again = thaw("user", "add", "sam@example.org", "--role", "person", env=env)
        assert again.returncode == 1 and "already exists" in again.stderr
        check = thaw("manage", "shell", "--no-imports", "-c",
                     "from thaw.accounts.models import User; u=User.objects.get(email='sam@example.org'); "
                     "print(u.role, u.is_staff, u.password.split('$')[0])", env=env)
        assert check.stdout.split() == ["clinician", "False", "argon2"]


def test_user_add_refuses_bad_input(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        weak = thaw("user", "add", "pat@example.org", env={**env, "THAW_PASSWORD": "12345"})
        assert weak.returncode == 2 and "not accepted" in weak.stderr
        bad_email = thaw("user", "add", "not-an-email", env={**env, "THAW_PASSWORD": "a calm, long passphrase"})
        assert bad_email.returncode == 2 and "not an email" in bad_email.stderr
        bad_role = thaw("user", "add", "pat@example.org", "--role", "wizard", env=env)
        assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
        no_password = thaw("user", "add", "pat@example.org", env=env, input="")
        assert no_password.returncode != 0 and "THAW_PASSWORD" in no_password.stderr


def test_admin_role_can_use_django_admin(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        result = thaw("user", "add", "root@example.org", "--role", "admin", env={**env, "THAW_PASSWORD": "a calm, long passphrase"})
        assert result.returncode == 0, result.stderr


def test_misconfiguration_is_explained(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        junk = thaw("check", env={**env, "THAW_DEBUG": "maybe"})
        assert junk.returncode != 0 and "THAW_DEBUG='maybe' is not a boolean" in junk.stderr
        bad_url = thaw("check", env={**env, "THAW_SITE_URL": "thaw.example.org"})
        assert bad_url.returncode != 0 and "THAW_SITE_URL" in bad_url.stderr
        public_debug = thaw("check", env={**env, "THAW_DEBUG": "1", "THAW_SITE_URL": "https://thaw.example.org"})
        assert public_debug.returncode != 0 and "thaw.E002" in public_debug.stderr
        fine = thaw("check", env=env)
        assert fine.returncode == 0, fine.stderr
        from thaw.checkins.wordmodel import mode

        assert f"Word finding: {mode()}." in fine.stdout  # which mode is active, for the self-hoster


def test_settings_are_safe_by_default(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        script = ("from django.conf import settings as s; "
                  "print(s.DEBUG, sorted(s.ALLOWED_HOSTS), s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
        default = thaw("manage", "shell", "--no-imports", "-c", script, env=env)
        assert default.stdout.strip() == "False ['127.0.0.1', '[::1]', 'localhost'] False 0"
        https = thaw("manage", "shell", "--no-imports", "-c", script,
                     env={**env, "THAW_SITE_URL": "https://thaw.example.org"})
        assert https.stdout.strip() == "False ['127.0.0.1', '[::1]', 'localhost', 'thaw.example.org'] True 31536000"
        key = Path(env["THAW_DATA_DIR"]) / "secret_key"
        assert (key.stat().st_mode & 0o777) == 0o600
        assert thaw("manage", "migrate", "-v", "0", env=env).returncode == 0
        no_accounts = thaw("manage", "shell", "--no-imports", "-c",
                           "from thaw.accounts.models import User; print(User.objects.count())", env=env)
        assert no_accounts.stdout.strip() == "0", no_accounts.stderr


def test_secret_key_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "key.txt"
    secret.write_text("x" * 60)
    with isolated_env(tmp_path / "data") as env:
        result = thaw("manage", "shell", "--no-imports", "-c", "from django.conf import settings; print(len(settings.SECRET_KEY))",
                      env={**env, "THAW_SECRET_KEY_FILE": str(secret)})
        assert result.stdout.strip() == "60"
        assert not (Path(env["THAW_DATA_DIR"]) / "secret_key").exists()
    assert os.path.exists(secret)


def test_deploy_check_is_clean_in_production_settings(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        env.update(THAW_SITE_URL="https://thaw.example.org", THAW_TRUSTED_PROXY_COUNT="1")
        unmigrated = thaw("check", "--deploy", env=env)
        assert unmigrated.returncode == 1 and "thaw.E032" in unmigrated.stderr, unmigrated.stderr
        assert thaw("manage", "migrate", "-v", "0", env=env).returncode == 0
        fresh = thaw("check", "--deploy", env=env)
        assert fresh.returncode == 0, fresh.stderr  # warnings: the clinic's front door is not set up yet
        assert "thaw.W060" in fresh.stderr and "--role intake" in fresh.stderr, "nobody would see contact requests"
        assert "thaw.W061" in fresh.stderr and "virtual-iop-adults" in fresh.stderr, "example programs are public"
        assert "thaw.W06" not in thaw("check", env=env).stderr, "only the deployment checks read the clinic's setup"
        hidden = thaw("manage", "shell", "--no-imports", "-c",
                      "from thaw.learn.models import ProgramPage; ProgramPage.objects.update(public=False)", env=env)
        assert hidden.returncode == 0, hidden.stderr
        result = thaw("check", "--deploy", env={**env, "THAW_INTAKE_NOTIFY_EMAIL": "intake@clinic.example"})
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout, result.stdout + result.stderr


def test_deploy_check_catches_servers_whose_keys_disagree(tmp_path: Path) -> None:
    """The first server records its keys' fingerprints; one started with another key is refused."""
    with isolated_env(tmp_path / "data") as env:
        assert thaw("manage", "migrate", "-v", "0", env=env).returncode == 0
        recorded = thaw("manage", "shell", "--no-imports", "-c",
                        "from thaw.monitoring.fingerprints import record; record()", env=env)
        assert recorded.returncode == 0, recorded.stderr
        assert thaw("check", env=env).returncode == 0
        other = thaw("check", "--deploy", env={**env, "THAW_SECRET_KEY": "another-secret-key-" + "x" * 40})
        assert other.returncode == 1 and "thaw.E030" in other.stderr, other.stderr
        assert "thaw.E033" not in other.stderr
        ring = "0a1b2c3d:" + "A" * 43
        other_key = thaw("check", env={**env, "THAW_ENCRYPTION_KEY": ring})
        assert other_key.returncode == 1 and "thaw.E033" in other_key.stderr, other_key.stderr
        # A server that made a Web Push key of its own: devices subscribed through the others
        # would get no reminders it signs.
        other_push = thaw("check", "--deploy", env={**env, "THAW_VAPID_PRIVATE_KEY": another_vapid_key()})
        assert other_push.returncode == 1 and "thaw.E034" in other_push.stderr, other_push.stderr
        assert "thaw.E030" not in other_push.stderr and "thaw.E033" not in other_push.stderr
        shared = Path(env["THAW_DATA_DIR"]) / "vapid_private_key.pem"
        same_push = thaw("check", env={**env, "THAW_VAPID_PRIVATE_KEY_FILE": str(shared)})
        assert same_push.returncode == 0, same_push.stderr


@pytest.mark.postgres_only
def test_two_servers_starting_together_on_a_fresh_database_both_migrate_it(tmp_path: Path) -> None:
    """Two app servers (or a server and a worker) started at once on an empty PostgreSQL
    database: one migrates, the other waits for it, and both go on (no "relation already
    exists", no half-applied migration)."""
    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        # `thaw user add` migrates first, as `thaw serve` and `thaw worker` do.
        starts = [subprocess.Popen([sys.executable, "-m", "thaw.cli", "user", "add", f"start{n}@example.org"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for n in range(2)]
        for start in starts:
            _, stderr = start.communicate(timeout=600)
            assert start.returncode == 0, stderr
        listed = thaw("manage", "shell", "--no-imports", "-c",
                      "from thaw.accounts.models import User; from django.db import connection; "
                      "c = connection.cursor(); c.execute('SELECT count(*), count(DISTINCT (app, name)) FROM django_migrations'); "
                      "print(sorted(User.objects.values_list('email', flat=True)), *c.fetchone())", env=env)
        emails, applied, distinct = listed.stdout.strip().rsplit(" ", 2)
        assert emails == "['start0@example.org', 'start1@example.org']", listed.stdout + listed.stderr
        assert applied == distinct  # every migration applied once
        assert thaw("check", "--deploy", env={**env, "THAW_SITE_URL": "https://thaw.example.org",
                                              "THAW_TRUSTED_PROXY_COUNT": "1"}).returncode == 0


def test_make_run_takes_a_port() -> None:
    root = Path(__file__).resolve().parent.parent
    for extra, port in (([], "8000"), (["PORT=8080"], "8080")):
        # -n: print the recipe without running it; the setup steps are up to date or printed too.
        done = subprocess.run(["make", "-n", "run", *extra], cwd=root, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert f"thaw serve --port {port}" in done.stdout, done.stdout
    readme = (root / "README.md").read_text()
    assert "make run PORT=8080" in readme


@pytest.mark.postgres_only
def test_behind_a_transaction_pooler_thaw_keeps_nothing_across_transactions(tmp_path: Path) -> None:
    """THAW_DB_TRANSACTION_POOLER (pgbouncer's transaction mode): no server-side cursors, and no
    migration through the pooler, which could not hold the lock that makes servers take turns."""
    with isolated_env(tmp_path / "data") as env:
        pooled = {**env, "THAW_DB_TRANSACTION_POOLER": "true", "THAW_PASSWORD": "a calm, long passphrase"}
        refused = thaw("user", "add", "pooled@example.org", env=pooled)
        assert refused.returncode == 1 and "thaw manage migrate" in refused.stderr, refused.stderr
        assert "THAW_DB_TRANSACTION_POOLER=false" in refused.stderr
        assert thaw("manage", "migrate", "-v", "0", env=env).returncode == 0  # PostgreSQL itself
        assert thaw("user", "add", "pooled@example.org", env=pooled).returncode == 0
        cursors = thaw("manage", "shell", "--no-imports", "-c",
                       "from django.db import connection; d = connection.settings_dict; "
                       "print(d['DISABLE_SERVER_SIDE_CURSORS'], 'options' in d['OPTIONS'])", env=pooled)
        # No server-side cursors, and no startup options, which pgbouncer refuses.
        assert cursors.stdout.strip() == "True False", cursors.stderr


def test_every_setting_is_in_the_configuration_guide() -> None:
    """A self-hoster learns what Thaw reads from docs/CONFIGURATION.md alone."""
    import re

    root = Path(__file__).resolve().parent.parent
    read = set(re.findall(r'env[a-z]*\("(THAW_[A-Z_]+)"', (root / "thaw" / "settings.py").read_text()))
    assert {"THAW_SECRET_KEY", "THAW_VAPID_PRIVATE_KEY", "THAW_STATIC_ROOT"} <= read
    guide = (root / "docs" / "CONFIGURATION.md").read_text()
    assert sorted(name for name in read if f"`{name}`" not in guide) == []


def test_the_readme_names_every_role_and_every_benchmark() -> None:
    from thaw.cli import ROLES

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    [listed] = re.findall(r"`thaw user add EMAIL --role ([a-z\\|]+)`", readme)
    assert listed.split("\\|") == list(ROLES), "README lists the roles `thaw user add` accepts"
    targets = re.findall(r"^(bench[a-z-]*):", (root / "Makefile").read_text(), flags=re.M)
    assert targets and [t for t in targets if f"`make {t}`" not in readme] == []
    assert "docs/LEARN.md" in readme and "docs/INTAKE.md" in readme
