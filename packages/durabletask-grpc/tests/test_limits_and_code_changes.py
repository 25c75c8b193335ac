"""Payloads over the sidecar's size limit, and orchestrator code that changed under a running instance.

Against each real sidecar: an oversized request is refused with an error naming both sizes, an
oversized activity result or input fails only the orchestration it belongs to, and a v2 worker
that replays a v1 instance with different code fails that instance with a NonDeterminismError
naming the expected and the actual action, while the worker goes on serving everything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from durabletask import client, task
from durabletask.grpc import MessageTooLargeError, TaskHubGrpcClient, TaskHubGrpcWorker
from durabletask.testing.sidecar import Flavor, Sidecar

FLAVORS = ["microsoft", "dapr"]
FIVE_MB = 5 * 1024 * 1024
FOUR_MB = 4 * 1024 * 1024  # both sidecars keep gRPC's default receive limit


def echo(ctx: task.ActivityContext, value: Any) -> Any:
    return value


def huge(ctx: task.ActivityContext, _: Any) -> str:
    return "x" * FIVE_MB


def returns_huge(ctx: task.OrchestrationContext, _: Any) -> Any:
    return (yield ctx.call_activity(huge))


def sends_huge(ctx: task.OrchestrationContext, _: Any) -> Any:
    return (yield ctx.call_activity(echo, input="x" * FIVE_MB))


def small(ctx: task.OrchestrationContext, value: Any) -> Any:
    return (yield ctx.call_activity(echo, input=value))


@pytest.mark.parametrize("flavor", FLAVORS)
def test_oversized_payloads_fail_clearly_and_the_worker_keeps_running(
    flavor: Flavor, sidecar_of: Callable[[Flavor], Sidecar]
) -> None:
    address = sidecar_of(flavor).address
    with TaskHubGrpcWorker(host_address=address) as w, TaskHubGrpcClient(host_address=address) as c:
        for orchestrator in (returns_huge, sends_huge, small):
            w.add_orchestrator(orchestrator)
        w.add_activity(echo)
        w.add_activity(huge)
        w.start()

        with pytest.raises(MessageTooLargeError, match=r"over its limit of 4,194,304 bytes") as refused:
            c.schedule_new_orchestration(small, input="x" * FIVE_MB, instance_id=f"too-big-{flavor}")
        assert refused.value.size is not None and refused.value.size > FIVE_MB
        assert refused.value.limit == FOUR_MB

        for orchestrator in (returns_huge, sends_huge):
            instance_id = c.schedule_new_orchestration(orchestrator)
            state = c.wait_for_orchestration_completion(instance_id, timeout=30)
            assert state is not None and state.runtime_status == client.OrchestrationStatus.FAILED
            assert state.failure_details is not None
            message = state.failure_details.message
            assert "bytes, more than the sidecar accepts" in message and "4194304" in message, message

        instance_id = c.schedule_new_orchestration(small, input="fine")
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)
        assert state is not None and state.get_output() == "fine", "the worker still serves"


def order_v1(ctx: task.OrchestrationContext, _: Any) -> Any:
    first = yield ctx.call_activity(echo, input="reserve")
    ctx.set_custom_status("reserved")
    yield ctx.wait_for_external_event("go")
    return first


def order_v2(ctx: task.OrchestrationContext, _: Any) -> Any:
    first = yield ctx.call_activity(ship, input="reserve")  # this line changed
    ctx.set_custom_status("reserved")
    yield ctx.wait_for_external_event("go")
    return first


def ship(ctx: task.ActivityContext, value: Any) -> Any:
    return value


def unchanged(ctx: task.OrchestrationContext, _: Any) -> Any:
    yield ctx.wait_for_external_event("go")
    return (yield ctx.call_activity(echo, input="unchanged"))


@pytest.mark.parametrize("flavor", FLAVORS)
def test_code_changed_under_a_running_instance_fails_it_naming_expected_and_actual(
    flavor: Flavor, sidecar_of: Callable[[Flavor], Sidecar]
) -> None:
    address = sidecar_of(flavor).address
    with TaskHubGrpcClient(host_address=address) as c:
        with TaskHubGrpcWorker(host_address=address) as v1:
            v1.add_named_orchestrator("order", order_v1)
            v1.add_orchestrator(unchanged)
            v1.add_activity(echo)
            v1.start()
            changed_id = c.schedule_new_orchestration("order")
            unchanged_id = c.schedule_new_orchestration(unchanged)
            _wait_until_reserved(c, changed_id)

        with TaskHubGrpcWorker(host_address=address) as v2:
            v2.add_named_orchestrator("order", order_v2)
            v2.add_orchestrator(unchanged)
            v2.add_activity(echo)
            v2.add_activity(ship)
            v2.start()
            c.raise_orchestration_event(changed_id, "go")
            c.raise_orchestration_event(unchanged_id, "go")
            changed = c.wait_for_orchestration_completion(changed_id, timeout=30)
            other = c.wait_for_orchestration_completion(unchanged_id, timeout=30)

    assert changed is not None and changed.runtime_status == client.OrchestrationStatus.FAILED
    assert changed.failure_details is not None
    assert changed.failure_details.error_type.endswith("NonDeterminismError")
    message = changed.failure_details.message
    assert "activity 'echo'" in message and "activity 'ship'" in message, message
    assert other is not None and other.get_output() == "unchanged", "only the changed instance failed"


def _wait_until_reserved(c: TaskHubGrpcClient, instance_id: str) -> None:
    """Wait until v1 has recorded its activity's result (it sets the custom status right after)."""
    deadline = time.monotonic() + 30
    while True:
        state = c.get_orchestration_state(instance_id)
        if state is not None and state.get_custom_status() == "reserved":
            return
        assert time.monotonic() < deadline, "v1 never ran the activity"
        time.sleep(0.02)
