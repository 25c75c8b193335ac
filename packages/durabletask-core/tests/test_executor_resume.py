"""Resuming parked turns changes no outcome.

An engine created with ``resumable_instances`` keeps each unfinished turn and continues it when
the next turn's history starts with the events it already consumed, instead of replaying from
the start (the gRPC worker runs this way). Every executor scenario of ``test_executor`` runs
again here on such an engine, and each turn's answer is checked against a fresh replay of the
same history by an ordinary engine.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import test_executor
from executor_harness import START, Replay, ReplayFactory, output, replay_factory

from durabletask import history as h
from durabletask import task
from durabletask.actions import ScheduleTaskAction
from durabletask.engine import OrchestratorResult, OrchestratorWorkItem, WorkerEngine
from durabletask.worker import Registry

_NOT_HERE = {
    # A parked turn is the code that was running; changed code arrives with a new worker
    # process, whose engine starts with nothing parked. This scenario swaps the code mid-instance.
    "test_a_removed_action_is_a_non_determinism_error",
    # These watch the code re-run during replay (a resumed turn re-runs nothing), or count log
    # lines, which the comparing engine below doubles by running every turn twice.
    "test_current_utc_datetime_is_the_orchestrator_started_timestamp",
    "test_replay_safe_logger_is_silent_while_replaying",
}

for _name in dir(test_executor):
    if _name.startswith("test_") and _name not in _NOT_HERE:
        globals()[_name] = getattr(test_executor, _name)


class _ComparingEngine(WorkerEngine):
    """Answers with a resumable engine, after checking that a fresh replay answers the same."""

    def __init__(self, registry: Registry, maximum_timer_interval: timedelta | None) -> None:
        super().__init__(registry, maximum_timer_interval=maximum_timer_interval, resumable_instances=10)
        self.fresh = WorkerEngine(registry, maximum_timer_interval=maximum_timer_interval)

    def run_orchestrator(self, item: OrchestratorWorkItem) -> OrchestratorResult:
        resumed = super().run_orchestrator(item)
        assert resumed == self.fresh.run_orchestrator(item), "a resumed turn must answer like a fresh replay"
        return resumed


@pytest.fixture
def replay() -> ReplayFactory:
    """Like ``executor_harness.replay``, on a :class:`_ComparingEngine`."""
    return replay_factory(_ComparingEngine)


# -- when a turn is resumed and when it is not ---------------------------------------------------------

_starts: list[int] = []


def _chain(ctx: task.OrchestrationContext, steps: int) -> Any:
    _starts.append(steps)  # counts how often the generator is created, i.e. replays from the start
    total = 0
    for _ in range(steps):
        total = yield ctx.call_activity("step", input=total)
    return total


def _engine(resumable_instances: int = 10) -> WorkerEngine:
    registry = Registry()
    registry.add_orchestrator(_chain)
    return WorkerEngine(registry, resumable_instances=resumable_instances)


def _run_chain(engine: WorkerEngine, instance_id: str, steps: int, *, copy_events: bool) -> Any:
    """Drive ``_chain`` to its end like a sidecar; ``copy_events`` hands over equal, not identical, events."""
    run = Replay(engine, "_chain", steps, instance_id)
    if copy_events:
        run.engine = _CopyingEngine(engine)  # type: ignore[assignment]
    actions = run.start()
    while isinstance(actions[0], ScheduleTaskAction):
        actions = run.complete_task(actions[0].id, json.loads(actions[0].input or "null") + 1)
    return output(actions)


class _CopyingEngine:
    def __init__(self, engine: WorkerEngine) -> None:
        self._engine = engine

    def run_orchestrator(self, item: OrchestratorWorkItem) -> OrchestratorResult:
        copied = [type(event)(*(getattr(event, f) for f in event.__slots__)) for event in item.past_events]
        return self._engine.run_orchestrator(OrchestratorWorkItem(item.instance_id, copied, item.new_events))


def test_a_history_that_continues_the_last_turn_is_not_replayed_from_the_start() -> None:
    _starts.clear()
    assert _run_chain(_engine(), "a", 5, copy_events=False) == 5
    assert _starts == [5], "the generator was created once and continued turn after turn"


def test_a_history_of_other_event_objects_is_replayed_from_the_start() -> None:
    _starts.clear()
    assert _run_chain(_engine(), "a", 3, copy_events=True) == 3
    assert _starts == [3, 3, 3, 3], "each turn replayed: the engine cannot tell the events are the same"


def test_without_resumable_instances_every_turn_replays_from_the_start() -> None:
    _starts.clear()
    assert _run_chain(_engine(resumable_instances=0), "a", 3, copy_events=False) == 3
    assert _starts == [3, 3, 3, 3]


def test_a_shorter_history_than_the_parked_turn_consumed_is_replayed_from_the_start() -> None:
    """A sidecar dispatches a turn again when its answer was lost: the history did not grow."""
    engine = _engine()
    _starts.clear()
    started: list[h.HistoryEvent] = [
        h.OrchestratorStarted(-1, START),
        h.ExecutionStarted(-1, START, "_chain", "a", "2"),
    ]
    first = engine.run_orchestrator(OrchestratorWorkItem("a", [], started))
    again = engine.run_orchestrator(OrchestratorWorkItem("a", [], started))
    assert first == again and _starts == [2, 2]


def test_parked_turns_are_bounded_least_recently_used_first() -> None:
    engine = _engine(resumable_instances=1)
    runs = [Replay(engine, "_chain", 2, instance_id) for instance_id in ("a", "b")]
    _starts.clear()
    for run in runs:
        run.start()
    for run in runs:  # "b" pushed "a" out, so "a" replays; then "a" pushes "b" out
        run.complete_task(1, 1)
    assert _starts == [2, 2, 2, 2]
