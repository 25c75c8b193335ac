"""Seed-style orchestrations against a real microsoft/durabletask-go sidecar.

The user code is written exactly as for the original SDK (``from durabletask import client,
task, worker``); one worker serves the whole module.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from durabletask import client, task
from durabletask.grpc import (
    OrchestrationAlreadyExistsError,
    OrchestrationNotFoundError,
    TaskHubGrpcClient,
)
from durabletask.testing.sidecar import Sidecar

# -- user code, as a user of the original SDK writes it ------------------------------------------


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def sequence(ctx: task.OrchestrationContext, _: Any) -> Any:
    result1 = yield ctx.call_activity(hello, input="Tokyo")
    result2 = yield ctx.call_activity(hello, input="Seattle")
    result3 = yield ctx.call_activity(hello, input="London")
    return [result1, result2, result3]


def get_work_items(ctx: task.ActivityContext, count: int) -> list[int]:
    return list(range(count))


def square(ctx: task.ActivityContext, value: int) -> int:
    return value * value


async def slow_square(ctx: task.ActivityContext, value: int) -> int:
    import asyncio

    await asyncio.sleep(0.01)
    return value * value


def fan_out_fan_in(ctx: task.OrchestrationContext, count: int) -> Any:
    items = yield ctx.call_activity(get_work_items, input=count)
    squares = yield task.when_all([ctx.call_activity(square, input=item) for item in items])
    async_squares = yield task.when_all([ctx.call_activity(slow_square, input=item) for item in items])
    return {"sum": sum(squares), "async_sum": sum(async_squares)}


def short_timer(ctx: task.OrchestrationContext, seconds: float) -> Any:
    started = ctx.current_utc_datetime
    yield ctx.create_timer(timedelta(seconds=seconds))
    return (ctx.current_utc_datetime - started).total_seconds()


def approval_workflow(ctx: task.OrchestrationContext, order: Any) -> Any:
    ctx.set_custom_status("Waiting for approval")
    approval_event = ctx.wait_for_external_event("approval_received")
    timeout = ctx.create_timer(timedelta(seconds=30))
    winner = yield task.when_any([approval_event, timeout])
    if winner == timeout:
        return "Cancelled"
    return f"Order {order['id']} approved by {approval_event.get_result().approver}"


def child(ctx: task.OrchestrationContext, value: int) -> Any:
    squared = yield ctx.call_activity(square, input=value)
    return squared + 1


def parent(ctx: task.OrchestrationContext, count: int) -> Any:
    results = yield task.when_all([ctx.call_sub_orchestrator(child, input=i) for i in range(count)])
    return results


def wait_for_ever(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield ctx.wait_for_external_event("never_sent")
    return "unreachable"


def count_events(ctx: task.OrchestrationContext, expected: int) -> Any:
    total = 0
    for _ in range(expected):
        value = yield ctx.wait_for_external_event("add")
        total += value
    return total


class OutOfStockError(Exception):
    pass


def reserve(ctx: task.ActivityContext, item: str) -> str:
    raise OutOfStockError(f"No {item} left")


def buy(ctx: task.OrchestrationContext, item: str) -> Any:
    return (yield ctx.call_activity(reserve, input=item))


def call_missing_activity(ctx: task.OrchestrationContext, _: Any) -> Any:
    try:
        yield ctx.call_activity("no_such_activity", input=1)
    except task.TaskFailedError as error:
        return {"caught": error.details.error_type, "message": error.details.message}
    return "not reached"


def tagged(ctx: task.OrchestrationContext, _: Any) -> Any:
    return (yield ctx.call_activity(hello, input="tags", tags={"team": "orders"}))


def notify_other(ctx: task.OrchestrationContext, target: str) -> Any:
    ctx.send_event(target, "add", data=5)
    return "sent"


def huge(ctx: task.ActivityContext, megabytes: int) -> str:
    return "x" * (megabytes * 1024 * 1024)


def call_huge(ctx: task.OrchestrationContext, megabytes: int) -> Any:
    try:
        yield ctx.call_activity(huge, input=megabytes)
    except task.TaskFailedError as error:
        return error.details.error_type
    return "fitted"


def large_output(ctx: task.OrchestrationContext, kilobytes: int) -> Any:
    greeting = yield ctx.call_activity(hello, input="large")
    return greeting + "y" * (kilobytes * 1024)


ORCHESTRATORS = [
    large_output,
    call_huge,
    sequence,
    fan_out_fan_in,
    short_timer,
    approval_workflow,
    parent,
    child,
    wait_for_ever,
    count_events,
    buy,
    call_missing_activity,
    tagged,
    notify_other,
]
ACTIVITIES = [hello, get_work_items, square, slow_square, reserve, huge]


@pytest.fixture(scope="module")
def hub(sidecar: Sidecar, serve: Callable[..., Any]) -> Iterator[TaskHubGrpcClient]:
    with serve(sidecar.address, ORCHESTRATORS, ACTIVITIES) as (_, c):
        yield c


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def finish(c: TaskHubGrpcClient, instance_id: str, timeout: float = 30) -> client.OrchestrationState:
    state = c.wait_for_orchestration_completion(instance_id, timeout=timeout)
    assert state is not None
    return state


# -- scenarios -------------------------------------------------------------------------------


def test_a_chain_of_activities_returns_their_results_in_order(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(sequence, instance_id=new_id("sequence"))
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED
    assert state.get_output() == ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]
    assert state.name == "sequence"
    assert state.created_at.tzinfo is not None


def test_fan_out_fan_in_over_plain_and_async_activities(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(fan_out_fan_in, input=10)
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
    assert state.get_output() == {"sum": 285, "async_sum": 285}
    assert state.get_input() == 10


def test_a_durable_timer_fires_after_its_delay(hub: TaskHubGrpcClient) -> None:
    started = time.monotonic()
    instance_id = hub.schedule_new_orchestration(short_timer, input=1.0)
    state = finish(hub, instance_id)
    assert state.get_output() >= 1.0
    assert time.monotonic() - started >= 1.0


def test_an_external_event_is_delivered_with_its_data(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(approval_workflow, input={"id": 7})
    started = hub.wait_for_orchestration_start(instance_id, timeout=30)
    assert started is not None
    hub.raise_orchestration_event(instance_id, "approval_received", data={"approver": "Ada"})
    state = finish(hub, instance_id)
    assert state.get_output() == "Order 7 approved by Ada"
    assert state.get_custom_status() == "Waiting for approval"


def test_sub_orchestrations_run_and_return_to_their_parent(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(parent, input=3, instance_id=new_id("parent"))
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
    assert state.get_output() == [1, 2, 5]
    child_state = hub.get_orchestration_state(f"{instance_id}:0001")
    assert child_state is not None and child_state.name == "child"


def test_terminate_ends_a_waiting_orchestration_with_the_given_output(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(wait_for_ever)
    hub.wait_for_orchestration_start(instance_id, timeout=30)
    hub.terminate_orchestration(instance_id, output="stopped by test")
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.TERMINATED
    assert state.get_output() == "stopped by test"


def test_suspended_orchestrations_keep_events_until_resumed(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(count_events, input=2)
    hub.wait_for_orchestration_start(instance_id, timeout=30)
    hub.suspend_orchestration(instance_id, reason="maintenance")
    wait_for_status(hub, instance_id, client.OrchestrationStatus.SUSPENDED)
    hub.raise_orchestration_event(instance_id, "add", data=1)
    hub.raise_orchestration_event(instance_id, "add", data=2)
    with pytest.raises(TimeoutError):
        hub.wait_for_orchestration_completion(instance_id, timeout=1.5)
    hub.resume_orchestration(instance_id, reason="done")
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED
    assert state.get_output() == 3


def test_purge_deletes_a_finished_orchestration(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(sequence)
    finish(hub, instance_id)
    result = hub.purge_orchestration(instance_id)
    assert result.deleted_instance_count == 1
    assert hub.get_orchestration_state(instance_id) is None
    with pytest.raises(OrchestrationNotFoundError):
        hub.purge_orchestration(instance_id)


def test_an_unregistered_orchestrator_fails_the_instance_clearly(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration("no_such_orchestrator")
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert "no_such_orchestrator" in state.failure_details.message


def test_an_unregistered_activity_fails_its_task(hub: TaskHubGrpcClient) -> None:
    state = finish(hub, hub.schedule_new_orchestration(call_missing_activity))
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
    output = state.get_output()
    assert "no_such_activity" in output["message"]


def test_an_activity_exception_carries_type_message_and_stack_trace(hub: TaskHubGrpcClient) -> None:
    state = finish(hub, hub.schedule_new_orchestration(buy, input="umbrellas"))
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    details = state.failure_details
    assert details is not None
    assert details.is_caused_by(OutOfStockError)
    assert "No umbrellas left" in details.message
    failure: Any = details
    stack_traces = []
    while failure is not None:
        stack_traces.append(failure.stack_trace or "")
        failure = failure.inner_failure
    assert any("reserve" in trace for trace in stack_traces)
    with pytest.raises(client.OrchestrationFailedError):
        state.raise_if_failed()


def test_a_duplicate_instance_id_is_refused_with_a_clear_error(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(sequence, instance_id=new_id("dup"))
    with pytest.raises(OrchestrationAlreadyExistsError) as raised:
        hub.schedule_new_orchestration(sequence, instance_id=instance_id)
    assert raised.value.instance_id == instance_id
    finish(hub, instance_id)


def test_tags_are_accepted_where_the_sidecar_ignores_them(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(tagged, tags={"owner": "tests"})
    state = finish(hub, instance_id)
    assert state.get_output() == "Hello tags!"


def test_an_orchestration_can_send_an_event_to_another(hub: TaskHubGrpcClient) -> None:
    target = hub.schedule_new_orchestration(count_events, input=1)
    hub.wait_for_orchestration_start(target, timeout=30)
    finish(hub, hub.schedule_new_orchestration(notify_other, input=target))
    assert finish(hub, target).get_output() == 5


def test_a_result_too_large_for_the_sidecar_fails_the_task_instead_of_looping(hub: TaskHubGrpcClient) -> None:
    state = finish(hub, hub.schedule_new_orchestration(call_huge, input=5))
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
    assert state.get_output().endswith("MessageTooLargeError")


def test_an_output_larger_than_a_flow_control_window_is_delivered(hub: TaskHubGrpcClient) -> None:
    """Sent from its own thread: the worker's reader thread, which ran the turn, cannot wait for window."""
    state = finish(hub, hub.schedule_new_orchestration(large_output, input=300))
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
    assert state.get_output() == "Hello large!" + "y" * 300 * 1024


def test_missing_instances_read_as_none(hub: TaskHubGrpcClient) -> None:
    assert hub.get_orchestration_state("never-scheduled") is None
    assert hub.wait_for_orchestration_completion("never-scheduled", timeout=5) is None


def test_waiting_too_long_raises_timeout_error(hub: TaskHubGrpcClient) -> None:
    instance_id = hub.schedule_new_orchestration(wait_for_ever)
    with pytest.raises(TimeoutError, match=instance_id):
        hub.wait_for_orchestration_completion(instance_id, timeout=0.5)
    hub.terminate_orchestration(instance_id)
    finish(hub, instance_id)


def test_start_at_is_accepted(hub: TaskHubGrpcClient) -> None:
    # microsoft/durabletask-go v0.6.0 records the start time but does not wait for it.
    start_at = datetime.now(timezone.utc) + timedelta(seconds=1)
    instance_id = hub.schedule_new_orchestration(sequence, start_at=start_at)
    state = finish(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED


def wait_for_status(
    c: TaskHubGrpcClient, instance_id: str, status: client.OrchestrationStatus, timeout: float = 15
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = c.get_orchestration_state(instance_id)
        if state is not None and state.runtime_status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"{instance_id} never reached {status}")
