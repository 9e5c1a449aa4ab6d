"""The real server over real HTTP: health, the check-in API, SQLite durability settings."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.support import LiveThaw, thaw

pytestmark = pytest.mark.e2e


def test_healthz(server: LiveThaw) -> None:
    response = server.request("GET", "/healthz")
    assert response.status == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_checkin_round_trip_over_http(server: LiveThaw, person_token: str) -> None:
    created = server.request("POST", "/api/v1/checkins", {
        "emotions": [{"word": "foggy", "intensity": 7}], "numbness": 8, "tags": ["commute"], "note": "over http",
    }, token=person_token)
    assert created.status == 201, created.body
    checkin_id = created.json()["id"]
    listed = server.request("GET", "/api/v1/checkins?limit=5", token=person_token).json()
    assert checkin_id in [item["id"] for item in listed["items"]]
    bad = server.request("POST", "/api/v1/checkins", raw=b'{"emotions": [', token=person_token)
    assert bad.status == 400 and bad.json()["errors"][0]["field"] == "body"
    assert server.request("GET", "/api/v1/checkins").status == 401
    assert server.request("DELETE", f"/api/v1/checkins/{checkin_id}", token=person_token).status == 204


def test_security_headers_and_no_third_party_assets(server: LiveThaw) -> None:
    response = server.request("GET", "/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.body and b"http://" not in response.body.replace(b"http://127.0.0.1", b"")
    script = re.search(rb'src="(/static/thaw/thaw\.[0-9a-f]{12}\.js)"', response.body)
    assert script, "the page names its script by its hashed name"
    static = server.request("GET", script.group(1).decode())
    assert static.status == 200 and len(static.body) > 10_000


def test_unknown_host_is_refused(server: LiveThaw) -> None:
    response = server.request("GET", "/healthz", headers={"Host": "evil.example"})
    assert response.status == 400


def test_database_is_the_one_configured(server: LiveThaw) -> None:
    """On SQLite: WAL, synchronous=FULL and a busy timeout. On PostgreSQL: really PostgreSQL."""
    script = (
        "from django.db import connection as c; cur=c.cursor(); print(c.vendor); "
        "c.vendor == 'sqlite' and print(cur.execute('PRAGMA synchronous').fetchone()[0], "
        "cur.execute('PRAGMA busy_timeout').fetchone()[0], cur.execute('PRAGMA journal_mode').fetchone()[0])"
    )
    probe = thaw("manage", "shell", "--no-imports", "-c", script, env=server.env)
    assert probe.returncode == 0, probe.stderr
    lines = probe.stdout.split("\n")
    if "DATABASE_URL" in server.env:
        assert lines[0] == "postgresql"
        return
    assert lines[0] == "sqlite"
    synchronous, busy, journal = lines[1].split()
    assert synchronous == "2", "synchronous=FULL"
    assert int(busy) >= 5000
    assert journal == "wal"
    with sqlite3.connect(server.data_dir / "thaw.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_secret_key_is_generated_and_private(server: LiveThaw) -> None:
    key = server.data_dir / "secret_key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert len(key.read_text().strip()) >= 50


def test_concurrent_writers_all_succeed(server: LiveThaw, person_token: str) -> None:
    """16 clients writing at once: every check-in acknowledged, none lost, no 5xx or 'database is locked'."""
    from concurrent.futures import ThreadPoolExecutor

    def post(i: int) -> tuple[int, str]:
        response = server.request("POST", "/api/v1/checkins", {
            "emotions": [{"word": "restless", "intensity": i % 11}], "numbness": i % 11, "note": f"concurrent {i}",
        }, token=person_token)
        return response.status, response.json().get("id", "") if response.status == 201 else response.body.decode()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(post, range(160)))
    assert [status for status, _ in results] == [201] * 160, results
    acknowledged = {checkin_id for _, checkin_id in results}
    stored: set[str] = set()
    cursor = ""
    while True:
        page = server.request("GET", f"/api/v1/checkins?limit=500{cursor}", token=person_token).json()
        stored |= {item["id"] for item in page["items"] if item["note"].startswith("concurrent ")}
        if not page["next"]:
            break
        cursor = f"&cursor={page['next']}"
    assert acknowledged == stored
    assert "database is locked" not in server.log()


def test_no_plaintext_of_a_note_in_the_database_files(server: LiveThaw, person_token: str) -> None:
    """Read the raw database (SQLite files, or PostgreSQL rows) and find no plaintext of a note."""
    canary = "CANARY-river-stones-7f3a"
    created = server.request("POST", "/api/v1/checkins", {"emotions": [{"word": "calm", "intensity": 3}],
                                                          "numbness": 2, "note": f"I walked by the {canary}"},
                             token=person_token)
    assert created.status == 201
    plan = server.request("PUT", "/api/v1/safety-plan", {"reasons": f"my dog and the {canary}"}, token=person_token)
    assert plan.status == 200
    assert canary in server.request("GET", f"/api/v1/checkins/{created.json()['id']}", token=person_token).body.decode()
    if "DATABASE_URL" in server.env:
        import psycopg

        with psycopg.connect(server.env["DATABASE_URL"]) as conn:
            notes = [r[0] for r in conn.execute("SELECT note FROM checkins_checkin")]
            plans = [r[0] for r in conn.execute("SELECT reasons FROM safety_safetyplan")]
        assert not any(canary in text for text in notes + plans)
        assert any(text.startswith("enc1:") for text in notes)
        return
    raw = b"".join(p.read_bytes() for p in server.data_dir.glob("thaw.sqlite3*") if p.is_file())
    assert canary.encode() not in raw
    assert b"enc1:" in raw


def test_erasure_leaves_no_trace_in_the_database_files(server: LiveThaw) -> None:
    email = "erase-canary-5c1d@example.org"
    env = {**server.env, "THAW_PASSWORD": "a calm, long passphrase"}
    assert thaw("user", "add", email, env=env).returncode == 0
    token = server.request("POST", "/api/v1/auth/token", {"email": email, "password": env["THAW_PASSWORD"]}).json()["token"]
    for n in range(30):
        assert server.request("POST", "/api/v1/checkins", {
            "emotions": [{"word": "numb", "intensity": 5}], "numbness": 6, "tags": ["okapi-canary-tag"],
            "note": f"note {n}"}, token=token).status == 201
    erased = server.request("DELETE", "/api/v1/me", {"confirm": email}, token=token)
    assert erased.status == 204
    assert server.request("GET", "/api/v1/checkins", token=token).status == 401
    if "DATABASE_URL" in server.env:
        import psycopg

        with psycopg.connect(server.env["DATABASE_URL"]) as conn:
            assert conn.execute("SELECT count(*) FROM accounts_user WHERE email = %s", [email]).fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM checkins_checkintag WHERE name = 'okapi-canary-tag'"
                                ).fetchone()[0] == 0
        return
    raw = b"".join(p.read_bytes() for p in server.data_dir.glob("thaw.sqlite3*") if p.is_file())
    assert email.encode() not in raw
    assert b"okapi-canary-tag" not in raw


def test_serve_on_another_port_links_to_that_port_and_check_notices_a_wrong_site_url(tmp_path) -> None:
    """Without THAW_SITE_URL, `thaw serve --port P` makes invitation links point at port P;
    `thaw check` warns when THAW_SITE_URL names another port of this machine than the one served."""
    from tests.support import live_thaw

    with live_thaw(tmp_path / "data", site_url=False) as live:
        env = {**live.env, "THAW_PASSWORD": "a calm, long passphrase"}
        assert thaw("user", "add", "port@example.org", env=env).returncode == 0
        token = live.request("POST", "/api/v1/auth/token",
                             {"email": "port@example.org", "password": "a calm, long passphrase"}).json()["token"]
        created = live.request("POST", "/api/v1/grants", {"name": "Sam", "categories": ["summary"]}, token=token)
        assert created.status == 201, created.body
        assert created.json()["invite_url"].startswith(live.url + "/invite/"), created.json()["invite_url"]

        wrong = thaw("check", env={**live.env, "THAW_SITE_URL": "http://127.0.0.1:8000"})
        assert "thaw.W040" in wrong.stderr + wrong.stdout and live.url in wrong.stderr + wrong.stdout
        right = thaw("check", env={**live.env, "THAW_SITE_URL": live.url})
        assert right.returncode == 0 and "thaw.W040" not in right.stderr + right.stdout
        proxied = thaw("check", env={**live.env, "THAW_SITE_URL": "https://thaw.example.org"})
        assert "thaw.W040" not in proxied.stderr + proxied.stdout, "a proxy in front is not second-guessed"
    # Once the server has stopped, nothing is being served to disagree with.
    after = thaw("check", env={**live.env, "THAW_SITE_URL": "http://127.0.0.1:8000"})
    assert "thaw.W040" not in after.stderr + after.stdout
