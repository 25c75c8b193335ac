"""Cross-backend fixtures: every scenario runs once per backend, with the same test body.

``hub`` is a fresh place to run orchestrations: ``hub.client`` is a client, ``hub.worker()`` a
new worker (stopped after the test), and ``hub.long_wait`` a timer length the backend can finish
quickly (a real 24 hours on the in-memory backend's virtual clock; seconds on a real sidecar).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from scenario_hub import Hub

from durabletask.testing import InMemoryBackend
from durabletask.testing.sidecar import Sidecar, sidecar_required, sidecar_unavailable_reason


@pytest.fixture(scope="session")
def microsoft_sidecar_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build (once) and start microsoft/durabletask-go for the whole session."""
    reason = sidecar_unavailable_reason()
    if reason is not None:
        if sidecar_required():
            pytest.fail(f"DURABLETASK_REQUIRE_SIDECAR=1 but {reason}")
        print(f"\nSkipping sidecar tests: {reason}")
        pytest.skip(reason)
    log_file = tmp_path_factory.mktemp("sidecar") / "microsoft.log"
    with Sidecar("microsoft", log_file=log_file) as sidecar:
        yield sidecar.address


@pytest.fixture(params=["memory", "microsoft"])
def hub(request: pytest.FixtureRequest) -> Iterator[Hub]:
    """The same scenario against the in-memory backend and against a real sidecar."""
    if request.param == "memory":
        backend = InMemoryBackend()
        hub = Hub(
            "memory",
            backend.client(),
            backend.worker,
            long_wait=timedelta(hours=24),
            short_wait=timedelta(minutes=5),
            wait_timeout=10,
        )
    else:
        address = request.getfixturevalue("microsoft_sidecar_address")
        from durabletask.client import TaskHubGrpcClient
        from durabletask.worker import TaskHubGrpcWorker

        hub = Hub(
            "microsoft",
            TaskHubGrpcClient(host_address=address),
            lambda: TaskHubGrpcWorker(host_address=address),
            long_wait=timedelta(seconds=3),
            short_wait=timedelta(seconds=1),
            wait_timeout=60,
        )
    try:
        yield hub
    finally:
        hub.stop_workers()
