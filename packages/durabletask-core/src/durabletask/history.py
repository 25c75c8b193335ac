"""The history of an orchestration instance, as the replay executor sees it.

A durable backend (a sidecar, or the in-memory backend of ``durabletask-testing``) stores every
orchestration as an append-only list of events. Each turn of an orchestration hands the worker the
events already processed (``past_events``) and the ones that arrived since (``new_events``); the
executor replays both through the user's generator.

These types are transport-free: the gRPC package converts its protobuf messages into them, and the
executor never sees anything else. Every event is immutable and carries:

* ``event_id``: for events that answer an action (``TaskScheduled``, ``TimerCreated``,
  ``SubOrchestrationInstanceCreated``, ``EventSent``) it is the action's sequence id; for other
  events backends use ``-1``.
* ``timestamp``: when the backend recorded the event (timezone-aware UTC).

Payloads (``input``, ``result``) are kept as the JSON text that was stored, or ``None``; decoding
them is the job of :mod:`durabletask.serialization`.

Example: the history of an orchestration that called one activity and finished::

    [OrchestratorStarted(...), ExecutionStarted(name="greet", input='"Tokyo"', ...),
     TaskScheduled(event_id=1, name="say_hello", ...), OrchestratorStarted(...),
     TaskCompleted(task_scheduled_id=1, result='"Hello Tokyo!"'),
     ExecutionCompleted(status=COMPLETED, result='["Hello Tokyo!"]')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from durabletask._internal.failures import FailureDetails
from durabletask._internal.status import OrchestrationStatus

__all__ = [
    "ContinueAsNew",
    "EventRaised",
    "EventSent",
    "ExecutionCompleted",
    "ExecutionResumed",
    "ExecutionStarted",
    "ExecutionSuspended",
    "ExecutionTerminated",
    "GenericEvent",
    "HistoryEvent",
    "OrchestratorCompleted",
    "OrchestratorStarted",
    "ParentInstance",
    "SubOrchestrationInstanceCompleted",
    "SubOrchestrationInstanceCreated",
    "SubOrchestrationInstanceFailed",
    "TaskCompleted",
    "TaskFailed",
    "TaskScheduled",
    "TimerCreated",
    "TimerFired",
    "UnknownEvent",
]


@dataclass(frozen=True, slots=True)
class ParentInstance:
    """Identifies the orchestration that started a sub-orchestration."""

    name: str | None
    instance_id: str
    task_scheduled_id: int


@dataclass(frozen=True, slots=True)
class ExecutionStarted:
    """The orchestration started (or restarted after continue-as-new) with this input."""

    event_id: int
    timestamp: datetime
    name: str
    instance_id: str
    input: str | None = None
    execution_id: str | None = None
    version: str | None = None
    parent: ParentInstance | None = None
    scheduled_start_time: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExecutionCompleted:
    """The orchestration reached a final state (or continued as new)."""

    event_id: int
    timestamp: datetime
    status: OrchestrationStatus
    result: str | None = None
    failure_details: FailureDetails | None = None


@dataclass(frozen=True, slots=True)
class ExecutionTerminated:
    """Someone asked to terminate the orchestration; ``input`` becomes its output."""

    event_id: int
    timestamp: datetime
    input: str | None = None
    recurse: bool = False


@dataclass(frozen=True, slots=True)
class ExecutionSuspended:
    """The orchestration was suspended; events that follow wait until it is resumed."""

    event_id: int
    timestamp: datetime
    input: str | None = None


@dataclass(frozen=True, slots=True)
class ExecutionResumed:
    """The orchestration was resumed after a suspension."""

    event_id: int
    timestamp: datetime
    input: str | None = None


@dataclass(frozen=True, slots=True)
class TaskScheduled:
    """The orchestration scheduled the activity ``name``; ``event_id`` is the action's id."""

    event_id: int
    timestamp: datetime
    name: str
    input: str | None = None
    version: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TaskCompleted:
    """The activity scheduled as ``task_scheduled_id`` returned ``result``."""

    event_id: int
    timestamp: datetime
    task_scheduled_id: int
    result: str | None = None


@dataclass(frozen=True, slots=True)
class TaskFailed:
    """The activity scheduled as ``task_scheduled_id`` raised."""

    event_id: int
    timestamp: datetime
    task_scheduled_id: int
    failure_details: FailureDetails | None = None


@dataclass(frozen=True, slots=True)
class SubOrchestrationInstanceCreated:
    """The orchestration started a sub-orchestration; ``event_id`` is the action's id."""

    event_id: int
    timestamp: datetime
    name: str
    instance_id: str
    input: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class SubOrchestrationInstanceCompleted:
    """The sub-orchestration created as ``task_scheduled_id`` completed with ``result``."""

    event_id: int
    timestamp: datetime
    task_scheduled_id: int
    result: str | None = None


@dataclass(frozen=True, slots=True)
class SubOrchestrationInstanceFailed:
    """The sub-orchestration created as ``task_scheduled_id`` failed."""

    event_id: int
    timestamp: datetime
    task_scheduled_id: int
    failure_details: FailureDetails | None = None


@dataclass(frozen=True, slots=True)
class TimerCreated:
    """The orchestration created a durable timer; ``event_id`` is the action's id."""

    event_id: int
    timestamp: datetime
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class TimerFired:
    """The timer created as ``timer_id`` fired."""

    event_id: int
    timestamp: datetime
    fire_at: datetime
    timer_id: int


@dataclass(frozen=True, slots=True)
class OrchestratorStarted:
    """A new turn begins; its timestamp is the orchestration's clock for that turn."""

    event_id: int
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class OrchestratorCompleted:
    """A turn ended (some backends record it; replay ignores it)."""

    event_id: int
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class EventSent:
    """The orchestration sent event ``name`` to ``instance_id``; ``event_id`` is the action's id.

    Backends also deliver a sent event to its target as an ``EventSent`` (real sidecars do), so
    the executor treats an ``EventSent`` whose ``instance_id`` is the running instance as a raised
    event.
    """

    event_id: int
    timestamp: datetime
    instance_id: str
    name: str
    input: str | None = None


@dataclass(frozen=True, slots=True)
class EventRaised:
    """External event ``name`` arrived (names compare case-insensitively)."""

    event_id: int
    timestamp: datetime
    name: str
    input: str | None = None


@dataclass(frozen=True, slots=True)
class ContinueAsNew:
    """A continue-as-new marker some backends record; replay ignores it."""

    event_id: int
    timestamp: datetime
    input: str | None = None


@dataclass(frozen=True, slots=True)
class GenericEvent:
    """A free-form event some backends record; replay ignores it."""

    event_id: int
    timestamp: datetime
    data: str | None = None


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event kind this SDK does not know (newer sidecars add kinds); replay ignores it."""

    event_id: int
    timestamp: datetime
    kind: str


HistoryEvent = (
    ExecutionStarted
    | ExecutionCompleted
    | ExecutionTerminated
    | ExecutionSuspended
    | ExecutionResumed
    | TaskScheduled
    | TaskCompleted
    | TaskFailed
    | SubOrchestrationInstanceCreated
    | SubOrchestrationInstanceCompleted
    | SubOrchestrationInstanceFailed
    | TimerCreated
    | TimerFired
    | OrchestratorStarted
    | OrchestratorCompleted
    | EventSent
    | EventRaised
    | ContinueAsNew
    | GenericEvent
    | UnknownEvent
)
"""Any event of an orchestration's history."""
