"""History events: protobuf ``HistoryEvent`` messages to core's event types and back.

The worker reads every orchestrator work item through :func:`event_from_proto`; the other
direction exists for continue-as-new carry-over events and so that each conversion can be tested
as a round trip.

A kind this SDK does not declare (Dapr's sidecar adds kinds 31 and 32; newer Microsoft contracts
add entity and rewind events) arrives as a message whose ``kind`` is unset, its bytes kept as an
unknown field. It becomes an :class:`~durabletask.history.UnknownEvent` naming that field, and
replay ignores it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from durabletask import history as h
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._values import (
    EPOCH,
    read_optional_failure,
    read_optional_timestamp,
    read_payload,
    read_status,
    read_timestamp,
    write_failure,
    write_payload,
    write_status,
    write_timestamp,
)

# Dapr puts a routing message in field 30 of events that answer an action; newer Microsoft
# contracts use the same number for an event kind. When another unknown field is present, that
# one is the kind.
_AMBIGUOUS_FIELD = 30


def event_from_proto(event: pb.HistoryEvent) -> h.HistoryEvent:
    """Core's form of one history event (an ``UnknownEvent`` for kinds this SDK does not know)."""
    kind = event.WhichOneof("kind")
    event_id = event.event_id
    timestamp = read_timestamp(event.timestamp) if event.HasField("timestamp") else EPOCH
    if kind is None:
        return h.UnknownEvent(event_id, timestamp, kind=_describe_unknown_kind(event))
    reader = _READERS.get(kind)
    if reader is None:
        return h.UnknownEvent(event_id, timestamp, kind=kind)
    return reader(event, event_id, timestamp)


def events_from_proto(events: Iterable[pb.HistoryEvent]) -> list[h.HistoryEvent]:
    """:func:`event_from_proto` for each message of a repeated field."""
    return [event_from_proto(event) for event in events]


def event_to_proto(event: h.HistoryEvent) -> pb.HistoryEvent:
    """The wire form of a core event (an ``UnknownEvent`` becomes a message with no kind)."""
    message = pb.HistoryEvent(event_id=event.event_id, timestamp=write_timestamp(event.timestamp))
    if isinstance(event, h.ExecutionStarted):
        started = message.execution_started
        started.name = event.name
        started.orchestration_instance.instance_id = event.instance_id
        _set_payload(started, "input", event.input)
        _set_payload(started.orchestration_instance, "execution_id", event.execution_id)
        _set_payload(started, "version", event.version)
        if event.parent is not None:
            parent = started.parent_instance
            parent.task_scheduled_id = event.parent.task_scheduled_id
            parent.orchestration_instance.instance_id = event.parent.instance_id
            _set_payload(parent, "name", event.parent.name)
        if event.scheduled_start_time is not None:
            started.scheduled_start_timestamp.CopyFrom(write_timestamp(event.scheduled_start_time))
        started.tags.update(event.tags)
    elif isinstance(event, h.ExecutionCompleted):
        completed = message.execution_completed
        completed.orchestration_status = write_status(event.status)
        _set_payload(completed, "result", event.result)
        if event.failure_details is not None:
            completed.failure_details.CopyFrom(write_failure(event.failure_details))
    elif isinstance(event, h.ExecutionTerminated):
        message.execution_terminated.recurse = event.recurse
        _set_payload(message.execution_terminated, "input", event.input)
    elif isinstance(event, h.ExecutionSuspended):
        message.execution_suspended.SetInParent()
        _set_payload(message.execution_suspended, "input", event.input)
    elif isinstance(event, h.ExecutionResumed):
        message.execution_resumed.SetInParent()
        _set_payload(message.execution_resumed, "input", event.input)
    elif isinstance(event, h.TaskScheduled):
        # Tags are not written: the field that carries them means different things to different
        # sidecars (see proto/orchestrator_service.proto).
        message.task_scheduled.name = event.name
        _set_payload(message.task_scheduled, "input", event.input)
        _set_payload(message.task_scheduled, "version", event.version)
    elif isinstance(event, h.TaskCompleted):
        message.task_completed.task_scheduled_id = event.task_scheduled_id
        _set_payload(message.task_completed, "result", event.result)
    elif isinstance(event, h.TaskFailed):
        message.task_failed.task_scheduled_id = event.task_scheduled_id
        if event.failure_details is not None:
            message.task_failed.failure_details.CopyFrom(write_failure(event.failure_details))
    elif isinstance(event, h.SubOrchestrationInstanceCreated):
        created = message.sub_orchestration_instance_created
        created.name = event.name
        created.instance_id = event.instance_id
        _set_payload(created, "input", event.input)
        _set_payload(created, "version", event.version)
    elif isinstance(event, h.SubOrchestrationInstanceCompleted):
        message.sub_orchestration_instance_completed.task_scheduled_id = event.task_scheduled_id
        _set_payload(message.sub_orchestration_instance_completed, "result", event.result)
    elif isinstance(event, h.SubOrchestrationInstanceFailed):
        failed = message.sub_orchestration_instance_failed
        failed.task_scheduled_id = event.task_scheduled_id
        if event.failure_details is not None:
            failed.failure_details.CopyFrom(write_failure(event.failure_details))
    elif isinstance(event, h.TimerCreated):
        message.timer_created.fire_at.CopyFrom(write_timestamp(event.fire_at))
    elif isinstance(event, h.TimerFired):
        message.timer_fired.fire_at.CopyFrom(write_timestamp(event.fire_at))
        message.timer_fired.timer_id = event.timer_id
    elif isinstance(event, h.OrchestratorStarted):
        message.orchestrator_started.SetInParent()
    elif isinstance(event, h.OrchestratorCompleted):
        message.orchestrator_completed.SetInParent()
    elif isinstance(event, h.EventSent):
        message.event_sent.instance_id = event.instance_id
        message.event_sent.name = event.name
        _set_payload(message.event_sent, "input", event.input)
    elif isinstance(event, h.EventRaised):
        message.event_raised.name = event.name
        _set_payload(message.event_raised, "input", event.input)
    elif isinstance(event, h.ContinueAsNew):
        message.continue_as_new.SetInParent()
        _set_payload(message.continue_as_new, "input", event.input)
    elif isinstance(event, h.GenericEvent):
        message.generic_event.SetInParent()
        _set_payload(message.generic_event, "data", event.data)
    # An UnknownEvent keeps no payload to write: the message goes out with no kind.
    return message


