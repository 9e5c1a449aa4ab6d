"""Free text is encrypted at rest, with the key outside the database."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tests.conftest import ApiClient, checkin_body
from tests.support import isolated_env, person_with_note, thaw
from thaw import crypto
from thaw.checkins.models import CheckIn
from thaw.safety.services import save_plan


def test_round_trip_and_authentication() -> None:
    ring = crypto.KeyRing((crypto.new_key(),))
    stored = crypto.encrypt("a private note", "t.note", ring)
    assert stored.startswith("enc1:") and "private" not in stored
    assert crypto.decrypt(stored, "t.note", ring) == "a private note"
    assert crypto.encrypt("same", "t.note", ring) != crypto.encrypt("same", "t.note", ring), "random nonce"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, "t.other_column", ring)  # moved to another column
    tampered = stored[:-4] + ("AAAA" if stored[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, "t.note", ring)
    other = crypto.KeyRing((crypto.new_key(),))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, "t.note", other)


def test_key_ring_parsing() -> None:
    key = base64.urlsafe_b64encode(bytes(32)).decode()
    ring = crypto.parse_keyring(f"newkey01:{key}, oldkey01:{key}", "test")
    assert [kid for kid, _ in ring.keys] == ["newkey01", "oldkey01"]
    for bad in ("", "nokey", f"k1:{key}", f"newkey01:{key[:-8]}", "newkey01:!!!"):
        with pytest.raises(ImproperlyConfigured):
            crypto.parse_keyring(bad, "test")


@pytest.mark.django_db
def test_notes_and_safety_plans_are_stored_encrypted(api_alice: ApiClient, alice) -> None:
    created = api_alice.post("/api/v1/checkins", checkin_body(note="my secret about the river")).json()
    save_plan(alice, {"people_to_ask": "Ana on 555-0142"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM checkins_checkin")
        (raw_note,) = cursor.fetchone()
        cursor.execute("SELECT people_to_ask FROM safety_safetyplan")
        (raw_plan,) = cursor.fetchone()
    assert raw_note.startswith("enc1:") and "river" not in raw_note
    assert raw_plan.startswith("enc1:") and "555" not in raw_plan
    assert CheckIn.objects.get(pk=created["id"]).note == "my secret about the river"
    assert api_alice.get(f"/api/v1/checkins/{created['id']}").json()["note"] == "my secret about the river"


def test_rotate_key_re_encrypts_and_keeps_everything_readable(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        person_with_note(env, "rot@example.org", "before rotation")
        key_file = Path(env["THAW_DATA_DIR"]) / "encryption_key"
        old_id = key_file.read_text().split(":")[0]
        rotated = thaw("rotate-key", env=env)
        assert rotated.returncode == 0, rotated.stderr
        lines = key_file.read_text().splitlines()
        assert len(lines) == 2 and lines[1].startswith(old_id + ":")
        new_id = lines[0].split(":")[0]
        assert f"'{new_id}': 1" in rotated.stdout
        dropped = thaw("rotate-key", "--drop-old", env=env)
        assert dropped.returncode == 0, dropped.stderr
        assert len(key_file.read_text().splitlines()) == 1
        assert (key_file.stat().st_mode & 0o777) == 0o600
        read = thaw("manage", "shell", "--no-imports", "-c",
                    "from thaw.checkins.models import CheckIn; print(CheckIn.objects.get().note)", env=env)
        assert read.stdout.strip() == "before rotation"
        from_env = thaw("rotate-key", env={**env, "THAW_ENCRYPTION_KEY": key_file.read_text().strip()})
        assert from_env.returncode == 2 and "THAW_ENCRYPTION_KEY" in from_env.stderr


def test_a_broken_key_setting_is_explained(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        result = thaw("check", env={**env, "THAW_ENCRYPTION_KEY": "not a key"})
        assert result.returncode != 0 and "THAW_ENCRYPTION_KEY" in result.stderr


def test_rotation_covers_two_factor_secrets(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        env["THAW_PASSWORD"] = "a calm, long passphrase"
        assert thaw("user", "add", "mfa@example.org", env=env).returncode == 0
        make = ("from allauth.mfa.totp.internal.auth import TOTP; from thaw.accounts.models import User; "
                "TOTP.activate(User.objects.get(), 'JBSWY3DPEHPK3PXP')")
        assert thaw("manage", "shell", "--no-imports", "-c", make, env=env).returncode == 0
        assert thaw("rotate-key", env=env).returncode == 0
        dropped = thaw("rotate-key", "--drop-old", env=env)
        assert dropped.returncode == 0, dropped.stderr
        read = ("from allauth.mfa.models import Authenticator; from allauth.mfa.adapter import get_adapter; "
                "print(get_adapter().decrypt(Authenticator.objects.get().data['secret']))")
        result = thaw("manage", "shell", "--no-imports", "-c", read, env=env)
        assert result.stdout.strip() == "JBSWY3DPEHPK3PXP", result.stderr


def test_drop_old_refuses_while_old_keys_are_in_use(tmp_path: Path) -> None:
    with isolated_env(tmp_path / "data") as env:
        person_with_note(env, "d@example.org", "old key note")
        key_file = Path(env["THAW_DATA_DIR"]) / "encryption_key"
        old = key_file.read_text()
        # Simulate a server still writing with the old key after a rotation: prepend a new key by hand.
        fresh = crypto.KeyRing((crypto.new_key(),)).serialise()
        key_file.write_text(fresh + old)
        refused = thaw("rotate-key", "--drop-old", env=env)
        assert refused.returncode == 2 and "still use" in refused.stderr
        assert len(key_file.read_text().splitlines()) == 2
