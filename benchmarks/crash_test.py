#!/usr/bin/env python3
"""Load-and-crash test: kill the server with SIGKILL mid-run; nothing acknowledged may be lost.

16 (or more) clients post check-ins through the real server. Halfway through, the whole
server (master and workers) is killed with SIGKILL and started again on the same data
(after ``--down`` seconds). The clients go on until the restarted server has taken writes
for the second half of the run, however long the restart took: on a loaded machine a
restart can take many seconds, and that must not fail the run. Afterwards every check-in
that was acknowledged with 201 must be in the database, and no response may have been a
5xx (refused connections while the server is down are expected and counted). Uses the
database in DATABASE_URL if it is PostgreSQL (a fresh database is made in that cluster),
SQLite otherwise. Only 127.0.0.1 is contacted.

    .venv/bin/python benchmarks/crash_test.py [--clients 16] [--duration 20] [--down 0]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import READY_TIMEOUT, free_port, isolated_env, thaw, wait_until  # noqa: E402

PASSWORD = "crash test passphrase 1"


@dataclass
class Tally:
    acknowledged: list[str] = field(default_factory=list)
    after_restart: int = 0
    timeouts: int = 0
    restarted: bool = False
    server_errors: list[int] = field(default_factory=list)
    refused: int = 0
    other: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")
    return subprocess.Popen([sys.executable, "-m", "thaw.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "3"], env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_healthy(url: str) -> None:
    def healthy() -> bool:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=READY_TIMEOUT) as resp:
                return resp.status == 200
        except OSError:
            return False

    wait_until(healthy, "the server answering /healthz", poll=0.1)


def _post(url: str, token: str, n: int) -> tuple[int, str]:
    body = json.dumps({"emotions": [{"word": "restless", "intensity": n % 11}], "numbness": n % 11,
                       "note": f"crash-test {n}"}).encode()
    req = urllib.request.Request(url + "/api/v1/checkins", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        # Generous: a request queued while the restarted server boots must not count as a hang.
        with urllib.request.urlopen(req, timeout=READY_TIMEOUT) as resp:
            return resp.status, json.load(resp)["id"]
    except urllib.error.HTTPError as err:
        return err.code, ""


def passed(result: dict[str, object]) -> bool:
    """Nothing lost, no 5xx, no hangs, no unexpected answers, and the restarted server took writes."""
    return (result["missing"] == 0 and result["server_errors_5xx"] == 0 and result["timeouts"] == 0
            and not result["other_statuses"] and int(result["acknowledged_after_restart"]) > 0)  # type: ignore[call-overload]


def run(clients: int = 16, duration: float = 20.0, quiet: bool = False, down: float = 0.0) -> dict[str, object]:
    """``duration`` seconds of writes at the least, half before the kill and half after the restart;
    ``down`` seconds with no server between the two (a slow restart)."""
    with tempfile.TemporaryDirectory(prefix="thaw-crash-") as tmp, isolated_env(Path(tmp) / "data") as env:
        env["THAW_PASSWORD"] = PASSWORD
        assert thaw("user", "add", "crash@example.org", env=env).returncode == 0
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        server = _start(env, port, log)
        _wait_healthy(url)
        req = urllib.request.Request(url + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"email": "crash@example.org", "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            token = json.load(resp)["token"]
        tally = Tally()
        stop = threading.Event()
        counter = iter(range(10**9))

        def client() -> None:
            while not stop.is_set():
                n = next(counter)
                try:
                    status, checkin_id = _post(url, token, n)
                except TimeoutError:  # a hung server is a failure, not a refusal
                    with tally.lock:
                        tally.timeouts += 1
                    continue
                except (OSError, http.client.HTTPException, ValueError):
                    # refused, reset or cut off while the server is down: not acknowledged, not an error
                    with tally.lock:
                        tally.refused += 1
                    time.sleep(0.05)
                    continue
                with tally.lock:
                    if status == 201:
                        tally.acknowledged.append(checkin_id)
                        if tally.restarted:
                            tally.after_restart += 1
                    elif status >= 500:
                        tally.server_errors.append(status)
                    else:
                        tally.other.append(status)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        try:
            started = time.monotonic()
            wait_until(lambda: time.monotonic() - started >= duration / 2 and len(tally.acknowledged) > 0,
                       "a first acknowledged check-in")
            before_kill = len(tally.acknowledged)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            killed_at = time.monotonic()
            time.sleep(down)  # the machine is slow to bring the server back
            server = _start(env, port, log)
            _wait_healthy(url)
            downtime = time.monotonic() - killed_at
            with tally.lock:
                tally.restarted = True
            back = time.monotonic()
            wait_until(lambda: time.monotonic() - back >= duration / 2 and tally.after_restart > 0,
                       "a check-in acknowledged by the restarted server")
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        stored: set[str] = set()
        cursor = ""
        while True:
            page_req = urllib.request.Request(url + f"/api/v1/checkins?limit=500{cursor}",
                                              headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(page_req) as resp:
                page = json.load(resp)
            stored |= {item["id"] for item in page["items"]}
            if not page["next"]:
                break
            cursor = f"&cursor={page['next']}"
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        missing = set(tally.acknowledged) - stored
        result = {
            "database": "postgresql" if "DATABASE_URL" in env else "sqlite",
            "clients": clients, "duration_s": duration, "down_s": down, "acknowledged": len(tally.acknowledged),
            "acknowledged_before_kill": before_kill, "acknowledged_after_restart": tally.after_restart,
            "timeouts": tally.timeouts, "stored": len(stored), "missing": len(missing),
            "server_errors_5xx": len(tally.server_errors), "refused_while_down": tally.refused,
            "other_statuses": sorted(set(tally.other)), "restart_s": round(downtime, 2),
            "log_mentions_locked": "database is locked" in log.read_text(errors="replace"),
        }
    if not quiet:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
        ok = passed(result)
        print("PASS: every acknowledged check-in survived SIGKILL, no 5xx" if ok else "FAIL")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--down", type=float, default=0.0, help="seconds to keep the server down after the kill")
    args = parser.parse_args()
    result = run(args.clients, args.duration, down=args.down)
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main())
