"""pytest fixtures for orchestration tests, registered automatically through ``pytest11``.

Installing ``durabletask-testing`` gives every test these fixtures::

    def test_chain(durabletask_client, durabletask_worker):
        durabletask_worker.add_orchestrator(sequence)
        durabletask_worker.add_activity(hello)
        durabletask_worker.start()
        instance_id = durabletask_client.schedule_new_orchestration(sequence)
        state = durabletask_client.wait_for_orchestration_completion(instance_id)
        assert state.get_output() == ["Hello Tokyo!", "Hello Seattle!"]

* ``durabletask_backend``: a fresh :class:`~durabletask.testing.InMemoryBackend` per test;
* ``durabletask_client``: a client of the backend under test;
* ``durabletask_worker``: a worker of the backend under test, stopped after the test.

The same test body can also run against a real sidecar. Mark it, and give the sidecar's
address on the command line (or in ``DURABLETASK_SIDECAR_ADDRESS``)::

    @pytest.mark.durabletask_sidecar
    def test_chain(durabletask_client, durabletask_worker): ...

    $ pytest --durabletask-sidecar localhost:4001

A marked test then runs twice, ``[memory]`` and ``[sidecar]``; without an address the sidecar
run is skipped with the reason. The sidecar run needs ``durabletask-grpc`` installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from durabletask.client import OrchestrationClient
    from durabletask.testing import InMemoryBackend
    from durabletask.worker import WorkerBase

ADDRESS_OPTION = "--durabletask-sidecar"
ADDRESS_ENV_VAR = "DURABLETASK_SIDECAR_ADDRESS"
SIDECAR_MARKER = "durabletask_sidecar"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("durabletask")
    group.addoption(
        ADDRESS_OPTION,
        metavar="HOST:PORT",
        default=os.environ.get(ADDRESS_ENV_VAR),
        help=f"also run tests marked {SIDECAR_MARKER} against the Durable Task sidecar at this address",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SIDECAR_MARKER}: run this test on the in-memory backend and on the sidecar given by {ADDRESS_OPTION}",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "durabletask_target" not in metafunc.fixturenames:
        return
    targets = ["memory"]
    if metafunc.definition.get_closest_marker(SIDECAR_MARKER) is not None:
        targets.append("sidecar")
    metafunc.parametrize("durabletask_target", targets, indirect=True)


@pytest.fixture
def durabletask_target(request: pytest.FixtureRequest) -> str:
    """Where this test runs: ``"memory"``, or ``"sidecar"`` for a marked test's second run."""
    target: str = getattr(request, "param", "memory")
    if target == "sidecar" and not request.config.getoption(ADDRESS_OPTION):
        pytest.skip(f"no sidecar configured: pass {ADDRESS_OPTION} HOST:PORT or set {ADDRESS_ENV_VAR}")
    return target


@pytest.fixture
def durabletask_backend() -> InMemoryBackend:
    """A fresh in-memory backend with its virtual clock at its default start."""
    from durabletask.testing import InMemoryBackend

    return InMemoryBackend()


@pytest.fixture
def durabletask_client(
    request: pytest.FixtureRequest, durabletask_target: str, durabletask_backend: InMemoryBackend
) -> OrchestrationClient:
    """A client of the backend under test."""
    if durabletask_target == "sidecar":
        from durabletask.client import TaskHubGrpcClient

        grpc_client = TaskHubGrpcClient(host_address=request.config.getoption(ADDRESS_OPTION))
        request.addfinalizer(grpc_client.close)
        return grpc_client
    return durabletask_backend.client()


@pytest.fixture
def durabletask_worker(
    request: pytest.FixtureRequest, durabletask_target: str, durabletask_backend: InMemoryBackend
) -> Iterator[WorkerBase]:
    """A worker of the backend under test; register functions, then ``start()`` it."""
    worker: WorkerBase
    if durabletask_target == "sidecar":
        from durabletask.worker import TaskHubGrpcWorker

        worker = TaskHubGrpcWorker(host_address=request.config.getoption(ADDRESS_OPTION))
    else:
        worker = durabletask_backend.worker()
    try:
        yield worker
    finally:
        worker.stop()
