"""Orchestrator actions: core's action types to protobuf ``OrchestratorAction`` messages and back.

The worker sends every turn's actions through :func:`action_to_proto`. The reverse direction
lets the conversions be tested as round trips, and serves anything that plays the sidecar's part.
"""

from __future__ import annotations

from durabletask import actions as a
from durabletask.grpc._events import event_from_proto, event_to_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._values import (
    read_optional_failure,
    read_payload,
    read_status,
    read_timestamp,
    write_failure,
    write_payload,
    write_status,
    write_timestamp,
)


def action_to_proto(action: a.OrchestratorAction) -> pb.OrchestratorAction:
    """The wire form of one action; its ``id`` is what the sidecar echoes back in later events."""
    message = pb.OrchestratorAction(id=action.id)
    if isinstance(action, a.ScheduleTaskAction):
        # Activity tags are accepted by the API but not sent: ScheduleTaskAction's field 4 is a
        # tag map for some sidecars and something else for others.
        message.schedule_task.CopyFrom(
            pb.ScheduleTaskAction(
                name=action.name,
                input=write_payload(action.input),
                version=write_payload(action.version),
            )
        )
    elif isinstance(action, a.CreateTimerAction):
        message.create_timer.fire_at.CopyFrom(write_timestamp(action.fire_at))
    elif isinstance(action, a.CreateSubOrchestrationAction):
        message.create_sub_orchestration.CopyFrom(
            pb.CreateSubOrchestrationAction(
                instance_id=action.instance_id,
                name=action.name,
                input=write_payload(action.input),
                version=write_payload(action.version),
            )
        )
    elif isinstance(action, a.SendEventAction):
        message.send_event.CopyFrom(
            pb.SendEventAction(
                instance=pb.OrchestrationInstance(instance_id=action.instance_id),
                name=action.name,
                data=write_payload(action.data),
            )
        )
    elif isinstance(action, a.CompleteOrchestrationAction):
        complete = message.complete_orchestration
        complete.orchestration_status = write_status(action.status)
        if action.result is not None:
            complete.result.value = action.result
        if action.failure_details is not None:
            complete.failure_details.CopyFrom(write_failure(action.failure_details))
        if action.new_version is not None:
            complete.new_version.value = action.new_version
        complete.carryover_events.extend(event_to_proto(event) for event in action.carryover_events)
    else:  # pragma: no cover - the union above is exhaustive
        raise TypeError(f"Unsupported orchestrator action: {action!r}")
    return message


def action_from_proto(message: pb.OrchestratorAction) -> a.OrchestratorAction:
    """Core's form of one action; raises ``ValueError`` for kinds core has no action for."""
    kind = message.WhichOneof("kind")
    if kind == "schedule_task":
        task = message.schedule_task
        return a.ScheduleTaskAction(
            id=message.id,
            name=task.name,
            input=read_payload(task.input, task.HasField("input")),
            version=read_payload(task.version, task.HasField("version")),
        )
    if kind == "create_timer":
        return a.CreateTimerAction(id=message.id, fire_at=read_timestamp(message.create_timer.fire_at))
    if kind == "create_sub_orchestration":
        child = message.create_sub_orchestration
        return a.CreateSubOrchestrationAction(
            id=message.id,
            name=child.name,
            instance_id=child.instance_id,
            input=read_payload(child.input, child.HasField("input")),
            version=read_payload(child.version, child.HasField("version")),
        )
    if kind == "send_event":
        send = message.send_event
        return a.SendEventAction(
            id=message.id,
            instance_id=send.instance.instance_id,
            name=send.name,
            data=read_payload(send.data, send.HasField("data")),
        )
    if kind == "complete_orchestration":
        complete = message.complete_orchestration
        return a.CompleteOrchestrationAction(
            id=message.id,
            status=read_status(complete.orchestration_status),
            result=read_payload(complete.result, complete.HasField("result")),
            failure_details=read_optional_failure(complete.failure_details, complete.HasField("failure_details")),
            carryover_events=tuple(event_from_proto(event) for event in complete.carryover_events),
            new_version=read_payload(complete.new_version, complete.HasField("new_version")),
        )
    raise ValueError(f"Orchestrator action kind {kind!r} has no counterpart in durabletask-core.")
