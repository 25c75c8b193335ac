"""Write orchestrators and activities: the context, tasks, combinators and retry policies.

An orchestrator is a generator function taking an :class:`OrchestrationContext` and an input; it
yields tasks and returns its output. An activity is a plain (or ``async def``) function taking an
:class:`ActivityContext` and an input::

    from durabletask import task

    def hello(ctx: task.ActivityContext, name: str) -> str:
        return f"Hello {name}!"

    def sequence(ctx: task.OrchestrationContext, _):
        result1 = yield ctx.call_activity(hello, input="Tokyo")
        result2 = yield ctx.call_activity(hello, input="Seattle")
        return [result1, result2]

Fan out with :func:`when_all`, race with :func:`when_any`, and retry with :class:`RetryPolicy`.
"""

from __future__ import annotations

from durabletask._internal.context import (
    Activity,
    ActivityContext,
    OrchestrationContext,
    Orchestrator,
    ReplaySafeLogger,
)
from durabletask._internal.failures import (
    FailureDetails,
    NonDeterminismError,
    OrchestrationStateError,
    TaskCancelledError,
    TaskFailedError,
)
from durabletask._internal.naming import get_name
from durabletask._internal.retry import RetryPolicy
from durabletask._internal.tasks import (
    CancellableTask,
    CompletableTask,
    CompositeTask,
    RetryableTask,
    Task,
    TimerTask,
    WhenAllTask,
    WhenAnyTask,
    when_all,
    when_any,
)

__all__ = [
    "Activity",
    "ActivityContext",
    "CancellableTask",
    "CompletableTask",
    "CompositeTask",
    "FailureDetails",
    "NonDeterminismError",
    "OrchestrationContext",
    "OrchestrationStateError",
    "Orchestrator",
    "ReplaySafeLogger",
    "RetryPolicy",
    "RetryableTask",
    "Task",
    "TaskCancelledError",
    "TaskFailedError",
    "TimerTask",
    "WhenAllTask",
    "WhenAnyTask",
    "get_name",
    "when_all",
    "when_any",
]
