"""Histories go to JSON and back unchanged, and replay() checks them against today's code."""

from __future__ import annotations

import json
import typing
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from durabletask import history as h
from durabletask import task
from durabletask.actions import ScheduleTaskAction
from durabletask.client import OrchestrationStatus
from durabletask.task import FailureDetails, NonDeterminismError
from durabletask.testing import InMemoryBackend, history_from_json, history_to_json, replay
from durabletask.testing.strategies import history_events

Orchestration = Generator[task.Task[Any], Any, Any]

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)

# --- JSON ---------------------------------------------------------------------------------------


@given(st.lists(history_events(), max_size=8))
@settings(max_examples=200, deadline=None)
def test_every_event_kind_goes_to_json_and_back_unchanged(events: list[h.HistoryEvent]) -> None:
    assert history_from_json(history_to_json(events)) == events


def test_the_format_is_an_object_naming_itself_with_every_field_written_by_name() -> None:
    failure = FailureDetails("boom", "ValueError", None, FailureDetails("disk", "OSError"), True)
    events: list[h.HistoryEvent] = [
        h.OrchestratorStarted(-1, T0),
        h.ExecutionStarted(-1, T0, "greet", "abc", '"Tokyo"', parent=h.ParentInstance("p", "p-1", 3)),
        h.TaskFailed(-1, T0 + timedelta(microseconds=5), 1, failure),
        h.ExecutionCompleted(2, T0, OrchestrationStatus.FAILED, None, failure),
    ]
    document = json.loads(history_to_json(events))
    assert document["format"] == "durabletask-history"
    assert document["version"] == 1
    assert document["events"][0] == {
        "type": "OrchestratorStarted",
        "event_id": -1,
        "timestamp": "2024-05-01T12:00:00.000000Z",
    }
    assert document["events"][1] == {
        "type": "ExecutionStarted",
        "event_id": -1,
        "timestamp": "2024-05-01T12:00:00.000000Z",
        "name": "greet",
        "instance_id": "abc",
        "input": '"Tokyo"',
        "execution_id": None,
        "version": None,
        "parent": {"name": "p", "instance_id": "p-1", "task_scheduled_id": 3},
        "scheduled_start_time": None,
        "tags": {},
    }
    assert document["events"][2]["timestamp"] == "2024-05-01T12:00:00.000005Z"
    assert document["events"][2]["failure_details"] == {
        "message": "boom",
        "error_type": "ValueError",
        "stack_trace": None,
        "inner_failure": {
            "message": "disk",
            "error_type": "OSError",
            "stack_trace": None,
            "inner_failure": None,
            "is_non_retriable": False,
        },
        "is_non_retriable": True,
    }
    assert document["events"][3]["status"] == "FAILED"


def test_the_same_history_always_gives_the_same_text() -> None:
    events: list[h.HistoryEvent] = [h.OrchestratorStarted(-1, T0), h.TaskCompleted(-1, T0, 1, '{"b":1,"a":2}')]
    assert history_to_json(events) == history_to_json(list(events))
    assert "\n" not in history_to_json(events, indent=None)


def test_times_with_any_offset_or_none_are_read_as_utc() -> None:
    def at(timestamp: str) -> datetime:
        text = json.dumps(
            {
                "format": "durabletask-history",
                "version": 1,
                "events": [{"type": "OrchestratorStarted", "event_id": -1, "timestamp": timestamp}],
            }
        )
        return history_from_json(text)[0].timestamp

    assert at("2024-05-01T14:00:00+02:00") == T0
    assert at("2024-05-01T12:00:00") == T0
    assert at("2024-05-01T12:00:00Z").tzinfo is timezone.utc


