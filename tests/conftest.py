"""Cross-backend fixtures: every scenario runs once per backend, with the same test body.

``hub`` is a fresh place to run orchestrations: ``hub.client`` is a client, ``hub.worker()`` a
new worker (stopped after the test), and ``hub.long_wait`` a timer length the backend can finish
quickly (a real 24 hours on the in-memory backend's virtual clock; seconds on a real sidecar).

The backends are the in-memory one and two real sidecars, each started once per session:
microsoft/durabletask-go v0.6.0 and Dapr Workflow's engine, dapr/durabletask-go v0.14.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from scenario_hub import Hub

from durabletask.testing import InMemoryBackend
from durabletask.testing.sidecar import Flavor, Sidecar, sidecar_required, sidecar_unavailable_reason

SIDECAR_FLAVORS: tuple[Flavor, ...] = ("microsoft", "dapr")


def _sidecar_for_session(flavor: Flavor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build (once) and start the ``flavor`` sidecar; yields its address, stops it at the end."""
    reason = sidecar_unavailable_reason(flavor)
    if reason is not None:
        if sidecar_required():
            pytest.fail(f"DURABLETASK_REQUIRE_SIDECAR=1 but {reason}")
        print(f"\nSkipping {flavor} sidecar tests: {reason}")
        pytest.skip(reason)
    log_file = tmp_path_factory.mktemp("sidecar") / f"{flavor}.log"
    with Sidecar(flavor, log_file=log_file) as sidecar:
        yield sidecar.address


@pytest.fixture(scope="session")
def microsoft_sidecar_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """microsoft/durabletask-go v0.6.0 for the whole session."""
    yield from _sidecar_for_session("microsoft", tmp_path_factory)


@pytest.fixture(scope="session")
def dapr_sidecar_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """dapr/durabletask-go v0.14.0 for the whole session."""
    yield from _sidecar_for_session("dapr", tmp_path_factory)


@pytest.fixture(params=["memory", *SIDECAR_FLAVORS])
def hub(request: pytest.FixtureRequest) -> Iterator[Hub]:
    """The same scenario against the in-memory backend and against each real sidecar."""
    if request.param == "memory":
        backend = InMemoryBackend()
        hub = Hub(
            "memory",
            backend.client(),
            backend.worker,
            long_wait=timedelta(hours=24),
            short_wait=timedelta(minutes=5),
            wait_timeout=10,
            read_history=backend.get_history,
        )
    else:
        address = request.getfixturevalue(f"{request.param}_sidecar_address")
        from durabletask.client import TaskHubGrpcClient
        from durabletask.worker import TaskHubGrpcWorker

        grpc_client = TaskHubGrpcClient(host_address=address)
        hub = Hub(
            request.param,
            grpc_client,
            lambda: TaskHubGrpcWorker(host_address=address),
            long_wait=timedelta(seconds=3),
            short_wait=timedelta(seconds=1),
            wait_timeout=60,
            read_history=grpc_client.get_orchestration_history,
        )
    try:
        yield hub
    finally:
        hub.stop_workers()
