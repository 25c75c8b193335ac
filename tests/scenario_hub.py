"""The ``Hub`` handed to cross-backend scenarios: a client, a worker factory, timer lengths."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from durabletask.client import OrchestrationClient
from durabletask.history import HistoryEvent
from durabletask.worker import WorkerBase


@dataclass
class Hub:
    """A backend under test: its client, a worker factory and the timer lengths it can afford."""

    kind: str
    client: OrchestrationClient
    make_worker: Callable[[], WorkerBase]
    long_wait: timedelta
    short_wait: timedelta
    wait_timeout: float
    read_history: Callable[[str], list[HistoryEvent]]
    workers: list[WorkerBase] = field(default_factory=list)

    def worker(self, *functions: Callable[..., Any], orchestrators: tuple[Callable[..., Any], ...] = ()) -> WorkerBase:
        """A new worker; ``functions`` are registered as activities, ``orchestrators`` as orchestrators."""
        new = self.make_worker()
        for orchestrator in orchestrators:
            new.add_orchestrator(orchestrator)
        for activity in functions:
            new.add_activity(activity)
        self.workers.append(new)
        return new

    def new_id(self, prefix: str = "it") -> str:
        """An instance id no other test uses (sidecars keep instances for the whole session)."""
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
