"""Fixtures for fault tests: real sidecar processes with file databases, and worker processes.

Every test here owns its sidecars and worker processes (it kills them) and is bounded in time:
each wait has a deadline, and everything a test started is killed at its end whatever happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faults.processes import WorkerProcess

from durabletask.testing.sidecar import Flavor, Sidecar, sidecar_required, sidecar_unavailable_reason


def _require(flavor: Flavor) -> None:
    reason = sidecar_unavailable_reason(flavor)
    if reason is None:
        return
    if sidecar_required():
        pytest.fail(f"DURABLETASK_REQUIRE_SIDECAR=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def make_sidecar(tmp_path: Path) -> Iterator[Callable[..., Sidecar]]:
    """``make_sidecar(flavor, **options)``: a started sidecar with a file database, killed at the end."""
    made: list[Sidecar] = []

    def make(flavor: Flavor, **options: Any) -> Sidecar:
        _require(flavor)
        options.setdefault("db", tmp_path / f"{flavor}-{len(made)}.sqlite")
        options.setdefault("log_file", tmp_path / f"{flavor}-{len(made)}.log")
        sidecar = Sidecar(flavor, **options)
        made.append(sidecar)
        return sidecar.start()

    yield make
    for sidecar in made:
        sidecar.kill()


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """``worker_process(address, activity_seconds=0)``: a started worker child, killed at the end."""
    started: list[WorkerProcess] = []

    def start(address: str, activity_seconds: float = 0.0) -> WorkerProcess:
        child = WorkerProcess(address, tmp_path / f"worker-{len(started)}.log", activity_seconds)
        started.append(child)
        child.wait_connected()
        return child

    yield start
    for child in started:
        child.kill()
