"""Reading an orchestration's output and custom status from the JSON text a result keeps.

Both a client's :class:`~durabletask.client.OrchestrationState` and the replayer's
``ReplayResult`` hold those payloads as the text the backend stored, and decode them the same
way, with the data converter they were made with.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from durabletask.serialization import DataConverter

T = TypeVar("T")


class OutcomePayloads:
    """``get_output`` and ``get_custom_status`` for a class with these three attributes."""

    serialized_output: str | None
    serialized_custom_status: str | None
    data_converter: DataConverter

    @overload
    def get_output(self, expected_type: type[T]) -> T | None: ...
    @overload
    def get_output(self, expected_type: None = ...) -> Any: ...
    def get_output(self, expected_type: type | None = None) -> Any:
        """The orchestration's output, decoded (into ``expected_type`` when given; ``None`` while it has none)."""
        return self.data_converter.deserialize(self.serialized_output, expected_type)

    @overload
    def get_custom_status(self, expected_type: type[T]) -> T | None: ...
    @overload
    def get_custom_status(self, expected_type: None = ...) -> Any: ...
    def get_custom_status(self, expected_type: type | None = None) -> Any:
        """The last custom status the orchestrator set, decoded (into ``expected_type`` when given)."""
        return self.data_converter.deserialize(self.serialized_custom_status, expected_type)
