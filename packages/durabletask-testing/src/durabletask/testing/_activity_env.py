"""Run one activity alone, with the context a worker would give it, for plain unit tests.

Activities are ordinary functions, so a test could call ``charge(ctx, order)`` directly; the
environment adds what a worker does around the call: an :class:`ActivityContext` carrying the
orchestration id and task id, the input passed through the data converter (so a ``dict``
becomes the annotated dataclass, as it would arrive from history), ``async def`` activities
awaited, and a check that the result can be stored::

    def test_charge_returns_a_receipt():
        receipt = run_activity(charge, {"order_id": "A-1", "amount": 25})
        assert receipt == "receipt:A-1"
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from durabletask._internal.type_hints import parameter_type
from durabletask.serialization import DataConverter, JsonDataConverter
from durabletask.task import ActivityContext


class ActivityEnvironment:
    """Calls activities the way a worker does, with a fake :class:`ActivityContext`.

    Exceptions the activity raises propagate unchanged, so tests can use ``pytest.raises``.

    Args:
        orchestration_id: what ``ctx.orchestration_id`` returns.
        task_id: what ``ctx.task_id`` returns.
        data_converter: how the input and result are encoded (default: JSON).
    """

    def __init__(
        self,
        *,
        orchestration_id: str = "test-orchestration",
        task_id: int = 1,
        data_converter: DataConverter | None = None,
    ) -> None:
        self.orchestration_id = orchestration_id
        self.task_id = task_id
        self.data_converter = data_converter if data_converter is not None else JsonDataConverter()

    def run(self, activity: Callable[..., Any], input: Any = None) -> Any:
        """Run ``activity`` with ``input`` and return its result (awaiting it if it is ``async def``).

        Call :meth:`run_async` instead from code that already runs an event loop.
        """
        value = activity(self.context(), self._argument(activity, input))
        if inspect.isawaitable(value):
            value = asyncio.run(_awaited(value))
        return self._checked(activity, value)

    async def run_async(self, activity: Callable[..., Any], input: Any = None) -> Any:
        """Run ``activity`` on the running event loop and return its result."""
        value = activity(self.context(), self._argument(activity, input))
        if inspect.isawaitable(value):
            value = await value
        return self._checked(activity, value)

    def context(self) -> ActivityContext:
        """The context the activity receives."""
        return ActivityContext(self.orchestration_id, self.task_id)

    def _argument(self, activity: Callable[..., Any], input: Any) -> Any:
        # Through JSON and back, as the input travels through history to a worker.
        return self.data_converter.deserialize(self.data_converter.serialize(input), parameter_type(activity, 1))

    def _checked(self, activity: Callable[..., Any], value: Any) -> Any:
        try:
            self.data_converter.serialize(value)
        except TypeError as error:
            name = getattr(activity, "__name__", repr(activity))
            raise TypeError(f"Activity '{name}' returned a value a worker could not store: {error}") from error
        return value


def run_activity(
    activity: Callable[..., Any],
    input: Any = None,
    *,
    orchestration_id: str = "test-orchestration",
    task_id: int = 1,
    data_converter: DataConverter | None = None,
) -> Any:
    """Run ``activity`` alone, as a worker would, and return its result.

    A shortcut for ``ActivityEnvironment(...).run(activity, input)``; see :class:`ActivityEnvironment`.
    """
    environment = ActivityEnvironment(orchestration_id=orchestration_id, task_id=task_id, data_converter=data_converter)
    return environment.run(activity, input)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
