"""Pick where the examples run: the embedded in-memory backend (default) or a real sidecar.

Every example starts the same way::

    args = example_parser(__doc__).parse_args()
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(...)
        w.start()
        c = backend.client()

Without options the backend is ``durabletask.testing.InMemoryBackend``: no process to start, and
its virtual clock lets a 24-hour timer fire at once. With ``--sidecar HOST:PORT`` the client and
worker are ``TaskHubGrpcClient`` and ``TaskHubGrpcWorker`` from durabletask-grpc, connected to a
Durable Task sidecar such as microsoft/durabletask-go.

This module is scaffolding for the examples, not part of any package: in your own code you would
create the client and worker directly.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from durabletask import client, worker


class Backend(Protocol):
    """What an example needs from a backend: clients and workers that reach the same task hub."""

    @property
    def on_sidecar(self) -> bool:
        """Whether timers take real time (a sidecar) or virtual time (the in-memory backend)."""
        ...

    def client(self) -> client.OrchestrationClient:
        """A client of this backend."""
        ...

    def worker(self) -> worker.WorkerBase:
        """A new worker of this backend; register functions, then start it."""
        ...


def example_parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with ``--sidecar``; examples add their own options before parsing."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sidecar",
        metavar="HOST:PORT",
        help="run against the Durable Task sidecar at this address instead of the in-memory backend",
    )
    return parser


@contextmanager
def open_backend(args: argparse.Namespace) -> Iterator[Backend]:
    """The backend that ``args`` (from :func:`example_parser`) asks for; closes its connections on exit."""
    if args.sidecar:
        sidecar = _Sidecar(args.sidecar)
        try:
            yield sidecar
        finally:
            sidecar.close()
    else:
        yield _Embedded()


class _Embedded:
    """The in-memory backend, which lives inside this process."""

    on_sidecar = False

    def __init__(self) -> None:
        # Imported here so that `--sidecar` runs need only durabletask-core and durabletask-grpc.
        from durabletask.testing import InMemoryBackend

        self._backend = InMemoryBackend()

    def client(self) -> client.OrchestrationClient:
        return self._backend.client()

    def worker(self) -> worker.WorkerBase:
        return self._backend.worker()


class _Sidecar:
    """A Durable Task sidecar reached over gRPC."""

    on_sidecar = True

    def __init__(self, host_address: str) -> None:
        self._host_address = host_address
        self._clients: list[client.TaskHubGrpcClient] = []

    def client(self) -> client.OrchestrationClient:
        # `client.TaskHubGrpcClient` loads durabletask-grpc on first use, so only this branch needs it.
        grpc_client = client.TaskHubGrpcClient(host_address=self._host_address)
        self._clients.append(grpc_client)
        return grpc_client

    def worker(self) -> worker.WorkerBase:
        grpc_worker: worker.WorkerBase = worker.TaskHubGrpcWorker(host_address=self._host_address)
        return grpc_worker

    def close(self) -> None:
        for grpc_client in self._clients:
            grpc_client.close()
