"""The histories of completed runs, described once in SDK-neutral terms.

Each side translates these steps into its own event objects (outside the timer), so both SDKs
replay exactly the same history. The shapes are those a sidecar records, one turn per completion:

* ``chain(n)``: ``OS ES TS1 | OS TC1 TS2 | ... | OS TC(n-1) TSn`` as past events, ``OS TCn`` new;
* ``fan_out(n)``: ``OS ES TS1..TSn | OS TC1 | ... | OS TC(n-1)`` past, ``OS TCn`` new;

(OS = orchestrator started, ES = execution started, TS = task scheduled, TC = task completed),
so both have ``3n + 2`` events. Replaying the whole history in one turn re-runs the generator
from the start and ends in the completion action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from benchkit.workloads import ACTIVITY_NAME, expected_output

_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


class Kind(Enum):
    """The event kinds these histories use."""

    ORCHESTRATOR_STARTED = "orchestrator_started"
    EXECUTION_STARTED = "execution_started"
    TASK_SCHEDULED = "task_scheduled"
    TASK_COMPLETED = "task_completed"


@dataclass(frozen=True, slots=True)
class Step:
    """One history event; ``task_id`` is the activity's sequence id (``-1`` where none applies)."""

    kind: Kind
    timestamp: datetime
    task_id: int = -1
    name: str | None = None
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class ReplayCase:
    """A completed run of ``workload`` with ``size`` activities, ready to replay in one turn."""

    workload: str
    size: int
    instance_id: str
    past: tuple[Step, ...]
    new: tuple[Step, ...]
    expected_output: str

    @property
    def steps(self) -> int:
        """History events replayed per run: the unit of the per-step figures."""
        return len(self.past) + len(self.new)


def build_case(workload: str, size: int) -> ReplayCase:
    """The history of a completed ``workload`` run with ``size`` activities."""
    if size < 1:
        raise ValueError("size must be at least 1")
    instance_id = f"{workload}-{size}"
    past: list[Step] = [_started(0), Step(Kind.EXECUTION_STARTED, _at(0), name=workload, payload=str(size))]
    if workload == "chain":
        past.append(_scheduled(0, task_id=1, value=0))
        for task_id in range(1, size):
            # Activity ``task_id`` returned ``task_id``; the chain feeds it to the next one.
            past += [_started(task_id), _completed(task_id, task_id=task_id), _scheduled(task_id, task_id + 1, task_id)]
    elif workload == "fan_out":
        past += [_scheduled(0, task_id=i + 1, value=i) for i in range(size)]
        for task_id in range(1, size):
            past += [_started(task_id), _completed(task_id, task_id=task_id)]
    else:
        raise ValueError(f"unknown workload {workload!r}")
    new = (_started(size), _completed(size, task_id=size))
    return ReplayCase(workload, size, instance_id, tuple(past), new, str(expected_output(workload, size)))


def _at(turn: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=turn)


def _started(turn: int) -> Step:
    return Step(Kind.ORCHESTRATOR_STARTED, _at(turn))


def _scheduled(turn: int, task_id: int, value: int) -> Step:
    return Step(Kind.TASK_SCHEDULED, _at(turn), task_id=task_id, name=ACTIVITY_NAME, payload=str(value))


def _completed(turn: int, task_id: int) -> Step:
    # Task ``task_id`` got input ``task_id - 1`` in both workloads, so ``increment`` returned ``task_id``.
    return Step(Kind.TASK_COMPLETED, _at(turn), task_id=task_id, payload=str(task_id))
