"""thaw backup / thaw restore: encrypted, checksummed, refuses damaged files, works on both databases."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tests.support import another_vapid_key, isolated_env, person_with_note, thaw
from thaw.backup import MAGIC, BackupError, open_file

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
        truncated = tmp_path / "truncated.backup"
        truncated.write_bytes(target.read_bytes()[:-50])
        not_backup = tmp_path / "export.json"
        not_backup.write_text('{"format": "thaw-export"}')

        def crafted(name: str, meta: bytes) -> Path:
            path = tmp_path / name
            path.write_bytes(MAGIC + struct.pack(">I", len(meta)) + meta + b"\0" * 8)
            return path

        header = json.loads(target.read_bytes()[len(MAGIC) + 4:][:struct.unpack(">I", target.read_bytes()[
            len(MAGIC):len(MAGIC) + 4])[0]])
        # Through the command: exit status 2, one line saying what is wrong and where, nothing replaced.
        for path, words in ((damaged, "failed its authentication check"), (truncated, "truncated"),
                            (not_backup, "not a Thaw backup (it looks like an export"),
                            (crafted("deep.backup", b"[" * 30_000 + b"]" * 30_000), "header is not valid JSON")):
            result = thaw("restore", str(path), "--yes", env=env)
            assert result.returncode == 2, (path.name, result.stderr)
            assert words in result.stderr and "Nothing was replaced" in result.stderr, (path.name, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
        # The same reader, for every other way a header can be wrong.
        for path, words in (
            (crafted("list.backup", b"[1, 2]"), "header is not a JSON object"),
            (crafted("text.backup", b"not json"), "header is not valid JSON (expecting value at line 1, column 1)"),
            (crafted("missing.backup", json.dumps({k: v for k, v in header.items() if k != "sha256"}).encode()),
             "header has no sha256"),
            (crafted("types.backup", json.dumps({**header, "bytes": "many"}).encode()), "header.bytes must be a whole"),
            (tmp_path / "no-such.backup", "does not exist"),
        ):
            with pytest.raises(BackupError) as refused:
                open_file(path, tmp_path / "out")
            assert words in str(refused.value) and path.name in str(refused.value)
        (Path(env["THAW_DATA_DIR"]) / "encryption_key").rename(tmp_path / "moved_key")
        other_key = thaw("restore", str(target), "--yes", env=env)
        assert other_key.returncode == 2 and "does not have" in other_key.stderr
        assert thaw("manage", "shell", "--no-imports", "-c",
                    "from thaw.accounts.models import User; print(User.objects.count())", env=env).stdout.strip() == "1"


def test_a_restore_brings_back_the_web_push_key(tmp_path: Path) -> None:
    """Every device's reminder subscription is tied to the Web Push (VAPID) key: a backup
    restored where another key was generated puts the backup's key back, so reminders go on."""
    with isolated_env(tmp_path / "data") as env:
        person_with_note(env, "b@example.org", "push-canary-note")
        record = "from thaw.monitoring.fingerprints import record; record()"  # as `thaw serve` does at start
        assert thaw("manage", "shell", "--no-imports", "-c", record, env=env).returncode == 0
        key_file = Path(env["THAW_DATA_DIR"]) / "vapid_private_key.pem"
        original = key_file.read_text()
        target = tmp_path / "thaw.backup"
        assert thaw("backup", str(target), env=env).returncode == 0
        raw = target.read_bytes()
        body = "".join(original.strip().splitlines()[1:-1])
        assert b"PRIVATE KEY" not in raw and body[:40].encode() not in raw  # sealed, like the rest
        # A new machine: the data directory lost, its first start makes a key of its own,
        # which the recorded fingerprint refuses (thaw.E034).
        key_file.unlink()
        fresh = thaw("check", env=env)
        assert fresh.returncode == 1 and "thaw.E034" in fresh.stderr, fresh.stderr
        assert key_file.read_text() != original
        restored = thaw("restore", str(target), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        assert "Web Push key" in restored.stdout and str(key_file) in restored.stdout
        assert key_file.read_text() == original
        assert thaw("check", env=env).returncode == 0
        # The key set in the environment is not overwritten: the backup's is put beside it.
        elsewhere = tmp_path / "vapid.pem"
        elsewhere.write_text(another_vapid_key())
        aside = thaw("restore", str(target), "--yes", env={**env, "THAW_VAPID_PRIVATE_KEY_FILE": str(elsewhere)})
        assert aside.returncode == 0, aside.stderr
        kept = Path(env["THAW_DATA_DIR"]) / "vapid_private_key.restored.pem"
        assert kept.read_text() == original and str(kept) in aside.stdout
        assert "THAW_VAPID_PRIVATE_KEY_FILE" in aside.stdout
        assert elsewhere.read_text() != original
