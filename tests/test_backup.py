"""thaw backup / thaw restore: encrypted, checksummed, refuses damaged files, works on both databases."""

from __future__ import annotations

from pathlib import Path

from tests.support import isolated_env, person_with_note, thaw

COUNT = "from thaw.checkins.models import CheckIn; print(CheckIn.objects.count(), [c.note for c in CheckIn.objects.all()])"


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        person_with_note(env, "b@example.org", "backup-canary-note")
        target = tmp_path / "thaw.backup"
        made = thaw("backup", str(target), env=env)
        assert made.returncode == 0, made.stderr
        raw = target.read_bytes()
        assert raw.startswith(b"THAW-BACKUP-1") and b"backup-canary-note" not in raw and b"b@example.org" not in raw
        assert (target.stat().st_mode & 0o777) == 0o600
        wipe = "from thaw.checkins.models import CheckIn; CheckIn.objects.all().delete()"
        assert thaw("manage", "shell", "--no-imports", "-c", wipe, env=env).returncode == 0
        assert thaw("manage", "shell", "--no-imports", "-c", COUNT, env=env).stdout.startswith("0")
        refused = thaw("restore", str(target), env=env)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        restored = thaw("restore", str(target), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        assert thaw("manage", "shell", "--no-imports", "-c", COUNT, env=env).stdout.strip() == "1 ['backup-canary-note']"
        assert thaw("audit", "verify", env=env).returncode == 0


def test_damaged_or_foreign_backups_are_refused(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        assert thaw("user", "add", "b@example.org", env=env).returncode == 0
        target = tmp_path / "thaw.backup"
        assert thaw("backup", str(target), env=env).returncode == 0
        damaged = tmp_path / "damaged.backup"
        data = bytearray(target.read_bytes())
        data[-100] ^= 0xFF
        damaged.write_bytes(bytes(data))
        result = thaw("restore", str(damaged), "--yes", env=env)
        assert result.returncode == 1 and "nothing was replaced" in result.stderr
        truncated = tmp_path / "truncated.backup"
        truncated.write_bytes(target.read_bytes()[:-50])
        assert thaw("restore", str(truncated), "--yes", env=env).returncode == 1
        (Path(env["THAW_DATA_DIR"]) / "encryption_key").rename(tmp_path / "moved_key")
        other_key = thaw("restore", str(target), "--yes", env=env)
        assert other_key.returncode == 1 and "does not have" in other_key.stderr
        not_backup = tmp_path / "plain.txt"
        not_backup.write_text("hello")
        assert thaw("restore", str(not_backup), "--yes", env=env).returncode == 1
        assert thaw("manage", "shell", "--no-imports", "-c",
                    "from thaw.accounts.models import User; print(User.objects.count())", env=env).stdout.strip() == "1"
