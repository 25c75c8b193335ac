"""Work items from the sidecar to core's engine, and the engine's results back to the sidecar.

A response always carries the work item's completion token unchanged: sidecars that set one
(Dapr's) drop answers whose token does not match, and the others ignore the field.
"""

from __future__ import annotations

from collections.abc import Sequence

from durabletask._internal.failures import FailureDetails
from durabletask.engine import ActivityResult, ActivityWorkItem, OrchestratorResult, OrchestratorWorkItem
from durabletask.grpc._actions import action_to_proto
from durabletask.grpc._events import events_from_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._values import read_payload, write_failure, write_payload
from durabletask.history import HistoryEvent


def orchestrator_name(request: pb.OrchestratorRequest) -> str | None:
    """The orchestrator a turn is for, from its ``ExecutionStarted``, or ``None`` if not found early.

    Sidecars put that event first or second in every history (first in a first turn's new events),
    so only the first few events are looked at: this runs for every turn, on the stream reader.
    """
    for events in (request.past_events, request.new_events):
        for event in events[:_NAME_SEARCH_DEPTH]:
            if event.HasField("execution_started"):
                return event.execution_started.name
    return None


_NAME_SEARCH_DEPTH = 3


def orchestrator_item_from_proto(
    request: pb.OrchestratorRequest,
    completion_token: str = "",
    past_events: Sequence[HistoryEvent] | None = None,
) -> OrchestratorWorkItem:
    """One orchestrator turn, with its history in core's types.

    Sidecars that hand out completion tokens (Dapr's) keep only the first result per task id, so
    there each retry must be a new task: a token means ``retries_take_new_ids``. The choice is
    the same for every turn of an instance, since a sidecar either sets tokens or never does.
    ``past_events``, when given, are the request's past events already converted (by the
    worker's history cache); otherwise they are converted here.
    """
    return OrchestratorWorkItem(
        instance_id=request.instance_id,
        past_events=events_from_proto(request.past_events) if past_events is None else past_events,
        new_events=events_from_proto(request.new_events),
        retries_take_new_ids=bool(completion_token),
    )


def activity_item_from_proto(request: pb.ActivityRequest) -> ActivityWorkItem:
    """One activity call."""
    return ActivityWorkItem(
        name=request.name,
        input=read_payload(request.input, request.HasField("input")),
        orchestration_id=request.orchestration_instance.instance_id,
        task_id=request.task_id,
    )


def orchestrator_response(result: OrchestratorResult, completion_token: str) -> pb.OrchestratorResponse:
    """The whole turn's answer: every action at once (sidecars do not understand chunks)."""
    return pb.OrchestratorResponse(
        instance_id=result.instance_id,
        actions=[action_to_proto(action) for action in result.actions],
        custom_status=write_payload(result.custom_status),
        completion_token=completion_token,
    )


def activity_response(
    request: pb.ActivityRequest, result: ActivityResult, completion_token: str
) -> pb.ActivityResponse:
    """The activity's result or failure, addressed to the orchestration task that asked for it."""
    response = pb.ActivityResponse(
        instance_id=request.orchestration_instance.instance_id,
        task_id=request.task_id,
        completion_token=completion_token,
    )
    if result.failure_details is not None:
        response.failure_details.CopyFrom(write_failure(result.failure_details))
    elif result.result is not None:
        response.result.value = result.result
    return response


def orchestrator_failure_response(instance_id: str, error: Exception, completion_token: str) -> pb.OrchestratorResponse:
    """A turn's answer when the SDK itself failed to run it: the orchestration fails, visibly.

    Answering is better than staying silent, which would leave the item stalled on the sidecar.
    """
    complete = pb.CompleteOrchestrationAction(
        orchestration_status=pb.ORCHESTRATION_STATUS_FAILED,
        failure_details=write_failure(FailureDetails.from_exception(error)),
    )
    return pb.OrchestratorResponse(
        instance_id=instance_id,
        actions=[pb.OrchestratorAction(id=-1, complete_orchestration=complete)],
        completion_token=completion_token,
    )
