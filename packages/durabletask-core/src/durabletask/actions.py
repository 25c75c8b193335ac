"""What an orchestrator asks its backend to do at the end of a turn.

The replay executor turns the user's ``yield ctx.call_activity(...)`` and friends into these
actions. Each action carries the sequence ``id`` that the backend echoes back in later events
(``TaskScheduled.event_id``, ``TaskCompleted.task_scheduled_id``, ``TimerFired.timer_id``...), so
the executor can match completions to the tasks waiting for them.

Payloads are JSON text (or ``None``), already encoded by the data converter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from durabletask._internal.failures import FailureDetails
from durabletask._internal.status import OrchestrationStatus
from durabletask.history import HistoryEvent

__all__ = [
    "CompleteOrchestrationAction",
    "CreateSubOrchestrationAction",
    "CreateTimerAction",
    "OrchestratorAction",
    "ScheduleTaskAction",
    "SendEventAction",
]


@dataclass(frozen=True, slots=True)
class ScheduleTaskAction:
    """Run the activity ``name`` with ``input``."""

    id: int
    name: str
    input: str | None = None
    version: str | None = None
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class CreateTimerAction:
    """Wake the orchestration at ``fire_at`` (UTC)."""

    id: int
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class CreateSubOrchestrationAction:
    """Start the orchestration ``name`` as a child with id ``instance_id``."""

    id: int
    name: str
    instance_id: str
    input: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class SendEventAction:
    """Deliver the event ``name`` with ``data`` to the orchestration ``instance_id``."""

    id: int
    instance_id: str
    name: str
    data: str | None = None


@dataclass(frozen=True, slots=True)
class CompleteOrchestrationAction:
    """End this execution with ``status``.

    For ``CONTINUED_AS_NEW``, ``result`` is the new input and ``carryover_events`` are the
    external events that were received but not yet consumed (kept when the orchestrator asked to
    save them); the backend restarts the instance with a fresh history holding them.
    """

    id: int
    status: OrchestrationStatus
    result: str | None = None
    failure_details: FailureDetails | None = None
    carryover_events: tuple[HistoryEvent, ...] = ()
    new_version: str | None = None


OrchestratorAction = (
    ScheduleTaskAction
    | CreateTimerAction
    | CreateSubOrchestrationAction
    | SendEventAction
    | CompleteOrchestrationAction
)
"""Any action an orchestrator turn can return."""
