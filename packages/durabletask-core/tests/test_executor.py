"""The replay executor, one rule per test, on histories recorded the way a sidecar records them."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
from executor_harness import START, ReplayFactory, completion, output

from durabletask import history as h
from durabletask import task
from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.client import OrchestrationStatus


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def sequence(ctx: task.OrchestrationContext, _: Any) -> Any:
    result1 = yield ctx.call_activity(hello, input="Tokyo")
    result2 = yield ctx.call_activity(hello, input="Seattle")
    return [result1, result2]


# --- sequence ids ---------------------------------------------------------------------------


def test_a_chain_schedules_one_activity_per_turn_and_completes_with_the_next_id(replay: ReplayFactory) -> None:
    run = replay(sequence, activities=[hello])
    assert run.start() == [ScheduleTaskAction(1, "hello", '"Tokyo"')]
    assert run.complete_task(1, "Hello Tokyo!") == [ScheduleTaskAction(2, "hello", '"Seattle"')]
    actions = run.complete_task(2, "Hello Seattle!")
    assert completion(actions).id == 3
    assert output(actions) == ["Hello Tokyo!", "Hello Seattle!"]


def test_every_scheduling_call_takes_the_next_sequence_id_in_call_order(replay: ReplayFactory) -> None:
    def everything(ctx: task.OrchestrationContext, _: Any) -> Any:
        a = ctx.call_activity("act", input=1)
        t = ctx.create_timer(timedelta(minutes=5))
        s = ctx.call_sub_orchestrator("child")
        ctx.send_event("other", "ping", data={"x": 1})
        yield task.when_all([a, t, s])
        return "done"

    actions = replay(everything).start()
    assert [type(action) for action in actions] == [
        ScheduleTaskAction,
        CreateTimerAction,
        CreateSubOrchestrationAction,
        SendEventAction,
    ]
    assert [action.id for action in actions] == [1, 2, 3, 4]


def test_default_sub_orchestration_id_is_parent_id_and_task_id_in_four_hex_digits(replay: ReplayFactory) -> None:
    def parent(ctx: task.OrchestrationContext, _: Any) -> Any:
        for _i in range(10):
            ctx.send_event("x", "e")
        child = yield ctx.call_sub_orchestrator("child", input=5)
        return child

    actions = replay(parent, instance_id="order-7").start()
    sub = actions[-1]
    assert isinstance(sub, CreateSubOrchestrationAction)
    assert (sub.id, sub.instance_id, sub.input) == (11, "order-7:000b", "5")


# --- non-determinism -------------------------------------------------------------------------


def test_a_changed_activity_name_fails_with_expected_and_actual(replay: ReplayFactory) -> None:
    run = replay(sequence, activities=[hello])
    run.start()
    run.history[2] = h.TaskScheduled(1, START, "charge_card", '"Tokyo"')
    done = completion(run.complete_task(1, "x"))
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert done.failure_details.error_type == "durabletask._internal.failures.NonDeterminismError"
    assert done.failure_details.is_caused_by(task.NonDeterminismError)
    assert "activity 'charge_card'" in done.failure_details.message
    assert "activity 'hello'" in done.failure_details.message


def test_a_changed_action_kind_fails_naming_both(replay: ReplayFactory) -> None:
    def version_two(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.create_timer(timedelta(seconds=1))
        return "v2"

    run = replay(sequence, activities=[hello])
    run.start()
    run2 = replay(version_two)
    run2.name, run2.history = "sequence", run.history
    run2.engine.registry.add_orchestrator(version_two, "sequence")
    done = completion(run2.complete_task(1, "x"))
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    message = done.failure_details.message
    assert "expects activity 'hello'" in message and "now issues a timer" in message


def test_a_removed_action_is_a_non_determinism_error(replay: ReplayFactory) -> None:
    def returns_at_once(ctx: task.OrchestrationContext, _: Any) -> Any:
        return "nothing to do"
        yield  # pragma: no cover - makes this a generator

    run = replay(sequence, activities=[hello])
    run.start()
    run.engine.registry.orchestrators["sequence"] = returns_at_once
    done = completion(run.complete_task(1, "x"))
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert "no longer issues any action" in done.failure_details.message


def test_replaying_a_full_history_from_scratch_gives_the_same_completion(replay: ReplayFactory) -> None:
    run = replay(sequence, activities=[hello])
    run.start()
    run.complete_task(1, "Hello Tokyo!")
    final = run.complete_task(2, "Hello Seattle!")
    history_without_completion = [e for e in run.history if not isinstance(e, h.ExecutionCompleted)]
    run.history = history_without_completion
    assert run.replay_from_scratch() == final


# --- clock, uuids, logging --------------------------------------------------------------------


def test_current_utc_datetime_is_the_orchestrator_started_timestamp(replay: ReplayFactory) -> None:
    seen: list[Any] = []

    def clock(ctx: task.OrchestrationContext, _: Any) -> Any:
        seen.append((ctx.current_utc_datetime, ctx.is_replaying))
        yield ctx.call_activity("a")
        seen.append((ctx.current_utc_datetime, ctx.is_replaying))
        return None

    run = replay(clock)
    run.start()
    run.advance(timedelta(hours=2))
    seen.clear()
    run.complete_task(1)
    assert seen == [(START, True), (START + timedelta(hours=2), False)]


def test_new_uuid_is_uuid5_of_instance_time_and_counter_and_stable_across_replays(replay: ReplayFactory) -> None:
    def ids(ctx: task.OrchestrationContext, _: Any) -> Any:
        first, second = ctx.new_uuid(), ctx.new_uuid()
        yield ctx.call_activity("a")
        return [first, second, ctx.new_uuid()]

    run = replay(ids, instance_id="inst")
    run.start()
    result = output(run.complete_task(1))
    namespace = uuid.uuid5(uuid.NAMESPACE_OID, "9e952958-5e33-4daf-827f-2fa12937b875")
    stamp = START.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert result == [
        str(uuid.uuid5(namespace, f"inst_{stamp}_0")),
        str(uuid.uuid5(namespace, f"inst_{stamp}_1")),
        str(uuid.uuid5(namespace, f"inst_{stamp}_2")),
    ]


def test_replay_safe_logger_is_silent_while_replaying(replay: ReplayFactory, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.replay")

    def chatty(ctx: task.OrchestrationContext, _: Any) -> Any:
        log = ctx.create_replay_safe_logger(logger)
        log.info("step one")
        yield ctx.call_activity("a")
        log.info("step two")
        return None

    run = replay(chatty)
    with caplog.at_level(logging.INFO, logger="test.replay"):
        run.start()
        run.complete_task(1)
    assert [record.getMessage() for record in caplog.records] == ["step one", "step two"]


# --- timers ------------------------------------------------------------------------------------


def test_create_timer_accepts_a_delay_or_an_absolute_time(replay: ReplayFactory) -> None:
    def timers(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.create_timer(timedelta(minutes=10))
        yield ctx.create_timer(ctx.current_utc_datetime + timedelta(seconds=30))
        return "woke"

    run = replay(timers)
    assert run.start() == [CreateTimerAction(1, START + timedelta(minutes=10))]
    run.advance(timedelta(minutes=10))
    actions = run.fire_timer(1)
    assert actions == [CreateTimerAction(2, START + timedelta(minutes=10, seconds=30))]
    assert output(run.fire_timer(2)) == "woke"


def test_a_timer_longer_than_the_maximum_interval_is_chained_in_pieces(replay: ReplayFactory) -> None:
    def long_wait(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.create_timer(timedelta(days=7))
        return "a week later"

    run = replay(long_wait, maximum_timer_interval=timedelta(days=3))
    assert run.start() == [CreateTimerAction(1, START + timedelta(days=3))]
    assert run.fire_timer(1) == [CreateTimerAction(2, START + timedelta(days=6))]
    assert run.fire_timer(2) == [CreateTimerAction(3, START + timedelta(days=7))]
    actions = run.fire_timer(3)
    assert output(actions) == "a week later"
    assert completion(actions).id == 4


# --- retries -------------------------------------------------------------------------------------


def test_a_retried_activity_reuses_its_id_and_each_retry_timer_takes_a_new_one(replay: ReplayFactory) -> None:
    policy = task.RetryPolicy(
        first_retry_interval=timedelta(seconds=10),
        max_number_of_attempts=3,
        backoff_coefficient=2.0,
    )

    def flaky(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.call_activity("flaky", retry_policy=policy))

    run = replay(flaky)
    assert run.start() == [ScheduleTaskAction(1, "flaky")]
    assert run.fail_task(1) == [CreateTimerAction(2, START + timedelta(seconds=10))]
    run.advance(timedelta(seconds=10))
    assert run.fire_timer(2) == [ScheduleTaskAction(1, "flaky")]
    assert run.fail_task(1) == [CreateTimerAction(3, START + timedelta(seconds=30))]
    run.advance(timedelta(seconds=20))
    assert run.fire_timer(3) == [ScheduleTaskAction(1, "flaky")]
    assert output(run.complete_task(1, "finally")) == "finally"


def test_where_the_backend_keeps_one_result_per_id_each_retry_is_a_new_task(replay: ReplayFactory) -> None:
    """Dapr's sidecar drops a second result for a task id, so there every attempt gets its own id."""
    policy = task.RetryPolicy(first_retry_interval=timedelta(seconds=10), max_number_of_attempts=3)

    def flaky(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.call_activity("flaky", retry_policy=policy))

    run = replay(flaky)
    run.retries_take_new_ids = True
    assert run.start() == [ScheduleTaskAction(1, "flaky")]
    assert run.fail_task(1) == [CreateTimerAction(2, START + timedelta(seconds=10))]
    run.advance(timedelta(seconds=10))
    assert run.fire_timer(2) == [ScheduleTaskAction(3, "flaky")]
    assert run.fail_task(3) == [CreateTimerAction(4, START + timedelta(seconds=20))]
    run.advance(timedelta(seconds=10))
    assert run.fire_timer(4) == [ScheduleTaskAction(5, "flaky")]
    assert output(run.complete_task(5, "finally")) == "finally"
    assert completion(run.replay_from_scratch()).id == 6, "the whole history replays without a mismatch"


