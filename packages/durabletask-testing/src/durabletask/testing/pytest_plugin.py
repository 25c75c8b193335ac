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
* ``durabletask_client``: its client;
* ``durabletask_worker``: its worker, stopped after the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from durabletask.client import OrchestrationClient
    from durabletask.testing import InMemoryBackend
    from durabletask.worker import WorkerBase


@pytest.fixture
def durabletask_backend() -> InMemoryBackend:
    """A fresh in-memory backend with its virtual clock at its default start."""
    from durabletask.testing import InMemoryBackend

    return InMemoryBackend()


@pytest.fixture
def durabletask_client(durabletask_backend: InMemoryBackend) -> OrchestrationClient:
    """A client of ``durabletask_backend``."""
    return durabletask_backend.client()


@pytest.fixture
def durabletask_worker(durabletask_backend: InMemoryBackend) -> Iterator[WorkerBase]:
    """A worker of ``durabletask_backend``; register functions, then ``start()`` it."""
    worker = durabletask_backend.worker()
    try:
        yield worker
    finally:
        worker.stop()
