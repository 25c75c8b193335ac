"""Turns work items into results: orchestrator turns through the executor, activity calls direct."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from durabletask._internal.context import ActivityContext
from durabletask._internal.executor import OrchestrationExecutor
from durabletask._internal.failures import FailureDetails
from durabletask._internal.registry import Registry
from durabletask._internal.type_hints import parameter_type
from durabletask.actions import OrchestratorAction
from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter, JsonDataConverter

DEFAULT_MAXIMUM_TIMER_INTERVAL = timedelta(days=3)
"""Timers longer than this are chained in pieces, as the other Durable Task SDKs do."""


@dataclass(frozen=True, slots=True)
class OrchestratorWorkItem:
    """One turn of one orchestration: the events already replayed and the ones just arrived.

    ``retries_take_new_ids`` says how a retried activity or sub-orchestration is numbered. By
    default it reuses the failed attempt's sequence id, as the other Durable Task SDKs do, so
    their histories interoperate. Backends that accept only one result per id (Dapr's sidecar
    drops a second ``TaskFailed`` for the same id as a duplicate) set it, and every retry then
    takes the next sequence id, as Dapr's own SDKs number them. A backend must choose the same
    way for every turn of an instance, or replay would not match its history.
    """

    instance_id: str
    past_events: Sequence[HistoryEvent]
    new_events: Sequence[HistoryEvent]
    retries_take_new_ids: bool = False


@dataclass(frozen=True, slots=True)
class OrchestratorResult:
    """What the turn decided.

    ``custom_status`` is the JSON text the orchestrator set with ``set_custom_status`` (``None``
    when it set nothing, which backends treat as "keep the previous one").
    """

    instance_id: str
    actions: list[OrchestratorAction]
    custom_status: str | None = None


@dataclass(frozen=True, slots=True)
class ActivityWorkItem:
    """One call of an activity, as scheduled by ``orchestration_id`` with sequence id ``task_id``."""

    name: str
    input: str | None
    orchestration_id: str
    task_id: int


@dataclass(frozen=True, slots=True)
class ActivityResult:
    """The activity's JSON-encoded return value, or how it failed."""

    result: str | None = None
    failure_details: FailureDetails | None = None


class WorkerEngine:
    """Runs registered orchestrators and activities for any backend.

    Args:
        registry: where orchestrators and activities are looked up by name.
        data_converter: how payloads are encoded (default: JSON).
        maximum_timer_interval: longer timers are created as a chain of shorter ones.
        logger: where the engine reports what it does.
        resumable_instances: how many unfinished orchestrations may keep their replayed state
            (generator included) between turns, so that a turn whose history continues the
            previous one applies only the events it has not seen. 0 (the default) replays every
            turn from the start. Worth it only for backends that hand the same event objects back
            turn after turn (the gRPC worker's history cache does).
    """

    def __init__(
        self,
        registry: Registry,
        *,
        data_converter: DataConverter | None = None,
        maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL,
        logger: logging.Logger | None = None,
        resumable_instances: int = 0,
    ) -> None:
        self.registry = registry
        self.data_converter = data_converter if data_converter is not None else JsonDataConverter()
        self.logger = logger if logger is not None else logging.getLogger("durabletask.worker")
        self._async_activities: dict[str, tuple[Callable[..., Any], bool]] = {}
        self._executor = OrchestrationExecutor(
            registry.orchestrators,
            self.data_converter,
            maximum_timer_interval=maximum_timer_interval,
            logger=self.logger,
            resumable_instances=resumable_instances,
        )

    def run_orchestrator(self, item: OrchestratorWorkItem) -> OrchestratorResult:
        """Replay ``item``'s history through its orchestrator and return the turn's actions.

        Never raises for user errors: an unknown orchestrator, an exception or a
        non-deterministic change all end in a FAILED completion action.
        """
        actions, custom_status = self._executor.execute(
            item.instance_id, item.past_events, item.new_events, retries_take_new_ids=item.retries_take_new_ids
        )
        return OrchestratorResult(item.instance_id, actions, custom_status)

    def run_activity(self, item: ActivityWorkItem) -> ActivityResult:
        """Run a plain (synchronous) activity; ``async def`` activities run on a private loop.

        Backends that own an event loop should call :meth:`run_activity_async` instead.
        """
        prepared = self._prepare_activity(item)
        if isinstance(prepared, ActivityResult):
            return prepared
        fn, context, argument = prepared
        try:
            value = fn(context, argument)
            if inspect.isawaitable(value):
                value = _run_coroutine(value)
            return ActivityResult(result=self.data_converter.serialize(value))
        except Exception as error:  # the activity's failure is data, reported to the orchestrator
            return self._activity_failed(item, error)

    async def run_activity_async(self, item: ActivityWorkItem) -> ActivityResult:
        """Run an activity on the caller's event loop (sync activities run inline)."""
        prepared = self._prepare_activity(item)
        if isinstance(prepared, ActivityResult):
            return prepared
        fn, context, argument = prepared
        try:
            value = fn(context, argument)
            if inspect.isawaitable(value):
                value = await value
            return ActivityResult(result=self.data_converter.serialize(value))
        except Exception as error:
            return self._activity_failed(item, error)

    def is_async_activity(self, name: str) -> bool:
        """Whether the activity registered as ``name`` is an ``async def`` function."""
        fn = self.registry.activities.get(name)
        if fn is None:
            return False
        # Asked once per activity work item; inspecting the function each time costs more than
        # a lookup, so the answer is kept for as long as the same function is registered.
        known = self._async_activities.get(name)
        if known is None or known[0] is not fn:
            known = self._async_activities[name] = (fn, inspect.iscoroutinefunction(fn))
        return known[1]

    def _prepare_activity(
        self, item: ActivityWorkItem
    ) -> tuple[Callable[..., Any], ActivityContext, Any] | ActivityResult:
        fn = self.registry.activities.get(item.name)
        if fn is None:
            return ActivityResult(
                failure_details=FailureDetails(
                    message=f"No activity named '{item.name}' is registered with this worker.",
                    error_type="ActivityNotRegisteredError",
                    is_non_retriable=True,
                )
            )
        try:
            argument = self.data_converter.deserialize(item.input, parameter_type(fn, 1))
        except Exception as error:
            return self._activity_failed(item, error)
        return fn, ActivityContext(item.orchestration_id, item.task_id), argument

    def _activity_failed(self, item: ActivityWorkItem, error: Exception) -> ActivityResult:
        self.logger.info(
            "Activity '%s' (task %d of '%s') failed: %s: %s",
            item.name,
            item.task_id,
            item.orchestration_id,
            type(error).__name__,
            error,
        )
        return ActivityResult(failure_details=FailureDetails.from_exception(error))


def _run_coroutine(awaitable: Any) -> Any:
    import asyncio

    async def await_it() -> Any:
        return await awaitable

    return asyncio.run(await_it())
