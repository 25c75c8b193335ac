"""Controlling instances: suspend and resume, terminate, continue-as-new, purge, and instance ids."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from datetime import timedelta
from typing import Any

import pytest

from durabletask import task
from durabletask.client import OrchestrationAlreadyExistsError, OrchestrationNotFoundError, OrchestrationStatus
from durabletask.history import EventRaised, ExecutionStarted, OrchestratorStarted
from durabletask.testing import InMemoryBackend, InMemoryClient

Orchestration = Generator[task.Task[Any], Any, Any]

only_thread = pytest.mark.skipif(
    threading.active_count() > 1, reason="fails fast only when the waiting thread is the only thread"
)


def serve(backend: InMemoryBackend, *, orchestrators: Iterable[Callable[..., Any]]) -> InMemoryClient:
    worker = backend.worker()
    for orchestrator in orchestrators:
        worker.add_orchestrator(orchestrator)
    worker.start()
    return backend.client()


def await_approval(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    return (yield ctx.wait_for_external_event("approve"))


def finish_at_once(ctx: task.OrchestrationContext, _: None) -> str:
    return "done"


def status_of(client: InMemoryClient, instance_id: str) -> OrchestrationStatus:
    state = client.get_orchestration_state(instance_id)
    assert state is not None
    return state.runtime_status


# --- suspend and resume --------------------------------------------------------------------


def test_a_suspended_instance_keeps_events_until_it_is_resumed() -> None:
    client = serve(InMemoryBackend(), orchestrators=[await_approval])
    instance_id = client.schedule_new_orchestration(await_approval)
    client.wait_for_orchestration_start(instance_id)

    client.suspend_orchestration(instance_id, reason="maintenance")
    assert status_of(client, instance_id) == OrchestrationStatus.SUSPENDED

    client.raise_orchestration_event(instance_id, "approve", data="Ada")
    assert status_of(client, instance_id) == OrchestrationStatus.SUSPENDED

    client.resume_orchestration(instance_id)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)
    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED
    assert state.get_output() == "Ada"


@only_thread
def test_waiting_on_a_suspended_instance_gives_up_at_once_when_nobody_could_resume_it() -> None:
    client = serve(InMemoryBackend(), orchestrators=[await_approval])
    instance_id = client.schedule_new_orchestration(await_approval)
    client.wait_for_orchestration_start(instance_id)
    client.suspend_orchestration(instance_id)

    with pytest.raises(TimeoutError, match="SUSPENDED"):
        client.wait_for_orchestration_completion(instance_id, timeout=30)


# --- terminate -----------------------------------------------------------------------------


def parent_of_a_waiting_child(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    yield ctx.call_sub_orchestrator(await_approval, instance_id=f"{ctx.instance_id}-child")


def test_terminate_ends_the_instance_with_the_given_output() -> None:
    client = serve(InMemoryBackend(), orchestrators=[await_approval])
    instance_id = client.schedule_new_orchestration(await_approval)
    client.wait_for_orchestration_start(instance_id)

    client.terminate_orchestration(instance_id, output="cancelled by operator")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.TERMINATED
    assert state.get_output() == "cancelled by operator"


def test_terminate_reaches_sub_orchestrations_by_default() -> None:
    client = serve(InMemoryBackend(), orchestrators=[parent_of_a_waiting_child, await_approval])
    client.schedule_new_orchestration(parent_of_a_waiting_child, instance_id="p")
    client.wait_for_orchestration_start("p")
    assert status_of(client, "p-child") == OrchestrationStatus.RUNNING

    client.terminate_orchestration("p")

    assert status_of(client, "p") == OrchestrationStatus.TERMINATED
    assert status_of(client, "p-child") == OrchestrationStatus.TERMINATED


def test_terminate_without_recursion_leaves_sub_orchestrations_running() -> None:
    client = serve(InMemoryBackend(), orchestrators=[parent_of_a_waiting_child, await_approval])
    client.schedule_new_orchestration(parent_of_a_waiting_child, instance_id="p")
    client.wait_for_orchestration_start("p")

    client.terminate_orchestration("p", recursive=False)

    assert status_of(client, "p") == OrchestrationStatus.TERMINATED
    assert status_of(client, "p-child") == OrchestrationStatus.RUNNING


def test_a_terminated_sub_orchestration_fails_the_parent_task() -> None:
    def parent(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        try:
            yield ctx.call_sub_orchestrator(await_approval, instance_id="child")
        except task.TaskFailedError:
            return "child did not finish"
        return "child finished"

    client = serve(InMemoryBackend(), orchestrators=[parent, await_approval])
    instance_id = client.schedule_new_orchestration(parent)
    client.wait_for_orchestration_start(instance_id)

    client.terminate_orchestration("child")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == "child did not finish"


# --- continue-as-new -----------------------------------------------------------------------


def add_up_later(ctx: task.OrchestrationContext, state: dict[str, Any]) -> Orchestration:
    """Let three items pile up for an hour, then restart and add them up."""
    if not state["collected"]:
        yield ctx.create_timer(timedelta(hours=1))
        ctx.continue_as_new({"collected": True}, save_events=True)
        return None
    items = yield task.when_all([ctx.wait_for_external_event("item") for _ in range(3)])
    return sum(items)


def test_continue_as_new_restarts_the_history_with_the_unread_events() -> None:
    backend = InMemoryBackend()
    client = serve(backend, orchestrators=[add_up_later])
    instance_id = client.schedule_new_orchestration(add_up_later, input={"collected": False})
    client.wait_for_orchestration_start(instance_id)
    for item in (1, 2, 3):
        client.raise_orchestration_event(instance_id, "item", data=item)

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == 6
    assert state.get_input() == {"collected": True}
    # The new execution's history: a fresh start, then the events carried over from the old one.
    history = backend.get_history(instance_id)
    assert [type(e) for e in history[:5]] == [
        OrchestratorStarted,
        ExecutionStarted,
        EventRaised,
        EventRaised,
        EventRaised,
    ]


def sum_items(ctx: task.OrchestrationContext, state: dict[str, Any]) -> Orchestration:
    """Let items pile up for an hour, then add them up one execution per item."""
    if not state["collected"]:
        yield ctx.create_timer(timedelta(hours=1))
        ctx.continue_as_new({"total": 0, "collected": True}, save_events=True)
        return None
    item = yield ctx.wait_for_external_event("item")
    if item == "end":
        return state["total"]
    ctx.continue_as_new({"total": state["total"] + item, "collected": True}, save_events=True)
    return None


def test_continue_as_new_carries_events_again_and_again() -> None:
    client = serve(InMemoryBackend(), orchestrators=[sum_items])
    instance_id = client.schedule_new_orchestration(sum_items, input={"total": 0, "collected": False})
    client.wait_for_orchestration_start(instance_id)
    for item in (1, 2, 3, "end"):
        client.raise_orchestration_event(instance_id, "item", data=item)

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == 6


# --- purge ---------------------------------------------------------------------------------


def test_purge_deletes_a_finished_instance() -> None:
    client = serve(InMemoryBackend(), orchestrators=[finish_at_once])
    instance_id = client.schedule_new_orchestration(finish_at_once)
    client.wait_for_orchestration_completion(instance_id, timeout=10)

    result = client.purge_orchestration(instance_id)

    assert result.deleted_instance_count == 1
    assert client.get_orchestration_state(instance_id) is None


def test_purge_refuses_a_running_instance() -> None:
    client = serve(InMemoryBackend(), orchestrators=[await_approval])
    instance_id = client.schedule_new_orchestration(await_approval)

    with pytest.raises(task.OrchestrationStateError):
        client.purge_orchestration(instance_id)
    assert client.get_orchestration_state(instance_id) is not None


def test_purge_of_a_missing_instance_is_an_error() -> None:
    client = InMemoryBackend().client()

    with pytest.raises(OrchestrationNotFoundError):
        client.purge_orchestration("nobody")


def test_purge_is_recursive_by_default() -> None:
    client = serve(InMemoryBackend(), orchestrators=[parent_of_a_waiting_child, await_approval])
    client.schedule_new_orchestration(parent_of_a_waiting_child, instance_id="p")
    client.wait_for_orchestration_start("p")

    # A running sub-orchestration blocks the purge, and nothing is deleted.
    client.terminate_orchestration("p", recursive=False)
    with pytest.raises(task.OrchestrationStateError, match="p-child"):
        client.purge_orchestration("p")
    assert client.get_orchestration_state("p") is not None

    client.terminate_orchestration("p-child")
    assert client.purge_orchestration("p").deleted_instance_count == 2
    assert client.get_orchestration_state("p-child") is None


# --- instance ids --------------------------------------------------------------------------


def test_an_existing_instance_id_cannot_be_reused_until_purged() -> None:
    client = serve(InMemoryBackend(), orchestrators=[finish_at_once])
    client.schedule_new_orchestration(finish_at_once, instance_id="only-once")
    client.wait_for_orchestration_completion("only-once", timeout=10)

    # Like the sidecars, even a finished instance keeps its id.
    with pytest.raises(OrchestrationAlreadyExistsError, match="only-once"):
        client.schedule_new_orchestration(finish_at_once, instance_id="only-once")

    client.purge_orchestration("only-once")
    assert client.schedule_new_orchestration(finish_at_once, instance_id="only-once") == "only-once"


def test_a_missing_instance_reads_as_none_but_cannot_be_waited_for_or_controlled() -> None:
    client = InMemoryBackend().client()

    assert client.get_orchestration_state("nobody") is None
    with pytest.raises(OrchestrationNotFoundError):
        client.wait_for_orchestration_completion("nobody", timeout=1)
    with pytest.raises(OrchestrationNotFoundError):
        client.terminate_orchestration("nobody")
    with pytest.raises(OrchestrationNotFoundError):
        client.suspend_orchestration("nobody")
    # Like a sidecar, an event raised to a missing instance is dropped without an error.
    client.raise_orchestration_event("nobody", "hello")


# --- workers -------------------------------------------------------------------------------


def test_nothing_runs_until_a_worker_starts() -> None:
    backend = InMemoryBackend()
    client = backend.client()
    instance_id = client.schedule_new_orchestration(finish_at_once)
    assert status_of(client, instance_id) == OrchestrationStatus.PENDING

    serve(backend, orchestrators=[finish_at_once])

    state = client.wait_for_orchestration_completion(instance_id, timeout=10)
    assert state is not None
    assert state.get_output() == "done"


@only_thread
def test_waiting_without_a_started_worker_says_so() -> None:
    client = InMemoryBackend().client()
    instance_id = client.schedule_new_orchestration(finish_at_once)

    # Alone in its process the wait gives up at once; with other threads about (a test run that
    # also drives gRPC), it gives up at its timeout. Either way it says why.
    with pytest.raises(TimeoutError, match="no worker is started"):
        client.wait_for_orchestration_completion(instance_id, timeout=2)


def test_a_stopped_worker_takes_no_more_work() -> None:
    backend = InMemoryBackend()
    worker = backend.worker()
    worker.add_orchestrator(finish_at_once)
    worker.start()
    worker.stop()
    client = backend.client()

    instance_id = client.schedule_new_orchestration(finish_at_once)

    assert status_of(client, instance_id) == OrchestrationStatus.PENDING
    assert not worker.is_running
