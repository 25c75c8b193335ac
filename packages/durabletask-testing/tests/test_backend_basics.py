"""Running orchestrations on the in-memory backend: activities, fan-out, sub-orchestrations, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Iterable
from datetime import datetime, timezone
from typing import Any

from durabletask import task
from durabletask.client import OrchestrationStatus
from durabletask.history import (
    ExecutionCompleted,
    ExecutionStarted,
    OrchestratorStarted,
    TaskCompleted,
    TaskScheduled,
)
from durabletask.testing import InMemoryBackend, InMemoryClient

Orchestration = Generator[task.Task[Any], Any, Any]


def serve(
    backend: InMemoryBackend,
    *,
    orchestrators: Iterable[Callable[..., Any]] = (),
    activities: Iterable[Callable[..., Any]] = (),
) -> InMemoryClient:
    """Start a worker with these functions and return a client (workers need no cleanup: no threads)."""
    worker = backend.worker()
    for orchestrator in orchestrators:
        worker.add_orchestrator(orchestrator)
    for activity in activities:
        worker.add_activity(activity)
    worker.start()
    return backend.client()


def say_hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def greet_cities(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    greetings = []
    for city in ("Tokyo", "Seattle", "London"):
        greetings.append((yield ctx.call_activity(say_hello, input=city)))
    return greetings


def test_a_chain_of_activities_runs_to_completion() -> None:
    backend = InMemoryBackend()
    with backend.worker() as worker:
        worker.add_orchestrator(greet_cities)
        worker.add_activity(say_hello)
        worker.start()

        client = backend.client()
        instance_id = client.schedule_new_orchestration(greet_cities)
        state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED
    assert state.get_output() == ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]


def test_the_history_is_the_one_a_sidecar_records() -> None:
    backend = InMemoryBackend()
    client = serve(backend, orchestrators=[greet_cities], activities=[say_hello])
    instance_id = client.schedule_new_orchestration(greet_cities)
    client.wait_for_orchestration_completion(instance_id, timeout=10)

    history = backend.get_history(instance_id)

    # The first turn is [OrchestratorStarted, ExecutionStarted]; each later one starts with OrchestratorStarted.
    assert [type(e) for e in history[:3]] == [OrchestratorStarted, ExecutionStarted, TaskScheduled]
    assert [type(e) for e in history[3:5]] == [OrchestratorStarted, TaskCompleted]
    # An action's id is the event id of the event recording it, and completions point back to it.
    scheduled = [e for e in history if isinstance(e, TaskScheduled)]
    completed = [e for e in history if isinstance(e, TaskCompleted)]
    assert [e.event_id for e in scheduled] == [1, 2, 3]
    assert [e.task_scheduled_id for e in completed] == [1, 2, 3]
    assert isinstance(history[-1], ExecutionCompleted)
    assert history[-1].status == OrchestrationStatus.COMPLETED


def test_the_same_calls_give_the_same_history() -> None:
    def run_once() -> list[Any]:
        backend = InMemoryBackend(start_time=datetime(2024, 1, 1, tzinfo=timezone.utc))
        client = serve(backend, orchestrators=[greet_cities], activities=[say_hello])
        instance_id = client.schedule_new_orchestration(greet_cities, instance_id="same")
        client.wait_for_orchestration_completion(instance_id, timeout=10)
        return backend.get_history(instance_id)

    assert run_once() == run_once()


def test_fan_out_fan_in() -> None:
    def double(ctx: task.ActivityContext, value: int) -> int:
        return value * 2

    def double_all(ctx: task.OrchestrationContext, values: list[int]) -> Orchestration:
        doubled = yield task.when_all([ctx.call_activity(double, input=v) for v in values])
        return sum(doubled)

    client = serve(InMemoryBackend(), orchestrators=[double_all], activities=[double])
    instance_id = client.schedule_new_orchestration(double_all, input=list(range(10)))
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == 90


def test_async_activities_are_awaited() -> None:
    async def fetch(ctx: task.ActivityContext, key: str) -> str:
        await asyncio.sleep(0)
        return key.upper()

    def fetch_one(ctx: task.OrchestrationContext, key: str) -> Orchestration:
        return (yield ctx.call_activity(fetch, input=key))

    client = serve(InMemoryBackend(), orchestrators=[fetch_one], activities=[fetch])
    instance_id = client.schedule_new_orchestration(fetch_one, input="abc")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == "ABC"


def test_custom_status_is_kept_until_the_orchestrator_sets_another() -> None:
    def step(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        ctx.set_custom_status({"stage": "waiting"})
        yield ctx.wait_for_external_event("go")
        # This turn sets nothing: the previous custom status stays.
        yield ctx.wait_for_external_event("finish")
        ctx.set_custom_status({"stage": "done"})
        return None

    client = serve(InMemoryBackend(), orchestrators=[step])
    instance_id = client.schedule_new_orchestration(step)
    client.wait_for_orchestration_start(instance_id)
    state = client.get_orchestration_state(instance_id)
    assert state is not None
    assert state.get_custom_status().stage == "waiting"

    client.raise_orchestration_event(instance_id, "go")
    state = client.get_orchestration_state(instance_id)
    assert state is not None
    assert state.get_custom_status() == {"stage": "waiting"}

    client.raise_orchestration_event(instance_id, "finish")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)
    assert state is not None
    assert state.get_custom_status() == {"stage": "done"}


def test_fetch_payloads_false_leaves_payloads_out() -> None:
    client = serve(InMemoryBackend(), orchestrators=[greet_cities], activities=[say_hello])
    instance_id = client.schedule_new_orchestration(greet_cities, input="ignored")

    state = client.wait_for_orchestration_completion(instance_id, fetch_payloads=False, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED
    assert state.serialized_input is None
    assert state.serialized_output is None
    assert state.serialized_custom_status is None


def test_a_failing_activity_fails_the_orchestration_that_does_not_catch_it() -> None:
    def explode(ctx: task.ActivityContext, _: None) -> None:
        raise ValueError("kaboom")

    def call_explode(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(explode)

    client = serve(InMemoryBackend(), orchestrators=[call_explode], activities=[explode])
    instance_id = client.schedule_new_orchestration(call_explode)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert "kaboom" in state.failure_details.message


def test_an_unregistered_orchestrator_fails_the_instance_naming_it() -> None:
    client = serve(InMemoryBackend(), orchestrators=[greet_cities])
    instance_id = client.schedule_new_orchestration("no_such_orchestrator")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert "no_such_orchestrator" in state.failure_details.message


def test_an_unregistered_activity_fails_the_task_naming_it() -> None:
    def call_missing(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity("no_such_activity")

    client = serve(InMemoryBackend(), orchestrators=[call_missing])
    instance_id = client.schedule_new_orchestration(call_missing)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert "no_such_activity" in state.failure_details.message


def greet_one(ctx: task.OrchestrationContext, city: str) -> Orchestration:
    return (yield ctx.call_activity(say_hello, input=city))


def refuse(ctx: task.OrchestrationContext, _: None) -> None:
    raise PermissionError("not allowed")


def test_a_sub_orchestration_returns_its_output_to_the_parent() -> None:
    def parent(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        greeting = yield ctx.call_sub_orchestrator(greet_one, input="Paris")
        return greeting

    client = serve(InMemoryBackend(), orchestrators=[parent, greet_one], activities=[say_hello])
    instance_id = client.schedule_new_orchestration(parent, instance_id="parent")
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == "Hello Paris!"
    # The child's default instance id is "<parent id>:<task id as 4 hex digits>".
    child = client.get_orchestration_state("parent:0001")
    assert child is not None
    assert child.runtime_status == OrchestrationStatus.COMPLETED


def test_a_failing_sub_orchestration_raises_task_failed_in_the_parent() -> None:
    def parent(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        try:
            yield ctx.call_sub_orchestrator(refuse)
        except task.TaskFailedError as error:
            return f"child failed: {error.details.message}"
        return "child succeeded"

    client = serve(InMemoryBackend(), orchestrators=[parent, refuse])
    instance_id = client.schedule_new_orchestration(parent)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED
    assert state.get_output() == "child failed: not allowed"


def test_send_event_reaches_another_orchestration() -> None:
    def receiver(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        return (yield ctx.wait_for_external_event("greeting"))

    def sender(ctx: task.OrchestrationContext, target: str) -> None:
        ctx.send_event(target, "greeting", data="hi there")

    client = serve(InMemoryBackend(), orchestrators=[receiver, sender])
    receiver_id = client.schedule_new_orchestration(receiver)
    client.schedule_new_orchestration(sender, input=receiver_id)
    state = client.wait_for_orchestration_completion(receiver_id, timeout=10)

    assert state is not None
    assert state.get_output() == "hi there"


def test_an_event_sent_before_the_target_first_runs_is_received() -> None:
    def ping_then_listen(ctx: task.OrchestrationContext, other: str) -> Orchestration:
        ctx.send_event(other, "ping")  # the receiver's sequence id 1, as is the sender's below
        return (yield ctx.wait_for_external_event("greeting"))

    def greeter(ctx: task.OrchestrationContext, target: str) -> None:
        ctx.send_event(target, "greeting", data="hi there")

    backend = InMemoryBackend()
    client = backend.client()
    client.schedule_new_orchestration(greeter, input="receiver")
    client.schedule_new_orchestration(ping_then_listen, input="nobody", instance_id="receiver")
    # With the worker started only now, the greeting reaches the receiver in its very first turn.
    serve(backend, orchestrators=[greeter, ping_then_listen])
    state = client.wait_for_orchestration_completion("receiver", timeout=10)

    assert state is not None
    assert state.get_output() == "hi there"


def test_functions_can_be_split_across_workers() -> None:
    backend = InMemoryBackend()
    serve(backend, orchestrators=[greet_cities])
    client = serve(backend, activities=[say_hello])

    instance_id = client.schedule_new_orchestration(greet_cities)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.runtime_status == OrchestrationStatus.COMPLETED


def test_a_sub_orchestration_id_that_is_taken_fails_the_parent_task() -> None:
    def parent(ctx: task.OrchestrationContext, taken_id: str) -> Orchestration:
        try:
            yield ctx.call_sub_orchestrator(greet_one, input="Oslo", instance_id=taken_id)
        except task.TaskFailedError as error:
            return error.details.message
        return "started"

    client = serve(InMemoryBackend(), orchestrators=[parent, greet_one], activities=[say_hello])
    taken_id = client.schedule_new_orchestration(greet_one, input="Rome")
    instance_id = client.schedule_new_orchestration(parent, input=taken_id)
    state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    assert state is not None
    assert state.get_output() == f"Orchestration instance '{taken_id}' already exists."
