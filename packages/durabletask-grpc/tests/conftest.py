"""Fixtures for the gRPC package's tests.

``sidecar`` is one microsoft/durabletask-go v0.6.0 process shared by the whole session, built
and started by ``durabletask.testing.sidecar`` (``DURABLETASK_SIDECAR_FLAVOR=dapr`` runs the same
tests against dapr/durabletask-go v0.14.0 instead). Without Go the tests that need it are skipped
(with the reason printed), unless ``DURABLETASK_REQUIRE_SIDECAR=1`` asks for them to fail.
``fresh_sidecar`` makes more sidecars for tests that stop, kill or restart theirs, and
``sidecar_of("dapr")`` gives a session-wide sidecar of a named flavor, for tests about what one
sidecar does and another does not.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from durabletask import client, worker
from durabletask.testing.sidecar import Flavor, Sidecar, sidecar_required, sidecar_unavailable_reason

FLAVOR: Flavor = "dapr" if os.environ.get("DURABLETASK_SIDECAR_FLAVOR") == "dapr" else "microsoft"


def _require_sidecar(flavor: Flavor = FLAVOR) -> None:
    reason = sidecar_unavailable_reason(flavor)
    if reason is None:
        return
    if sidecar_required():
        pytest.fail(f"DURABLETASK_REQUIRE_SIDECAR=1, but {reason}.")
    print(f"\nSkipping sidecar tests: {reason}.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sidecar]:
    """A running sidecar (microsoft/durabletask-go unless told otherwise) with an in-memory database."""
    _require_sidecar()
    log_file = tmp_path_factory.mktemp("sidecar") / f"{FLAVOR}.log"
    with Sidecar(FLAVOR, log_file=log_file) as running:
        yield running


@pytest.fixture(scope="session")
def sidecar_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Flavor], Sidecar]]:
    """``sidecar_of(flavor)``: one running sidecar of that flavor, started on first use, kept for the session."""
    running: dict[str, Sidecar] = {}

    def get(flavor: Flavor) -> Sidecar:
        if flavor not in running:
            _require_sidecar(flavor)
            log_file = tmp_path_factory.mktemp("sidecar") / f"{flavor}.log"
            running[flavor] = Sidecar(flavor, log_file=log_file).start()
        return running[flavor]

    yield get
    for each in running.values():
        each.stop()


@pytest.fixture
def fresh_sidecar(tmp_path: Path) -> Iterator[Callable[..., Sidecar]]:
    """A factory of sidecars owned by one test (stopped at its end), e.g. with a file database."""
    _require_sidecar()
    made: list[Sidecar] = []

    def make(**options: Any) -> Sidecar:
        options.setdefault("log_file", tmp_path / f"sidecar-{len(made)}.log")
        new = Sidecar(FLAVOR, **options)
        made.append(new)
        return new

    yield make
    for each in made:
        each.stop()


@pytest.fixture
def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(
    address: str,
    orchestrators: list[Callable[..., Any]],
    activities: list[Callable[..., Any]],
    **worker_options: Any,
) -> Iterator[tuple[worker.TaskHubGrpcWorker, client.TaskHubGrpcClient]]:
    """A started worker serving these functions, and a client, both on ``address``."""
    with worker.TaskHubGrpcWorker(host_address=address, **worker_options) as w:
        for orchestrator in orchestrators:
            w.add_orchestrator(orchestrator)
        for activity in activities:
            w.add_activity(activity)
        w.start()
        with client.TaskHubGrpcClient(host_address=address) as c:
            yield w, c


@pytest.fixture(scope="session")
def serve() -> Callable[
    ..., contextlib.AbstractContextManager[tuple[worker.TaskHubGrpcWorker, client.TaskHubGrpcClient]]
]:
    """``with serve(address, orchestrators, activities) as (worker, client): ...``"""
    return serving
