"""The load benchmark, small: 200 orchestrations x 10 activities on Dapr's sidecar, activities capped at 8.

It runs ``benchmarks/load/run.py`` as a user would (the full 1,000-orchestration run is recorded
in ``benchmarks/README.md``) and checks what the command measured: every orchestration completed
with the right output, and no more than 8 activities ever ran at once in the worker, although
the sidecar dispatches without a limit of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from durabletask.testing.sidecar import sidecar_required, sidecar_unavailable_reason

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "load" / "run.py"


def test_200_fanned_out_orchestrations_complete_under_the_activity_cap() -> None:
    reason = sidecar_unavailable_reason("dapr")
    if reason is not None:
        (pytest.fail if sidecar_required() else pytest.skip)(reason)
    command = [sys.executable, str(RUN), "--orchestrations", "200", "--fan-out", "10", "--max-activities", "8"]
    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    result = json.loads(finished.stdout.strip().splitlines()[-1])

    assert result["problem_count"] == 0, result["problems"]
    assert result["completion_turns"] >= 200
    assert result["activities"] >= 200 * 10
    assert 1 < result["peak_concurrent_activities"] <= 8, "activities overlapped, and never more than the cap"
    print(f"\n{result['orchestrations_per_second']} orchestrations/s on dapr (200 x fan-out 10)")
