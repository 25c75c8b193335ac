"""What the in-memory backend stores: instances, their histories and inboxes, and the work that is ready.

This module plays the part of a sidecar's database and queues. It runs no user code: the
dispatcher takes ready work from here, runs it on a worker engine, and writes the outcome back.

An instance's events go through two lists. ``inbox`` holds events that arrived since its last
turn; a turn moves them (after an ``OrchestratorStarted``) to the end of ``history``. An
instance with a non-empty inbox has exactly one orchestrator turn in the ready queue, so events
that arrive while it waits are batched into that turn, as a sidecar batches them.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from durabletask._internal.failures import FailureDetails, OrchestrationStateError
from durabletask.actions import CompleteOrchestrationAction
from durabletask.client import (
    OrchestrationAlreadyExistsError,
    OrchestrationNotFoundError,
    OrchestrationState,
    OrchestrationStatus,
)
from durabletask.history import (
    ExecutionStarted,
    HistoryEvent,
    OrchestratorStarted,
    ParentInstance,
    SubOrchestrationInstanceCreated,
    TimerFired,
)
from durabletask.serialization import DataConverter
from durabletask.testing._clock import VirtualClock, as_utc

_logger = logging.getLogger("durabletask.testing")

# Execution ids only need to be unique per instance; deriving them (instead of uuid4) keeps the
# histories of two identical runs identical.
_EXECUTION_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "durabletask-testing/execution-id")


@dataclass(eq=False)
class Instance:
    """One orchestration instance: its current execution's history, pending events and status."""

    start_event: ExecutionStarted
    created_at: datetime
    last_updated_at: datetime
    status: OrchestrationStatus = OrchestrationStatus.PENDING
    history: list[HistoryEvent] = field(default_factory=list)
    inbox: list[HistoryEvent] = field(default_factory=list)
    custom_status: str | None = None
    output: str | None = None
    failure_details: FailureDetails | None = None
    has_start_time_come: bool = True
    is_queued: bool = False
    generation: int = 0  # how many times it continued as new

    @property
    def instance_id(self) -> str:
        return self.start_event.instance_id

    @property
    def name(self) -> str:
        return self.start_event.name

    @property
    def execution_id(self) -> str:
        return self.start_event.execution_id or ""

    @property
    def parent(self) -> ParentInstance | None:
        return self.start_event.parent

    @property
    def is_finished(self) -> bool:
        return self.status.is_terminal

    def begin_turn(self, now: datetime) -> list[HistoryEvent]:
        """Take the new events for a turn: ``OrchestratorStarted``, the start event on the first turn, the inbox."""
        self.is_queued = False
        events: list[HistoryEvent] = [OrchestratorStarted(event_id=-1, timestamp=now)]
        if not self.history:
            events.append(self.start_event)
        events.extend(self.inbox)
        self.inbox = []
        return events

    def abandon_turn(self, new_events: list[HistoryEvent]) -> None:
        """Put back the events of a turn that could not run, ahead of anything that arrived since."""
        received: list[HistoryEvent] = [
            e for e in new_events if not isinstance(e, OrchestratorStarted) and e is not self.start_event
        ]
        self.inbox = received + self.inbox

    def state(self, *, fetch_payloads: bool, data_converter: DataConverter) -> OrchestrationState:
        """What a client sees; like a sidecar, payloads and failure details only when asked for."""
        return OrchestrationState(
            instance_id=self.instance_id,
            name=self.name,
            runtime_status=self.status,
            created_at=self.created_at,
            last_updated_at=self.last_updated_at,
            serialized_input=self.start_event.input if fetch_payloads else None,
            serialized_output=self.output if fetch_payloads else None,
            serialized_custom_status=self.custom_status if fetch_payloads else None,
            failure_details=self.failure_details if fetch_payloads else None,
            data_converter=data_converter,
        )


@dataclass(frozen=True, slots=True)
class OrchestratorTurn:
    """Run the next turn of ``instance`` with whatever its inbox holds by then."""

    instance: Instance