def test_unknown_event_types_and_fields_are_kept_as_unknown_events_and_ignored() -> None:
    text = json.dumps(
        {
            "format": "durabletask-history",
            "version": 1,
            "events": [
                {"type": "HistoryStateEvent", "event_id": 4, "timestamp": "2024-05-01T12:00:00Z", "state": {}},
                {
                    "type": "TimerFired",
                    "event_id": -1,
                    "timestamp": "2024-05-01T12:00:00Z",
                    "timer_id": 2,
                    "fire_at": "2024-05-01T12:00:00Z",
                    "added_in_v2": True,
                },
            ],
        }
    )
    assert history_from_json(text) == [h.UnknownEvent(4, T0, "HistoryStateEvent"), h.TimerFired(-1, T0, T0, 2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "must be JSON text"),
        ("[]", 'with "format": "durabletask-history"'),
        ('{"format": "durabletask-history", "version": 2, "events": []}', "Unsupported history format version 2"),
        ('{"format": "durabletask-history", "version": 1}', 'needs an "events" list'),
        (
            '{"format": "durabletask-history", "version": 1, "events": [{"type": "TaskCompleted", "event_id": -1,'
            ' "timestamp": "2024-05-01T12:00:00Z"}]}',
            "History event 0 (TaskCompleted): field 'task_scheduled_id' is missing.",
        ),
        (
            '{"format": "durabletask-history", "version": 1, "events": [{"type": "OrchestratorStarted",'
            ' "event_id": "7", "timestamp": "2024-05-01T12:00:00Z"}]}',
            "History event 0 (OrchestratorStarted): field 'event_id': expected an integer, got \"7\".",
        ),
        (
            '{"format": "durabletask-history", "version": 1, "events": [{"type": "OrchestratorStarted",'
            ' "event_id": 1, "timestamp": "yesterday"}]}',
            "field 'timestamp': expected an ISO 8601 time",
        ),
        (
            '{"format": "durabletask-history", "version": 1, "events": [{"type": "ExecutionCompleted",'
            ' "event_id": 1, "timestamp": "2024-05-01T12:00:00Z", "status": "DONE"}]}',
            "field 'status': expected one of RUNNING, COMPLETED",
        ),
    ],
)
def test_malformed_histories_are_refused_with_a_message_naming_the_event_and_field(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        history_from_json(text)


@pytest.mark.parametrize("kind", typing.get_args(h.HistoryEvent), ids=lambda kind: kind.__name__)
def test_the_event_strategy_draws_every_kind_of_history_event(kind: type) -> None:
    quick = settings(database=None, max_examples=5000, phases=[Phase.generate])  # the first match will do
    event = find(history_events(), lambda event: type(event) is kind, settings=quick)
    assert history_from_json(history_to_json([event])) == [event]


# --- replay -------------------------------------------------------------------------------------


def say_hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


@dataclass
class Approval:
    approver: str


def approval_flow(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
    ctx.set_custom_status("waiting")
    greeting = yield ctx.call_activity(say_hello, input=order["customer"])
    timeout = ctx.create_timer(timedelta(hours=1))
    approval = ctx.wait_for_external_event("approval")
    winner = yield task.when_any([approval, timeout])
    if winner == timeout:
        return {"greeting": greeting, "approved_by": None}
    child = yield ctx.call_sub_orchestrator(stamp, input=approval.get_result()["approver"])
    ctx.set_custom_status("done")
    return {"greeting": greeting, "approved_by": child}


def stamp(ctx: task.OrchestrationContext, name: str) -> Orchestration:
    ctx.send_event(ctx.parent_instance_id or "", "stamped", data=name)
    return (yield ctx.call_activity(say_hello, input=name))


def recorded_history(*, approve: bool) -> list[h.HistoryEvent]:
    """Run approval_flow on the in-memory backend and export its history."""
    backend = InMemoryBackend(start_time=T0)
    with backend.worker() as worker:
        worker.add_orchestrator(approval_flow)
        worker.add_orchestrator(stamp)
        worker.add_activity(say_hello)
        worker.start()
        client = backend.client()
        instance_id = client.schedule_new_orchestration(approval_flow, input={"customer": "Ada"}, instance_id="order-1")
        if approve:
            client.raise_orchestration_event(instance_id, "approval", data=Approval("Grace"))
        state = client.wait_for_orchestration_completion(instance_id, timeout=10)
        assert state is not None and state.runtime_status is OrchestrationStatus.COMPLETED
        return backend.get_history(instance_id)


@pytest.mark.parametrize("approve", [True, False])
def test_a_history_exported_from_the_in_memory_backend_replays_through_json(approve: bool) -> None:
    history = history_from_json(history_to_json(recorded_history(approve=approve)))

    result = replay(approval_flow, history)

    assert result.status is OrchestrationStatus.COMPLETED
    approved_by = "Hello Grace!" if approve else None
    assert result.get_output() == {"greeting": "Hello Ada!", "approved_by": approved_by}
    assert result.get_custom_status() == ("done" if approve else "waiting")
    first = result.actions[0]
    assert isinstance(first, ScheduleTaskAction)
    assert (first.id, first.name, first.input) == (1, "say_hello", '"Ada"')
    assert result.turns >= 3


def test_replay_names_the_first_action_the_new_code_issues_differently() -> None:
    history = recorded_history(approve=True)

    def approval_flow_v2(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
        greeting = yield ctx.call_activity(say_hello, input=order["customer"])
        yield ctx.call_activity("notify", input=greeting)  # new step where the timer used to be
        return greeting

    with pytest.raises(NonDeterminismError) as caught:
        replay(approval_flow_v2, history)
    message = str(caught.value)
    assert message.splitlines()[0] == (
        "Orchestrator 'approval_flow' (instance 'order-1') does not match its history: "
        "turn 2, action 1: recorded timer (id 2) / replayed activity 'notify' (id 2)."
    )
    assert "recorded vs replayed" in message


def test_by_default_only_what_the_runtime_checks_must_match_and_strict_compares_payloads_too() -> None:
    history = recorded_history(approve=False)

    def greets_in_capitals(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
        ctx.set_custom_status("waiting")
        greeting = yield ctx.call_activity(say_hello, input=order["customer"].upper())
        yield ctx.create_timer(timedelta(hours=1))
        return {"greeting": greeting, "approved_by": None}

    assert replay(greets_in_capitals, history).get_output() == {"greeting": "Hello Ada!", "approved_by": None}
    with pytest.raises(
        NonDeterminismError,
        match=r"turn 1, action 1: recorded activity 'say_hello' \(id 1, input \"Ada\"\) "
        r"/ replayed activity 'say_hello' \(id 1, input \"ADA\"\)",
    ):
        replay(greets_in_capitals, history, strict=True)
    assert replay(approval_flow, history, strict=True).status is OrchestrationStatus.COMPLETED


def test_a_renamed_function_replays_under_the_name_recorded_in_the_history() -> None:
    def approval_flow_renamed(ctx: task.OrchestrationContext, order: Any) -> Orchestration:
        return (yield from approval_flow(ctx, order))

    history = recorded_history(approve=True)
    assert replay(approval_flow_renamed, history).status is OrchestrationStatus.COMPLETED
    with pytest.raises(
        NonDeterminismError,
        match="failed the orchestration with OrchestratorNotRegisteredError: No orchestrator named 'approval_flow'",
    ):
        replay(approval_flow_renamed, history, name="approval_flow_renamed")


def test_a_history_still_running_replays_as_running() -> None:
    backend = InMemoryBackend(start_time=T0, auto_advance_time=False)
    with backend.worker() as worker:
        worker.add_orchestrator(approval_flow)
        worker.add_orchestrator(stamp)
        worker.add_activity(say_hello)
        worker.start()
        instance_id = backend.client().schedule_new_orchestration(approval_flow, input={"customer": "Ada"})
        backend.advance_time(timedelta(minutes=1))
        history = backend.get_history(instance_id)

    result = replay(approval_flow, history)

    assert result.status is OrchestrationStatus.RUNNING
    assert result.get_output() is None
    assert result.get_custom_status() == "waiting"


def test_a_sub_orchestration_history_with_a_sent_event_replays() -> None:
    backend = InMemoryBackend(start_time=T0)
    with backend.worker() as worker:
        worker.add_orchestrator(approval_flow)
        worker.add_orchestrator(stamp)
        worker.add_activity(say_hello)
        worker.start()
        client = backend.client()
        client.schedule_new_orchestration(approval_flow, input={"customer": "Ada"}, instance_id="order-1")
        client.raise_orchestration_event("order-1", "approval", data={"approver": "Grace"})
        client.wait_for_orchestration_completion("order-1", timeout=10)
        child_history = backend.get_history("order-1:0003")

    assert any(isinstance(event, h.EventSent) for event in child_history)
    assert replay(stamp, child_history).get_output() == "Hello Grace!"


def test_a_continued_as_new_execution_replays_on_its_own() -> None:
    def countdown(ctx: task.OrchestrationContext, n: int) -> Orchestration:
        yield ctx.create_timer(timedelta(seconds=1))
        if n > 0:
            ctx.continue_as_new(n - 1)
            return None
        return "liftoff"

    backend = InMemoryBackend(start_time=T0)
    with backend.worker() as worker:
        worker.add_orchestrator(countdown)
        worker.start()
        client = backend.client()
        instance_id = client.schedule_new_orchestration(countdown, input=2)
        client.wait_for_orchestration_completion(instance_id, timeout=10)
        history = backend.get_history(instance_id)

    assert replay(countdown, history).get_output() == "liftoff"


def test_replay_needs_the_execution_started_event() -> None:
    with pytest.raises(ValueError, match="ExecutionStarted"):
        replay(approval_flow, [h.OrchestratorStarted(-1, T0)])


def test_a_history_with_an_event_sent_to_itself_replays() -> None:
    def pings_itself(ctx: task.OrchestrationContext, _: None) -> Orchestration:
        ctx.send_event(ctx.instance_id, "ping", data=1)
        return (yield ctx.wait_for_external_event("ping"))

    backend = InMemoryBackend(start_time=T0)
    with backend.worker() as worker:
        worker.add_orchestrator(pings_itself)
        worker.start()
        client = backend.client()
        instance_id = client.schedule_new_orchestration(pings_itself)
        client.wait_for_orchestration_completion(instance_id, timeout=10)
        history = backend.get_history(instance_id)

    assert sum(isinstance(event, h.EventSent) for event in history) == 2  # the send, and its delivery
    assert replay(pings_itself, history, strict=True).get_output() == 1
