"""The virtual clock: timers fire without real waiting, and tests can control time exactly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from durabletask import task
from durabletask.client import OrchestrationStatus
from durabletask.testing import InMemoryBackend, InMemoryClient

Orchestration = Generator[task.Task[Any], Any, Any]

START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)

only_thread = pytest.mark.skipif(
    threading.active_count() > 1, reason="fails fast only when the waiting thread is the only thread"
)


def serve(backend: InMemoryBackend, *, orchestrators: Iterable[Callable[..., Any]]) -> InMemoryClient:
    worker = backend.worker()
    for orchestrator in orchestrators:
        worker.add_orchestrator(orchestrator)
    worker.start()
    return backend.client()


def approval(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    """Wait up to 24 hours for an approval."""
    approved = ctx.wait_for_external_event("approve")
    deadline = ctx.create_timer(timedelta(hours=24))
    winner = yield task.when_any([approved, deadline])
    if winner is deadline:
        return "timed out"
    return f"approved by {approved.get_result()}"


def wake_up_later(ctx: task.OrchestrationContext, hours: int) -> Orchestration:
    """Sleep, then report the orchestration clock."""
    yield ctx.create_timer(timedelta(hours=hours))
    return ctx.current_utc_datetime.isoformat()


def test_a_24_hour_timeout_completes_in_well_under_a_second() -> None:
    backend = InMemoryBackend(start_time=START)
    client = serve(backend, orchestrators=[approval])

    began = time.perf_counter()
    instance_id = client.schedule_new_orchestration(approval)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)
    elapsed = time.perf_counter() - began

    assert state is not None
    assert state.get_output() == "timed out"
    assert elapsed < 0.5
    # The wait skipped the clock straight to the timer.
    assert backend.now() == START + timedelta(hours=24)


def test_an_event_that_arrives_in_time_wins_the_race() -> None:
    backend = InMemoryBackend(start_time=START)
    client = serve(backend, orchestrators=[approval])
    instance_id = client.schedule_new_orchestration(approval)
    # Waiting for the start runs the first turn but does not move the clock: nothing is due yet.
    client.wait_for_orchestration_start(instance_id)

    client.raise_orchestration_event(instance_id, "approve", data="Ada")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == "approved by Ada"
    assert backend.now() == START


def test_advance_time_fires_each_timer_at_its_due_time() -> None:
    backend = InMemoryBackend(start_time=START, auto_advance_time=False)
    client = serve(backend, orchestrators=[wake_up_later])
    instance_id = client.schedule_new_orchestration(wake_up_later, input=2)
    client.wait_for_orchestration_start(instance_id)

    backend.advance_time(timedelta(hours=1))
    state = client.get_orchestration_state(instance_id)
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.RUNNING

    backend.advance_time(timedelta(hours=5))
    state = client.get_orchestration_state(instance_id)
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED
    # The orchestration woke at the timer's due time, not at the end of the advance.
    assert state.get_output() == (START + timedelta(hours=2)).isoformat()
    assert backend.now() == START + timedelta(hours=6)


@only_thread
def test_without_auto_advance_a_wait_on_a_timer_gives_up_at_once() -> None:
    backend = InMemoryBackend(auto_advance_time=False)
    client = serve(backend, orchestrators=[wake_up_later])
    instance_id = client.schedule_new_orchestration(wake_up_later, input=1)

    began = time.perf_counter()
    with pytest.raises(TimeoutError, match="auto_advance_time is off"):
        client.wait_for_orchestration_completion(instance_id, timeout=30)
    # Nothing else in this process could move the clock, so it did not sleep 30 s.
    assert time.perf_counter() - began < 1

    backend.advance_time(timedelta(hours=1))
    state = client.wait_for_orchestration_completion(instance_id, timeout=30)
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED


def test_timers_longer_than_the_maximum_interval_fire_on_time() -> None:
    # The worker splits a 10-day timer into pieces of at most 3 days; each piece fires in turn.
    backend = InMemoryBackend(start_time=START)
    client = serve(backend, orchestrators=[wake_up_later])
    instance_id = client.schedule_new_orchestration(wake_up_later, input=240)

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == (START + timedelta(days=10)).isoformat()


def test_auto_advance_can_be_switched_at_any_time() -> None:
    backend = InMemoryBackend()
    assert backend.auto_advance_time
    backend.auto_advance_time = False
    assert not backend.auto_advance_time


def test_work_without_timers_does_not_move_the_clock() -> None:
    def no_timers(ctx: task.OrchestrationContext, _: None) -> str:
        return ctx.current_utc_datetime.isoformat()

    backend = InMemoryBackend(start_time=START)
    client = serve(backend, orchestrators=[no_timers])
    instance_id = client.schedule_new_orchestration(no_timers)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == START.isoformat()
    assert backend.now() == START


def test_a_scheduled_start_waits_for_the_virtual_clock() -> None:
    def report_start(ctx: task.OrchestrationContext, _: None) -> str:
        return ctx.current_utc_datetime.isoformat()

    backend = InMemoryBackend(start_time=START)
    client = serve(backend, orchestrators=[report_start])
    start_at = START + timedelta(hours=3)
    instance_id = client.schedule_new_orchestration(report_start, start_at=start_at)

    state = client.get_orchestration_state(instance_id)
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.PENDING

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)
    assert state is not None
    assert state.get_output() == start_at.isoformat()


def test_advance_time_refuses_to_go_back() -> None:
    with pytest.raises(ValueError):
        InMemoryBackend().advance_time(timedelta(seconds=-1))
