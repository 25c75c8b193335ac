"""The worker's history cache: each turn converts only the events the previous turn did not see.

A sidecar sends an instance's whole history every turn. The cache keeps what it converted and
reuses it only when the new history provably continues it; in every other case (continue-as-new,
a turn dispatched again, another worker's turns in between, a full cache) the answer is exactly
what converting the whole history would give.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import pytest

from durabletask import history as h
from durabletask import task
from durabletask.engine import WorkerEngine
from durabletask.grpc import _history_cache
from durabletask.grpc._events import event_to_proto, events_from_proto
from durabletask.grpc._history_cache import HistoryCache
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._stub import SidecarStub
from durabletask.grpc._work_runner import WorkItemRunner
from durabletask.worker import Registry

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def chain_history(steps: int, execution_id: str = "exec-1") -> list[h.HistoryEvent]:
    """The history a sidecar stores for ``steps`` turns of a chain of activities."""
    events: list[h.HistoryEvent] = [
        h.OrchestratorStarted(-1, T0),
        h.ExecutionStarted(-1, T0, name="chain", instance_id="i", input="3", execution_id=execution_id),
    ]
    for step in range(1, steps):
        moment = T0 + timedelta(seconds=step)
        events += [
            h.TaskScheduled(step, moment, name="increment", input=str(step)),
            h.OrchestratorStarted(-1, moment),
            h.TaskCompleted(-1, moment, task_scheduled_id=step, result=str(step + 1)),
        ]
    return events


def wire(events: Sequence[h.HistoryEvent]) -> list[pb.HistoryEvent]:
    """The events as the sidecar sends them (parsed from bytes, as the worker receives them)."""
    request = pb.OrchestratorRequest(instance_id="i", past_events=[event_to_proto(event) for event in events])
    return list(pb.OrchestratorRequest.FromString(request.SerializeToString()).past_events)


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each conversion the cache asks for converts."""
    counts: list[int] = []

    def counting(messages: Sequence[pb.HistoryEvent]) -> list[h.HistoryEvent]:
        counts.append(len(messages))
        return events_from_proto(messages)

    monkeypatch.setattr(_history_cache, "events_from_proto", counting)
    return counts


def test_the_next_turn_converts_only_the_events_recorded_since(conversions: list[int]) -> None:
    cache = HistoryCache()
    history = chain_history(4)
    first = cache.past_events("i", wire(history[:7]))
    kept = list(first)
    cache.remember("i", first)

    second = cache.past_events("i", wire(history))

    assert second == history, "the same events a full conversion gives"
    assert all(a is b for a, b in zip(second[:7], kept, strict=True)), "the prefix is reused, not converted"
    assert conversions == [7, len(history) - 7]


def test_an_instance_that_continued_as_new_is_converted_afresh(conversions: list[int]) -> None:
    cache = HistoryCache()
    cache.remember("i", cache.past_events("i", wire(chain_history(3, execution_id="exec-1"))))

    restarted = chain_history(4, execution_id="exec-2")
    assert cache.past_events("i", wire(restarted)) == restarted
    assert conversions[-1] == len(restarted), "a new execution id: nothing reused"


def test_a_history_whose_last_cached_event_differs_is_converted_afresh(conversions: list[int]) -> None:
    cache = HistoryCache()
    history = chain_history(3)
    cache.remember("i", cache.past_events("i", wire(history)))

    rewritten = [*history[:-1], h.TaskCompleted(-1, T0, task_scheduled_id=2, result='"other"')]
    assert cache.past_events("i", wire(rewritten)) == rewritten
    assert conversions[-1] == len(rewritten)


def test_turns_served_by_another_worker_are_filled_in(conversions: list[int]) -> None:
    cache = HistoryCache()
    history = chain_history(10)
    cache.remember("i", cache.past_events("i", wire(history[:4])))

    assert cache.past_events("i", wire(history)) == history
    assert conversions == [4, len(history) - 4], "only the gap is converted"


def test_a_turn_dispatched_again_drops_what_the_lost_answer_added(conversions: list[int]) -> None:
    """The sidecar never recorded the last answer, so the history is shorter than the cache."""
    cache = HistoryCache()
    history = chain_history(5)
    cache.remember("i", cache.past_events("i", wire(history)))

    shorter = history[:8]
    assert cache.past_events("i", wire(shorter)) == shorter
    assert conversions == [len(history)], "the shorter history is all in the cache"


def test_a_turn_takes_its_history_out_until_it_remembers_it(conversions: list[int]) -> None:
    """Two turns of one instance at once (never meant to happen) never share a list."""
    cache = HistoryCache()
    history = chain_history(2)
    cache.remember("i", cache.past_events("i", wire(history)))

    running = cache.past_events("i", wire(history))
    assert len(cache) == 0
    other = cache.past_events("i", wire(history))
    assert other == running and other is not running


