#!/usr/bin/env python3
"""Benchmark: ``GET /healthz`` against ``POST /api/v1/checkins`` through the real server.

This is a benchmark, not a test: it starts ``thaw serve`` (gunicorn, SQLite) on a free
port of 127.0.0.1 with a fresh temporary data directory, creates one account, gets an
API token, and drives both endpoints with ``wrk`` against the same server in the same
run, so the check-in figures can be read relative to the cheapest request the app
serves. See docs/PERFORMANCE.md for the results and what they mean.

    .venv/bin/python benchmarks/checkin_throughput.py                  # make bench
    .venv/bin/python benchmarks/checkin_throughput.py --workers 2,3,4,5 --compare-lock

For every server it runs, in order: a short warm-up, then for each connection count
(default 16 and 8) ``/healthz`` and then ``/api/v1/checkins``, each for ``--duration``
seconds with 2 wrk threads and ``--latency``. benchmarks/checkin.lua checks the status
of every response (201 for check-ins, 200 for /healthz), because wrk by itself counts
only socket errors and statuses outside 2xx/3xx.

Floors (checked at the highest and the lowest connection count, 16 and 8 by default):

- check-in requests/s are at least 15 % of /healthz requests/s, with no errors of any
  kind (socket errors, timeouts, unexpected statuses) in either run;
- the 99th-percentile check-in latency is under 150 ms.

After each check-in run the rows added to the database are compared with the 201s wrk
saw. The database may hold up to one more row per connection: requests that were in
flight when wrk stopped are committed by the server, but wrk never reads their answer.
At the end the API listing (``GET /api/v1/checkins``, paged with ``next``) must agree
with a direct count in SQLite. The server's stderr is scanned for tracebacks,
``database is locked`` and worker timeouts.

On a shared machine, other processes skew the figures: the CPU used by the server, by wrk
and by everything else is measured during each run (Linux /proc), a run disturbed by
other load is measured again (``--retries``), and ``--wait-quiet`` waits, bounded, for the
machine to be idle first. The server's CPU time per request is printed as well.

Exit status: 0 when every run met the floors and every count agreed, 1 otherwise,
2 when the benchmark could not run (no wrk, the server did not start, ...).
Standard library only, plus the project itself (run with the project's virtualenv).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LUA_SCRIPT = HERE / "checkin.lua"

EMAIL = "bench@example.org"
CHECKIN_BODY = {
    "emotions": [{"word": "lonely", "intensity": 6}, {"word": "tired", "intensity": 4}],
    "numbness": 7,
    "tags": ["work"],
    "body": ["chest/tight"],
    "note": "benchmark",
}
RATIO_FLOOR = 0.15
P99_FLOOR_MS = 150.0
SERVER_START_SECONDS = 90
SETTLE_SECONDS = 15
QUIET_CORES = 0.15  # other processes using less than this are "quiet"
NOISY_CORES = 0.25  # other processes using more than this during a run disturb it
LISTING_SECONDS = 300
LOG_PATTERNS = {
    "database is locked": re.compile(r"database is locked", re.I),
    "Traceback": re.compile(r"^Traceback", re.M),
    "Internal Server Error": re.compile(r"Internal Server Error"),
    "WORKER TIMEOUT": re.compile(r"WORKER TIMEOUT"),
    "worker killed/exited": re.compile(r"Worker \(pid:\d+\) (was sent|exited)"),
}


class BenchError(RuntimeError):
    """The benchmark could not run (as opposed to: it ran and the figures are poor)."""


# --- wrk ------------------------------------------------------------------------------------

@dataclass
class WrkRun:
    target: str  # "healthz" or "checkins"
    connections: int
    threads: int
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)  # avg, max, p50, p75, p90, p99
    socket_errors: dict[str, int] = field(default_factory=dict)  # connect, read, write, timeout
    non_2xx_3xx: int = 0
    expected_status: int = 0
    matched: int = 0  # responses with the expected status (Lua)
    unexpected: int = 0  # responses with any other status (Lua)
    statuses: dict[str, int] = field(default_factory=dict)
    db_rows_added: int | None = None  # check-ins only
    cpu: dict[str, float] = field(default_factory=dict)  # cores busy on average: server, wrk, other
    attempts: int = 1  # more than 1 when other processes disturbed a run and it was measured again

    @property
    def cpu_ms_per_request(self) -> float | None:
        """Server CPU time per request: less sensitive than req/s to other load on the machine."""
        return 1000 * self.cpu["server"] / self.rps if self.cpu and self.rps else None

    @property
    def noisy(self) -> bool:
        return self.cpu.get("other", 0.0) > NOISY_CORES

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.unexpected + self.non_2xx_3xx

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.startswith("5"))


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str, run: WrkRun) -> WrkRun:
    def need(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.M)
        if match is None:
            raise BenchError(f"could not find {pattern!r} in wrk's output:\n{output}")
        return match

    run.rps = float(need(r"^Requests/sec:\s+([\d.]+)").group(1))
    done = need(r"^\s*(\d+) requests in ([\d.]+\w+),")
    run.requests = int(done.group(1))
    run.seconds = _ms(done.group(2)) / 1000.0
    lat = need(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)")
    run.latency_ms["avg"] = _ms(lat.group(1))
    run.latency_ms["max"] = _ms(lat.group(3))
    for pct in ("50", "75", "90", "99"):
        run.latency_ms[f"p{pct}"] = _ms(need(rf"^\s*{pct}%\s+(\S+)").group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    run.socket_errors = dict(
        zip(("connect", "read", "write", "timeout"), (int(g) for g in sock.groups()) if sock else (0, 0, 0, 0),
            strict=True)
    )
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    run.non_2xx_3xx = int(non.group(1)) if non else 0
    status = need(r"^THAW_STATUS mode=\S+ expected=(\d+) matched=(\d+) unexpected=(\d+) statuses=(\S*)")
    run.expected_status = int(status.group(1))
    run.matched = int(status.group(2))
    run.unexpected = int(status.group(3))
    run.statuses = {k: int(v) for k, v in (p.split(":") for p in status.group(4).split(",") if p)}
    return run


def run_wrk(wrk: str, base_url: str, target: str, *, connections: int, threads: int, seconds: float,
            timeout: float, token: str, server_pgid: int | None = None) -> WrkRun:
    threads = max(1, min(threads, connections))
    path = "/healthz" if target == "healthz" else "/api/v1/checkins"
    cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
           "--timeout", f"{timeout:g}s", "--latency", "-s", str(LUA_SCRIPT), base_url + path]
    env = {**os.environ, "THAW_BENCH_MODE": "healthz" if target == "healthz" else "checkin", "THAW_TOKEN": token}
    meter = CpuMeter(server_pgid)
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + timeout + 60)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish in time: {' '.join(cmd)}") from exc
    cpu = meter.stop()
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    run = parse_wrk(done.stdout + done.stderr, WrkRun(target, connections, threads))
    run.cpu = cpu
    return run


# --- CPU accounting (Linux): is something else using the machine while we measure? -----------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_cpu() -> tuple[float, float] | None:
    """(process CPU seconds, all CPU seconds) since boot, from /proc/stat.

    Only user, nice and system time count as busy: interrupt and softirq time is mostly
    the loopback traffic of the benchmark itself, which no process is charged for.
    """
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return sum(fields[:3]) / _TICK, sum(fields[:8]) / _TICK


def _group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of one process group (the server)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(rest[2]) == pgid:  # rest[0] is the state, rest[2] the process group
            total += (int(rest[11]) + int(rest[12])) / _TICK
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Average cores used by the server, by wrk (our finished children) and by everything else."""

    def __init__(self, server_pgid: int | None) -> None:
        self.pgid = server_pgid
        self.start = (time.monotonic(), _machine_cpu(), self._server(), _children_cpu())

    def _server(self) -> float:
        return _group_cpu(self.pgid) if self.pgid else 0.0

    def stop(self) -> dict[str, float]:
        wall0, machine0, server0, children0 = self.start
        wall, machine, server, children = time.monotonic(), _machine_cpu(), self._server(), _children_cpu()
        if machine is None or machine0 is None or wall <= wall0:
            return {}
        seconds = wall - wall0
        busy = (machine[0] - machine0[0]) / seconds
        used = {"server": (server - server0) / seconds, "wrk": (children - children0) / seconds}
        used["other"] = max(0.0, busy - used["server"] - used["wrk"])
        return {k: round(v, 2) for k, v in used.items()}


