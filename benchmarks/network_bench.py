#!/usr/bin/env python3
"""Benchmark: a clinic network on PostgreSQL, through nginx, under a mixed load.

Not a test. It needs a PostgreSQL it may create databases in (``DATABASE_URL``, e.g. the
throwaway cluster `.ci/run` starts), Debian's nginx and wrk:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/network_bench.py

1. Builds the network in a database of its own (``thaw_network_bench``; ``--reuse`` keeps it
   for the next run): ``--people`` (5,000) people with ``--days`` (365) of check-ins each at
   ``--per-day`` (3) a day with one or two emotion words, 100 clinicians in 20 programs (five
   per program, every person enrolled in one and sharing with it). Check-ins and words go in
   with COPY, day by day in time order as a live network writes them; the time is printed with
   an extrapolation to 50,000 people.
2. Signs everyone in without passwords: an API token per person, a session per person and
   per clinician, written through Django's own session store.
3. For 1, 2 and 3 app servers for pages (``thaw serve --no-worker``, 2 worker processes each),
   ``--write-servers`` (1) more of their own for ``POST /api/v1/checkins`` and the crisis pages
   and ``--clinic-servers`` (1) for the clinicians' pages, as deploy/nginx routes them, with the
   page servers at nice ``--page-nice`` (19; docs/DEPLOYING.md has them yield the CPU the same
   way with systemd's CPUWeight), behind nginx configured from deploy/nginx (rendered: ports,
   paths, no TLS), drives
   ``benchmarks/network_mix.lua`` with wrk at ``--connections`` (32) for ``--duration`` s:
   check-in writes 60 %, home 20 %, insights 10 %, caseload 5 %, person detail 5 %.
   Per-endpoint throughput, p50/p99 and statuses come from nginx's access log.
4. With one app server for pages (and the write servers), runs each endpoint alone to measure the servers' CPU per request
   (from /proc), and runs check-ins alone on SQLite (a single node, same nginx) for the
   write path's comparison.

Floors (exit 1 when missed): no errors (socket errors or any status other than 201 for
check-ins and 200 for pages), check-in p99 under 250 ms and caseload p99 under 1 s at 32
connections, for every server count. The CPU used by other processes during each run is
printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.test_deployment import _nginx_command, render_nginx  # noqa: E402  (the same rendering)
from tests.support import free_port, wait_until  # noqa: E402

LUA = HERE / "network_mix.lua"
DB_NAME = "thaw_network_bench"
ENDPOINTS = {"checkin": ("POST", re.compile(r"^/api/v1/checkins$"), 201),
             "home": ("GET", re.compile(r"^/$"), 200),
             "insights": ("GET", re.compile(r"^/insights/$"), 200),
             "caseload": ("GET", re.compile(r"^/clinic/$"), 200),
             "detail": ("GET", re.compile(r"^/clinic/people/\d+/$"), 200)}
CHECKIN_P99_FLOOR_MS = 250.0
CASELOAD_P99_FLOOR_MS = 1000.0
WORDS = ["numb", "empty", "flat", "tired", "lonely", "calm", "anxious", "sad", "hopeful", "content", "not sure"]
PASSWORD_HASH = "!"  # unusable: nobody signs in with a password here


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- the dataset ---------------------------------------------------------------------------------

def generate(people: int, clinicians: int, programs: int, days: int, per_day: float) -> dict[str, float]:
    """People, clinicians, programs and grants through the ORM; check-ins and words by COPY."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "thaw.settings"
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.db import connection, transaction
    from django.utils import timezone

    from thaw.accounts.models import Role, User
    from thaw.circle.models import Grant
    from thaw.clinic.models import Membership, Program

    started = time.perf_counter()
    rng = random.Random(19)
    now = timezone.now()
    with transaction.atomic():
        staff = User.objects.bulk_create([User(email=f"clinician-{n}@bench.example", password=PASSWORD_HASH,
                                               role=Role.CLINICIAN) for n in range(clinicians)])
        Authenticator.objects.bulk_create([Authenticator(user=c, type=Authenticator.Type.TOTP, data={"secret": "x"})
                                           for c in staff])
        groups = [Program.objects.create(name=f"Bench program {n}", lead=staff[n * clinicians // programs])
                  for n in range(programs)]
        Membership.objects.bulk_create([Membership(program=groups[n * programs // clinicians], clinician=c,
                                                   on_duty=n % 5 == 0) for n, c in enumerate(staff)])
        persons = User.objects.bulk_create([User(email=f"person-{n}@bench.example", password=PASSWORD_HASH,
                                                 role=Role.PERSON) for n in range(people)], batch_size=2000)
        Grant.objects.bulk_create([Grant(owner=p, program=groups[n % programs], name=groups[n % programs].name,
                                         accepted_at=now - timedelta(days=days),
                                         categories=["summary", "checkins", "assessments", "grounding", "flags"])
                                   for n, p in enumerate(persons)], batch_size=2000)
    accounts_done = time.perf_counter()
    checkins = emotions = 0
    cursor = connection.cursor().cursor
    cursor.execute("SET statement_timeout = 0")  # one COPY of millions of rows takes minutes
    with cursor.copy("COPY checkins_checkin (id, person_id, at, numbness, body, note, source, created_at, updated_at,"
                     " version) FROM STDIN") as copy_checkins:
        emotion_rows: list[tuple[object, ...]] = []
        levels = [rng.uniform(2, 8) for _ in persons]
        # Day by day across everyone, each day in time order: the table's rows lie as a live
        # network writes them, interleaved by time (written person by person, each person's year
        # sat together on disk, and PostgreSQL chose other indexes than it would in production).
        for day in range(days):
            today: list[tuple[datetime, int, int]] = []
            for n, person in enumerate(persons):
                levels[n] = min(10.0, max(0.0, levels[n] + rng.gauss(0, 0.8)))
                count = int(per_day) + (rng.random() < per_day - int(per_day))
                today += [(now - timedelta(days=days - day, seconds=rng.randint(0, 86_000)), person.pk,
                           round(levels[n])) for _ in range(count)]
            today.sort()
            for at, person_id, level in today:
                key = uuid.uuid4()
                copy_checkins.write_row((key, person_id, at, level, "[]", "", "api", at, at, 1))
                checkins += 1
                for position, word in enumerate(rng.sample(WORDS, 1 + (rng.random() < 0.5))):
                    emotion_rows.append((key, word, rng.randint(1, 10), position))
    with cursor.copy("COPY checkins_checkinemotion (checkin_id, word, intensity, position) FROM STDIN") as copy_words:
        for row in emotion_rows:
            copy_words.write_row(row)
        emotions = len(emotion_rows)
    with connection.cursor() as c:
        # In a live network autovacuum marks the check-ins' pages all-visible every 10,000 new
        # rows (checkins.0007), which index-only scans need. A year written in minutes is marked
        # here, not whenever autovacuum happens to come round.
        c.execute("VACUUM (ANALYZE)")
    done = time.perf_counter()
    return {"people": people, "checkins": checkins, "emotions": emotions, "accounts_s": accounts_done - started,
            "checkins_s": done - accounts_done, "total_s": done - started}


def identities(env: dict[str, str], path: Path, sample: int) -> None:
    """A token and a session for ``sample`` people, and a session for every clinician."""
    script = f"""
import random
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from thaw.accounts.models import ApiToken, User
from thaw.circle.models import Grant

def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["account_authentication_methods"] = [{{"method": "password"}}, {{"method": "mfa", "type": "totp"}}]
    store.create()
    return store.session_key

rng = random.Random(7)
people = list(User.objects.filter(role="person").order_by("id"))
lines = []
for person in rng.sample(people, min({sample}, len(people))):
    _, token = ApiToken.issue(person, "bench")
    lines.append(f"person {{token}} {{session(person)}}")
for clinician in User.objects.filter(role="clinician").order_by("id"):
    from thaw.clinic.models import Membership
    program_ids = list(Membership.objects.filter(clinician=clinician).values_list("program_id", flat=True))
    owners = list(Grant.objects.filter(program_id__in=program_ids).values_list("owner_id", flat=True)[:50])
    lines.append("clinician " + session(clinician) + " " + " ".join(map(str, owners)))
open({str(path)!r}, "w").write("\\n".join(lines) + "\\n")
"""
    subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "shell", "--no-imports", "-c", script], env=env,
                   check=True)


# --- processes --------------------------------------------------------------------------------------

def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its live descendants."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == pid or int(entry.name) == pid or _descends(int(entry.name), pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _descends(pid: int, ancestor: int) -> bool:
    for _ in range(6):
        try:
            parent = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            return False
        if parent == ancestor:
            return True
        if parent <= 1:
            return False
        pid = parent
    return False


def _machine_cpu() -> float:
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(x) for x in parts) - int(parts[3]) - int(parts[4])
    return busy / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def app_servers(env: dict[str, str], count: int, workers: int, workdir: Path,
                name: str = "pages", nice: int = 0) -> Iterator[tuple[list[subprocess.Popen[bytes]], list[int]]]:
    started: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for n in range(count):
            port = free_port()
            log_file = open(workdir / f"app-{name}-{count}-{n}.log", "ab")  # noqa: SIM115
            process = subprocess.Popen([*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "thaw.cli", "serve", "--no-worker", "--host", "127.0.0.1",
                                        "--port", str(port), "--workers", str(workers)], env=env, stdout=log_file,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            if nice:  # with the kernel's autogroups, nice counts only within a session: set the session's too
                group = Path(f"/proc/{process.pid}/autogroup")
                try:
                    if group.exists():
                        group.write_text(str(nice))
                except OSError as error:
                    print(f"WARNING: could not set the page servers' autogroup to nice {nice} ({error}): they "
                          "may not yield the CPU, so this run may not show the shipped shape", file=sys.stderr)
            started.append(process)
            ports.append(port)
            wait_until(lambda p=port: _get(p, "/readyz") == 200, f"app server on {port}")
        yield started, ports
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)