def _set_payload(owner: object, field: str, value: str | None) -> None:
    wrapper = write_payload(value)
    if wrapper is not None:
        getattr(owner, field).CopyFrom(wrapper)


def _describe_unknown_kind(event: pb.HistoryEvent) -> str:
    numbers = _unknown_field_numbers(event)
    kinds = [number for number in numbers if number != _AMBIGUOUS_FIELD] or numbers
    return f"field {kinds[0]}" if kinds else "unset"


def _unknown_field_numbers(message: pb.HistoryEvent) -> list[int]:
    try:  # protobuf >= 4.24
        from google.protobuf import unknown_fields
    except ImportError:  # older runtimes still have the method
        return [field.field_number for field in message.UnknownFields()]  # type: ignore[attr-defined,unused-ignore]
    found = unknown_fields.UnknownFieldSet(message)
    return [found[index].field_number for index in range(len(found))]


_Reader = Callable[[pb.HistoryEvent, int, datetime], h.HistoryEvent]


def _execution_started(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    started = event.execution_started
    parent = None
    if started.HasField("parent_instance"):
        info = started.parent_instance
        parent = h.ParentInstance(
            name=read_payload(info.name, info.HasField("name")),
            instance_id=info.orchestration_instance.instance_id,
            task_scheduled_id=info.task_scheduled_id,
        )
    instance = started.orchestration_instance
    return h.ExecutionStarted(
        event_id,
        timestamp,
        name=started.name,
        instance_id=instance.instance_id,
        input=read_payload(started.input, started.HasField("input")),
        execution_id=read_payload(instance.execution_id, instance.HasField("execution_id")),
        version=read_payload(started.version, started.HasField("version")),
        parent=parent,
        scheduled_start_time=read_optional_timestamp(
            started.scheduled_start_timestamp, started.HasField("scheduled_start_timestamp")
        ),
        tags=dict(started.tags),
    )


def _execution_completed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    completed = event.execution_completed
    return h.ExecutionCompleted(
        event_id,
        timestamp,
        status=read_status(completed.orchestration_status),
        result=read_payload(completed.result, completed.HasField("result")),
        failure_details=read_optional_failure(completed.failure_details, completed.HasField("failure_details")),
    )


def _execution_terminated(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    terminated = event.execution_terminated
    return h.ExecutionTerminated(
        event_id,
        timestamp,
        input=read_payload(terminated.input, terminated.HasField("input")),
        recurse=terminated.recurse,
    )


def _execution_suspended(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    suspended = event.execution_suspended
    return h.ExecutionSuspended(event_id, timestamp, input=read_payload(suspended.input, suspended.HasField("input")))


def _execution_resumed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    resumed = event.execution_resumed
    return h.ExecutionResumed(event_id, timestamp, input=read_payload(resumed.input, resumed.HasField("input")))


def _task_scheduled(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    scheduled = event.task_scheduled
    return h.TaskScheduled(
        event_id,
        timestamp,
        name=scheduled.name,
        input=read_payload(scheduled.input, scheduled.HasField("input")),
        version=read_payload(scheduled.version, scheduled.HasField("version")),
    )


def _task_completed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    completed = event.task_completed
    return h.TaskCompleted(
        event_id,
        timestamp,
        task_scheduled_id=completed.task_scheduled_id,
        result=read_payload(completed.result, completed.HasField("result")),
    )


def _task_failed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    failed = event.task_failed
    return h.TaskFailed(
        event_id,
        timestamp,
        task_scheduled_id=failed.task_scheduled_id,
        failure_details=read_optional_failure(failed.failure_details, failed.HasField("failure_details")),
    )


def _sub_orchestration_created(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    created = event.sub_orchestration_instance_created
    return h.SubOrchestrationInstanceCreated(
        event_id,
        timestamp,
        name=created.name,
        instance_id=created.instance_id,
        input=read_payload(created.input, created.HasField("input")),
        version=read_payload(created.version, created.HasField("version")),
    )


def _sub_orchestration_completed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    completed = event.sub_orchestration_instance_completed
    return h.SubOrchestrationInstanceCompleted(
        event_id,
        timestamp,
        task_scheduled_id=completed.task_scheduled_id,
        result=read_payload(completed.result, completed.HasField("result")),
    )


def _sub_orchestration_failed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    failed = event.sub_orchestration_instance_failed
    return h.SubOrchestrationInstanceFailed(
        event_id,
        timestamp,
        task_scheduled_id=failed.task_scheduled_id,
        failure_details=read_optional_failure(failed.failure_details, failed.HasField("failure_details")),
    )


def _timer_created(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    return h.TimerCreated(event_id, timestamp, fire_at=read_timestamp(event.timer_created.fire_at))


def _timer_fired(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    fired = event.timer_fired
    return h.TimerFired(event_id, timestamp, fire_at=read_timestamp(fired.fire_at), timer_id=fired.timer_id)


def _orchestrator_started(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    return h.OrchestratorStarted(event_id, timestamp)


def _orchestrator_completed(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    return h.OrchestratorCompleted(event_id, timestamp)


def _event_sent(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    sent = event.event_sent
    return h.EventSent(
        event_id,
        timestamp,
        instance_id=sent.instance_id,
        name=sent.name,
        input=read_payload(sent.input, sent.HasField("input")),
    )


def _event_raised(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    raised = event.event_raised
    return h.EventRaised(
        event_id, timestamp, name=raised.name, input=read_payload(raised.input, raised.HasField("input"))
    )


def _continue_as_new(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    renewed = event.continue_as_new
    return h.ContinueAsNew(event_id, timestamp, input=read_payload(renewed.input, renewed.HasField("input")))


def _generic_event(event: pb.HistoryEvent, event_id: int, timestamp: datetime) -> h.HistoryEvent:
    generic = event.generic_event
    return h.GenericEvent(event_id, timestamp, data=read_payload(generic.data, generic.HasField("data")))


_READERS: dict[str, _Reader] = {
    "execution_started": _execution_started,
    "execution_completed": _execution_completed,
    "execution_terminated": _execution_terminated,
    "execution_suspended": _execution_suspended,
    "execution_resumed": _execution_resumed,
    "task_scheduled": _task_scheduled,
    "task_completed": _task_completed,
    "task_failed": _task_failed,
    "sub_orchestration_instance_created": _sub_orchestration_created,
    "sub_orchestration_instance_completed": _sub_orchestration_completed,
    "sub_orchestration_instance_failed": _sub_orchestration_failed,
    "timer_created": _timer_created,
    "timer_fired": _timer_fired,
    "orchestrator_started": _orchestrator_started,
    "orchestrator_completed": _orchestrator_completed,
    "event_sent": _event_sent,
    "event_raised": _event_raised,
    "continue_as_new": _continue_as_new,
    "generic_event": _generic_event,
    # history_state (a snapshot some backends record) has no core counterpart: it reads as an
    # UnknownEvent of that kind, which replay ignores.
}
