"""The check-in benchmark's own reporting (the benchmark itself is run with ``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.checkin_throughput import Result, WrkRun, print_result

ROOT = Path(__file__).resolve().parent.parent


def _run(target: str, rps: float, server_cores: float) -> WrkRun:
    run = WrkRun(target, 16, 2, requests=int(rps * 15), seconds=15.0, rps=rps)
    run.latency_ms = {"avg": 10.0, "max": 40.0, "p50": 9.0, "p75": 11.0, "p90": 14.0, "p99": 30.0}
    run.matched = run.requests
    run.cpu = {"server": server_cores, "wrk": 0.1, "other": 0.0}
    return run


def test_the_cpu_per_request_ratio_is_printed_next_to_the_throughput_ratio(capsys) -> None:
    result = Result(lock="file", workers=2, duration=15.0, connections=[16])
    # healthz: 1.0 core for 1000 req/s = 1 ms each; check-ins: 0.8 core for 200 req/s = 4 ms each
    result.runs = [_run("healthz", 1000.0, 1.0), _run("checkins", 200.0, 0.8)]
    print_result(result)
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("check-ins/healthz"))
    assert "20.0 % by throughput" in line and "by server CPU per request 25.0%" in line, line


def test_without_wrk_the_benchmark_says_how_to_install_it() -> None:
    done = subprocess.run([sys.executable, "benchmarks/checkin_throughput.py", "--wrk", "/nonexistent/wrk"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "apt-get install wrk" in done.stderr and "--wrk" in done.stderr