def test_a_retried_sub_orchestration_with_a_default_id_gets_a_new_child_id_too(replay: ReplayFactory) -> None:
    policy = task.RetryPolicy(first_retry_interval=timedelta(seconds=1), max_number_of_attempts=2)

    def parent(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.call_sub_orchestrator("child", retry_policy=policy))

    run = replay(parent, instance_id="p")
    run.retries_take_new_ids = True
    assert run.start() == [CreateSubOrchestrationAction(1, "child", "p:0001")]
    run.turn(h.SubOrchestrationInstanceFailed(-1, run.now, 1, task.FailureDetails("boom", "ValueError")))
    run.advance(timedelta(seconds=1))
    assert run.fire_timer(2) == [CreateSubOrchestrationAction(3, "child", "p:0003")]


def test_retries_stop_after_max_attempts_and_the_failure_reaches_the_orchestrator(replay: ReplayFactory) -> None:
    policy = task.RetryPolicy(first_retry_interval=timedelta(seconds=1), max_number_of_attempts=2)

    def flaky(ctx: task.OrchestrationContext, _: Any) -> Any:
        try:
            yield ctx.call_activity("flaky", retry_policy=policy)
        except task.TaskFailedError as error:
            return f"gave up: {error.details.message}"

    run = replay(flaky)
    run.start()
    run.fail_task(1, "first")
    run.fire_timer(2)
    assert output(run.fail_task(1, "second")) == "gave up: second"


