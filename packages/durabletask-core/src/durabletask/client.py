"""Start, inspect and control orchestrations.

Every backend offers a client with the same methods (:class:`OrchestrationClient`):
``durabletask.testing.InMemoryBackend().client()`` for offline tests, and
:class:`TaskHubGrpcClient` (from ``durabletask-grpc``) for a real sidecar::

    from durabletask import client

    c = client.TaskHubGrpcClient(host_address="localhost:4001")
    instance_id = c.schedule_new_orchestration(sequence, input="Tokyo")
    state = c.wait_for_orchestration_completion(instance_id, timeout=30)
    if state and state.runtime_status == client.OrchestrationStatus.COMPLETED:
        print(state.get_output())

``TaskHubGrpcClient`` and ``AsyncTaskHubGrpcClient`` are loaded on first use, so importing this
module never imports grpc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from durabletask._internal.client_base import (
    OrchestrationAlreadyExistsError,
    OrchestrationClient,
    OrchestrationFailedError,
    OrchestrationNotFoundError,
    OrchestrationState,
    PurgeInstancesResult,
)
from durabletask._internal.optional_transport import load_transport_name
from durabletask._internal.status import OrchestrationStatus

if TYPE_CHECKING:
    from durabletask.grpc import AsyncTaskHubGrpcClient, TaskHubGrpcClient

__all__ = [
    "AsyncTaskHubGrpcClient",
    "OrchestrationAlreadyExistsError",
    "OrchestrationClient",
    "OrchestrationFailedError",
    "OrchestrationNotFoundError",
    "OrchestrationState",
    "OrchestrationStatus",
    "PurgeInstancesResult",
    "TaskHubGrpcClient",
]


def __getattr__(name: str) -> Any:
    if name in ("TaskHubGrpcClient", "AsyncTaskHubGrpcClient"):
        return load_transport_name(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
