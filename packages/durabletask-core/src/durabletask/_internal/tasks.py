"""Durable tasks: what an orchestrator yields, and how they complete.

A task is a promise of a result that arrives in history: an activity's return value, a timer
firing, an external event. Orchestrators ``yield`` tasks; the executor resumes the generator
when the yielded task completes, sending its result in (or throwing its failure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from durabletask._internal.failures import (
    FailureDetails,
    OrchestrationStateError,
    TaskCancelledError,
    TaskFailedError,
)

T = TypeVar("T")


class Task(Generic[T]):
    """A durable operation whose outcome comes from the orchestration's history.

    Yield it from an orchestrator to wait for it::

        result = yield ctx.call_activity(hello, input="Tokyo")
    """

    __slots__ = ("_exception", "_is_complete", "_parents", "_result")

    def __init__(self) -> None:
        self._is_complete = False
        self._result: Any = None
        self._exception: TaskFailedError | None = None
        self._parents: list[CompositeTask[Any]] | None = None

    @property
    def is_complete(self) -> bool:
        """Whether the task has finished, successfully or not."""
        return self._is_complete

    @property
    def is_failed(self) -> bool:
        """Whether the task finished with a failure."""
        return self._exception is not None

    def get_result(self) -> T:
        """The task's result; raises its failure if it failed, or if it is still pending."""
        if not self._is_complete:
            raise OrchestrationStateError("The task has not completed yet.")
        if self._exception is not None:
            raise self._exception
        return self._result  # type: ignore[no-any-return]

    def get_exception(self) -> TaskFailedError:
        """The failure of a failed task (raises if the task did not fail)."""
        if self._exception is None:
            raise OrchestrationStateError("The task did not fail.")
        return self._exception

    def _finish(self, result: Any, exception: TaskFailedError | None) -> None:
        self._result = result
        self._exception = exception
        self._is_complete = True
        parents = self._parents
        if parents is not None:
            for parent in parents:
                parent._on_child_completed(self)

    def _add_parent(self, parent: CompositeTask[Any]) -> None:
        if self._parents is None:
            self._parents = [parent]
        else:
            self._parents.append(parent)


class CompletableTask(Task[T]):
    """A task completed by one history event (activity, sub-orchestration, event, timer)."""

    __slots__ = ()

    def complete(self, result: T) -> None:
        """Finish the task with ``result``."""
        if self._is_complete:
            raise OrchestrationStateError("The task has already completed.")
        self._finish(result, None)

    def fail(self, message: str, details: FailureDetails) -> None:
        """Finish the task with a failure."""
        if self._is_complete:
            raise OrchestrationStateError("The task has already completed.")
        self._finish(None, TaskFailedError(message, details))


class CancellableTask(CompletableTask[T]):
    """A task that can be abandoned: a timer, or a wait for an external event.

    Cancelling frees the orchestrator from waiting; for an external event it also gives the next
    event of that name to the next waiter.
    """

    __slots__ = ("_cancel_handler", "_is_cancelled")

    def __init__(self) -> None:
        super().__init__()
        self._is_cancelled = False
        self._cancel_handler: Callable[[], None] | None = None

    @property
    def is_cancelled(self) -> bool:
        """Whether :meth:`cancel` took effect."""
        return self._is_cancelled

    def get_result(self) -> T:
        """The result; raises :class:`TaskCancelledError` if the task was cancelled."""
        if self._is_cancelled:
            raise TaskCancelledError("The task was cancelled.")
        return super().get_result()

    def set_cancel_handler(self, cancel_handler: Callable[[], None]) -> None:
        """Run ``cancel_handler`` when the task is cancelled."""
        self._cancel_handler = cancel_handler

    def cancel(self) -> bool:
        """Cancel a pending task; returns False if it had already completed."""
        if self._is_complete:
            return False
        self._is_cancelled = True
        self._is_complete = True
        if self._cancel_handler is not None:
            self._cancel_handler()
        return True


