#!/usr/bin/env python3
"""Profile the heavy pages of the clinic network in-process: CPU per request and where it goes.

Not a test. It reads the database ``benchmarks/network_bench.py --reuse`` leaves behind
(``thaw_network_bench``, with its keys in ``.bench-network-keys``) and renders each page with
Django's test client, as a signed-in person or clinician, the way an app server would:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thaw_network_bench \\
      .venv/bin/python benchmarks/page_profile.py --repeat 10 [--profile detail]

For each page it prints the app's CPU per request (``time.process_time``: this process only,
not PostgreSQL's), the queries per request, the wall time and the time spent waiting on the
database (medians); ``--slowest N`` names the N statements that took each page the most time,
and ``--profile PAGE`` adds cProfile's top functions for that page. Every request is for a
different person (the insights page's figures are cached per person and data stamp; a different
person each time measures the work of a fresh view, as under the benchmark's load, where
check-ins keep changing the stamps).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ("home", "insights", "caseload", "detail", "checkin")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--profile", default="", help="a page to run under cProfile")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--slowest", type=int, default=0,
                        help="print the N queries that took each page the most time (mean wall ms per request)")
    args = parser.parse_args()
    keys = ROOT / ".bench-network-keys"
    if not keys.exists():
        print("Run benchmarks/network_bench.py --reuse first: it keeps the keys here.", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="thaw-page-profile-"))
    shutil.copytree(keys, data_dir, dirs_exist_ok=True)
    os.environ["THAW_DATA_DIR"] = str(data_dir)
    os.environ["THAW_ALLOWED_HOSTS"] = "testserver"  # the test client's host name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # the pages name hashed files
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from thaw.accounts.models import ApiToken, User
    from thaw.circle.models import Grant
    from thaw.clinic.models import Membership
    from thaw.server import tune_gc

    tune_gc()
    clinician = User.objects.filter(role="clinician").order_by("id").first()
    assert clinician is not None, "no clinicians: is DATABASE_URL the benchmark's database?"
    program_ids = list(Membership.objects.filter(clinician=clinician).values_list("program_id", flat=True))
    their_people = list(Grant.objects.filter(program_id__in=program_ids).order_by("owner_id")
                        .values_list("owner_id", flat=True)[: args.repeat + 1])
    people = list(User.objects.filter(role="person").order_by("?")[: args.repeat + 1])

    browser = Client()  # one handler, its middleware loaded once, as in an app server's worker

    def session_for(user: object) -> str:
        browser.cookies.pop("sessionid", None)  # else signing in flushes the last one's session
        browser.force_login(user)  # type: ignore[arg-type]
        session = browser.session
        session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
        session.save()
        return str(session.session_key)

    staff = session_for(clinician)
    tokens = [ApiToken.issue(p, "profile")[1] for p in people]
    own = [session_for(p) for p in people]
    body = '{"emotions": [{"word": "numb", "intensity": 5}], "numbness": 6, "tags": ["work"]}'

    def get(session: str, path: str) -> int:
        browser.cookies["sessionid"] = session
        return browser.get(path).status_code

    def request(page: str, n: int) -> int:
        if page == "home":
            return get(own[n], "/")
        if page == "insights":
            return get(own[n], "/insights/")
        if page == "caseload":
            return get(staff, "/clinic/")
        if page == "detail":
            return get(staff, f"/clinic/people/{their_people[n]}/")
        browser.cookies.pop("sessionid", None)
        return browser.post("/api/v1/checkins", body, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {tokens[n]}").status_code

    for page in [p for p in args.pages.split(",") if p]:
        request(page, args.repeat)  # warm: templates, vocabulary, imports
        cpu: list[float] = []
        wall: list[float] = []
        db: list[float] = []
        queries: list[int] = []
        by_sql: dict[str, list[float]] = {}
        profiler = cProfile.Profile(time.process_time) if page == args.profile else None
        for n in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started, began = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                status = request(page, n)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - started) * 1000)
                wall.append((time.perf_counter() - began) * 1000)
            queries.append(len(captured))
            db.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            for q in captured.captured_queries:
                # One line per statement, whatever its values: literals and numbers become "?".
                by_sql.setdefault(re.sub(r"'[^']*'|\d+", "?", q["sql"]), []).append(float(q["time"]) * 1000)
            assert status in (200, 201), f"{page}: {status}"
        print(f"{page:<10} CPU ms per request: median {statistics.median(cpu):7.1f}, min {min(cpu):7.1f}, "
              f"max {max(cpu):7.1f}; queries {statistics.median(queries):.0f}; wall {statistics.median(wall):.1f}, "
              f"in the database (wall) {statistics.median(db):.1f}", flush=True)
        for sql, times in sorted(by_sql.items(), key=lambda kv: -sum(kv[1]))[: args.slowest]:
            print(f"    {sum(times) / args.repeat:7.1f} ms/request  x{len(times) / args.repeat:.0f}  {sql[:160]}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
