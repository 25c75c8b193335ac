"""The public strategies: JSON payloads, and histories a backend would really record."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from durabletask import history as h
from durabletask import task
from durabletask.client import OrchestrationStatus
from durabletask.serialization import JsonDataConverter
from durabletask.testing import replay, strategies

Orchestration = Generator[task.Task[Any], Any, Any]
converter = JsonDataConverter()


@given(strategies.json_values())
def test_json_values_survive_the_default_data_converter(value: Any) -> None:
    assert converter.deserialize(converter.serialize(value)) == value


@given(strategies.timestamps())
def test_timestamps_are_aware_and_utc(moment: Any) -> None:
    assert moment.utcoffset() == timedelta(0)


def notify(ctx: task.ActivityContext, who: str) -> str:
    return f"notified {who}"


def approval(ctx: task.OrchestrationContext, who: str) -> Orchestration:
    yield ctx.call_activity(notify, input=who)
    decision = ctx.wait_for_external_event("decision")
    timeout = ctx.create_timer(timedelta(hours=1))
    winner = yield task.when_any([decision, timeout])
    return "timed out" if winner == timeout else decision.get_result()


approval_histories = strategies.histories(
    approval, input=st.sampled_from(["Ada", "Grace"]), activities=[notify], events={"decision": st.booleans()}
)


@given(approval_histories)
@settings(deadline=None)
def test_generated_histories_are_valid_recorded_histories_that_replay(history: list[h.HistoryEvent]) -> None:
    assert isinstance(history[0], h.OrchestratorStarted)
    assert isinstance(history[1], h.ExecutionStarted)
    assert history[1].name == "approval"
    replay(approval, history, strict=True)


@given(strategies.histories(approval, input="Ada", activities=[notify], events={"decision": True}, finished=True))
@settings(deadline=None)
def test_finished_histories_end_with_the_completion(history: list[h.HistoryEvent]) -> None:
    last = history[-1]
    assert isinstance(last, h.ExecutionCompleted)
    assert replay(approval, history).status is last.status


def test_histories_explore_both_sides_of_a_race_and_activity_failures() -> None:
    outcomes: set[Any] = set()

    @given(strategies.histories(approval, input="Ada", activities=[notify], events={"decision": True}, finished=True))
    @settings(max_examples=60, deadline=None, database=None)
    def collect(history: list[h.HistoryEvent]) -> None:
        result = replay(approval, history)
        if result.status is OrchestrationStatus.COMPLETED:
            outcomes.add(result.get_output())
        else:
            outcomes.add(result.status)

    collect()
    assert outcomes == {True, "timed out", OrchestrationStatus.FAILED}
