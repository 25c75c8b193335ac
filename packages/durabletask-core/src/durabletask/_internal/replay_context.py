"""The orchestration context used while replaying: user calls become numbered actions."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from durabletask._internal.context import OrchestrationContext, ReplaySafeLogger
from durabletask._internal.naming import resolve_name
from durabletask._internal.retry import RetryPolicy
from durabletask._internal.status import OrchestrationStatus
from durabletask._internal.tasks import CancellableTask, CompletableTask, RetryableTask, TimerTask
from durabletask._internal.type_hints import return_type as declared_return_type
from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.history import EventRaised, HistoryEvent
from durabletask.serialization import DataConverter

# Shared with the other Durable Task SDKs so that new_uuid() gives the same ids everywhere.
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_OID, "9e952958-5e33-4daf-827f-2fa12937b875")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class PendingCall:
    """A scheduled task waiting for its completion event, and how to decode its result."""

    __slots__ = ("description", "result_type", "task")

    def __init__(self, task: CompletableTask[Any], result_type: Any, description: str) -> None:
        self.task = task
        self.result_type = result_type
        self.description = description


class ReplayContext(OrchestrationContext):
    """Records what the orchestrator asks for, numbering each request with the sequence counter."""

    def __init__(
        self,
        instance_id: str,
        data_converter: DataConverter,
        maximum_timer_interval: timedelta | None,
        *,
        retries_take_new_ids: bool = False,
    ) -> None:
        self._instance_id = instance_id
        self._retries_take_new_ids = retries_take_new_ids
        self._converter = data_converter
        self._maximum_timer_interval = maximum_timer_interval
        self._parent_instance_id: str | None = None
        self._version: str | None = None
        self._now = _EPOCH
        self.replaying = True
        self._sequence = 0
        self._uuid_counter = 0
        # Actions issued during this replay that history has not confirmed yet, by sequence id.
        self.pending_actions: dict[int, OrchestratorAction] = {}
        # Tasks waiting for a completion event, by the sequence id the event will carry.
        self.pending_calls: dict[int, PendingCall] = {}
        self._event_waiters: dict[str, deque[tuple[CancellableTask[Any], Any]]] = {}
        # Events nobody waited for yet, by lower-cased name, each with its arrival number so a
        # continue-as-new carries them over in the order they came.
        self._buffered_events: dict[str, deque[tuple[int, EventRaised]]] = {}
        self._arrivals = 0
        self.custom_status: str | None = None
        self.completion: CompleteOrchestrationAction | None = None
        self._continue_as_new: tuple[str | None, bool, str | None] | None = None

    # -- what the executor sets while replaying ---------------------------------------------

    def start(self, parent_instance_id: str | None, version: str | None) -> None:
        self._parent_instance_id = parent_instance_id
        self._version = version

    def set_clock(self, now: datetime) -> None:
        self._now = now

    @property
    def is_complete(self) -> bool:
        return self.completion is not None

    @property
    def continue_as_new_requested(self) -> bool:
        return self._continue_as_new is not None

    def next_id(self) -> int:
        self._sequence += 1
        return self._sequence

    def complete(
        self,
        status: OrchestrationStatus,
        result: str | None = None,
        failure_details: Any = None,
    ) -> None:
        """End this execution; the completion action takes the next sequence id."""
        if self.completion is not None:
            return
        carryover: tuple[HistoryEvent, ...] = ()
        new_version = None
        if self._continue_as_new is not None and status is OrchestrationStatus.CONTINUED_AS_NEW:
            result, save_events, new_version = self._continue_as_new
            if save_events:
                buffered = sorted(entry for queue in self._buffered_events.values() for entry in queue)
                carryover = tuple(event for _, event in buffered)
        self.completion = CompleteOrchestrationAction(
            self.next_id(), status, result, failure_details, carryover, new_version
        )

    def carry_over(self, event: EventRaised) -> None:
        """Keep an event that arrives after ``continue_as_new(save_events=True)`` for the next execution."""
        completion = self.completion
        if (
            completion is not None
            and completion.status is OrchestrationStatus.CONTINUED_AS_NEW
            and self._continue_as_new is not None
            and self._continue_as_new[1]
        ):
            self.completion = dataclasses.replace(completion, carryover_events=(*completion.carryover_events, event))

    def deliver_event(self, event: EventRaised) -> None:
        """Give an external event to the oldest waiter for its name, or keep it for later."""
        key = event.name.lower()
        waiters = self._event_waiters.get(key)
        while waiters:
            waiter, data_type = waiters.popleft()
            if waiter.is_complete:  # cancelled meanwhile
                continue
            waiter.complete(self._converter.deserialize(event.input, data_type))
            return
        self._arrivals += 1
        self._buffered_events.setdefault(key, deque()).append((self._arrivals, event))

    # -- OrchestrationContext -----------------------------------------------------------------

    @property
    def instance_id(self) -> str:
        return self._instance_id

    @property
    def parent_instance_id(self) -> str | None:
        return self._parent_instance_id

    @property
    def version(self) -> str | None:
        return self._version

    @property
    def current_utc_datetime(self) -> datetime:
        return self._now

    @property
    def is_replaying(self) -> bool:
        return self.replaying

    def set_custom_status(self, custom_status: Any) -> None:
        self.custom_status = self._converter.serialize(custom_status)

    def create_timer(self, fire_at: datetime | timedelta) -> TimerTask:
        if isinstance(fire_at, timedelta):
            final_fire_at = self._now + fire_at
        elif isinstance(fire_at, datetime):
            final_fire_at = fire_at if fire_at.tzinfo is not None else fire_at.replace(tzinfo=timezone.utc)
        else:
            raise TypeError(f"create_timer takes a datetime or a timedelta, got {type(fire_at).__name__}.")
        timer = TimerTask(final_fire_at)
        self.schedule_timer_piece(timer)
        return timer

    def schedule_timer_piece(self, timer: TimerTask) -> None:
        """Create the timer (or, for a long one, its next piece no longer than the maximum)."""
        fire_at = timer.fire_at
        limit = self._maximum_timer_interval
        if limit is not None and fire_at - self._now > limit:
            fire_at = self._now + limit
        timer_id = self.next_id()
        self.pending_actions[timer_id] = CreateTimerAction(timer_id, fire_at)
        self.pending_calls[timer_id] = PendingCall(timer, None, "timer")

    def call_activity(
        self,
        activity: Callable[..., Any] | str,
        *,
        input: Any = None,
        retry_policy: RetryPolicy | None = None,
        tags: dict[str, str] | None = None,
        return_type: type | None = None,
    ) -> CompletableTask[Any]:
        if isinstance(activity, str):
            name = activity
        else:
            name, declared = _describe_function(activity)
            if return_type is None:
                return_type = declared
        encoded = self._converter.serialize(input)
        self._sequence += 1
        action_id = self._sequence
        action = ScheduleTaskAction(action_id, name, encoded, None, dict(tags) if tags else None)
        description = f"activity '{name}'"
        return self._issue(action, return_type, description, retry_policy)

    def call_sub_orchestrator(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        retry_policy: RetryPolicy | None = None,
        version: str | None = None,
        return_type: type | None = None,
    ) -> CompletableTask[Any]:
        name = resolve_name(orchestrator)
        if return_type is None and not isinstance(orchestrator, str):
            return_type = declared_return_type(orchestrator)
        encoded = self._converter.serialize(input)
        action_id = self.next_id()
        child_id = instance_id if instance_id is not None else f"{self._instance_id}:{action_id:04x}"
        action = CreateSubOrchestrationAction(action_id, name, child_id, encoded, version)
        return self._issue(action, return_type, f"sub-orchestration '{name}'", retry_policy, instance_id is None)

    def _issue(
        self,
        action: ScheduleTaskAction | CreateSubOrchestrationAction,
        result_type: Any,
        description: str,
        retry_policy: RetryPolicy | None,
        default_child_id: bool = False,
    ) -> CompletableTask[Any]:
        action_id = action.id
        task: CompletableTask[Any]
        if retry_policy is None:
            task = CompletableTask()
        else:

            def reschedule() -> None:
                if not self._retries_take_new_ids:
                    # A retry re-issues the same action under its original id, as the other SDKs do.
                    self.pending_actions[action_id] = action
                    self.pending_calls[action_id] = call
                    return
                # The backend keeps one result per id: this attempt is a new call with a new id
                # (and, unless the caller named the child, a child instance id of its own).
                retry_id = self.next_id()
                retried: ScheduleTaskAction | CreateSubOrchestrationAction
                if isinstance(action, CreateSubOrchestrationAction) and default_child_id:
                    child_id = f"{self._instance_id}:{retry_id:04x}"
                    retried = dataclasses.replace(action, id=retry_id, instance_id=child_id)
                else:
                    retried = dataclasses.replace(action, id=retry_id)
                self.pending_actions[retry_id] = retried
                self.pending_calls[retry_id] = call

            task = RetryableTask(retry_policy, self._now, reschedule)
        call = PendingCall(task, result_type, description)
        self.pending_actions[action_id] = action
        self.pending_calls[action_id] = call
        return task

    def wait_for_external_event(self, name: str, *, data_type: type | None = None) -> CancellableTask[Any]:
        key = name.lower()
        task: CancellableTask[Any] = CancellableTask()
        buffered = self._buffered_events.get(key)
        if buffered:
            _, event = buffered.popleft()
            task.complete(self._converter.deserialize(event.input, data_type))
            return task
        self._event_waiters.setdefault(key, deque()).append((task, data_type))
        return task

    def send_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        encoded = self._converter.serialize(data)
        action_id = self.next_id()
        self.pending_actions[action_id] = SendEventAction(action_id, instance_id, event_name, encoded)

    def continue_as_new(self, new_input: Any, *, save_events: bool = False, new_version: str | None = None) -> None:
        if self.completion is not None:
            return
        self._continue_as_new = (self._converter.serialize(new_input), save_events, new_version)

    def new_uuid(self) -> str:
        name = f"{self._instance_id}_{self._now:%Y-%m-%dT%H:%M:%S.%fZ}_{self._uuid_counter}"
        self._uuid_counter += 1
        return str(uuid.uuid5(_UUID_NAMESPACE, name))

    def create_replay_safe_logger(self, logger: logging.Logger) -> ReplaySafeLogger:
        return ReplaySafeLogger(logger, lambda: self.replaying)


_function_descriptions: dict[Callable[..., Any], tuple[str, Any]] = {}


def _describe_function(fn: Callable[..., Any]) -> tuple[str, Any]:
    """The registered name and declared result type of ``fn`` (cached: replay asks on every call)."""
    try:
        return _function_descriptions[fn]
    except KeyError:
        description = (resolve_name(fn), declared_return_type(fn))
        _function_descriptions[fn] = description
        return description
    except TypeError:  # an unhashable callable
        return resolve_name(fn), declared_return_type(fn)
