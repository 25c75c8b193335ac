"""The messages both gRPC clients exchange with the sidecar, built and read in one place.

:class:`~durabletask.grpc.TaskHubGrpcClient` and :class:`~durabletask.grpc.AsyncTaskHubGrpcClient`
differ only in how they wait; everything they send and receive is shaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from durabletask._internal.client_base import OrchestrationState, PurgeInstancesResult
from durabletask.grpc._events import events_from_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._values import (
    read_optional_failure,
    read_payload,
    read_status,
    read_timestamp,
    write_payload,
    write_timestamp,
)
from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter


def start_request(
    name: str,
    instance_id: str,
    encoded_input: str | None,
    start_at: datetime | None,
    tags: dict[str, str] | None,
    version: str | None,
) -> pb.CreateInstanceRequest:
    """A request to create an instance; ``tags`` go in the one tag field all sidecars agree on."""
    request = pb.CreateInstanceRequest(
        instance_id=instance_id,
        name=name,
        input=write_payload(encoded_input),
        version=write_payload(version),
        tags=tags or {},
    )
    if start_at is not None:
        request.scheduled_start_timestamp.CopyFrom(write_timestamp(start_at))
    return request


def get_request(instance_id: str, fetch_payloads: bool) -> pb.GetInstanceRequest:
    """A request for an instance's state (with input, output and custom status if asked)."""
    return pb.GetInstanceRequest(instance_id=instance_id, get_inputs_and_outputs=fetch_payloads)


def raise_event_request(instance_id: str, event_name: str, encoded_data: str | None) -> pb.RaiseEventRequest:
    """A request to deliver an external event."""
    return pb.RaiseEventRequest(instance_id=instance_id, name=event_name, input=write_payload(encoded_data))


def terminate_request(instance_id: str, encoded_output: str | None, recursive: bool) -> pb.TerminateRequest:
    """A request to terminate an instance (and its children when ``recursive``)."""
    return pb.TerminateRequest(instance_id=instance_id, output=write_payload(encoded_output), recursive=recursive)


def suspend_request(instance_id: str, reason: str | None) -> pb.SuspendRequest:
    """A request to suspend an instance."""
    return pb.SuspendRequest(instance_id=instance_id, reason=write_payload(reason))


def resume_request(instance_id: str, reason: str | None) -> pb.ResumeRequest:
    """A request to resume a suspended instance."""
    return pb.ResumeRequest(instance_id=instance_id, reason=write_payload(reason))


def purge_request(instance_id: str, recursive: bool) -> pb.PurgeInstancesRequest:
    """A request to delete one finished instance (and its children when ``recursive``)."""
    return pb.PurgeInstancesRequest(instance_id=instance_id, recursive=recursive)


def state_from_response(
    instance_id: str, response: pb.GetInstanceResponse, data_converter: DataConverter
) -> OrchestrationState | None:
    """The client's view of an instance, or ``None`` when the sidecar says it does not exist."""
    if not response.exists:
        return None
    state = response.orchestration_state
    return OrchestrationState(
        # Some sidecars leave the id out of the state; the caller asked by id, so use that.
        instance_id=state.instance_id or instance_id,
        name=state.name,
        runtime_status=read_status(state.orchestration_status),
        created_at=read_timestamp(state.created_timestamp),
        last_updated_at=read_timestamp(state.last_updated_timestamp),
        serialized_input=read_payload(state.input, state.HasField("input")),
        serialized_output=read_payload(state.output, state.HasField("output")),
        serialized_custom_status=read_payload(state.custom_status, state.HasField("custom_status")),
        failure_details=read_optional_failure(state.failure_details, state.HasField("failure_details")),
        data_converter=data_converter,
    )


def purge_result(response: pb.PurgeInstancesResponse) -> PurgeInstancesResult:
    """How many instances a purge removed (complete unless the sidecar says otherwise)."""
    is_complete = response.is_complete.value if response.HasField("is_complete") else True
    return PurgeInstancesResult(deleted_instance_count=response.deleted_instance_count, is_complete=is_complete)


@dataclass(frozen=True)
class InstanceIdPage:
    """One page of :meth:`~durabletask.grpc.TaskHubGrpcClient.list_instance_ids`.

    ``continuation_token`` is ``None`` on the last page; otherwise pass it back to get the next.
    """

    instance_ids: list[str]
    continuation_token: str | None


def list_ids_request(page_size: int | None, continuation_token: str | None) -> pb.ListInstanceIDsRequest:
    """A request for one page of instance ids (all of them when ``page_size`` is ``None``)."""
    if page_size is not None and page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}.")
    request = pb.ListInstanceIDsRequest()
    if page_size is not None:
        request.page_size = page_size
    if continuation_token is not None:
        request.continuation_token = continuation_token
    return request


def id_page(response: pb.ListInstanceIDsResponse) -> InstanceIdPage:
    """The ids in a response, and the token for the next page (``None`` on the last one)."""
    token = response.continuation_token if response.HasField("continuation_token") else None
    return InstanceIdPage(list(response.instance_ids), token or None)


def history_request(instance_id: str) -> pb.GetInstanceHistoryRequest:
    """A request for an instance's stored history."""
    return pb.GetInstanceHistoryRequest(instance_id=instance_id)


def history_from_response(response: pb.GetInstanceHistoryResponse) -> list[HistoryEvent]:
    """The history in core's event types (kinds this SDK does not know read as ``UnknownEvent``)."""
    return events_from_proto(response.events)
