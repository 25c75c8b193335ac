"""The names under which orchestrators and activities are registered with a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durabletask._internal.naming import get_name


class Registry:
    """Maps names to orchestrator and activity functions.

    Every worker (gRPC or in-memory) keeps one; the engine looks functions up here by the name
    recorded in history.
    """

    def __init__(self) -> None:
        self.orchestrators: dict[str, Callable[..., Any]] = {}
        self.activities: dict[str, Callable[..., Any]] = {}

    def add_orchestrator(self, fn: Callable[..., Any], name: str | None = None) -> str:
        """Register ``fn`` under ``name`` (default: its function name) and return the name."""
        return self._add(self.orchestrators, "orchestrator", fn, name)

    def add_activity(self, fn: Callable[..., Any], name: str | None = None) -> str:
        """Register ``fn`` under ``name`` (default: its function name) and return the name."""
        return self._add(self.activities, "activity", fn, name)

    @staticmethod
    def _add(
        table: dict[str, Callable[..., Any]],
        kind: str,
        fn: Callable[..., Any],
        name: str | None,
    ) -> str:
        if not callable(fn):
            raise TypeError(f"An {kind} must be a function, got {type(fn).__name__}.")
        resolved = name if name is not None else get_name(fn)
        if not resolved:
            raise ValueError(f"An {kind} name must not be empty.")
        existing = table.get(resolved)
        if existing is not None and existing is not fn:
            raise ValueError(f"An {kind} named '{resolved}' is already registered.")
        table[resolved] = fn
        return resolved
