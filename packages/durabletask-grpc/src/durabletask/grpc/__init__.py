"""Run durable orchestrations against a Durable Task sidecar over gRPC.

A sidecar (microsoft/durabletask-go, Dapr's workflow engine, or anything else that speaks the
Durable Task protocol) stores every orchestration's history; this package connects core's
engine to it. Most code reaches these classes through the core modules::

    from durabletask import client, worker

    with worker.TaskHubGrpcWorker(host_address="localhost:4001") as w:
        w.add_orchestrator(sequence)
        w.add_activity(hello)
        w.start()

        c = client.TaskHubGrpcClient(host_address="localhost:4001")
        instance_id = c.schedule_new_orchestration(sequence, input="Tokyo")
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)

The clients raise :class:`SidecarUnavailableError` when the sidecar cannot be reached,
:class:`NotSupportedBySidecarError` for an operation the connected sidecar does not serve,
:class:`MessageTooLargeError` for a payload over the sidecar's size limit, and
core's :class:`~durabletask.client.OrchestrationAlreadyExistsError` and
:class:`~durabletask.client.OrchestrationNotFoundError` (re-exported here) like every backend.
Protobuf types never leave this package: callers only ever see core's types.
"""

from __future__ import annotations

from durabletask._internal.client_base import OrchestrationAlreadyExistsError, OrchestrationNotFoundError
from durabletask.grpc._async_client import AsyncTaskHubGrpcClient
from durabletask.grpc._client import TaskHubGrpcClient
from durabletask.grpc._client_messages import InstanceIdPage
from durabletask.grpc._concurrency import ConcurrencyOptions
from durabletask.grpc._errors import MessageTooLargeError, NotSupportedBySidecarError, SidecarUnavailableError
from durabletask.grpc._worker import TaskHubGrpcWorker

__all__ = [
    "AsyncTaskHubGrpcClient",
    "ConcurrencyOptions",
    "InstanceIdPage",
    "MessageTooLargeError",
    "NotSupportedBySidecarError",
    "OrchestrationAlreadyExistsError",
    "OrchestrationNotFoundError",
    "SidecarUnavailableError",
    "TaskHubGrpcClient",
    "TaskHubGrpcWorker",
]