@dataclass(frozen=True, slots=True)
class ActivityCall:
    """Run activity ``name`` for task ``task_id`` of one execution of ``instance``."""

    instance: Instance
    execution_id: str
    task_id: int
    name: str
    input: str | None


WorkItem = OrchestratorTurn | ActivityCall


@dataclass(frozen=True, slots=True)
class TimerDue:
    """Timer ``timer_id`` of one execution of ``instance`` fires at ``fire_at``."""

    instance: Instance
    execution_id: str
    timer_id: int
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class StartDue:
    """An instance scheduled with ``start_at`` may run its first turn now."""

    instance: Instance


Due = TimerDue | StartDue


class InstanceStore:
    """Every instance by id, the queue of ready work, and the virtual clock's schedule."""

    def __init__(self, clock: VirtualClock[Due]) -> None:
        self.clock = clock
        self._instances: dict[str, Instance] = {}
        self._ready: deque[WorkItem] = deque()

    # --- instances -------------------------------------------------------------------------

    def get(self, instance_id: str) -> Instance | None:
        """The instance, or ``None`` if there is none with that id."""
        return self._instances.get(instance_id)

    def require(self, instance_id: str) -> Instance:
        """The instance, or :class:`OrchestrationNotFoundError`."""
        instance = self._instances.get(instance_id)
        if instance is None:
            raise OrchestrationNotFoundError(instance_id)
        return instance

    def create(
        self,
        name: str,
        instance_id: str,
        input: str | None,
        *,
        start_at: datetime | None = None,
        version: str | None = None,
        tags: dict[str, str] | None = None,
        parent: ParentInstance | None = None,
    ) -> Instance:
        """Store a new PENDING instance; its first turn is ready now, or at ``start_at``."""
        if instance_id in self._instances:
            raise OrchestrationAlreadyExistsError(instance_id)
        now = self.clock.now()
        start_at = as_utc(start_at) if start_at is not None else None
        start_event = ExecutionStarted(
            event_id=-1,
            timestamp=now,
            name=name,
            instance_id=instance_id,
            input=input,
            execution_id=_execution_id(instance_id, 0),
            version=version,
            parent=parent,
            scheduled_start_time=start_at,
            tags=dict(tags) if tags else {},
        )
        instance = Instance(start_event=start_event, created_at=now, last_updated_at=now)
        self._instances[instance_id] = instance
        if start_at is not None and start_at > now:
            instance.has_start_time_come = False
            self.clock.schedule(start_at, StartDue(instance))
        else:
            self._enqueue_turn(instance)
        return instance

    def is_current(self, instance: Instance, execution_id: str) -> bool:
        """Whether ``instance`` is still stored, unfinished and running that execution.

        Completions for an execution that continued as new, finished or was purged are dropped.
        """
        return (
            self._instances.get(instance.instance_id) is instance
            and instance.execution_id == execution_id
            and not instance.is_finished
        )

    def continue_as_new(self, instance: Instance, action: CompleteOrchestrationAction) -> None:
        """Restart ``instance`` with a fresh history: the new input, then the carried-over events."""
        instance.generation += 1
        previous = instance.start_event
        instance.start_event = ExecutionStarted(
            event_id=-1,
            timestamp=self.clock.now(),
            name=previous.name,
            instance_id=previous.instance_id,
            input=action.result,
            execution_id=_execution_id(previous.instance_id, instance.generation),
            version=action.new_version if action.new_version is not None else previous.version,
            parent=previous.parent,
            tags=previous.tags,
        )
        instance.history = []
        instance.inbox = [*action.carryover_events, *instance.inbox]
        instance.status = OrchestrationStatus.RUNNING
        # The new execution runs at once, before other ready work, as a sidecar runs it in the same work item.
        self._enqueue_turn(instance, first=True)

    def purge(self, instance_id: str, *, recursive: bool) -> int:
        """Delete a finished instance (and, with ``recursive``, its sub-orchestrations); return the count.

        Nothing is deleted unless every instance to delete has finished.
        """
        doomed = [self.require(instance_id)]
        if recursive:
            doomed.extend(self._descendants(doomed[0]))
        for instance in doomed:
            if not instance.is_finished:
                raise OrchestrationStateError(
                    f"Orchestration '{instance.instance_id}' is {instance.status}; "
                    "only completed, failed or terminated orchestrations can be purged."
                )
        for instance in doomed:
            del self._instances[instance.instance_id]
        return len(doomed)

    def children(self, instance: Instance) -> list[Instance]:
        """The stored sub-orchestrations that ``instance``'s current execution started, oldest first."""
        found = []
        for event in instance.history:
            if not isinstance(event, SubOrchestrationInstanceCreated):
                continue
            child = self._instances.get(event.instance_id)
            # An id the parent asked for may belong to an unrelated instance (the creation failed).
            if child is not None and child.parent is not None and child.parent.instance_id == instance.instance_id:
                found.append(child)
        return found

    def _descendants(self, root: Instance) -> list[Instance]:
        found: list[Instance] = []
        pending = self.children(root)
        while pending:
            child = pending.pop(0)
            if child is root or child in found:
                continue
            found.append(child)
            pending.extend(self.children(child))
        return found

    # --- events and ready work -------------------------------------------------------------

    def deliver(self, instance: Instance, event: HistoryEvent) -> None:
        """Add ``event`` to the instance's next turn (dropped if the instance has finished)."""
        if instance.is_finished:
            _logger.debug("Dropped %s for finished orchestration '%s'.", type(event).__name__, instance.instance_id)
            return
        instance.inbox.append(event)
        self._enqueue_turn(instance)

    def enqueue_activity(self, call: ActivityCall) -> None:
        """Make an activity call ready to run."""
        self._ready.append(call)

    def pop_ready(self) -> WorkItem | None:
        """The oldest ready work item, or ``None``."""
        return self._ready.popleft() if self._ready else None

    def is_current_turn(self, turn: OrchestratorTurn) -> bool:
        """Whether a queued turn still belongs to a stored, unfinished instance."""
        instance = turn.instance
        return self._instances.get(instance.instance_id) is instance and not instance.is_finished

    def _enqueue_turn(self, instance: Instance, *, first: bool = False) -> None:
        if instance.is_queued or not instance.has_start_time_come:
            return
        instance.is_queued = True
        if first:
            self._ready.appendleft(OrchestratorTurn(instance))
        else:
            self._ready.append(OrchestratorTurn(instance))

    # --- time ------------------------------------------------------------------------------

    def schedule_timer(self, instance: Instance, timer_id: int, fire_at: datetime) -> None:
        """Deliver ``TimerFired(timer_id)`` to this execution of ``instance`` at ``fire_at``."""
        self.clock.schedule(fire_at, TimerDue(instance, instance.execution_id, timer_id, fire_at))

    def fire_due(self) -> None:
        """Deliver every timer and scheduled start that is due at the current virtual time."""
        for due in self.clock.pop_due():
            if not self._matters(due):
                continue
            if isinstance(due, StartDue):
                due.instance.has_start_time_come = True
                self._enqueue_turn(due.instance)
            else:
                fired = TimerFired(event_id=-1, timestamp=self.clock.now(), fire_at=due.fire_at, timer_id=due.timer_id)
                self.deliver(due.instance, fired)

    def next_due_time(self) -> datetime | None:
        """When the next timer or scheduled start that still matters is due."""
        return self.clock.next_due_time(self._matters)

    def _matters(self, due: Due) -> bool:
        if isinstance(due, StartDue):
            return self._instances.get(due.instance.instance_id) is due.instance and not due.instance.is_finished
        return self.is_current(due.instance, due.execution_id)


def _execution_id(instance_id: str, generation: int) -> str:
    return uuid.uuid5(_EXECUTION_ID_NAMESPACE, f"{instance_id}/{generation}").hex
