"""Runs ready work on the started workers' engines and applies the outcome, as a sidecar does.

An orchestrator turn's actions become history events and new work, following the rules of the
Durable Task sidecars: a scheduled activity is recorded as ``TaskScheduled`` and its result comes
back as ``TaskCompleted``/``TaskFailed``; a timer as ``TimerCreated`` then ``TimerFired``; a
sub-orchestration as ``SubOrchestrationInstanceCreated`` then ``...Completed``/``...Failed``; a
sent event as ``EventSent`` in the sender and, delivered, in the target; continue-as-new restarts
the history and discards the turn's other actions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from durabletask._internal.failures import FailureDetails
from durabletask._internal.registry import Registry
from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.client import OrchestrationAlreadyExistsError, OrchestrationStatus
from durabletask.engine import ActivityWorkItem, OrchestratorResult, OrchestratorWorkItem, WorkerEngine
from durabletask.history import (
    EventSent,
    ExecutionResumed,
    ExecutionStarted,
    ExecutionSuspended,
    ExecutionTerminated,
    HistoryEvent,
    ParentInstance,
    SubOrchestrationInstanceCompleted,
    SubOrchestrationInstanceCreated,
    SubOrchestrationInstanceFailed,
    TaskCompleted,
    TaskFailed,
)
from durabletask.testing._recording import event_for
from durabletask.testing._store import ActivityCall, Instance, InstanceStore, OrchestratorTurn

_logger = logging.getLogger("durabletask.testing")


class Dispatcher:
    """Hands ready work items to the engines of started workers, one at a time, oldest first."""

    def __init__(self, store: InstanceStore) -> None:
        self._store = store
        self._engines: list[WorkerEngine] = []

    @property
    def has_workers(self) -> bool:
        """Whether any worker is started (without one, nothing runs)."""
        return bool(self._engines)

    def attach(self, engine: WorkerEngine) -> None:
        """Start giving work to ``engine`` (a worker started)."""
        self._engines.append(engine)

    def detach(self, engine: WorkerEngine) -> None:
        """Stop giving work to ``engine`` (a worker stopped)."""
        if engine in self._engines:
            self._engines.remove(engine)

    def run_ready(self, deadline: float | None = None) -> bool:
        """Run work until none is ready at the current virtual time (or ``deadline``, a monotonic time, passes).

        Timers due now fire first; the clock itself never moves here. Returns whether any work ran.
        """
        store = self._store
        ran = False
        while True:
            store.fire_due()
            if not self._engines:
                return ran
            item = store.pop_ready()
            if item is None:
                return ran
            if isinstance(item, OrchestratorTurn):
                self._run_turn(item)
            else:
                self._run_activity(item)
            ran = True
            if deadline is not None and time.monotonic() >= deadline:
                return ran

    # --- running work ----------------------------------------------------------------------

    def _engine_for(self, is_registered: Callable[[Registry], bool]) -> WorkerEngine:
        # A sidecar gives work to any connected worker; preferring one that knows the function
        # lets tests split functions across workers. With none, the engine reports it unregistered.
        for engine in self._engines:
            if is_registered(engine.registry):
                return engine
        return self._engines[0]

    def _run_turn(self, turn: OrchestratorTurn) -> None:
        store = self._store
        if not store.is_current_turn(turn):
            return
        instance = turn.instance
        name = instance.name
        engine = self._engine_for(lambda registry: name in registry.orchestrators)
        new_events = instance.begin_turn(store.clock.now())
        work_item = OrchestratorWorkItem(instance.instance_id, tuple(instance.history), tuple(new_events))
        try:
            result = engine.run_orchestrator(work_item)
        except BaseException:
            # The engine reports user errors as a failed completion, so this is a bug or an interrupt:
            # keep the events (as a sidecar keeps an abandoned work item) and let the caller see it.
            instance.abandon_turn(new_events)
            raise
        instance.history.extend(new_events)
        self._apply_turn(instance, new_events, result)

    def _run_activity(self, call: ActivityCall) -> None:
        store = self._store
        engine = self._engine_for(lambda registry: call.name in registry.activities)
        # Like a sidecar, run it even if its orchestration has moved on; only the result is dropped then.
        result = engine.run_activity(ActivityWorkItem(call.name, call.input, call.instance.instance_id, call.task_id))
        if not store.is_current(call.instance, call.execution_id):
            return
        now = store.clock.now()
        event: HistoryEvent
        if result.failure_details is not None:
            event = TaskFailed(
                event_id=-1, timestamp=now, task_scheduled_id=call.task_id, failure_details=result.failure_details
            )
        else:
            event = TaskCompleted(event_id=-1, timestamp=now, task_scheduled_id=call.task_id, result=result.result)
        store.deliver(call.instance, event)

    # --- applying a turn -------------------------------------------------------------------

    def _apply_turn(self, instance: Instance, new_events: list[HistoryEvent], result: OrchestratorResult) -> None:
        store = self._store
        now = store.clock.now()
        instance.last_updated_at = now
        termination: ExecutionTerminated | None = None
        for event in new_events:
            if isinstance(event, ExecutionStarted) and instance.status is OrchestrationStatus.PENDING:
                instance.status = OrchestrationStatus.RUNNING
            elif isinstance(event, ExecutionSuspended):
                instance.status = OrchestrationStatus.SUSPENDED
            elif isinstance(event, ExecutionResumed):
                instance.status = OrchestrationStatus.RUNNING
            elif isinstance(event, ExecutionTerminated):
                termination = event
        if result.custom_status is not None:  # None means "unchanged"
            instance.custom_status = result.custom_status

        for action in result.actions:
            if (
                isinstance(action, CompleteOrchestrationAction)
                and action.status is OrchestrationStatus.CONTINUED_AS_NEW
            ):
                store.continue_as_new(instance, action)  # discards every other action of the turn
                return
        for action in result.actions:
            self._apply_action(instance, action, now)

        if termination is not None and termination.recurse and instance.is_finished:
            for child in store.children(instance):
                store.deliver(
                    child, ExecutionTerminated(event_id=-1, timestamp=now, input=termination.input, recurse=True)
                )

    def _apply_action(self, instance: Instance, action: OrchestratorAction, now: datetime) -> None:
        instance.history.append(event_for(action, now))
        if isinstance(action, ScheduleTaskAction):
            self._store.enqueue_activity(
                ActivityCall(instance, instance.execution_id, action.id, action.name, action.input)
            )
        elif isinstance(action, CreateTimerAction):
            self._store.schedule_timer(instance, action.id, action.fire_at)
        elif isinstance(action, CreateSubOrchestrationAction):
            self._start_child(instance, action, now)
        elif isinstance(action, SendEventAction):
            self._send_event(action, now)
        else:
            self._complete(instance, action, now)

    def _start_child(self, parent: Instance, action: CreateSubOrchestrationAction, now: datetime) -> None:
        store = self._store
        link = ParentInstance(name=parent.name, instance_id=parent.instance_id, task_scheduled_id=action.id)
        try:
            store.create(action.name, action.instance_id, action.input, version=action.version, parent=link)
        except OrchestrationAlreadyExistsError as error:
            failure = FailureDetails.from_exception(error)
            store.deliver(
                parent,
                SubOrchestrationInstanceFailed(
                    event_id=-1, timestamp=now, task_scheduled_id=action.id, failure_details=failure
                ),
            )

    def _send_event(self, action: SendEventAction, now: datetime) -> None:
        target = self._store.get(action.instance_id)
        if target is None:
            _logger.warning(
                "Event '%s' sent to missing orchestration '%s' was dropped.", action.name, action.instance_id
            )
            return
        # Sidecars deliver the sender's own EventSent event to the target, sender's sequence id included
        # (not as EventRaised); the executor treats an EventSent addressed to itself as a raised event.
        delivered = EventSent(
            event_id=action.id, timestamp=now, instance_id=action.instance_id, name=action.name, input=action.data
        )
        self._store.deliver(target, delivered)

    def _complete(self, instance: Instance, action: CompleteOrchestrationAction, now: datetime) -> None:
        instance.status = action.status
        instance.output = action.result
        instance.failure_details = action.failure_details
        if instance.parent is not None:
            self._report_to_parent(instance, instance.parent, action, now)

    def _report_to_parent(
        self, child: Instance, link: ParentInstance, action: CompleteOrchestrationAction, now: datetime
    ) -> None:
        parent = self._store.get(link.instance_id)
        if parent is None or not _created(parent, child.instance_id, link.task_scheduled_id):
            return  # the parent is gone or continued as new: its current execution is not waiting for this child
        event: HistoryEvent
        if action.status is OrchestrationStatus.COMPLETED:
            event = SubOrchestrationInstanceCompleted(
                event_id=-1, timestamp=now, task_scheduled_id=link.task_scheduled_id, result=action.result
            )
        else:
            failure = action.failure_details or FailureDetails(
                message=f"Sub-orchestration '{child.instance_id}' ended as {action.status}.",
                error_type=f"Orchestration{action.status.name.capitalize()}",
            )
            event = SubOrchestrationInstanceFailed(
                event_id=-1, timestamp=now, task_scheduled_id=link.task_scheduled_id, failure_details=failure
            )
        self._store.deliver(parent, event)


def _created(parent: Instance, child_id: str, task_id: int) -> bool:
    return any(
        isinstance(e, SubOrchestrationInstanceCreated) and e.event_id == task_id and e.instance_id == child_id
        for e in parent.history
    )
