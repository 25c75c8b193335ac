"""The workload every fault test runs: orchestrations that chain activities, and a log of what ran.

``chain(n)`` calls ``step`` five times, each adding its step number to the running value, so a
finished instance's output is ``n + 15`` whatever happened in between. :class:`ExecutionLog`
counts each activity execution by (instance, task id) and each turn that decided an
instance's completion, so a test can tell "completed" from "completed, and nothing ran twice".

The same functions run inside the test process and in worker subprocesses
(``worker_process.py``), which write their log to a file instead, one line per record.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from durabletask import task

STEPS = 5


def expected_output(n: int) -> int:
    """What ``chain(n)`` returns: each of the five steps adds its number (1 + 2 + ... + 5)."""
    return n + sum(range(1, STEPS + 1))


class ExecutionLog:
    """Counts activity executions per (instance, task id) and completion decisions per instance.

    With ``path`` every record is also appended to that file as one line, so a process that is
    killed leaves behind everything it recorded (``"activity <instance> <task id>"`` or
    ``"completed <instance>"``).
    """

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.activities: Counter[tuple[str, int]] = Counter()
        self.completions: Counter[str] = Counter()
        self._file = open(path, "a", buffering=1, encoding="utf-8") if path is not None else None  # noqa: SIM115
        self.activity_seconds = 0.0
        """How long each activity takes (to keep work in flight when a fault strikes)."""

    def activity(self, instance_id: str, task_id: int) -> None:
        with self._lock:
            self.activities[instance_id, task_id] += 1
            if self._file is not None:
                self._file.write(f"activity {instance_id} {task_id}\n")

    def completion(self, instance_id: str) -> None:
        with self._lock:
            self.completions[instance_id] += 1
            if self._file is not None:
                self._file.write(f"completed {instance_id}\n")

    @property
    def activity_count(self) -> int:
        with self._lock:
            return sum(self.activities.values())

    def duplicates(self) -> dict[tuple[str, int], int]:
        """Activity executions beyond the first, by (instance, task id)."""
        with self._lock:
            return {key: count - 1 for key, count in self.activities.items() if count > 1}

    @classmethod
    def read(cls, *paths: Path) -> ExecutionLog:
        """The records that worker processes left in ``paths`` (missing files count as empty)."""
        merged = cls()
        for path in paths:
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[0] == "activity":
                    merged.activities[parts[1], int(parts[2])] += 1
                elif len(parts) == 2 and parts[0] == "completed":
                    merged.completions[parts[1]] += 1
        return merged


LOG = ExecutionLog()
"""The log the functions below write to; a worker process replaces it with a file-backed one."""


def step(ctx: task.ActivityContext, payload: dict[str, int]) -> int:
    """Adds ``payload["step"]`` to ``payload["value"]``, recording the execution."""
    LOG.activity(ctx.orchestration_id, ctx.task_id)
    if LOG.activity_seconds:
        time.sleep(LOG.activity_seconds)
    return payload["value"] + payload["step"]


def chain(ctx: task.OrchestrationContext, n: int) -> Any:
    """Five activities in a row; returns ``n + 15``."""
    value = n
    for number in range(1, STEPS + 1):
        value = yield ctx.call_activity(step, input={"value": value, "step": number})
    if not ctx.is_replaying:
        LOG.completion(ctx.instance_id)
    return value
