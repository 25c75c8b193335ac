"""assert_deterministic catches orchestrators that branch on what replay cannot reproduce.

Each orchestrator here breaks the rules one way (random numbers, the wall clock, uuid4(), global
state, is_replaying...) and the report must name the action that came out differently.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Generator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import strategies as st

from durabletask import task
from durabletask.testing import assert_deterministic

Orchestration = Generator[task.Task[Any], Any, Any]


def reserve(ctx: task.ActivityContext, order: Any) -> str:
    return "reserved"


def failure_report(orchestrator: Any, **kwargs: Any) -> str:
    """The AssertionError message assert_deterministic raises for ``orchestrator``."""
    with pytest.raises(AssertionError) as caught:
        assert_deterministic(orchestrator, activities=[reserve], **kwargs)
    return str(caught.value)


def headline(report: str) -> str:
    return report.splitlines()[2]


def test_branching_on_random_is_caught_and_the_report_names_both_activities() -> None:
    def pays_at_random(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
        yield ctx.call_activity(reserve, input=order)
        name = "charge" if random.random() < 0.5 else "refund"
        yield ctx.call_activity(name, input=order)

    report = failure_report(pays_at_random)
    assert re.search(
        r"recorded activity '(charge|refund)' \(id 2\) / replayed activity '(charge|refund)' \(id 2\)", report
    )
    assert report.startswith("Orchestrator 'pays_at_random' is not deterministic.")


def test_a_random_input_is_caught_even_though_the_runtime_only_checks_names() -> None:
    def random_amount(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(reserve, input=random.randint(1, 10**12))

    report = failure_report(random_amount)
    assert re.search(
        r"turn 1, action 1: recorded activity 'reserve' \(id 1, input \d+\) "
        r"/ replayed activity 'reserve' \(id 1, input \d+\)",
        headline(report),
    )


def test_a_timer_built_from_the_wall_clock_is_caught() -> None:
    def waits_a_day_of_wall_clock(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(reserve)
        yield ctx.create_timer(datetime.now(timezone.utc) + timedelta(days=1))

    report = failure_report(waits_a_day_of_wall_clock)
    assert re.search(r"action 1: recorded timer \(id 2, fire_at \S+Z\) / replayed timer \(id 2, fire_at \S+Z\)", report)


def test_an_id_from_uuid4_is_caught() -> None:
    def ships_with_a_random_id(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(reserve)
        yield ctx.call_activity("ship", input={"shipment": str(uuid.uuid4())})

    report = failure_report(ships_with_a_random_id, results={"ship": None})
    assert "recorded activity 'ship' (id 2, input {\"shipment\":" in report
    assert "/ replayed activity 'ship' (id 2, input {\"shipment\":" in report


_orders_seen: list[Any] = []


def remembers_orders(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
    _orders_seen.append(order)  # global state that outlives the replay
    if len(_orders_seen) == 1:
        yield ctx.call_activity("charge", input=order)
    else:
        yield ctx.call_activity("refund", input=order)


def test_mutable_global_state_is_caught_even_though_it_never_fails_the_same_way_twice() -> None:
    _orders_seen.clear()
    report = failure_report(remembers_orders, input=7)
    assert "turn 1, action 1: recorded activity 'charge' (id 1) / replayed activity 'refund' (id 1)" in report
    # Later runs see the grown list and always refund: Hypothesis cannot reproduce the failure.
    assert "could not reproduce" in report


def test_branching_on_is_replaying_is_caught_when_a_worker_restarts_after_the_turn() -> None:
    def audits_only_the_first_time(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        if not ctx.is_replaying:
            ctx.call_activity("audit")
        yield ctx.call_activity(reserve)

    report = failure_report(audits_only_the_first_time, results={"audit": None})
    assert "history expects activity 'audit', but the code now issues activity 'reserve'" in headline(report)
    assert "by restarting after turn 1" in report


def test_a_custom_status_from_random_is_caught() -> None:
    def random_status(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        ctx.set_custom_status(random.random())
        yield ctx.call_activity(reserve)

    assert ", custom status: recorded 0." in headline(failure_report(random_status))


def test_non_determinism_in_a_sub_orchestration_is_reported_for_that_instance() -> None:
    def unruly_child(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        yield ctx.call_activity(reserve, input=str(uuid.uuid4()))

    def calm_parent(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        return (yield ctx.call_sub_orchestrator(unruly_child))

    report = failure_report(calm_parent, orchestrators=[unruly_child])
    assert report.startswith("Orchestrator 'calm_parent' is not deterministic.")
    assert "in sub-orchestration 'unruly_child', instance 'determinism-check:0001'" in report


def test_a_problem_on_the_failure_path_is_found_and_shrunk_to_a_plain_interleaving() -> None:
    def compensates_randomly(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        try:
            yield ctx.call_activity(reserve)
        except task.TaskFailedError:
            yield ctx.call_activity("undo", input=random.random())

    report = failure_report(compensates_randomly, results={"undo": None})
    assert "activity 'undo' (id 2, input" in headline(report)
    interleaving = report.split("Interleaving (the smallest Hypothesis found):\n")[1].split("\n\n")[0]
    assert interleaving.splitlines() == [
        "  turn 1: started",
        "  turn 2: activity 'reserve' (id 1) failed (simulated)",
        "  ... 1 more turn(s)",
    ]


def test_a_problem_only_when_the_event_beats_the_timer_is_found() -> None:
    def late_branch(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        approval = ctx.wait_for_external_event("approval")
        timeout = ctx.create_timer(timedelta(hours=1))
        winner = yield task.when_any([approval, timeout])
        if winner == approval:
            yield ctx.call_activity(reserve, input=str(uuid.uuid4()))
        return "done"

    report = failure_report(late_branch, events={"approval": st.booleans()})
    assert "activity 'reserve' (id 2, input" in headline(report)
    assert "event 'approval' raised with" in report


def test_the_report_shows_the_turn_side_by_side() -> None:
    def second_action_differs(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        first = ctx.call_activity(reserve, input=1)
        second = ctx.call_activity("charge" if random.random() < 0.5 else "refund", input=2)
        yield task.when_all([first, second])

    report = failure_report(second_action_differs, results={"charge": 1, "refund": 2})
    table = report.split("recorded vs replayed:\n")[1].split("\n\n")[0].splitlines()
    assert table[0].split() == ["recorded", "replayed"]
    assert table[1].split() == ["1", "activity", "'reserve'", "(id", "1)", "activity", "'reserve'", "(id", "1)"]
    assert table[2].startswith(">  2  activity '")
