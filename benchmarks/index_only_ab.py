#!/usr/bin/env python3
"""What the covering indexes buy on PostgreSQL: the pages' own queries with index-only scans on and
off, alternating query by query.

Not a test. It reads the database ``benchmarks/network_bench.py --reuse`` leaves behind
(``thaw_network_bench``, with its keys in ``.bench-network-keys``), captures the statements the
caseload, insights and the home page send for real clinicians and people, then runs each under
``EXPLAIN (ANALYZE)`` twice in random order: once as shipped, once with
``enable_indexonlyscan = off`` (the same, wider index, but every row also read from its table
page: the cost ``checkins.0007`` took away, not a replay of the narrower indexes before it).
Alternating keeps the machine's own speed swings out of the comparison:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thaw_network_bench \\
      .venv/bin/python benchmarks/index_only_ab.py [--clinicians 20] [--people 60] [--rounds 3]

It prints, per kind of query, the median execution time (PostgreSQL's, without the app) each way.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinicians", type=int, default=20)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    keys = ROOT / ".bench-network-keys"
    if not keys.exists():
        print("Run benchmarks/network_bench.py --reuse first: it keeps the keys here.", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="thaw-index-ab-"))
    try:  # a copy of the benchmark's keys: never left behind
        shutil.copytree(keys, data_dir, dirs_exist_ok=True)
        os.environ["THAW_DATA_DIR"] = str(data_dir)
        return compare(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def compare(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thaw.accounts.models import User
    from thaw.clinic import services
    from thaw.insights.cache import data_stamp
    from thaw.insights.data import load_arrays
    from thaw.insights.summary import weekly_summary

    def statements(run: Callable[[], object], wanted: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            run()
        return [q["sql"] for q in captured.captured_queries if wanted in q["sql"]]

    clinicians = list(User.objects.filter(role="clinician").order_by("id")[: args.clinicians])
    people = list(User.objects.filter(role="person").order_by("?")[: args.people])
    assert clinicians and people, "no clinicians or people: is DATABASE_URL the benchmark's database?"
    kinds: dict[str, list[str]] = {"caseload: 14 daily means of 250 people": [], "insights: a year of words": [],
                                   "insights: the cache stamp": [], "home: a week of words": []}
    for clinician in clinicians:
        kinds["caseload: 14 daily means of 250 people"] += statements(
            lambda c=clinician: services.caseload(c, audit=False), "to_char")
    for person in people:
        kinds["insights: a year of words"] += statements(lambda p=person: load_arrays(p), "checkins_checkinemotion")[:1]
        kinds["home: a week of words"] += statements(lambda p=person: weekly_summary(p), "checkins_checkinemotion")
        kinds["insights: the cache stamp"] += statements(lambda p=person: data_stamp(p), '"checkins_checkin"')
    times: dict[tuple[str, str], list[float]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")  # one process each way
        for _ in range(args.rounds):
            for kind, sqls in kinds.items():
                for sql in sqls:
                    for mode in random.sample(["on", "off"], 2):
                        cursor.execute(f"SET enable_indexonlyscan = {mode}")
                        cursor.execute("EXPLAIN (ANALYZE) " + sql)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                        found = re.search(r"Execution Time: ([\d.]+)", plan)
                        assert found, plan
                        times.setdefault((kind, mode), []).append(float(found.group(1)))
    print(f"{'query':40} {'table pages too':>16} {'index only':>11}   (median ms, PostgreSQL's execution time)")
    for kind in kinds:
        off, on = statistics.median(times[(kind, "off")]), statistics.median(times[(kind, "on")])
        print(f"{kind:40} {off:13.2f} ms {on:8.2f} ms   x{off / on:.1f}  (n = {len(times[(kind, 'on')])} each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
