"""Typed views of the generated ``TaskHubSidecarServiceStub``.

grpcio-tools generates the stub class without type annotations. These protocols say what each
method takes and returns, so the rest of the package is checked by mypy; :func:`sidecar_stub` and
:func:`aio_sidecar_stub` are the only places that touch the untyped class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

import grpc
import grpc.aio
from google.protobuf import empty_pb2

from durabletask.grpc._h2.channel import BuiltinChannel
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._proto import orchestrator_service_pb2_grpc as pb_grpc

if TYPE_CHECKING:
    # Subscripting these classes only works for the type checker (grpc-stubs makes them generic).
    from grpc import UnaryStreamMultiCallable, UnaryUnaryMultiCallable
    from grpc.aio import UnaryStreamMultiCallable as AioUnaryStream
    from grpc.aio import UnaryUnaryMultiCallable as AioUnaryUnary


class SidecarStub(Protocol):
    """The sidecar's methods on a blocking channel."""

    Hello: UnaryUnaryMultiCallable[empty_pb2.Empty, empty_pb2.Empty]
    StartInstance: UnaryUnaryMultiCallable[pb.CreateInstanceRequest, pb.CreateInstanceResponse]
    GetInstance: UnaryUnaryMultiCallable[pb.GetInstanceRequest, pb.GetInstanceResponse]
    WaitForInstanceStart: UnaryUnaryMultiCallable[pb.GetInstanceRequest, pb.GetInstanceResponse]
    WaitForInstanceCompletion: UnaryUnaryMultiCallable[pb.GetInstanceRequest, pb.GetInstanceResponse]
    RaiseEvent: UnaryUnaryMultiCallable[pb.RaiseEventRequest, pb.RaiseEventResponse]
    TerminateInstance: UnaryUnaryMultiCallable[pb.TerminateRequest, pb.TerminateResponse]
    SuspendInstance: UnaryUnaryMultiCallable[pb.SuspendRequest, pb.SuspendResponse]
    ResumeInstance: UnaryUnaryMultiCallable[pb.ResumeRequest, pb.ResumeResponse]
    PurgeInstances: UnaryUnaryMultiCallable[pb.PurgeInstancesRequest, pb.PurgeInstancesResponse]
    ListInstanceIDs: UnaryUnaryMultiCallable[pb.ListInstanceIDsRequest, pb.ListInstanceIDsResponse]
    GetInstanceHistory: UnaryUnaryMultiCallable[pb.GetInstanceHistoryRequest, pb.GetInstanceHistoryResponse]
    GetWorkItems: UnaryStreamMultiCallable[pb.GetWorkItemsRequest, pb.WorkItem]
    CompleteActivityTask: UnaryUnaryMultiCallable[pb.ActivityResponse, pb.CompleteTaskResponse]
    CompleteOrchestratorTask: UnaryUnaryMultiCallable[pb.OrchestratorResponse, pb.CompleteTaskResponse]


class AioSidecarStub(Protocol):
    """The sidecar's methods on an asyncio channel."""

    Hello: AioUnaryUnary[empty_pb2.Empty, empty_pb2.Empty]
    StartInstance: AioUnaryUnary[pb.CreateInstanceRequest, pb.CreateInstanceResponse]
    GetInstance: AioUnaryUnary[pb.GetInstanceRequest, pb.GetInstanceResponse]
    WaitForInstanceStart: AioUnaryUnary[pb.GetInstanceRequest, pb.GetInstanceResponse]
    WaitForInstanceCompletion: AioUnaryUnary[pb.GetInstanceRequest, pb.GetInstanceResponse]
    RaiseEvent: AioUnaryUnary[pb.RaiseEventRequest, pb.RaiseEventResponse]
    TerminateInstance: AioUnaryUnary[pb.TerminateRequest, pb.TerminateResponse]
    SuspendInstance: AioUnaryUnary[pb.SuspendRequest, pb.SuspendResponse]
    ResumeInstance: AioUnaryUnary[pb.ResumeRequest, pb.ResumeResponse]
    PurgeInstances: AioUnaryUnary[pb.PurgeInstancesRequest, pb.PurgeInstancesResponse]
    ListInstanceIDs: AioUnaryUnary[pb.ListInstanceIDsRequest, pb.ListInstanceIDsResponse]
    GetInstanceHistory: AioUnaryUnary[pb.GetInstanceHistoryRequest, pb.GetInstanceHistoryResponse]
    GetWorkItems: AioUnaryStream[pb.GetWorkItemsRequest, pb.WorkItem]
    CompleteActivityTask: AioUnaryUnary[pb.ActivityResponse, pb.CompleteTaskResponse]
    CompleteOrchestratorTask: AioUnaryUnary[pb.OrchestratorResponse, pb.CompleteTaskResponse]


def sidecar_stub(channel: grpc.Channel | BuiltinChannel) -> SidecarStub:
    """The generated stub on a blocking channel (grpcio's or the built-in one), typed."""
    return cast(SidecarStub, pb_grpc.TaskHubSidecarServiceStub(channel))  # type: ignore[no-untyped-call]


def aio_sidecar_stub(channel: grpc.aio.Channel) -> AioSidecarStub:
    """The generated stub on an asyncio channel, typed."""
    return cast(AioSidecarStub, pb_grpc.TaskHubSidecarServiceStub(channel))  # type: ignore[no-untyped-call]
