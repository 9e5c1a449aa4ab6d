"""Nothing acknowledged is lost when the server is killed mid-write (a short run of benchmarks/crash_test.py)."""

from __future__ import annotations

import pytest

from benchmarks.crash_test import run

pytestmark = pytest.mark.e2e


def test_sigkill_mid_run_loses_nothing_acknowledged() -> None:
    # The server stays down longer than half the run, as a restart on a loaded machine can:
    # the run must still see the restarted server take writes, and lose none.
    result = run(clients=16, duration=8.0, quiet=True, down=5.0)
    assert result["acknowledged_before_kill"] > 0 and result["acknowledged_after_restart"] > 0, result
    assert result["timeouts"] == 0 and result["other_statuses"] == [], result
    assert result["missing"] == 0, result
    assert result["server_errors_5xx"] == 0, result
    assert result["stored"] >= result["acknowledged"], result  # a write may commit just before the kill