def test_backoff_is_capped_by_max_retry_interval_and_stops_at_retry_timeout() -> None:
    policy = task.RetryPolicy(
        first_retry_interval=timedelta(seconds=1),
        max_number_of_attempts=10,
        backoff_coefficient=3.0,
        max_retry_interval=timedelta(seconds=5),
        retry_timeout=timedelta(seconds=20),
    )
    delays = [policy.next_delay(n, START, START) for n in (1, 2, 3)]
    assert delays == [timedelta(seconds=1), timedelta(seconds=3), timedelta(seconds=5)]
    assert policy.next_delay(3, START, START + timedelta(seconds=20)) is None
    assert policy.next_delay(10, START, START) is None


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"first_retry_interval": timedelta(seconds=-1), "max_number_of_attempts": 1}, "first_retry_interval"),
        ({"first_retry_interval": timedelta(seconds=1), "max_number_of_attempts": 0}, "max_number_of_attempts"),
        (
            {"first_retry_interval": timedelta(seconds=1), "max_number_of_attempts": 1, "backoff_coefficient": 0.5},
            "backoff_coefficient",
        ),
        (
            {
                "first_retry_interval": timedelta(seconds=1),
                "max_number_of_attempts": 1,
                "max_retry_interval": timedelta(seconds=-1),
            },
            "max_retry_interval",
        ),
        (
            {"first_retry_interval": timedelta(seconds=1), "max_number_of_attempts": 1, "retry_timeout": timedelta(-1)},
            "retry_timeout",
        ),
    ],
)
def test_invalid_retry_policies_are_refused_at_construction(arguments: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        task.RetryPolicy(**arguments)


# --- composition -------------------------------------------------------------------------------


def fan_out(ctx: task.OrchestrationContext, count: int) -> Any:
    results = yield task.when_all([ctx.call_activity("work", input=i) for i in range(count)])
    return results


def test_when_all_returns_results_in_input_order_whatever_the_completion_order(replay: ReplayFactory) -> None:
    run = replay(fan_out, input=3)
    assert len(run.start()) == 3
    assert run.complete_task(3, "c") == []
    assert run.complete_task(1, "a") == []
    assert output(run.complete_task(2, "b")) == ["a", "b", "c"]


def test_when_all_waits_for_every_child_then_fails_with_the_first_failure_to_arrive(replay: ReplayFactory) -> None:
    def catches(ctx: task.OrchestrationContext, _: Any) -> Any:
        try:
            yield task.when_all([ctx.call_activity("work", input=i) for i in range(3)])
        except task.TaskFailedError as error:
            return error.details.message

    run = replay(catches)
    run.start()
    assert run.fail_task(2, "second failed first") == []
    assert run.fail_task(1, "first failed later") == []
    assert output(run.complete_task(3, "ok")) == "second failed first"


def test_when_any_completes_with_the_first_child_even_a_failed_one(replay: ReplayFactory) -> None:
    def race(ctx: task.OrchestrationContext, _: Any) -> Any:
        a = ctx.call_activity("a")
        b = ctx.call_activity("b")
        winner = yield task.when_any([a, b])
        return ["a" if winner == a else "b", winner.is_failed]

    run = replay(race)
    run.start()
    assert output(run.fail_task(2)) == ["b", True]


def test_an_empty_when_all_completes_at_once(replay: ReplayFactory) -> None:
    assert output(replay(fan_out, input=0).start()) == []


# --- external events -----------------------------------------------------------------------------


def test_external_event_names_are_case_insensitive(replay: ReplayFactory) -> None:
    def waits(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.wait_for_external_event("Approval"))

    run = replay(waits)
    assert run.start() == []
    assert output(run.raise_event("APPROVAL", {"ok": True})) == {"ok": True}


def test_events_that_arrive_before_anyone_waits_are_buffered_in_order(replay: ReplayFactory) -> None:
    def waits_later(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.call_activity("slow")
        first = yield ctx.wait_for_external_event("item")
        second = yield ctx.wait_for_external_event("item")
        return [first, second]

    run = replay(waits_later)
    run.start()
    run.raise_event("item", 1)
    run.raise_event("ITEM", 2)
    assert output(run.complete_task(1)) == [1, 2]


def test_a_human_approval_races_a_timer(replay: ReplayFactory) -> None:
    def approval(ctx: task.OrchestrationContext, _: Any) -> Any:
        event = ctx.wait_for_external_event("approval_received")
        timeout = ctx.create_timer(timedelta(hours=24))
        winner = yield task.when_any([event, timeout])
        if winner == timeout:
            return "Canceled"
        return f"Approved by '{event.get_result().approver}'"

    run = replay(approval)
    run.start()
    assert output(run.raise_event("approval_received", {"approver": "Ada"})) == "Approved by 'Ada'"
    late = replay(approval)
    late.start()
    late.advance(timedelta(hours=24))
    assert output(late.fire_timer(1)) == "Canceled"


def test_an_event_sent_by_another_orchestration_is_received_like_a_raised_event(replay: ReplayFactory) -> None:
    def receiver(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.wait_for_external_event("hello"))

    run = replay(receiver, instance_id="target")
    run.start()
    assert output(run.turn(h.EventSent(-1, START, "target", "Hello", '"hi"'))) == "hi"


# --- lifecycle -----------------------------------------------------------------------------------


def test_continue_as_new_completes_with_the_new_input_and_carries_unconsumed_events(replay: ReplayFactory) -> None:
    def counter(ctx: task.OrchestrationContext, count: int) -> Any:
        yield ctx.call_activity("tick")
        ctx.continue_as_new(count + 1, save_events=True)

    run = replay(counter, input=1)
    run.start()
    run.raise_event("Extra", "kept")
    actions = run.complete_task(1)
    assert len(actions) == 1
    done = completion(actions)
    assert done.status is OrchestrationStatus.CONTINUED_AS_NEW
    assert done.result == "2"
    assert [(e.name, e.input) for e in done.carryover_events if isinstance(e, h.EventRaised)] == [("Extra", '"kept"')]


def test_suspended_orchestrations_hold_events_until_resumed(replay: ReplayFactory) -> None:
    def waits(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.wait_for_external_event("go"))

    run = replay(waits)
    run.start()
    assert run.turn(h.ExecutionSuspended(-1, START), h.EventRaised(-1, START, "go", '"now"')) == []
    assert output(run.turn(h.ExecutionResumed(-1, START))) == "now"


def test_terminate_completes_as_terminated_with_the_given_output_and_nothing_else(replay: ReplayFactory) -> None:
    run = replay(fan_out, input=2)
    run.start()
    actions = run.turn(h.ExecutionTerminated(-1, START, '"stopped by admin"'))
    assert actions == [CompleteOrchestrationAction(3, OrchestrationStatus.TERMINATED, '"stopped by admin"')]


def test_custom_status_is_reported_every_turn(replay: ReplayFactory) -> None:
    def reports(ctx: task.OrchestrationContext, _: Any) -> Any:
        ctx.set_custom_status({"stage": "charging"})
        yield ctx.call_activity("charge")
        ctx.set_custom_status({"stage": "shipping"})
        yield ctx.call_activity("ship")

    run = replay(reports)
    run.start()
    assert json.loads(run.custom_status or "") == {"stage": "charging"}
    run.complete_task(1)
    assert json.loads(run.custom_status or "") == {"stage": "shipping"}


def test_an_orchestrator_that_returns_a_plain_value_completes_at_once(replay: ReplayFactory) -> None:
    def plain(ctx: task.OrchestrationContext, name: str) -> str:
        return f"hi {name}"

    assert output(replay(plain, input="Bo").start()) == "hi Bo"


# --- failures --------------------------------------------------------------------------------------


def test_an_exception_fails_the_orchestration_with_type_message_and_stack(replay: ReplayFactory) -> None:
    def broken(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.call_activity("a")
        raise KeyError("missing-sku")

    run = replay(broken)
    run.start()
    done = completion(run.complete_task(1))
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert done.failure_details.error_type == "KeyError"
    assert "missing-sku" in done.failure_details.message
    assert "raise KeyError" in (done.failure_details.stack_trace or "")


def test_an_activity_failure_is_raised_into_the_orchestrator_as_task_failed_error(replay: ReplayFactory) -> None:
    def handles(ctx: task.OrchestrationContext, _: Any) -> Any:
        try:
            yield ctx.call_activity("charge")
        except task.TaskFailedError as error:
            return [str(error), error.details.error_type]

    run = replay(handles)
    run.start()
    assert output(run.fail_task(1, "card declined", "PaymentError")) == [
        "activity 'charge' failed: card declined",
        "PaymentError",
    ]


def test_yielding_something_that_is_not_a_task_fails_with_type_error(replay: ReplayFactory) -> None:
    def wrong(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield 42

    done = completion(replay(wrong).start())
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert done.failure_details.error_type == "TypeError"
    assert "int" in done.failure_details.message


def test_an_unregistered_orchestrator_fails_naming_it(replay: ReplayFactory) -> None:
    run = replay(sequence)
    run.name = "does_not_exist"
    done = completion(run.start())
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert "does_not_exist" in done.failure_details.message


def test_an_output_that_cannot_be_serialized_fails_naming_the_type(replay: ReplayFactory) -> None:
    class Socket:
        __slots__ = ()

    def returns_socket(ctx: task.OrchestrationContext, _: Any) -> Any:
        return Socket()

    done = completion(replay(returns_socket).start())
    assert done.status is OrchestrationStatus.FAILED
    assert done.failure_details is not None
    assert "Socket" in done.failure_details.message


def test_an_async_orchestrator_is_refused_with_a_clear_message(replay: ReplayFactory) -> None:
    async def not_a_generator(ctx: task.OrchestrationContext, _: Any) -> Any:
        return 1

    done = completion(replay(not_a_generator).start())
    assert done.failure_details is not None
    assert "generator" in done.failure_details.message


def test_a_completion_for_an_unknown_task_is_logged_and_ignored(
    replay: ReplayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    run = replay(sequence, activities=[hello])
    run.start()
    with caplog.at_level(logging.WARNING):
        assert run.complete_task(99, "stray") == []
    assert output(run.complete_task(1, "a") and run.complete_task(2, "b")) == ["a", "b"]
    assert "task id 99" in caplog.text
