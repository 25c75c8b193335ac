"""Registration and lifecycle shared by every worker, whichever backend feeds it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from durabletask._internal.registry import Registry

_Self = TypeVar("_Self", bound="WorkerBase")


class WorkerBase(ABC):
    """Holds the registered orchestrators and activities; subclasses bring the work to them.

    The registration methods and the start/stop/context-manager lifecycle are those of the
    original SDK's ``TaskHubGrpcWorker``::

        with backend.worker() as w:          # or TaskHubGrpcWorker(...)
            w.add_orchestrator(sequence)
            w.add_activity(hello)
            w.start()
            ...
    """

    def __init__(self) -> None:
        self._registry = Registry()
        self._is_running = False

    @property
    def registry(self) -> Registry:
        """The functions this worker serves, by name."""
        return self._registry

    @property
    def is_running(self) -> bool:
        """Whether :meth:`start` has been called and :meth:`stop` has not."""
        return self._is_running

    def add_orchestrator(self, fn: Callable[..., Any]) -> str:
        """Register an orchestrator under its function name and return that name."""
        self._ensure_not_running()
        return self._registry.add_orchestrator(fn)

    def add_named_orchestrator(self, name: str, fn: Callable[..., Any]) -> None:
        """Register an orchestrator under an explicit name."""
        self._ensure_not_running()
        self._registry.add_orchestrator(fn, name)

    def add_activity(self, fn: Callable[..., Any]) -> str:
        """Register an activity (plain or ``async def``) under its function name and return that name."""
        self._ensure_not_running()
        return self._registry.add_activity(fn)

    def add_named_activity(self, name: str, fn: Callable[..., Any]) -> None:
        """Register an activity under an explicit name."""
        self._ensure_not_running()
        self._registry.add_activity(fn, name)

    @abstractmethod
    def start(self) -> None:
        """Begin serving work items."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving work items; idempotent."""

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _ensure_not_running(self) -> None:
        if self._is_running:
            raise RuntimeError("Orchestrators and activities must be registered before the worker starts.")
