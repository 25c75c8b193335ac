"""Serve orchestrators and activities.

Register functions on a worker, then start it. Every worker shares the registration and
lifecycle of :class:`WorkerBase`: ``durabletask.testing.InMemoryBackend().worker()`` for offline
tests, :class:`TaskHubGrpcWorker` (from ``durabletask-grpc``) for a real sidecar::

    from durabletask import worker

    with worker.TaskHubGrpcWorker(host_address="localhost:4001") as w:
        w.add_orchestrator(sequence)
        w.add_activity(hello)
        w.start()
        ...

``TaskHubGrpcWorker`` and ``ConcurrencyOptions`` are loaded on first use, so importing this module
never imports grpc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from durabletask._internal.engine import DEFAULT_MAXIMUM_TIMER_INTERVAL
from durabletask._internal.optional_transport import load_transport_name
from durabletask._internal.registry import Registry
from durabletask._internal.worker_base import WorkerBase

if TYPE_CHECKING:
    from durabletask.grpc import ConcurrencyOptions, TaskHubGrpcWorker

__all__ = [
    "DEFAULT_MAXIMUM_TIMER_INTERVAL",
    "ConcurrencyOptions",
    "Registry",
    "TaskHubGrpcWorker",
    "WorkerBase",
]


def __getattr__(name: str) -> Any:
    if name in ("TaskHubGrpcWorker", "ConcurrencyOptions"):
        return load_transport_name(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
