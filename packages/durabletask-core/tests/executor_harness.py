"""A minimal sidecar stand-in for executor tests: it records history the way a backend would.

``Replay`` runs one orchestration turn at a time through the real :class:`WorkerEngine`, turning
each returned action into the history event a sidecar would store, so a test reads like the
conversation between a backend and the worker::

    run = replay(sequence)
    assert run.start() == [ScheduleTaskAction(1, "hello", '"Tokyo"')]
    run.complete_task(1, "Hello Tokyo!")
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from durabletask import history as h
from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.engine import OrchestratorWorkItem, WorkerEngine
from durabletask.task import FailureDetails
from durabletask.worker import Registry

START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


class Replay:
    """One orchestration instance driven turn by turn."""

    def __init__(self, engine: WorkerEngine, name: str, input: Any, instance_id: str) -> None:
        self.engine = engine
        self.name = name
        self.input = input
        self.instance_id = instance_id
        self.now = START
        self.history: list[h.HistoryEvent] = []
        self.custom_status: str | None = None
        self.last_actions: list[OrchestratorAction] = []
        # Set to play a backend that keeps one result per task id (Dapr's sidecar).
        self.retries_take_new_ids = False

    # What the backend delivers ---------------------------------------------------------------

    def start(self) -> list[OrchestratorAction]:
        payload = None if self.input is None else json.dumps(self.input)
        return self.turn(h.ExecutionStarted(-1, self.now, self.name, self.instance_id, payload))

    def complete_task(self, task_id: int, result: Any = None) -> list[OrchestratorAction]:
        return self.turn(h.TaskCompleted(-1, self.now, task_id, json.dumps(result)))

    def fail_task(
        self, task_id: int, message: str = "boom", error_type: str = "ValueError"
    ) -> list[OrchestratorAction]:
        return self.turn(h.TaskFailed(-1, self.now, task_id, FailureDetails(message, error_type)))

    def fire_timer(self, timer_id: int) -> list[OrchestratorAction]:
        fire_at = self.timer_fire_time(timer_id)
        self.now = max(self.now, fire_at)
        return self.turn(h.TimerFired(-1, self.now, fire_at, timer_id))

    def raise_event(self, name: str, data: Any = None) -> list[OrchestratorAction]:
        return self.turn(h.EventRaised(-1, self.now, name, None if data is None else json.dumps(data)))

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def turn(self, *events: h.HistoryEvent) -> list[OrchestratorAction]:
        """Run one turn with ``events`` as new events (after an OrchestratorStarted)."""
        new_events: list[h.HistoryEvent] = [h.OrchestratorStarted(-1, self.now), *events]
        item = OrchestratorWorkItem(self.instance_id, list(self.history), new_events, self.retries_take_new_ids)
        result = self.engine.run_orchestrator(item)
        self.history.extend(new_events)
        self.history.extend(self.recorded(action) for action in result.actions)
        if result.custom_status is not None:
            self.custom_status = result.custom_status
        self.last_actions = result.actions
        return result.actions

    def replay_from_scratch(self) -> list[OrchestratorAction]:
        """Replay the whole recorded history as past events with no new ones."""
        item = OrchestratorWorkItem(self.instance_id, list(self.history), [], self.retries_take_new_ids)
        result = self.engine.run_orchestrator(item)
        return result.actions

    # What the backend records ----------------------------------------------------------------

    def recorded(self, action: OrchestratorAction) -> h.HistoryEvent:
        if isinstance(action, ScheduleTaskAction):
            return h.TaskScheduled(action.id, self.now, action.name, action.input)
        if isinstance(action, CreateTimerAction):
            return h.TimerCreated(action.id, self.now, action.fire_at)
        if isinstance(action, CreateSubOrchestrationAction):
            return h.SubOrchestrationInstanceCreated(action.id, self.now, action.name, action.instance_id, action.input)
        if isinstance(action, SendEventAction):
            return h.EventSent(action.id, self.now, action.instance_id, action.name, action.data)
        assert isinstance(action, CompleteOrchestrationAction)
        return h.ExecutionCompleted(action.id, self.now, action.status, action.result, action.failure_details)

    def timer_fire_time(self, timer_id: int) -> datetime:
        for event in self.history:
            if isinstance(event, h.TimerCreated) and event.event_id == timer_id:
                return event.fire_at
        raise AssertionError(f"no timer {timer_id} in history")


def completion(actions: Sequence[OrchestratorAction]) -> CompleteOrchestrationAction:
    """The completion action of a turn (fails the test if the turn did not complete)."""
    found = [action for action in actions if isinstance(action, CompleteOrchestrationAction)]
    assert found, f"the orchestration did not complete; actions: {actions}"
    return found[0]


def output(actions: Sequence[OrchestratorAction]) -> Any:
    done = completion(actions)
    assert done.failure_details is None, done.failure_details
    return None if done.result is None else json.loads(done.result)


ReplayFactory = Callable[..., Replay]


EngineFactory = Callable[[Registry, timedelta | None], WorkerEngine]


def replay_factory(new_engine: EngineFactory) -> ReplayFactory:
    """``replay(orchestrator, input=None, activities=(), orchestrators=())`` -> a :class:`Replay`
    on an engine made by ``new_engine(registry, maximum_timer_interval)``."""

    def make(
        orchestrator: Callable[..., Any],
        input: Any = None,
        *,
        activities: Sequence[Callable[..., Any]] = (),
        orchestrators: Sequence[Callable[..., Any]] = (),
        instance_id: str = "abc123",
        maximum_timer_interval: timedelta | None = timedelta(days=3),
    ) -> Replay:
        registry = Registry()
        name = registry.add_orchestrator(orchestrator)
        for extra in orchestrators:
            registry.add_orchestrator(extra)
        for activity in activities:
            registry.add_activity(activity)
        return Replay(new_engine(registry, maximum_timer_interval), name, input, instance_id)

    return make


@pytest.fixture
def replay() -> ReplayFactory:
    """A :class:`Replay` factory on an ordinary engine."""
    return replay_factory(lambda registry, interval: WorkerEngine(registry, maximum_timer_interval=interval))
