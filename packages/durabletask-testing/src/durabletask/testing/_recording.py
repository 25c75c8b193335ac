"""How a sidecar records an orchestrator's actions as history events, and how to read them back.

When a turn returns ``ScheduleTaskAction(2, "charge", ...)`` the sidecar appends
``TaskScheduled(event_id=2, name="charge", ...)`` to the history; a later replay checks the code's
action against that event. The in-memory backend and the simulated sidecar of the determinism
checks record actions with :func:`event_for`, and the replayer turns a recorded history back into actions with
:func:`action_for` so both compare actions with actions.
"""

from __future__ import annotations

from datetime import datetime

from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.history import (
    EventSent,
    ExecutionCompleted,
    HistoryEvent,
    SubOrchestrationInstanceCreated,
    TaskScheduled,
    TimerCreated,
)


def event_for(action: OrchestratorAction, timestamp: datetime) -> HistoryEvent:
    """The event a sidecar appends to the history when a turn returns ``action``."""
    if isinstance(action, ScheduleTaskAction):
        tags = dict(action.tags) if action.tags else {}
        return TaskScheduled(action.id, timestamp, action.name, action.input, action.version, tags)
    if isinstance(action, CreateTimerAction):
        return TimerCreated(action.id, timestamp, action.fire_at)
    if isinstance(action, CreateSubOrchestrationAction):
        return SubOrchestrationInstanceCreated(
            action.id, timestamp, action.name, action.instance_id, action.input, action.version
        )
    if isinstance(action, SendEventAction):
        return EventSent(action.id, timestamp, action.instance_id, action.name, action.data)
    return ExecutionCompleted(action.id, timestamp, action.status, action.result, action.failure_details)


def action_for(event: HistoryEvent) -> OrchestratorAction | None:
    """The action that ``event`` records, or ``None`` for events that record no action.

    Every ``EventSent`` is read as the record of a send; the caller tells those apart from sent
    events delivered to the instance itself. ``ExecutionCompleted`` does not record carried-over
    events or a new version, so the action it gives has none.
    """
    if isinstance(event, TaskScheduled):
        tags = dict(event.tags) if event.tags else None  # as the executor issues an untagged call
        return ScheduleTaskAction(event.event_id, event.name, event.input, event.version, tags)
    if isinstance(event, TimerCreated):
        return CreateTimerAction(event.event_id, event.fire_at)
    if isinstance(event, SubOrchestrationInstanceCreated):
        return CreateSubOrchestrationAction(event.event_id, event.name, event.instance_id, event.input, event.version)
    if isinstance(event, EventSent):
        return SendEventAction(event.event_id, event.instance_id, event.name, event.input)
    if isinstance(event, ExecutionCompleted):
        return CompleteOrchestrationAction(event.event_id, event.status, event.result, event.failure_details)
    return None
