"""The replay executor: runs an orchestrator generator through its history, then decides.

Each turn starts from nothing (unless the executor may resume parked turns, see
``OrchestrationExecutor.execute``): a fresh context and a fresh generator. Past events are replayed
(``is_replaying`` is True), then new events are applied; every event that answers an action must
match the action the code issues at the same sequence id, or the turn fails with a
NonDeterminismError. What remains unanswered is the turn's output.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from durabletask._internal.failures import FailureDetails, NonDeterminismError
from durabletask._internal.replay_context import ReplayContext
from durabletask._internal.status import OrchestrationStatus
from durabletask._internal.tasks import RetryableTask, RetryTimerTask, Task, TimerTask
from durabletask._internal.type_hints import parameter_type
from durabletask.actions import (
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.history import (
    EventRaised,
    EventSent,
    ExecutionResumed,
    ExecutionStarted,
    ExecutionSuspended,
    ExecutionTerminated,
    HistoryEvent,
    OrchestratorStarted,
    SubOrchestrationInstanceCompleted,
    SubOrchestrationInstanceCreated,
    SubOrchestrationInstanceFailed,
    TaskCompleted,
    TaskFailed,
    TaskScheduled,
    TimerCreated,
    TimerFired,
)
from durabletask.serialization import DataConverter

_ORCHESTRATOR_NOT_REGISTERED = "OrchestratorNotRegisteredError"


class _Turn:
    """One replay of one orchestration: the context, the generator and the task it waits on."""

    __slots__ = ("awaited", "converter", "ctx", "generator", "held_events", "logger", "orchestrators", "suspended")

    def __init__(
        self,
        ctx: ReplayContext,
        converter: DataConverter,
        orchestrators: Mapping[str, Callable[..., Any]],
        logger: logging.Logger,
    ) -> None:
        self.ctx = ctx
        self.converter = converter
        self.orchestrators = orchestrators
        self.logger = logger
        self.generator: Generator[Any, Any, Any] | None = None
        self.awaited: Task[Any] | None = None
        self.suspended = False
        # Events that arrived while suspended; applied in order on resume.
        self.held_events: list[HistoryEvent] = []

    # -- event dispatch -----------------------------------------------------------------------

    def apply(self, event: HistoryEvent) -> None:
        kind = type(event)
        if self.suspended and kind is not ExecutionResumed and kind is not ExecutionTerminated:
            if kind is OrchestratorStarted:
                self.ctx.set_clock(event.timestamp)
            else:
                self.held_events.append(event)
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event)

    def on_orchestrator_started(self, event: OrchestratorStarted) -> None:
        self.ctx.set_clock(event.timestamp)

    def on_execution_started(self, event: ExecutionStarted) -> None:
        ctx = self.ctx
        fn = self.orchestrators.get(event.name)
        if fn is None:
            ctx.complete(
                OrchestrationStatus.FAILED,
                failure_details=FailureDetails(
                    message=f"No orchestrator named '{event.name}' is registered with this worker.",
                    error_type=_ORCHESTRATOR_NOT_REGISTERED,
                    is_non_retriable=True,
                ),
            )
            return
        ctx.start(event.parent.instance_id if event.parent is not None else None, event.version)
        try:
            argument = self.converter.deserialize(event.input, parameter_type(fn, 1))
            outcome = fn(ctx, argument)
        except Exception as error:
            self.fail(error)
            return
        if isinstance(outcome, Generator):
            self.generator = outcome
            self.step(None, None)
        elif hasattr(outcome, "__await__"):
            outcome.close()  # an un-awaited coroutine would warn at garbage collection
            self.fail(
                TypeError(
                    f"Orchestrator '{event.name}' is an async function; orchestrators must be "
                    "generator functions that yield tasks."
                )
            )
        else:
            self.finish(outcome)

    def on_task_scheduled(self, event: TaskScheduled) -> None:
        action = self.ctx.pending_actions.pop(event.event_id, None)
        if action is None:
            action = self.confirm(event.event_id, "activity", event.name)
        if type(action) is not ScheduleTaskAction or action.name != event.name:
            raise self.mismatch(event.event_id, f"activity '{event.name}'", action)

    def on_timer_created(self, event: TimerCreated) -> None:
        action = self.confirm(event.event_id, "timer", None)
        if not isinstance(action, CreateTimerAction):
            raise self.mismatch(event.event_id, "a timer", action)

    def on_sub_orchestration_created(self, event: SubOrchestrationInstanceCreated) -> None:
        action = self.confirm(event.event_id, "sub-orchestration", event.name)
        if not isinstance(action, CreateSubOrchestrationAction) or action.name != event.name:
            raise self.mismatch(event.event_id, f"sub-orchestration '{event.name}'", action)

    def on_event_sent(self, event: EventSent) -> None:
        action = self.ctx.pending_actions.get(event.event_id)
        if isinstance(action, SendEventAction) and (action.instance_id, action.name) == (event.instance_id, event.name):
            del self.ctx.pending_actions[event.event_id]
            return
        if event.instance_id == self.ctx.instance_id:
            # Sidecars deliver another orchestration's send_event to its target as EventSent,
            # keeping the sender's sequence id, which may equal one of ours: match on the target.
            self.on_event_raised(EventRaised(event.event_id, event.timestamp, event.name, event.input))
            return
        action = self.confirm(event.event_id, "sent event", event.name)
        raise self.mismatch(event.event_id, f"event '{event.name}' sent to '{event.instance_id}'", action)

    def on_event_raised(self, event: EventRaised) -> None:
        if self.ctx.is_complete:
            self.ctx.carry_over(event)
            return
        self.ctx.deliver_event(event)
        self.resume()

    def on_task_completed(self, event: TaskCompleted | SubOrchestrationInstanceCompleted) -> None:
        call = self.ctx.pending_calls.pop(event.task_scheduled_id, None)
        if call is None:
            self.unexpected_completion(event.task_scheduled_id, type(event).__name__)
            return
        try:
            result = self.converter.deserialize(event.result, call.result_type)
        except Exception as error:
            self.fail(error)
            return
        call.task._finish(result, None)
        awaited = self.awaited
        if awaited is not None and awaited._is_complete:
            self.resume()

    def on_task_failed(self, event: TaskFailed | SubOrchestrationInstanceFailed) -> None:
        call = self.ctx.pending_calls.pop(event.task_scheduled_id, None)
        if call is None:
            self.unexpected_completion(event.task_scheduled_id, type(event).__name__)
            return
        details = event.failure_details or FailureDetails("The task failed without details.", "UnknownError")
        task = call.task
        if isinstance(task, RetryableTask) and not details.is_non_retriable:
            delay = task.retry_policy.next_delay(
                task.attempt_count, task.first_attempt_at, self.ctx.current_utc_datetime
            )
            if delay is not None:
                self.schedule_retry(task, delay)
                return
        task.fail(f"{call.description} failed: {details.message}", details)
        self.resume()

    def on_timer_fired(self, event: TimerFired) -> None:
        call = self.ctx.pending_calls.pop(event.timer_id, None)
        if call is None:
            self.unexpected_completion(event.timer_id, "TimerFired")
            return
        timer = call.task
        if isinstance(timer, TimerTask):
            if timer.is_complete:  # cancelled: nobody waits for it any more
                return
            if event.fire_at < timer.fire_at:  # one piece of a long timer: start the next
                self.ctx.schedule_timer_piece(timer)
                return
        timer.complete(None)
        if isinstance(timer, RetryTimerTask):
            timer.retried.reschedule()
            return
        self.resume()

    def on_execution_terminated(self, event: ExecutionTerminated) -> None:
        self.ctx.complete(OrchestrationStatus.TERMINATED, result=event.input)

    def on_execution_suspended(self, event: ExecutionSuspended) -> None:
        self.suspended = True

    def on_execution_resumed(self, event: ExecutionResumed) -> None:
        self.suspended = False
        held, self.held_events = self.held_events, []
        for held_event in held:
            self.apply(held_event)

    # -- driving the generator ------------------------------------------------------------------

    def resume(self) -> None:
        awaited = self.awaited
        if awaited is not None and awaited._is_complete:
            if awaited._exception is not None:
                self.step(None, awaited._exception)
            else:
                self.step(awaited._result, None)

    def step(self, value: Any, error: BaseException | None) -> None:
        """Send ``value`` (or throw ``error``) into the generator until it waits on a pending task."""
        generator = self.generator
        ctx = self.ctx
        while generator is not None and ctx.completion is None:
            try:
                yielded = generator.throw(error) if error is not None else generator.send(value)
            except StopIteration as stop:
                self.finish(stop.value)
                return
            except Exception as failure:
                self.fail(failure)
                return
            if ctx.continue_as_new_requested:
                self.finish(None)
                return
            if not isinstance(yielded, Task):
                self.fail(
                    TypeError(
                        f"Orchestrators must yield tasks (from the context, when_all or when_any); "
                        f"got {type(yielded).__name__}: {yielded!r}"
                    )
                )
                return
            self.awaited = yielded
            if not yielded._is_complete:
                return
            if getattr(yielded, "_is_cancelled", False):
                value, error = None, None
            elif yielded._exception is not None:
                value, error = None, yielded._exception
            else:
                value, error = yielded._result, None

    def finish(self, output: Any) -> None:
        ctx = self.ctx
        if ctx.continue_as_new_requested:
            ctx.complete(OrchestrationStatus.CONTINUED_AS_NEW)
            self.close()
            return
        try:
            encoded = self.converter.serialize(output)
        except Exception as error:
            self.fail(error)
            return
        ctx.complete(OrchestrationStatus.COMPLETED, result=encoded)

    def fail(self, error: BaseException) -> None:
        details = FailureDetails.from_exception(error)
        self.ctx.complete(OrchestrationStatus.FAILED, failure_details=details)
        self.close()

    def close(self) -> None:
        if self.generator is not None:
            self.generator.close()
            self.generator = None

    # -- retries and mismatches -------------------------------------------------------------------

    def schedule_retry(self, task: RetryableTask[Any], delay: timedelta) -> None:
        task.attempt_count += 1
        self.ctx.schedule_timer_piece(RetryTimerTask(self.ctx.current_utc_datetime + delay, task))

    def confirm(self, event_id: int, kind: str, name: str | None) -> OrchestratorAction:
        action = self.ctx.pending_actions.pop(event_id, None)
        if action is None:
            recorded = f"{kind} '{name}'" if name else kind
            raise NonDeterminismError(
                f"Non-deterministic orchestrator '{self.ctx.instance_id}': history records {recorded} "
                f"with sequence id {event_id}, but the code no longer issues any action with that id."
            )
        return action

    def mismatch(self, event_id: int, recorded: str, actual: OrchestratorAction | None) -> NonDeterminismError:
        return NonDeterminismError(
            f"Non-deterministic orchestrator '{self.ctx.instance_id}': at sequence id {event_id} history "
            f"expects {recorded}, but the code now issues {describe_action(actual)}."
        )

    def unexpected_completion(self, task_id: int, kind: str) -> None:
        self.logger.warning(
            "Orchestration '%s': ignoring %s for task id %d, which no pending task is waiting for.",
            self.ctx.instance_id,
            kind,
            task_id,
        )


def describe_action(action: OrchestratorAction | None) -> str:
    """How a NonDeterminismError names an action: ``activity 'charge'``, ``a timer``..."""
    if action is None:
        return "nothing"
    if isinstance(action, ScheduleTaskAction):
        return f"activity '{action.name}'"
    if isinstance(action, CreateTimerAction):
        return "a timer"
    if isinstance(action, CreateSubOrchestrationAction):
        return f"sub-orchestration '{action.name}'"
    if isinstance(action, SendEventAction):
        return f"event '{action.name}' sent to '{action.instance_id}'"
    return f"completion ({action.status.name})"


_HANDLERS: dict[type, Callable[[_Turn, Any], None]] = {
    OrchestratorStarted: _Turn.on_orchestrator_started,
    ExecutionStarted: _Turn.on_execution_started,
    TaskScheduled: _Turn.on_task_scheduled,
    TaskCompleted: _Turn.on_task_completed,
    TaskFailed: _Turn.on_task_failed,
    TimerCreated: _Turn.on_timer_created,
    TimerFired: _Turn.on_timer_fired,
    SubOrchestrationInstanceCreated: _Turn.on_sub_orchestration_created,
    SubOrchestrationInstanceCompleted: _Turn.on_task_completed,
    SubOrchestrationInstanceFailed: _Turn.on_task_failed,
    EventSent: _Turn.on_event_sent,
    EventRaised: _Turn.on_event_raised,
    ExecutionTerminated: _Turn.on_execution_terminated,
    ExecutionSuspended: _Turn.on_execution_suspended,
    ExecutionResumed: _Turn.on_execution_resumed,
}


class OrchestrationExecutor:
    """Replays orchestrations registered in ``orchestrators``; one instance serves every turn."""

    def __init__(
        self,
        orchestrators: Mapping[str, Callable[..., Any]],
        data_converter: DataConverter,
        *,
        maximum_timer_interval: timedelta | None,
        logger: logging.Logger,
        resumable_instances: int = 0,
    ) -> None:
        self._orchestrators = orchestrators
        self._converter = data_converter
        self._maximum_timer_interval = maximum_timer_interval
        self._logger = logger
        self._parked_turns = _ParkedTurns(resumable_instances) if resumable_instances > 0 else None

    def execute(
        self,
        instance_id: str,
        past_events: Sequence[HistoryEvent],
        new_events: Sequence[HistoryEvent],
        *,
        retries_take_new_ids: bool = False,
    ) -> tuple[list[OrchestratorAction], str | None]:
        """Replay ``past_events``, apply ``new_events``; return the actions and the custom status.

        ``retries_take_new_ids``: see :class:`~durabletask.engine.OrchestratorWorkItem`.

        With ``resumable_instances``, an unfinished turn is kept, generator and all, and the
        instance's next turn continues it from where it stopped instead of replaying from the
        start, when its past events begin with the very event objects the kept turn consumed
        (a backend that reuses its converted events between turns passes the same objects).
        """
        parked = self._parked_turns
        resumed = parked.resume(instance_id, past_events, retries_take_new_ids) if parked is not None else None
        consumed = 0
        if resumed is not None:
            turn, consumed = resumed
            past_events = past_events[consumed:]
        else:
            context = ReplayContext(
                instance_id, self._converter, self._maximum_timer_interval, retries_take_new_ids=retries_take_new_ids
            )
            turn = _Turn(context, self._converter, self._orchestrators, self._logger)
        ctx = turn.ctx
        park = False
        try:
            self._apply_all(turn, past_events, replaying=True)
            self._apply_all(turn, new_events, replaying=False)
            actions = self._actions(ctx)
            # Only a generator still waiting has anything to continue; a finished one is done.
            park = parked is not None and ctx.completion is None and turn.generator is not None
            consumed += len(past_events) + len(new_events)
        except NonDeterminismError as error:
            ctx.completion = None
            ctx.pending_actions.clear()
            turn.fail(error)
            self._logger.warning("Orchestration '%s' failed: %s", instance_id, error)
            return [ctx.completion] if ctx.completion is not None else [], ctx.custom_status
        finally:
            last = new_events[-1] if new_events else past_events[-1] if past_events else None
            if park and parked is not None and last is not None:
                parked.park(instance_id, turn, consumed, last, retries_take_new_ids)
            else:
                turn.close()
        return actions, ctx.custom_status

    @staticmethod
    def _apply_all(turn: _Turn, events: Iterable[HistoryEvent], *, replaying: bool) -> None:
        ctx = turn.ctx
        ctx.replaying = replaying
        handlers = _HANDLERS
        for event in events:
            if ctx.completion is None and not turn.suspended:
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(turn, event)
            # After completion only events that confirm actions still matter (history that records
            # more work than the code now does is a non-deterministic change), and raised events.
            elif ctx.completion is None or type(event) in _CONFIRMING_EVENTS:
                turn.apply(event)

    @staticmethod
    def _actions(ctx: ReplayContext) -> list[OrchestratorAction]:
        completion = ctx.completion
        if completion is None:
            return list(ctx.pending_actions.values())
        if completion.status in _ONLY_THE_COMPLETION:
            return [completion]
        actions: list[OrchestratorAction] = list(ctx.pending_actions.values())
        actions.append(completion)
        return actions


class _ParkedTurns:
    """Unfinished turns kept between an instance's turns, the least recently used dropped first.

    A turn is taken out while it runs and parked again after, so two turns of one instance never
    share one. It is resumed only when the new history begins with the very events it consumed:
    the same event object (identity, not equality) at the position of the last one, which holds
    only when the backend handed back the objects of the earlier turns unchanged.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._turns: OrderedDict[str, tuple[_Turn, int, HistoryEvent, bool]] = OrderedDict()

    def resume(
        self, instance_id: str, past_events: Sequence[HistoryEvent], retries_take_new_ids: bool
    ) -> tuple[_Turn, int] | None:
        """The parked turn of ``instance_id`` and how many past events it consumed, if it fits."""
        with self._lock:
            entry = self._turns.pop(instance_id, None)
        if entry is None:
            return None
        turn, consumed, last, retries = entry
        if retries is retries_take_new_ids and len(past_events) >= consumed and past_events[consumed - 1] is last:
            return turn, consumed
        turn.close()
        return None

    def park(self, instance_id: str, turn: _Turn, consumed: int, last: HistoryEvent, retries: bool) -> None:
        """Keep ``turn``, which has consumed ``consumed`` events, the last of them ``last``."""
        with self._lock:
            self._turns[instance_id] = (turn, consumed, last, retries)
            evicted = self._turns.popitem(last=False)[1][0] if len(self._turns) > self._capacity else None
        if evicted is not None:
            evicted.close()


# Raised events still matter after a continue-as-new: they are carried over to the next execution.
_CONFIRMING_EVENTS = frozenset({TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated, EventSent, EventRaised})

# A terminated or restarted instance must not start new work: its other actions are dropped.
_ONLY_THE_COMPLETION = frozenset({OrchestrationStatus.TERMINATED, OrchestrationStatus.CONTINUED_AS_NEW})

__all__ = ["OrchestrationExecutor", "describe_action"]
