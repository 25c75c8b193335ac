"""The backend needs no threads, but works with them: one thread may wait while another acts."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from typing import Any

import pytest

from durabletask import task
from durabletask.client import OrchestrationState, OrchestrationStatus
from durabletask.testing import InMemoryBackend, InMemoryClient

Orchestration = Generator[task.Task[Any], Any, Any]


def await_approval(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    return (yield ctx.wait_for_external_event("approve"))


def wait_in_background(client: InMemoryClient, instance_id: str) -> tuple[threading.Thread, list[OrchestrationState]]:
    results: list[OrchestrationState] = []

    def wait() -> None:
        state = client.wait_for_orchestration_completion(instance_id, timeout=10)
        assert state is not None
        results.append(state)

    waiter = threading.Thread(target=wait)
    waiter.start()
    return waiter, results


def test_a_wait_in_one_thread_sees_an_event_raised_from_another() -> None:
    backend = InMemoryBackend()
    worker = backend.worker()
    worker.add_orchestrator(await_approval)
    worker.start()
    client = backend.client()
    instance_id = client.schedule_new_orchestration(await_approval)

    waiter, results = wait_in_background(client, instance_id)
    time.sleep(0.05)  # the waiter is blocked: nothing can happen until the event arrives
    client.raise_orchestration_event(instance_id, "approve", data="Grace")
    waiter.join(timeout=10)

    assert [state.get_output() for state in results] == ["Grace"]


def test_a_worker_started_from_another_thread_wakes_a_waiter() -> None:
    backend = InMemoryBackend()
    client = backend.client()
    instance_id = client.schedule_new_orchestration(await_approval)
    client.raise_orchestration_event(instance_id, "approve", data="Linus")

    waiter, results = wait_in_background(client, instance_id)
    time.sleep(0.05)
    worker = backend.worker()
    worker.add_orchestrator(await_approval)
    worker.start()
    waiter.join(timeout=10)

    assert [state.runtime_status for state in results] == [OrchestrationStatus.COMPLETED]


def test_with_other_threads_alive_a_stuck_wait_lasts_its_timeout() -> None:
    backend = InMemoryBackend()
    client = backend.client()
    instance_id = client.schedule_new_orchestration(await_approval)  # and no worker, ever
    keep_company = threading.Event()
    companion = threading.Thread(target=keep_company.wait)
    companion.start()
    try:
        began = time.perf_counter()
        with pytest.raises(TimeoutError):
            client.wait_for_orchestration_completion(instance_id, timeout=0.2)
        assert time.perf_counter() - began >= 0.2
    finally:
        keep_company.set()
        companion.join()


def test_an_activity_cannot_wait_for_another_orchestration() -> None:
    backend = InMemoryBackend()
    client = backend.client()

    def wait_for_other(ctx: task.ActivityContext, other_id: str) -> None:
        client.wait_for_orchestration_completion(other_id, timeout=5)

    def call_it(ctx: task.OrchestrationContext, other_id: str) -> Orchestration:
        yield ctx.call_activity(wait_for_other, input=other_id)

    worker = backend.worker()
    worker.add_orchestrator(call_it)
    worker.add_orchestrator(await_approval)
    worker.add_activity(wait_for_other)
    worker.start()
    other_id = client.schedule_new_orchestration(await_approval)
    instance_id = client.schedule_new_orchestration(call_it, input=other_id)

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    # It runs inline, under the backend's lock: nothing else could run while it waits.
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert state.failure_details.is_caused_by(RuntimeError)