def other_load(seconds: float = 1.0) -> float | None:
    """Cores busy with other processes over a short sample, before we start anything."""
    before = _machine_cpu()
    time.sleep(seconds)
    after = _machine_cpu()
    if before is None or after is None:
        return None
    return round((after[0] - before[0]) / seconds, 2)


def wait_quiet(seconds: float) -> float | None:
    """Wait up to ``seconds`` for other processes to leave the CPUs (nearly) idle; return their load."""
    load = other_load()
    deadline = time.monotonic() + seconds
    while load is not None and load > QUIET_CORES and time.monotonic() < deadline:
        load = other_load()
    return load


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 30) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


class Server:
    """``thaw serve`` in its own process group, with a fresh data directory and one account."""

    def __init__(self, *, workers: int, lock: str, extra_env: dict[str, str], keep: bool) -> None:
        self.workers = workers
        self.lock = lock
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix=f"thaw-bench-{lock}-w{workers}-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.password = "bench " + secrets.token_urlsafe(18)
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # always SQLite
        self.env.update(extra_env)
        self.env.update(
            THAW_DATA_DIR=str(self.dir),
            THAW_SQLITE_WRITE_LOCK=lock,
            THAW_DEBUG="0",
            PYTHONUNBUFFERED="1",
        )
        self.stdout_path = self.dir / "server.out"
        self.stderr_path = self.dir / "server.err"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.dir / "thaw.sqlite3"

    def _thaw(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "thaw.cli", *args]

    def create_user(self) -> None:
        done = subprocess.run(
            self._thaw("user", "add", EMAIL), env={**self.env, "THAW_PASSWORD": self.password},
            cwd=ROOT, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise BenchError(f"thaw user add failed ({done.returncode}): {done.stderr or done.stdout}")

    def start(self) -> None:
        self.port = free_port()
        self.env["THAW_SITE_URL"] = self.base_url
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                self._thaw("serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)),
                env=self.env, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: gunicorn's workers are stopped with it
            )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"thaw serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = http("GET", self.base_url + "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"thaw serve did not answer /healthz within {SERVER_START_SECONDS} s:\n{self.log_tail()}")

    def token(self) -> str:
        status, body = http("POST", self.base_url + "/api/v1/auth/token",
                            {"email": EMAIL, "password": self.password, "name": "benchmark"})
        if status != 200 or not isinstance(body, dict) or "token" not in body:
            raise BenchError(f"POST /api/v1/auth/token answered {status}: {body}")
        return str(body["token"])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        pgid = proc.pid  # start_new_session: the group id is the server's own pid
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=grace)
                # gunicorn's workers are in the same group; make sure none is left behind
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return
            except subprocess.TimeoutExpired:
                continue

    def cleanup(self) -> None:
        self.stop()
        if self.keep:
            print(f"  (kept {self.dir})")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    # --- counting check-ins ---

    def db_count(self) -> int:
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            return int(con.execute("SELECT COUNT(*) FROM checkins_checkin").fetchone()[0])
        finally:
            con.close()

    def settled_db_count(self) -> int:
        """The row count once the server has finished the requests wrk left in flight."""
        deadline = time.monotonic() + SETTLE_SECONDS
        last, stable_since = self.db_count(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.db_count()
            if now != last:
                last, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= 1.0:
                break
        return last

    def api_count(self, token: str) -> int:
        """Count the account's check-ins through GET /api/v1/checkins, following ``next``."""
        total, cursor, deadline = 0, None, time.monotonic() + LISTING_SECONDS
        for _ in range(100_000):
            if time.monotonic() > deadline:
                raise BenchError(f"listing check-ins took longer than {LISTING_SECONDS} s")
            query = "limit=500" + (f"&cursor={cursor}" if cursor else "")
            status, body = http("GET", f"{self.base_url}/api/v1/checkins?{query}", token=token, timeout=60)
            if status != 200 or not isinstance(body, dict):
                raise BenchError(f"GET /api/v1/checkins answered {status}: {body}")
            total += len(body["items"])
            cursor = body.get("next")
            if not cursor:
                return total
        raise BenchError("GET /api/v1/checkins never returned next=null")


# --- one benchmark run: one server, every phase ------------------------------------------------

@dataclass
class Result:
    lock: str
    workers: int
    duration: float
    connections: list[int]
    runs: list[WrkRun] = field(default_factory=list)
    ok_201_total: int = 0  # every 201 seen: sanity request, warm-up and measured runs
    db_total: int = 0
    api_total: int = 0
    unanswered: int = 0  # committed by the server after wrk stopped reading (in flight at the end of a run)
    idle_load: float | None = None  # cores busy with other processes just before the server started
    log_counts: dict[str, int] = field(default_factory=dict)
    log_samples: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def run(self, target: str, connections: int) -> WrkRun | None:
        return next((r for r in self.runs if r.target == target and r.connections == connections), None)

    @property
    def high(self) -> int:
        return max(self.connections)

    @property
    def low(self) -> int:
        return min(self.connections)

    @property
    def ratio(self) -> float | None:
        h, c = self.run("healthz", self.high), self.run("checkins", self.high)
        return c.rps / h.rps if h and c and h.rps else None

    @property
    def ratio_ok(self) -> bool:
        h, c = self.run("healthz", self.high), self.run("checkins", self.high)
        return bool(self.ratio is not None and self.ratio >= RATIO_FLOOR and h and c and not h.errors and not c.errors)

    @property
    def p99_low(self) -> float | None:
        c = self.run("checkins", self.low)
        return c.latency_ms["p99"] if c else None

    @property
    def p99_ok(self) -> bool:
        return self.p99_low is not None and self.p99_low < P99_FLOOR_MS

    @property
    def counts_ok(self) -> bool:
        return not self.problems

    @property
    def ok(self) -> bool:
        return self.ratio_ok and self.p99_ok and self.counts_ok


def benchmark(args: argparse.Namespace, *, workers: int, lock: str) -> Result:
    result = Result(lock=lock, workers=workers, duration=args.duration, connections=args.connections)
    result.idle_load = wait_quiet(args.wait_quiet)
    server = Server(workers=workers, lock=lock, extra_env=args.env, keep=args.keep)
    print(f"\n== lock={lock} workers={workers}: starting thaw serve (data dir {server.dir})", flush=True)
    if result.idle_load is not None and result.idle_load > QUIET_CORES:
        print(f"   warning: other processes keep {result.idle_load:.2f} of {os.cpu_count()} CPUs busy; "
              "the figures will be lower and noisier than on a quiet machine", flush=True)
    try:
        server.create_user()
        server.start()
        token = server.token()
        status, body = http("POST", server.base_url + "/api/v1/checkins", CHECKIN_BODY, token=token)
        if status != 201:
            raise BenchError(f"a single POST /api/v1/checkins answered {status}, not 201: {body}")
        result.ok_201_total += 1

        def wrk(target: str, connections: int, seconds: float) -> WrkRun:
            return run_wrk(args.wrk, server.base_url, target, connections=connections, threads=args.threads,
                           seconds=seconds, timeout=args.timeout, token=token,
                           server_pgid=server.proc.pid if server.proc else None)

        if args.warmup > 0:
            print(f"   warm-up {args.warmup:g} s per endpoint", flush=True)
            wrk("healthz", 4, args.warmup)
            before = server.settled_db_count()
            warm = wrk("checkins", 4, args.warmup)
            result.ok_201_total += warm.matched
            result.unanswered += server.settled_db_count() - before - warm.matched

        def measure(target: str, connections: int) -> WrkRun:
            before = server.settled_db_count() if target == "checkins" else 0
            run = wrk(target, connections, args.duration)
            if target == "checkins":
                run.db_rows_added = server.settled_db_count() - before
                result.ok_201_total += run.matched
                extra = run.db_rows_added - run.matched
                result.unanswered += extra
                allowed = connections + run.socket_errors.get("timeout", 0) + run.unexpected
                if not 0 <= extra <= allowed:
                    result.problems.append(
                        f"checkins at {connections} connections: {run.matched} answered 201 but "
                        f"{run.db_rows_added} rows were added (expected 0 to {allowed} more rows, "
                        f"for requests still in flight when wrk stopped)"
                    )
            return run

        for connections in args.connections:
            for target in ("healthz", "checkins"):
                print(f"   {target} at {connections} connections for {args.duration:g} s", flush=True)
                if args.wait_quiet > 0:
                    wait_quiet(args.wait_quiet)
                run = measure(target, connections)
                for attempt in range(args.retries):
                    if run.cpu.get("other", 0.0) <= NOISY_CORES:
                        break
                    print(f"   ... other processes used {run.cpu['other']:.2f} CPUs meanwhile; measuring again "
                          f"({attempt + 1}/{args.retries})", flush=True)
                    wait_quiet(args.wait_quiet)
                    again = measure(target, connections)
                    again.attempts = run.attempts + 1
                    run = again if again.cpu.get("other", 0.0) < run.cpu.get("other", 0.0) else replace(
                        run, attempts=again.attempts)
                result.runs.append(run)
                time.sleep(1)

        result.db_total = server.settled_db_count()
        result.api_total = server.api_count(token)
        if result.api_total != result.db_total:
            result.problems.append(f"the API lists {result.api_total} check-ins but SQLite holds {result.db_total}")
        if not 0 <= result.db_total - result.ok_201_total <= result.unanswered:
            result.problems.append(
                f"SQLite holds {result.db_total} check-ins but {result.ok_201_total} were answered 201"
            )
    finally:
        server.stop()
        text = server.stderr_text()
        result.log_counts = {name: len(p.findall(text)) for name, p in LOG_PATTERNS.items()}
        interesting = [ln for ln in text.splitlines()
                       if any(p.search(ln) for p in LOG_PATTERNS.values()) or "Error" in ln or "ERROR" in ln]
        result.log_samples = list(dict.fromkeys(interesting))[:8]
        server.cleanup()
    for run in result.runs:
        if run.server_errors:
            result.problems.append(f"{run.target} at {run.connections} connections: {run.server_errors} 5xx responses")
    if result.log_counts.get("database is locked"):
        result.problems.append(f"'database is locked' {result.log_counts['database is locked']} time(s) in the server log")
    return result


# --- reporting --------------------------------------------------------------------------------

def _yes(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _cpu(run: WrkRun) -> str:
    c = run.cpu
    return f"{c['server']:.2f}/{c['wrk']:.2f}/{c['other']:.2f}" if c else "?"


def print_result(r: Result) -> None:
    print(f"\n-- lock={r.lock} workers={r.workers} duration={r.duration:g}s wrk threads={r.runs[0].threads if r.runs else '?'}")
    header = (f"{'endpoint':<18}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
              f"{'requests':>10}{'expected':>10}{'other':>7}{'sock err':>9}{'non2xx3xx':>10}{'db rows':>9}"
              f"{'CPU srv/wrk/else':>18}{'ms CPU/req':>11}")
    print(header)
    print("-" * len(header))
    for run in r.runs:
        name = ("GET /healthz" if run.target == "healthz" else "POST /checkins") + ("*" if run.noisy else "")
        lat = run.latency_ms
        rows = "" if run.db_rows_added is None else str(run.db_rows_added)
        print(f"{name:<18}{run.connections:>6}{run.rps:>10.1f}{lat['p50']:>9.1f}{lat['p90']:>9.1f}{lat['p99']:>9.1f}"
              f"{lat['max']:>9.1f}{run.requests:>10}{run.matched:>10}{run.unexpected:>7}"
              f"{sum(run.socket_errors.values()):>9}{run.non_2xx_3xx:>10}{rows:>9}{_cpu(run):>18}"
              f"{run.cpu_ms_per_request or 0:>11.2f}")
        if run.unexpected or any(run.socket_errors.values()):
            print(f"{'':<18}statuses {run.statuses}  socket errors {run.socket_errors}")
    if r.ratio is not None:
        h, c = r.run("healthz", r.high), r.run("checkins", r.high)
        cpu = f"; by server CPU per request {_cpu_ratio(h, c)}" if h and c else ""
        print(f"check-ins/healthz at {r.high} connections: {100 * r.ratio:.1f} % by throughput{cpu}   "
              f"(floor >= {100 * RATIO_FLOOR:.0f} % with no errors: {_yes(r.ratio_ok)})")
    if r.p99_low is not None:
        print(f"check-in p99 at {r.low} connections: {r.p99_low:.1f} ms   "
              f"(floor < {P99_FLOOR_MS:.0f} ms: {_yes(r.p99_ok)})")
    print(f"check-ins answered 201: {r.ok_201_total}; rows in SQLite: {r.db_total}; listed by the API: {r.api_total}"
          f"  ({r.db_total - r.ok_201_total} committed while wrk was stopping, unanswered)")
    h, c = r.run("healthz", r.high), r.run("checkins", r.high)
    if h and c and h.cpu_ms_per_request and c.cpu_ms_per_request:
        print(f"server CPU per request at {r.high} connections: healthz {h.cpu_ms_per_request:.2f} ms, check-in "
              f"{c.cpu_ms_per_request:.2f} ms: the ratio a quiet, CPU-bound machine would show is about "
              f"{100 * h.cpu_ms_per_request / c.cpu_ms_per_request:.1f} %")
    print("(CPU: cores busy on average during the run: the server's processes / wrk / everything else"
          + (f"; * = other processes used more than {NOISY_CORES} CPUs even on the best of "
             f"{max(run.attempts for run in r.runs)} attempts: read with care" if any(run.noisy for run in r.runs) else "")
          + ")")
    print("server stderr: " + ", ".join(f"{k}: {v}" for k, v in r.log_counts.items()))
    for line in r.log_samples:
        print(f"   | {line[:200]}")
    for problem in r.problems:
        print(f"PROBLEM: {problem}")


def _cpu_ratio(healthz: WrkRun, checkins: WrkRun) -> str:
    h, c = healthz.cpu_ms_per_request, checkins.cpu_ms_per_request
    return f"{100 * h / c:.1f}%" if h and c else "?"


def print_summary(results: list[Result]) -> None:
    if not results:
        return
    high, low = results[0].high, results[0].low
    print(f"\n== summary ({platform.node()}, {os.cpu_count()} CPUs, {results[0].duration:g} s per run)")
    header = (f"{'lock':<6}{'workers':>8}{f'healthz@{high}':>12}{f'checkin@{high}':>12}{'ratio':>8}"
              f"{f'p50@{high}':>9}{f'p99@{high}':>9}{f'checkin@{low}':>12}{f'p50@{low}':>8}{f'p99@{low}':>8}"
              f"{'errors':>8}{'5xx':>5}{'locked':>7}{'else':>6} {'cpu ratio':>10}  floors")
    print(header)
    print("-" * len(header))
    for r in results:
        h, ch, cl = r.run("healthz", high), r.run("checkins", high), r.run("checkins", low)
        if not (h and ch and cl):
            print(f"{r.lock:<6}{r.workers:>8}  (incomplete)")
            continue
        errors = sum(run.errors for run in r.runs)
        fivexx = sum(run.server_errors for run in r.runs)
        other = max((run.cpu.get("other", 0.0) for run in r.runs), default=0.0)
        print(f"{r.lock:<6}{r.workers:>8}{h.rps:>12.1f}{ch.rps:>12.1f}{100 * (r.ratio or 0):>7.1f}%"
              f"{ch.latency_ms['p50']:>9.1f}{ch.latency_ms['p99']:>9.1f}{cl.rps:>12.1f}"
              f"{cl.latency_ms['p50']:>8.1f}{cl.latency_ms['p99']:>8.1f}{errors:>8}{fivexx:>5}"
              f"{r.log_counts.get('database is locked', 0):>7}{other:>6.2f}{'*' if other > NOISY_CORES else ' '}"
              f"{_cpu_ratio(h, ch):>10}  {'ok' if r.ok else 'NOT MET'}")
    print("(req/s and ms; ratio = check-in req/s / healthz req/s at "
          f"{high} connections; floors: ratio >= {100 * RATIO_FLOOR:.0f} % with no errors, p99@{low} < {P99_FLOOR_MS:.0f} ms;\n"
          " else = the most CPU cores other processes used during any run of that server (* = over "
          f"{NOISY_CORES}: disturbed);\n cpu ratio = healthz / check-in server CPU time per request, less "
          "sensitive to other load than req/s)")


# --- command line -----------------------------------------------------------------------------

def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("give one or more whole numbers of at least 1")
    return values


def _env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Benchmark GET /healthz against POST /api/v1/checkins through `thaw serve` on SQLite, with wrk.",
        epilog="Example: benchmarks/checkin_throughput.py --workers 2,3,4,5 --compare-lock --duration 15",
    )
    parser.add_argument("--workers", type=_int_list, default=None,
                        help="gunicorn worker processes; a comma-separated list runs one server per value "
                             "(default: thaw serve's own default)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per wrk run (default 15)")
    parser.add_argument("--connections", type=_int_list, default=[16, 8],
                        help="wrk connection counts, comma-separated (default 16,8); the ratio floor is checked "
                             "at the highest, the p99 floor at the lowest")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--lock", choices=("file", "none"), default=os.environ.get("THAW_SQLITE_WRITE_LOCK", "file"),
                        help="THAW_SQLITE_WRITE_LOCK for the server (default: the environment's, else file)")
    parser.add_argument("--compare-lock", action="store_true",
                        help="run with THAW_SQLITE_WRITE_LOCK=file and =none and print both")
    parser.add_argument("--env", type=_env_pair, action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment variable for the server (repeatable), e.g. THAW_SQLITE_BUSY_TIMEOUT=5; "
                             "THAW_SQLITE_WRITE_LOCK comes from --lock / --compare-lock")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per endpoint (default 3; 0: none)")
    parser.add_argument("--timeout", type=float, default=5.0, help="wrk request timeout in seconds (default 5)")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each server and each run, wait up to SECONDS for other processes to leave the CPUs idle "
                             f"(under {QUIET_CORES} cores busy); default 0: do not wait")
    parser.add_argument("--retries", type=int, default=2,
                        help="measure a run again, up to this many times, when other processes used more than "
                             f"{NOISY_CORES} CPUs during it; the least disturbed attempt is kept (default 2)")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk", help="the wrk binary (default: from PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories (logs, database)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.env = dict(args.env)
    if args.duration <= 0 or args.threads < 1 or args.timeout <= 0:
        print("--duration, --threads and --timeout must be positive", file=sys.stderr)
        return 2
    if not shutil.which(args.wrk):
        print(f"wrk not found ({args.wrk}). The benchmark drives the server with wrk, the HTTP load tool "
              "packaged by Debian and Ubuntu:\n    sudo apt-get install wrk\n"
              "(as root: apt-get update && apt-get install -y wrk), or pass --wrk /path/to/wrk.", file=sys.stderr)
        return 2
    if args.workers is None:
        sys.path.insert(0, str(ROOT))
        from thaw.cli import default_workers

        args.workers = [int(os.environ.get("THAW_WORKERS", default_workers()))]
    args.connections = sorted(set(args.connections), reverse=True)
    locks = ["file", "none"] if args.compare_lock else [args.lock]
    signal.signal(signal.SIGTERM, _on_sigterm)

    started = datetime.now(UTC)
    print(f"Thaw check-in benchmark, {started:%Y-%m-%d %H:%M} UTC, {platform.node()} "
          f"({os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version})")
    results: list[Result] = []
    try:
        for workers in args.workers:  # the lock modes side by side for each worker count: fairer on a busy machine
            for lock in locks:
                result = benchmark(args, workers=workers, lock=lock)
                results.append(result)
                print_result(result)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        print_summary(results)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; the server was stopped and its data directory removed", file=sys.stderr)
        print_summary(results)
        return 130
    print_summary(results)
    if args.json:
        payload = {
            "started": started.isoformat(),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "results": [
                {**asdict(r), "cpu_ms_per_request": {f"{x.target}@{x.connections}": x.cpu_ms_per_request
                                                     for x in r.runs},
                 "ratio": r.ratio, "ratio_ok": r.ratio_ok, "p99_low": r.p99_low, "p99_ok": r.p99_ok,
                 "ok": r.ok}
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
