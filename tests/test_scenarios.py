"""Orchestration scenarios through the public client and worker, the same body on every backend."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from scenario_hub import Hub

from durabletask import client, task

# --- activities and orchestrators shared by the scenarios ------------------------------------------


def double(ctx: task.ActivityContext, value: int) -> int:
    return value * 2


async def slow_double(ctx: task.ActivityContext, value: int) -> int:
    await asyncio.sleep(0.01)
    return value * 2


def fail_always(ctx: task.ActivityContext, message: str) -> None:
    raise ValueError(message)


_attempts: dict[str, int] = {}
_attempts_lock = threading.Lock()


def flaky(ctx: task.ActivityContext, key: str) -> str:
    """Fails on the first two attempts of each ``key``, then succeeds."""
    with _attempts_lock:
        _attempts[key] = _attempts.get(key, 0) + 1
        attempt = _attempts[key]
    if attempt < 3:
        raise ConnectionError(f"attempt {attempt} failed")
    return f"succeeded on attempt {attempt}"


def child_doubles(ctx: task.OrchestrationContext, value: int) -> Any:
    return (yield ctx.call_activity(double, input=value))


def child_fails(ctx: task.OrchestrationContext, message: str) -> Any:
    yield ctx.call_activity(fail_always, input=message)


def parent_of_children(ctx: task.OrchestrationContext, values: list[int]) -> Any:
    results = yield task.when_all([ctx.call_sub_orchestrator(child_doubles, input=v) for v in values])
    return sum(results)


def parent_of_failing_child(ctx: task.OrchestrationContext, _: Any) -> Any:
    try:
        yield ctx.call_sub_orchestrator(child_fails, input="child broke")
    except task.TaskFailedError as error:
        return f"caught: {error.details.message}"


def waits_for_event(ctx: task.OrchestrationContext, name: str) -> Any:
    value = yield ctx.wait_for_external_event(name)
    return value


def counts_with_continue_as_new(ctx: task.OrchestrationContext, count: int) -> Any:
    if count >= 3:
        return count
    yield ctx.call_activity(double, input=count)
    ctx.continue_as_new(count + 1)


def retries_flaky(ctx: task.OrchestrationContext, key: str) -> Any:
    policy = task.RetryPolicy(first_retry_interval=timedelta(milliseconds=10), max_number_of_attempts=3)
    return (yield ctx.call_activity(flaky, input=key, retry_policy=policy))


def reports_progress(ctx: task.OrchestrationContext, _: Any) -> Any:
    ctx.set_custom_status({"stage": "waiting"})
    yield ctx.wait_for_external_event("go")
    ctx.set_custom_status({"stage": "done"})
    return "finished"


def waits_forever(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield ctx.wait_for_external_event("never")


def parent_waits_on_child(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield ctx.call_sub_orchestrator(waits_forever, instance_id=f"{ctx.instance_id}-child")


def uses_async_activity(ctx: task.OrchestrationContext, value: int) -> Any:
    return (yield ctx.call_activity(slow_double, input=value))


def calls_unregistered_activity(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield ctx.call_activity("no_such_activity")


def yields_a_number(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield 42


@dataclass
class Shipment:
    order_id: str
    weight_kg: float


def weigh(ctx: task.ActivityContext, shipment: Shipment) -> Shipment:
    assert isinstance(shipment, Shipment)
    return Shipment(shipment.order_id, shipment.weight_kg * 2)


def ships(ctx: task.OrchestrationContext, shipment: Shipment) -> Any:
    heavier = yield ctx.call_activity(weigh, input=shipment)
    assert isinstance(heavier, Shipment), "the result comes back as the activity's annotated type"
    return heavier


def wait(hub: Hub, instance_id: str) -> client.OrchestrationState:
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None
    return state


# --- scenarios -----------------------------------------------------------------------------------


def test_sub_orchestrations_run_and_return_to_the_parent(hub: Hub) -> None:
    hub.worker(double, orchestrators=(parent_of_children, child_doubles)).start()
    instance_id = hub.client.schedule_new_orchestration(parent_of_children, input=[1, 2, 3], instance_id=hub.new_id())
    state = wait(hub, instance_id)
    state.raise_if_failed()
    assert state.get_output() == 12


def test_a_failed_sub_orchestration_raises_in_the_parent(hub: Hub) -> None:
    hub.worker(fail_always, orchestrators=(parent_of_failing_child, child_fails)).start()
    instance_id = hub.client.schedule_new_orchestration(parent_of_failing_child, instance_id=hub.new_id())
    output = wait(hub, instance_id).get_output()
    assert output.startswith("caught: ") and "child broke" in output


def test_an_activity_failure_fails_the_orchestration_with_its_details(hub: Hub) -> None:
    hub.worker(fail_always, orchestrators=(child_fails,)).start()
    instance_id = hub.client.schedule_new_orchestration(child_fails, input="disk full", instance_id=hub.new_id())
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    assert state.failure_details is not None
    assert "disk full" in state.failure_details.message
    with pytest.raises(client.OrchestrationFailedError, match="disk full"):
        state.raise_if_failed()


def test_events_raised_before_the_orchestrator_waits_are_not_lost(hub: Hub) -> None:
    hub.worker(orchestrators=(waits_for_event,)).start()
    instance_id = hub.client.schedule_new_orchestration(waits_for_event, input="Ready", instance_id=hub.new_id())
    hub.client.wait_for_orchestration_start(instance_id, timeout=hub.wait_timeout)
    hub.client.raise_orchestration_event(instance_id, "READY", data={"go": True})
    assert wait(hub, instance_id).get_output() == {"go": True}


def test_continue_as_new_restarts_with_the_new_input_until_done(hub: Hub) -> None:
    hub.worker(double, orchestrators=(counts_with_continue_as_new,)).start()
    instance_id = hub.client.schedule_new_orchestration(counts_with_continue_as_new, input=0, instance_id=hub.new_id())
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED
    assert state.get_output() == 3


def test_a_retry_policy_retries_a_flaky_activity_until_it_succeeds(hub: Hub) -> None:
    hub.worker(flaky, orchestrators=(retries_flaky,)).start()
    key = hub.new_id("flaky")
    instance_id = hub.client.schedule_new_orchestration(retries_flaky, input=key, instance_id=hub.new_id())
    assert wait(hub, instance_id).get_output() == "succeeded on attempt 3"


def test_custom_status_is_visible_while_running_and_after(hub: Hub) -> None:
    hub.worker(orchestrators=(reports_progress,)).start()
    instance_id = hub.client.schedule_new_orchestration(reports_progress, instance_id=hub.new_id())
    hub.client.wait_for_orchestration_start(instance_id, timeout=hub.wait_timeout)
    running = _wait_for_custom_status(hub, instance_id)
    assert running.get_custom_status() == {"stage": "waiting"}
    hub.client.raise_orchestration_event(instance_id, "go")
    state = wait(hub, instance_id)
    assert state.get_custom_status() == {"stage": "done"}
    assert state.get_output() == "finished"


def _wait_for_custom_status(hub: Hub, instance_id: str) -> client.OrchestrationState:
    import time

    deadline = time.monotonic() + hub.wait_timeout
    while True:
        state = hub.client.get_orchestration_state(instance_id)
        if state is not None and state.serialized_custom_status is not None:
            return state
        assert time.monotonic() < deadline, "the custom status never appeared"
        time.sleep(0.05)


def test_suspend_holds_events_until_resume(hub: Hub) -> None:
    hub.worker(orchestrators=(waits_for_event,)).start()
    instance_id = hub.client.schedule_new_orchestration(waits_for_event, input="item", instance_id=hub.new_id())
    hub.client.wait_for_orchestration_start(instance_id, timeout=hub.wait_timeout)
    hub.client.suspend_orchestration(instance_id, reason="maintenance")
    _wait_for_status(hub, instance_id, client.OrchestrationStatus.SUSPENDED)
    hub.client.raise_orchestration_event(instance_id, "item", data="held")
    state = hub.client.get_orchestration_state(instance_id)
    assert state is not None and state.runtime_status == client.OrchestrationStatus.SUSPENDED
    hub.client.resume_orchestration(instance_id, reason="done")
    assert wait(hub, instance_id).get_output() == "held"


def _wait_for_status(hub: Hub, instance_id: str, status: client.OrchestrationStatus) -> None:
    import time

    deadline = time.monotonic() + hub.wait_timeout
    while True:
        state = hub.client.get_orchestration_state(instance_id)
        if state is not None and state.runtime_status == status:
            return
        assert time.monotonic() < deadline, f"never reached {status}; last state {state}"
        time.sleep(0.05)


def test_terminate_stops_the_instance_and_its_children(hub: Hub) -> None:
    hub.worker(orchestrators=(parent_waits_on_child, waits_forever)).start()
    instance_id = hub.client.schedule_new_orchestration(parent_waits_on_child, instance_id=hub.new_id())
    child_id = f"{instance_id}-child"
    # The child does not exist until the parent's first turn has run: poll rather than wait on it.
    _wait_for_status(hub, child_id, client.OrchestrationStatus.RUNNING)
    hub.client.terminate_orchestration(instance_id, output="stopped by operator")
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.TERMINATED
    assert state.get_output() == "stopped by operator"
    child = wait(hub, child_id)
    assert child.runtime_status == client.OrchestrationStatus.TERMINATED


def test_purge_removes_a_finished_instance(hub: Hub) -> None:
    hub.worker(double, orchestrators=(child_doubles,)).start()
    instance_id = hub.client.schedule_new_orchestration(child_doubles, input=4, instance_id=hub.new_id())
    assert wait(hub, instance_id).get_output() == 8
    result = hub.client.purge_orchestration(instance_id)
    assert result.deleted_instance_count == 1
    assert hub.client.get_orchestration_state(instance_id) is None


def test_a_duplicate_instance_id_is_refused(hub: Hub) -> None:
    hub.worker(orchestrators=(waits_forever,)).start()
    instance_id = hub.client.schedule_new_orchestration(waits_forever, instance_id=hub.new_id())
    with pytest.raises(client.OrchestrationAlreadyExistsError, match=instance_id):
        hub.client.schedule_new_orchestration(waits_forever, instance_id=instance_id)
    hub.client.terminate_orchestration(instance_id)


def test_async_activities_are_awaited(hub: Hub) -> None:
    hub.worker(slow_double, orchestrators=(uses_async_activity,)).start()
    instance_id = hub.client.schedule_new_orchestration(uses_async_activity, input=21, instance_id=hub.new_id())
    assert wait(hub, instance_id).get_output() == 42


def test_business_objects_round_trip_typed(hub: Hub) -> None:
    hub.worker(weigh, orchestrators=(ships,)).start()
    instance_id = hub.client.schedule_new_orchestration(ships, input=Shipment("o-1", 1.5), instance_id=hub.new_id())
    state = wait(hub, instance_id)
    state.raise_if_failed()
    assert state.get_output(Shipment) == Shipment("o-1", 3.0)
    assert state.get_output().weight_kg == 3.0


# --- bad input -------------------------------------------------------------------------------------


def test_an_unregistered_orchestrator_fails_naming_it(hub: Hub) -> None:
    hub.worker(double).start()
    instance_id = hub.client.schedule_new_orchestration("no_such_orchestrator", instance_id=hub.new_id())
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    assert state.failure_details is not None and "no_such_orchestrator" in state.failure_details.message


def test_an_unregistered_activity_fails_the_instance_naming_it(hub: Hub) -> None:
    hub.worker(orchestrators=(calls_unregistered_activity,)).start()
    instance_id = hub.client.schedule_new_orchestration(calls_unregistered_activity, instance_id=hub.new_id())
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    assert state.failure_details is not None and "no_such_activity" in state.failure_details.message


def test_yielding_a_non_task_fails_with_type_error(hub: Hub) -> None:
    hub.worker(orchestrators=(yields_a_number,)).start()
    instance_id = hub.client.schedule_new_orchestration(yields_a_number, instance_id=hub.new_id())
    state = wait(hub, instance_id)
    assert state.runtime_status == client.OrchestrationStatus.FAILED
    assert state.failure_details is not None and state.failure_details.error_type == "TypeError"


def test_an_input_that_cannot_be_serialized_is_refused_before_anything_is_stored(hub: Hub) -> None:
    instance_id = hub.new_id()
    with pytest.raises(TypeError, match=r"(?i)lock"):
        hub.client.schedule_new_orchestration(child_doubles, input=threading.Lock(), instance_id=instance_id)
    assert hub.client.get_orchestration_state(instance_id) is None