def test_forgotten_instances_are_converted_afresh(conversions: list[int]) -> None:
    cache = HistoryCache()
    history = chain_history(2)
    cache.remember("i", cache.past_events("i", wire(history)))
    cache.forget("i")

    assert (len(cache), cache.event_count) == (0, 0)
    assert cache.past_events("i", wire(history)) == history
    assert conversions == [len(history), len(history)]


def test_the_least_recently_served_instances_are_dropped_first() -> None:
    cache = HistoryCache(maximum_instances=2)
    for instance_id in ("a", "b", "c"):
        cache.remember(instance_id, chain_history(2))

    assert len(cache) == 2
    assert cache.event_count == 2 * len(chain_history(2))
    assert cache.past_events("a", wire(chain_history(2))) == chain_history(2)  # converted: "a" went first


def test_the_cache_holds_at_most_its_number_of_events() -> None:
    cache = HistoryCache(maximum_events=12)
    cache.remember("a", chain_history(2))  # 5 events
    cache.remember("b", chain_history(3))  # 8 events: "a" must go
    cache.remember("c", chain_history(5))  # 14 events: too long to keep at all

    assert (len(cache), cache.event_count) == (1, 8)


def test_a_history_without_execution_started_is_not_kept() -> None:
    cache = HistoryCache()
    cache.remember("i", [h.OrchestratorStarted(-1, T0)])
    assert len(cache) == 0


# -- through the worker's runner ------------------------------------------------------------------

_generators_started: list[str] = []


def _chain(ctx: task.OrchestrationContext, steps: int) -> Any:
    _generators_started.append(ctx.instance_id)
    total = 0
    for _ in range(steps):
        total = yield ctx.call_activity("increment", input=total)
    return total


class _RecordingStub:
    """Plays the sidecar's side of CompleteOrchestratorTask: keeps every response."""

    def __init__(self) -> None:
        self.responses: list[pb.OrchestratorResponse] = []

    def CompleteOrchestratorTask(self, response: pb.OrchestratorResponse, **_: object) -> None:  # noqa: N802
        self.responses.append(response)


def test_a_chain_through_the_runner_converts_and_replays_each_event_once(conversions: list[int]) -> None:
    registry = Registry()
    registry.add_orchestrator(_chain)
    cache = HistoryCache()
    runner = WorkItemRunner(WorkerEngine(registry, resumable_instances=10), (), logging.getLogger("test"), cache)
    stub = _RecordingStub()
    past: list[h.HistoryEvent] = []
    new: list[h.HistoryEvent] = [
        h.OrchestratorStarted(-1, T0),
        h.ExecutionStarted(-1, T0, name="_chain", instance_id="i", input="3", execution_id="e"),
    ]
    _generators_started.clear()
    while True:
        request = pb.OrchestratorRequest(
            instance_id="i", past_events=wire(past), new_events=[event_to_proto(event) for event in new]
        )
        runner.run_orchestrator(request, "", cast(SidecarStub, stub))
        (action,) = stub.responses[-1].actions
        past += new
        if action.HasField("complete_orchestration"):
            break
        # The sidecar records the scheduled activity, runs it and delivers its result.
        past.append(h.TaskScheduled(action.id, T0, name="increment", input=action.schedule_task.input.value))
        result = str(int(action.schedule_task.input.value) + 1)
        new = [h.OrchestratorStarted(-1, T0), h.TaskCompleted(-1, T0, task_scheduled_id=action.id, result=result)]

    assert action.complete_orchestration.result.value == "3"
    assert _generators_started == ["i"], "every turn after the first continued the parked one"
    assert conversions == [0, 1, 1, 1], "each turn converted only the TaskScheduled recorded since"
    assert len(cache) == 0, "a finished orchestration is forgotten"


def test_the_execution_started_is_checked_as_bytes_when_its_wire_form_was_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Converting an ExecutionStarted costs more than comparing its bytes; the answer is the same."""
    converted_kinds: list[str | None] = []
    converting = _history_cache.event_from_proto

    def recording(message: pb.HistoryEvent) -> h.HistoryEvent:
        converted_kinds.append(message.WhichOneof("kind"))
        return converting(message)

    monkeypatch.setattr(_history_cache, "event_from_proto", recording)
    cache = HistoryCache()
    history = chain_history(4)
    first_turn = wire(history[:5])  # the first turn's new events hold the ExecutionStarted
    events = cache.past_events("i", [])
    events.extend(history[:5])
    cache.remember("i", events, first_turn)

    assert cache.past_events("i", wire(history)) == history
    assert "execution_started" not in converted_kinds, "compared as bytes, not converted"

    cache.remember("i", cache.past_events("i", wire(history)))
    restarted = chain_history(4, execution_id="exec-2")
    assert cache.past_events("i", wire(restarted)) == restarted, "another execution's bytes differ"