class TimerTask(CancellableTask[None]):
    """A durable timer. Timers longer than the worker's maximum interval fire in several pieces."""

    __slots__ = ("fire_at",)

    def __init__(self, fire_at: Any) -> None:
        super().__init__()
        self.fire_at = fire_at


class RetryableTask(CompletableTask[T]):
    """An activity or sub-orchestration call that is retried by its retry policy on failure."""

    __slots__ = ("attempt_count", "first_attempt_at", "reschedule", "retry_policy")

    def __init__(self, retry_policy: Any, first_attempt_at: Any, reschedule: Callable[[], None]) -> None:
        super().__init__()
        self.retry_policy = retry_policy
        self.attempt_count = 1
        self.first_attempt_at = first_attempt_at
        self.reschedule = reschedule


class RetryTimerTask(TimerTask):
    """The wait before retrying ``retried``; when it fires the call is issued again."""

    __slots__ = ("retried",)

    def __init__(self, fire_at: Any, retried: RetryableTask[Any]) -> None:
        super().__init__(fire_at)
        self.retried = retried


class CompositeTask(Task[T]):
    """A task made of other tasks (see :func:`when_all` and :func:`when_any`)."""

    __slots__ = ("_completed_count", "_tasks")

    def __init__(self, tasks: Sequence[Task[Any]]) -> None:
        super().__init__()
        self._tasks = list(tasks)
        self._completed_count = 0
        already_complete: list[Task[Any]] = []
        for child in self._tasks:
            if not isinstance(child, Task):
                raise TypeError(f"Expected tasks, got {type(child).__name__}.")
            child._add_parent(self)
            if child._is_complete:
                already_complete.append(child)
        for child in already_complete:
            if not self._is_complete:
                self._on_child_completed(child)

    def get_tasks(self) -> list[Task[Any]]:
        """The child tasks, in the order given."""
        return list(self._tasks)

    def _on_child_completed(self, task: Task[Any]) -> None:
        raise NotImplementedError


class WhenAllTask(CompositeTask[list[T]]):
    """Completes when every child has; fails with the first child failure to arrive."""

    __slots__ = ("_first_failure",)

    def __init__(self, tasks: Sequence[Task[T]]) -> None:
        self._first_failure: TaskFailedError | None = None
        super().__init__(tasks)
        if not self._tasks:
            self._finish([], None)

    @property
    def pending_tasks(self) -> int:
        """How many children have not completed yet."""
        return len(self._tasks) - self._completed_count

    def get_completed_tasks(self) -> int:
        """How many children have completed."""
        return self._completed_count

    def _on_child_completed(self, task: Task[Any]) -> None:
        self._completed_count += 1
        if task._exception is not None and self._first_failure is None:
            self._first_failure = task._exception
        if self._completed_count == len(self._tasks) and not self._is_complete:
            if self._first_failure is not None:
                self._finish(None, self._first_failure)
            else:
                self._finish([child._result for child in self._tasks], None)


class WhenAnyTask(CompositeTask[Task[T]]):
    """Completes with the first child to finish, failed or not; its result is that child."""

    __slots__ = ()

    def _on_child_completed(self, task: Task[Any]) -> None:
        self._completed_count += 1
        if not self._is_complete:
            self._finish(task, None)


def when_all(tasks: Sequence[Task[T]]) -> WhenAllTask[T]:
    """A task that completes when all ``tasks`` have, with their results in the given order.

    If any of them fails, the combined task fails (after every child finished) with the first
    failure that arrived::

        results = yield task.when_all([ctx.call_activity(work, input=i) for i in items])
    """
    return WhenAllTask(tasks)


def when_any(tasks: Sequence[Task[T]]) -> WhenAnyTask[T]:
    """A task that completes with whichever of ``tasks`` finishes first (failed or not)::

    winner = yield task.when_any([approval, timeout])
    if winner == timeout:
        return "Canceled"
    """
    return WhenAnyTask(tasks)
