"""What orchestrators and activities receive as their first argument."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, MutableMapping
from datetime import datetime, timedelta
from typing import Any, TypeAlias, TypeVar, overload

from durabletask._internal.retry import RetryPolicy
from durabletask._internal.tasks import CancellableTask, CompletableTask, Task, TimerTask

T = TypeVar("T")
TInput = TypeVar("TInput")
TOutput = TypeVar("TOutput")


class OrchestrationContext(ABC):
    """The orchestrator's only window on the world: schedule work, read the replay-safe clock.

    Orchestrator code is replayed from history every time something happens, so it must be
    deterministic: call activities for I/O, read time from :attr:`current_utc_datetime`, make ids
    with :meth:`new_uuid`, and never branch on ``random``, wall-clock time or global state::

        def sequence(ctx: task.OrchestrationContext, _):
            first = yield ctx.call_activity(hello, input="Tokyo")
            second = yield ctx.call_activity(hello, input="Seattle")
            return [first, second]
    """

    @property
    @abstractmethod
    def instance_id(self) -> str:
        """The id of this orchestration instance."""

    @property
    @abstractmethod
    def parent_instance_id(self) -> str | None:
        """The id of the orchestration that started this one as a sub-orchestration, if any."""

    @property
    @abstractmethod
    def version(self) -> str | None:
        """The version this instance was started with, if any."""

    @property
    @abstractmethod
    def current_utc_datetime(self) -> datetime:
        """The orchestration's clock: when the current turn started, identical on every replay."""

    @property
    @abstractmethod
    def is_replaying(self) -> bool:
        """True while the code re-runs past history (use it to avoid repeating side effects)."""

    @abstractmethod
    def set_custom_status(self, custom_status: Any) -> None:
        """Publish a JSON-serializable status that clients can read while the instance runs."""

    @abstractmethod
    def create_timer(self, fire_at: datetime | timedelta) -> TimerTask:
        """A durable timer that fires at ``fire_at`` (UTC) or after the given delay."""

    @overload
    def call_activity(
        self,
        activity: Callable[..., Any] | str,
        *,
        input: Any = ...,
        retry_policy: RetryPolicy | None = ...,
        tags: dict[str, str] | None = ...,
        return_type: type[T],
    ) -> CompletableTask[T]: ...
    @overload
    def call_activity(
        self,
        activity: Callable[..., Any] | str,
        *,
        input: Any = ...,
        retry_policy: RetryPolicy | None = ...,
        tags: dict[str, str] | None = ...,
        return_type: None = ...,
    ) -> CompletableTask[Any]: ...
    @abstractmethod
    def call_activity(
        self,
        activity: Callable[..., Any] | str,
        *,
        input: Any = None,
        retry_policy: RetryPolicy | None = None,
        tags: dict[str, str] | None = None,
        return_type: type | None = None,
    ) -> CompletableTask[Any]:
        """Schedule an activity (a function or its registered name) and return its task.

        The result is decoded as ``return_type``, or else as the activity's return annotation
        when a function is passed.
        """

    @overload
    def call_sub_orchestrator(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = ...,
        instance_id: str | None = ...,
        retry_policy: RetryPolicy | None = ...,
        version: str | None = ...,
        return_type: type[T],
    ) -> CompletableTask[T]: ...
    @overload
    def call_sub_orchestrator(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = ...,
        instance_id: str | None = ...,
        retry_policy: RetryPolicy | None = ...,
        version: str | None = ...,
        return_type: None = ...,
    ) -> CompletableTask[Any]: ...
    @abstractmethod
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
        """Start a child orchestration and return a task for its output.

        Its instance id defaults to ``f"{parent_instance_id}:{task_id:04x}"``, the same as the
        other Durable Task SDKs.
        """

    @overload
    def wait_for_external_event(self, name: str, *, data_type: type[T]) -> CancellableTask[T]: ...
    @overload
    def wait_for_external_event(self, name: str, *, data_type: None = ...) -> CancellableTask[Any]: ...
    @abstractmethod
    def wait_for_external_event(self, name: str, *, data_type: type | None = None) -> CancellableTask[Any]:
        """A task for the next event called ``name`` (case-insensitive), decoded as ``data_type``.

        Events that arrived before anyone waited are kept, in order, for the next waiter.
        """

    @abstractmethod
    def send_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Send an external event to another orchestration instance."""

    @abstractmethod
    def continue_as_new(self, new_input: Any, *, save_events: bool = False, new_version: str | None = None) -> None:
        """Restart this instance with ``new_input`` and a fresh history once this turn ends.

        With ``save_events``, external events that arrived but were not consumed are carried over.
        """

    @abstractmethod
    def new_uuid(self) -> str:
        """A UUID that is the same on every replay (UUID v5, compatible with the other SDKs)."""

    @abstractmethod
    def create_replay_safe_logger(self, logger: logging.Logger) -> ReplaySafeLogger:
        """A logger adapter that stays quiet while the orchestrator replays past history."""


class ReplaySafeLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Logs only when the orchestration is not replaying, so each message appears once."""

    def __init__(self, logger: logging.Logger, is_replaying: Callable[[], bool]) -> None:
        super().__init__(logger, {})
        self._is_replaying = is_replaying

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - the logging API's name
        return not self._is_replaying() and self.logger.isEnabledFor(level)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs


class ActivityContext:
    """What an activity knows about the call it is serving."""

    __slots__ = ("_orchestration_id", "_task_id")

    def __init__(self, orchestration_id: str, task_id: int) -> None:
        self._orchestration_id = orchestration_id
        self._task_id = task_id

    @property
    def orchestration_id(self) -> str:
        """The instance id of the orchestration that scheduled this activity."""
        return self._orchestration_id

    @property
    def task_id(self) -> int:
        """The sequence id of this call within its orchestration (stable across retries)."""
        return self._task_id

    def __repr__(self) -> str:
        return f"ActivityContext(orchestration_id={self._orchestration_id!r}, task_id={self._task_id})"


Orchestrator: TypeAlias = Callable[[OrchestrationContext, Any], Generator[Task[Any], Any, Any] | Any]
"""An orchestrator: ``(ctx, input)`` returning a generator that yields tasks, or a plain value."""

Activity: TypeAlias = Callable[[ActivityContext, Any], Any]
"""An activity: ``(ctx, input)`` returning a value (or an awaitable of one)."""