def _get(port: int, path: str) -> int:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return 0


@contextlib.contextmanager
def nginx(ports: list[int], workdir: Path, writes: list[int] | None = None,
          clinic: list[int] | None = None) -> Iterator[tuple[int, Path]]:
    conf_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-nginx-"))
    conf_dir.chmod(0o755)
    static = conf_dir / "static"
    static.mkdir()
    port = free_port()
    conf = render_nginx(conf_dir, port, ports, static, writes=writes, clinic=clinic)
    if os.geteuid() == 0:
        for path in [conf_dir, *conf_dir.rglob("*")]:
            os.chown(path, 65534, -1)
    process = subprocess.Popen(_nginx_command(conf_dir, conf), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, "nginx")
        yield port, conf_dir / "thaw.access.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(conf_dir, ignore_errors=True)


# --- one run ----------------------------------------------------------------------------------------

LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+)" (?P<status>\d{3}) \d+ (?P<time>[\d.]+)')


def endpoint_figures(access_log: Path, duration: float) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {k: [] for k in ENDPOINTS}
    wrong: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)
    cut: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)
    for line in access_log.read_text(errors="replace").splitlines():
        match = LINE.search(line)
        if not match:
            continue
        for name, (method, pattern, status) in ENDPOINTS.items():
            if match["method"] == method and pattern.match(match["uri"]):
                if match["status"] == "499":  # in flight when wrk stopped and closed its connections
                    cut[name] += 1
                    continue
                times[name].append(float(match["time"]) * 1000)
                wrong[name] += int(match["status"]) != status
    figures = {}
    for name, values in times.items():
        values.sort()
        if not values:
            continue
        figures[name] = {"requests": len(values), "rps": len(values) / duration, "errors": wrong[name],
                         "cut_off_at_end": cut[name],
                         "p50": values[len(values) // 2], "p99": values[min(len(values) - 1, int(len(values) * 0.99))]}
    return figures


def drive(port: int, access_log: Path, ident: Path, mix: str, connections: int, duration: int,
          servers: list[subprocess.Popen[bytes]]) -> dict[str, object]:
    env = {**os.environ, "THAW_IDENTITIES": str(ident), "THAW_MIX": mix}
    subprocess.run(["wrk", "-t2", "-c4", "-d3s", "-s", str(LUA), f"http://127.0.0.1:{port}"], env=env,
                   capture_output=True, check=False)  # warm-up
    os.truncate(access_log, 0)
    cpu_before = sum(_tree_cpu(p.pid) for p in servers)
    machine_before = _machine_cpu()
    started = time.monotonic()
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA),
                          f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    server_cpu = sum(_tree_cpu(p.pid) for p in servers) - cpu_before
    machine_cpu = _machine_cpu() - machine_before
    status = re.search(r"THAW_STATUS .*", out.stdout)
    total = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    figures = endpoint_figures(access_log, duration)
    requests = sum(f["requests"] for f in figures.values())
    return {"mix": mix, "rps": float(total.group(1)) if total else 0.0, "endpoints": figures,
            "wrk_status": status.group(0) if status else out.stdout[-500:],
            "server_cpu_s": server_cpu, "cpu_ms_per_request": 1000 * server_cpu / max(requests, 1),
            "other_cores": max(machine_cpu - server_cpu, 0) / elapsed, "elapsed": elapsed}


def table(title: str, run: dict[str, object]) -> None:
    print(f"\n{title}: {run['rps']:.0f} req/s in all; server CPU {run['cpu_ms_per_request']:.1f} ms/request; "
          f"other processes used {run['other_cores']:.2f} cores\n  {run['wrk_status']}")
    print(f"  {'endpoint':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, f in run["endpoints"].items():  # type: ignore[attr-defined]
        print(f"  {name:<10} {f['rps']:>8.1f} {f['p50']:>8.0f} {f['p99']:>8.0f} {f['errors']:>7}")


def floors_met(run: dict[str, object]) -> list[str]:
    missed = []
    endpoints: dict[str, dict[str, float]] = run["endpoints"]  # type: ignore[assignment]
    status = str(run["wrk_status"])
    if "unexpected=0" not in status or "socket_errors=0" not in status:
        missed.append(f"errors: {status}")
    for name, f in endpoints.items():
        if f["errors"]:
            missed.append(f"{name}: {f['errors']:.0f} wrong statuses")
    if "checkin" in endpoints and endpoints["checkin"]["p99"] >= CHECKIN_P99_FLOOR_MS:
        missed.append(f"check-in p99 {endpoints['checkin']['p99']:.0f} ms >= {CHECKIN_P99_FLOOR_MS:.0f}")
    if "caseload" in endpoints and endpoints["caseload"]["p99"] >= CASELOAD_P99_FLOOR_MS:
        missed.append(f"caseload p99 {endpoints['caseload']['p99']:.0f} ms >= {CASELOAD_P99_FLOOR_MS:.0f}")
    return missed


# --- main ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--clinicians", type=int, default=100)
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=float, default=3.0)
    parser.add_argument("--servers", default="1,2,3")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--write-servers", type=int, default=1,
                        help="app servers of their own for POST /api/v1/checkins (0: the page servers take them)")
    parser.add_argument("--clinic-servers", type=int, default=1,
                        help="app servers of their own for the clinicians' pages, /clinic/ (0: the page servers take them)")
    parser.add_argument("--page-nice", type=int, default=19,
                        help="run the page servers at this nice level (the CPUWeight of docs/DEPLOYING.md)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--solo-duration", type=int, default=10, help="seconds per endpoint alone (CPU/request)")
    parser.add_argument("--identities", type=int, default=500, help="people signed in for the load")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the generated database")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers and nginx on the way out
    admin_url = os.environ.get("DATABASE_URL", "")
    if not urlsplit(admin_url).scheme.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL where this may create a database.", file=sys.stderr)
        return 2
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            print(f"{tool} is needed: apt-get install {tool}", file=sys.stderr)
            return 2
    import psycopg

    workdir = Path(tempfile.mkdtemp(prefix="thaw-network-bench-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # also when a step fails
    data_dir = workdir / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("THAW_")}
    env.update({"THAW_DATA_DIR": str(data_dir), "DATABASE_URL": urlunsplit(urlsplit(admin_url)._replace(path=f"/{DB_NAME}")),
                "THAW_TRUSTED_PROXY_COUNT": "1", "PYTHONUNBUFFERED": "1"})
    keys_kept = args.reuse and (ROOT / ".bench-network-keys").exists()
    if keys_kept:
        shutil.copytree(ROOT / ".bench-network-keys", data_dir)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if exists and args.reuse:  # only a finished generation is reused
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as bench:
                done = bench.execute("SELECT to_regclass('checkins_checkin') IS NOT NULL").fetchone()[0]
                done = done and bench.execute("SELECT EXISTS (SELECT 1 FROM checkins_checkin)").fetchone()[0]
            exists = exists if done and keys_kept else None  # without its keys the data cannot be read
        if exists is None or not args.reuse:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    results: dict[str, object] = {"machine": {"cores": os.cpu_count(), "loadavg_start": os.getloadavg()}}
    if not exists:
        subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "migrate", "-v0"], env=env, check=True)
        subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "createcachetable"], env=env, check=True)
        log(f"generating {args.people} people x {args.days} days x {args.per_day}/day …")
        code = (f"import json, benchmarks.network_bench as b; print('GEN', json.dumps(b.generate({args.people}, "
                f"{args.clinicians}, {args.programs}, {args.days}, {args.per_day})))")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return 2
        gen = json.loads(out.stdout.split("GEN ", 1)[1])
        scale = 50_000 / args.people
        log(f"generated {gen['checkins']:,} check-ins and {gen['emotions']:,} words for {gen['people']:,} people in "
            f"{gen['total_s']:.0f} s (accounts {gen['accounts_s']:.0f} s, check-ins {gen['checkins_s']:.0f} s); "
            f"50,000 people: about {gen['total_s'] * scale / 60:.0f} min at the same rate")
        results["generation"] = gen
        if args.reuse:
            shutil.copytree(data_dir, ROOT / ".bench-network-keys", dirs_exist_ok=True)
    ident = workdir / "identities.txt"
    identities(env, ident, args.identities)
    failures: list[str] = []
    runs: dict[str, object] = {}
    for count in [int(n) for n in args.servers.split(",")]:
        # The page servers yield only to other pools (deploy/systemd/thaw-pages-weight.conf): alone, they do not.
        nice = args.page_nice if args.write_servers or args.clinic_servers else 0
        with (app_servers(env, count, args.workers, workdir, nice=nice) as (pages, ports),
              app_servers(env, args.write_servers, args.workers, workdir, "writes") as (writers, write_ports),
              app_servers(env, args.clinic_servers, args.workers, workdir, "clinic") as (clinicians, clinic_ports)):
            servers = pages + writers + clinicians
            with nginx(ports, workdir, writes=write_ports or None, clinic=clinic_ports or None) as (port, access_log):
                run = drive(port, access_log, ident, "mixed", args.connections, args.duration, servers)
                table(f"{count} app server(s) for pages + {args.write_servers} for check-ins + {args.clinic_servers} "
                      f"for clinicians, mixed load at "
                      f"{args.connections} connections", run)
                runs[f"mixed_{count}"] = run
                failures += [f"{count} server(s): {m}" for m in floors_met(run)]
                if count == 1:
                    for kind in ENDPOINTS:
                        solo = drive(port, access_log, ident, kind, 8 if kind != "checkin" else args.connections,
                                     args.solo_duration, servers)
                        table(f"1 app server (+ {args.write_servers} for check-ins, {args.clinic_servers} for clinicians), "
                              f"{kind} alone", solo)
                        runs[f"solo_{kind}"] = solo
    # SQLite single node: the write path alone, same nginx, same connections.
    sqlite_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    sqlite_env["THAW_DATA_DIR"] = str(workdir / "sqlite")
    subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "migrate", "-v0"], env=sqlite_env, check=True)
    subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "createcachetable"], env=sqlite_env, check=True)
    sqlite_ident = workdir / "sqlite-identities.txt"
    subprocess.run([sys.executable, "-m", "thaw.cli", "manage", "shell", "--no-imports", "-c",
                    "from thaw.accounts.models import User\n"
                    "User.objects.bulk_create([User(email=f'p{n}@bench.example', password='!') for n in range(50)])"],
                   env=sqlite_env, check=True)
    identities(sqlite_env, sqlite_ident, 50)
    with app_servers(sqlite_env, 1, args.workers, workdir) as (servers, ports):
        with nginx(ports, workdir) as (port, access_log):
            run = drive(port, access_log, sqlite_ident, "checkin", args.connections, args.duration, servers)
            table(f"SQLite single node, check-ins alone at {args.connections} connections", run)
            runs["sqlite_checkin"] = run
    results["runs"] = runs
    results["machine"]["loadavg_end"] = os.getloadavg()  # type: ignore[index]
    print(f"\nload average at start {results['machine']['loadavg_start']}, at end {os.getloadavg()}")  # type: ignore[index]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if failures:
        print("\nFLOORS MISSED:\n  " + "\n  ".join(failures))
        return 1
    print("\nAll floors met: no errors, check-in p99 < 250 ms, caseload p99 < 1 s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
