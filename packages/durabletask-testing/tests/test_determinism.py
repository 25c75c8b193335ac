"""assert_deterministic passes orchestrators that follow the rules, whatever the interleaving.

Each test feeds one of the usual orchestration patterns; Hypothesis explores completion orders,
activity failures, events racing timers and restarts at every turn, and none of it may differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from durabletask import task
from durabletask.testing import assert_deterministic
from durabletask.testing.strategies import json_values

Orchestration = Generator[task.Task[Any], Any, Any]


def say_hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


async def count_words(ctx: task.ActivityContext, text: str) -> int:
    await asyncio.sleep(0)
    return len(str(text).split())


def greet_cities(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    greetings = []
    for city in ("Tokyo", "Seattle", "London"):
        greetings.append((yield ctx.call_activity(say_hello, input=city)))
    return greetings


def test_a_chain_of_activities_is_deterministic() -> None:
    assert_deterministic(greet_cities, activities=[say_hello])


def fan_out_fan_in(ctx: task.OrchestrationContext, texts: list[str]) -> Orchestration:
    counts = yield task.when_all([ctx.call_activity(count_words, input=text) for text in texts])
    return sum(counts)


def test_fan_out_fan_in_is_deterministic_whatever_order_the_results_arrive_in() -> None:
    assert_deterministic(
        fan_out_fan_in,
        input=st.lists(st.text(max_size=20), max_size=5),
        activities=[count_words],
    )


def request_approval(ctx: task.ActivityContext, order: Any) -> None:
    return None


def process_order(ctx: task.ActivityContext, approved_by: Any) -> str:
    return f"processed by {approved_by}"


def approval_workflow(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
    yield ctx.call_activity(request_approval, input=order)
    timeout = ctx.create_timer(timedelta(hours=24))
    approval = ctx.wait_for_external_event("approval")
    winner = yield task.when_any([approval, timeout])
    if winner == timeout:
        return "timed out"
    timeout.cancel()
    return (yield ctx.call_activity(process_order, input=approval.get_result()))


def test_human_interaction_with_a_timeout_is_deterministic_when_the_event_races_the_timer() -> None:
    assert_deterministic(
        approval_workflow,
        input={"amount": 250},
        activities=[request_approval, process_order],
        events={"approval": st.sampled_from(["Ada", "Grace"])},
    )


def child(ctx: task.OrchestrationContext, n: int) -> Orchestration:
    doubled = yield ctx.call_activity(double, input=n)
    return doubled + 1


def double(ctx: task.ActivityContext, n: int) -> int:
    return n * 2


def parent(ctx: task.OrchestrationContext, items: list[int]) -> Orchestration:
    results = yield task.when_all([ctx.call_sub_orchestrator(child, input=n) for n in items])
    return sum(results)


def test_sub_orchestrations_are_run_and_checked_too() -> None:
    assert_deterministic(parent, input=[1, 2, 3], orchestrators=[child], activities=[double])


def counter(ctx: task.OrchestrationContext, state: Any) -> Orchestration:
    total = state or 0
    increment = yield ctx.wait_for_external_event("add")
    total += increment
    if total >= 3:
        return total
    ctx.continue_as_new(total, save_events=True)


def test_continue_as_new_with_carried_over_events_is_deterministic() -> None:
    assert_deterministic(counter, events={"add": st.integers(1, 2)})


def flaky(ctx: task.ActivityContext, _: None) -> str:
    return "ok"


def with_retries(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    policy = task.RetryPolicy(first_retry_interval=timedelta(seconds=5), max_number_of_attempts=3)
    try:
        return (yield ctx.call_activity(flaky, retry_policy=policy))
    except task.TaskFailedError:
        return "gave up"


def test_retries_and_their_timers_are_deterministic() -> None:
    assert_deterministic(with_retries, activities=[flaky])


def with_custom_status(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    ctx.set_custom_status({"step": "greeting", "at": ctx.current_utc_datetime.isoformat()})
    first = yield ctx.call_activity(say_hello, input="Tokyo")
    ctx.set_custom_status({"step": "done", "id": ctx.new_uuid()})
    return first


def test_custom_status_from_replay_safe_values_is_deterministic() -> None:
    assert_deterministic(with_custom_status, activities=[say_hello])


def uses_the_replay_safe_clock_and_ids(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    deadline = ctx.current_utc_datetime + timedelta(days=10)  # longer than a timer piece: chained
    ctx.send_event("audit-log", "started", data={"id": ctx.new_uuid()})
    yield ctx.create_timer(deadline)
    logger = ctx.create_replay_safe_logger(__import__("logging").getLogger("test"))
    logger.info("woke up")
    return ctx.new_uuid()


def test_the_replay_safe_clock_new_uuid_long_timers_and_sent_events_are_deterministic() -> None:
    assert_deterministic(uses_the_replay_safe_clock_and_ids)


def echo(ctx: task.OrchestrationContext, value: Any) -> Any:
    return value
    yield  # a generator that never waits


def test_inputs_can_be_drawn_from_a_strategy() -> None:
    assert_deterministic(echo, input=json_values())


def test_unregistered_activities_can_be_given_stand_in_results() -> None:
    def charge_twice(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        first = yield ctx.call_activity("charge", input=1)
        second = yield ctx.call_activity("charge", input=2)
        return [first, second]

    assert_deterministic(charge_twice, results={"charge": st.integers()})


def test_an_orchestrator_failing_with_its_own_exception_is_still_deterministic() -> None:
    def fails(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(say_hello, input="x")
        raise ValueError("out of stock")

    assert_deterministic(fails, activities=[say_hello])


def pings_itself(ctx: task.OrchestrationContext, _: None) -> Orchestration:
    ctx.send_event(ctx.instance_id, "ping", data=1)
    first = yield ctx.wait_for_external_event("ping")
    return first


def test_an_event_an_orchestration_sends_itself_is_delivered_back() -> None:
    assert_deterministic(pings_itself)


def forever(ctx: task.OrchestrationContext, n: int) -> Orchestration:
    while True:
        n = yield ctx.call_activity(double, input=n or 1)
        yield ctx.create_timer(timedelta(minutes=1))


def test_an_eternal_orchestration_is_checked_up_to_max_turns() -> None:
    assert_deterministic(forever, activities=[double], max_turns=10)


def test_sub_orchestrations_can_be_given_stand_in_results_and_hypothesis_settings_can_be_passed() -> None:
    from hypothesis import settings

    assert_deterministic(
        parent,
        input=[1, 2],
        results={"child": st.integers()},
        settings=settings(max_examples=5, deadline=None, database=None, derandomize=True),
    )
