#!/usr/bin/env python3
"""Benchmark: an anonymous Learn article page, with view counting on, against ``GET /healthz``.

This is a benchmark, not a test. It starts ``thaw serve`` (gunicorn, SQLite) with a fresh data
directory (the seed articles are loaded by the first start's migrations), then drives, with
``wrk`` against the same server in the same run, ``/healthz`` and then one article page
(``/learn/<slug>/``) as a signed-out reader. benchmarks/checkin.lua checks every response's
status (200).

Floors (issue 14):
- the article page answers at least 50 % of /healthz's requests per second, with no errors of
  any kind (socket errors, timeouts, statuses other than 200) in either run;
- after the run the views recorded equal the pages answered. The server is stopped first (each
  worker writes the views it still holds when it exits), then the article's ``views`` and the sum
  of its per-day rows are read from SQLite. They must agree with each other, and with wrk's 200s
  plus at most one per connection (requests in flight when wrk stopped are answered and counted
  by the server, but wrk never reads their answer). The warm-up reads a different article, so it
  does not touch the count.

    .venv/bin/python benchmarks/learn_bench.py              # make bench-learn
    .venv/bin/python benchmarks/learn_bench.py --duration 20 --connections 32

Exit status: 0 when the floors hold, 1 when not, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.checkin_throughput import (  # noqa: E402
    LOG_PATTERNS,
    LUA_SCRIPT,
    BenchError,
    CpuMeter,
    Server,
    WrkRun,
    http,
    parse_wrk,
)

RATIO_FLOOR = 0.50


def wrk_get(wrk: str, url: str, label: str, *, connections: int, threads: int, seconds: float,
            timeout: float, server_pgid: int | None) -> WrkRun:
    threads = max(1, min(threads, connections))
    cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", f"{timeout:g}s",
           "--latency", "-s", str(LUA_SCRIPT), url]
    meter = CpuMeter(server_pgid)
    try:
        done = subprocess.run(cmd, env={**os.environ, "THAW_BENCH_MODE": "get"}, capture_output=True, text=True,
                              timeout=seconds + timeout + 60)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish in time: {' '.join(cmd)}") from exc
    cpu = meter.stop()
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    run = parse_wrk(done.stdout + done.stderr, WrkRun(label, connections, threads))
    run.cpu = cpu
    return run


def recorded_views(db: Path, slug: str) -> tuple[int, int]:
    """The article's total and the sum of its per-day rows, read straight from SQLite."""
    con = sqlite3.connect(db, timeout=30)
    try:
        total, article_id = con.execute("SELECT views, id FROM learn_article WHERE slug = ?", (slug,)).fetchone()
        days = con.execute("SELECT COALESCE(SUM(views), 0) FROM learn_articleday WHERE article_id = ?",
                           (article_id,)).fetchone()[0]
        return int(total), int(days)
    finally:
        con.close()


def describe(run: WrkRun) -> str:
    lat = run.latency_ms
    return (f"{run.rps:9.1f} req/s  {run.requests:7d} requests  p50 {lat['p50']:.1f} ms  p99 {lat['p99']:.1f} ms  "
            f"errors {run.errors}  statuses {run.statuses}  server CPU {run.cpu.get('server', 0):.2f} cores"
            + (f" ({run.cpu_ms_per_request:.2f} ms/request)" if run.cpu_ms_per_request else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per wrk run (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds (default 3)")
    parser.add_argument("--timeout", type=float, default=5.0, help="wrk request timeout in seconds (default 5)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: thaw serve's)")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    if shutil.which(args.wrk) is None:
        print(f"wrk not found ({args.wrk}); install it (apt-get install wrk)", file=sys.stderr)
        return 2
    from thaw.cli import default_workers

    workers = args.workers or int(os.environ.get("THAW_WORKERS", default_workers()))
    server = Server(workers=workers, lock=os.environ.get("THAW_SQLITE_WRITE_LOCK", "file"), extra_env={},
                    keep=args.keep)
    try:
        server.start()
        status, listing = http("GET", server.base_url + "/api/v1/articles")
        if status != 200 or not isinstance(listing, dict) or len(listing.get("items", [])) < 2:
            raise BenchError(f"GET /api/v1/articles answered {status}: {listing}")
        slug, warm_slug = listing["items"][0]["slug"], listing["items"][1]["slug"]
        pgid = server.proc.pid if server.proc else None
        common = {"connections": args.connections, "threads": args.threads, "timeout": args.timeout,
                  "server_pgid": pgid}
        if args.warmup > 0:
            wrk_get(args.wrk, f"{server.base_url}/healthz", "warm-up", seconds=args.warmup, **common)
            wrk_get(args.wrk, f"{server.base_url}/learn/{warm_slug}/", "warm-up", seconds=args.warmup, **common)
        before, _ = recorded_views(server.db_path, slug)
        healthz = wrk_get(args.wrk, f"{server.base_url}/healthz", "healthz", seconds=args.duration, **common)
        article = wrk_get(args.wrk, f"{server.base_url}/learn/{slug}/", "article", seconds=args.duration, **common)
        server.stop()  # every worker writes the views it still holds as it exits
        total, days = recorded_views(server.db_path, slug)
        log = server.stderr_text()
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        server.cleanup()

    counted = total - before
    ratio = article.rps / healthz.rps if healthz.rps else 0.0
    problems = [name for name, pattern in LOG_PATTERNS.items() if pattern.search(log)]
    ratio_ok = ratio >= RATIO_FLOOR and healthz.errors == 0 and article.errors == 0
    counts_ok = total == days and article.matched <= counted <= article.matched + args.connections
    print(f"thaw serve, SQLite, {workers} workers, wrk {args.threads} threads, {args.connections} connections, "
          f"{args.duration:g} s per run")
    print(f"  /healthz            {describe(healthz)}")
    print(f"  /learn/{slug}/  {describe(article)}")
    print(f"  article / healthz:  {ratio:.1%} (floor {RATIO_FLOOR:.0%}): {'ok' if ratio_ok else 'BELOW FLOOR'}")
    print(f"  views recorded {counted} for {article.matched} pages wrk saw answered "
          f"(+ up to {args.connections} in flight); article total {total} = per-day sum {days}: "
          f"{'ok' if counts_ok else 'MISMATCH'}")
    if problems:
        print(f"  server log shows: {', '.join(problems)}")
    return 0 if ratio_ok and counts_ok and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
