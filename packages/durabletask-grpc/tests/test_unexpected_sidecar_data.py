"""Data a sidecar should not send, sent anyway: the worker logs it, answers, and keeps serving.

A scripted sidecar (``fake_sidecar.py``) streams work items no real sidecar sends on demand:
event kinds this SDK does not know, a completion for a task nobody scheduled, a turn with no
events at all, a work item of no known kind. After each, an ordinary turn still gets its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from fake_sidecar import FakeSidecar

from durabletask import history as h
from durabletask import task
from durabletask.grpc import TaskHubGrpcWorker
from durabletask.grpc._events import event_to_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
# Field 31 (a kind Dapr's sidecar adds), wire type 2, empty: tag (31 << 3 | 2) = 250 as a varint.
UNKNOWN_KIND_BYTES = b"\xfa\x01\x00"


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def greet(ctx: task.OrchestrationContext, name: str) -> Any:
    return (yield ctx.call_activity(hello, input=name))


def started(instance_id: str) -> list[pb.HistoryEvent]:
    return [
        event_to_proto(h.OrchestratorStarted(-1, T0)),
        event_to_proto(h.ExecutionStarted(-1, T0, "greet", instance_id, '"Ada"')),
    ]


def unknown_kind() -> pb.HistoryEvent:
    return pb.HistoryEvent.FromString(pb.HistoryEvent(event_id=-1).SerializeToString() + UNKNOWN_KIND_BYTES)


def turn(instance_id: str, past: list[pb.HistoryEvent], new: list[pb.HistoryEvent]) -> pb.WorkItem:
    request = pb.OrchestratorRequest(instance_id=instance_id, past_events=past, new_events=new)
    return pb.WorkItem(orchestrator_request=request, completion_token=f"token-{instance_id}")


@pytest.fixture
def fake() -> Iterator[FakeSidecar]:
    with FakeSidecar() as sidecar, TaskHubGrpcWorker(host_address=sidecar.address) as w:
        w.add_orchestrator(greet)
        w.add_activity(hello)
        w.start()
        assert w.wait_until_connected(5)
        yield sidecar


def answer(fake: FakeSidecar) -> pb.OrchestratorResponse:
    return fake.orchestrator_responses.get(timeout=10)


def still_serving(fake: FakeSidecar) -> None:
    fake.work_items.put(turn("ordinary", [], started("ordinary")))
    response = answer(fake)
    assert response.instance_id == "ordinary"
    assert [action.schedule_task.name for action in response.actions] == ["hello"]


def test_unknown_event_kinds_are_skipped(fake: FakeSidecar) -> None:
    fake.work_items.put(turn("i1", [], [*started("i1"), unknown_kind()]))
    response = answer(fake)
    assert response.completion_token == "token-i1"
    assert [action.schedule_task.name for action in response.actions] == ["hello"]
    still_serving(fake)


def test_a_completion_for_a_task_nobody_scheduled_is_logged_and_ignored(
    fake: FakeSidecar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    past = [*started("i2"), event_to_proto(h.TaskScheduled(1, T0, "hello", '"Ada"'))]
    stray = event_to_proto(h.TaskCompleted(-1, T0, 99, '"stray"'))
    fake.work_items.put(turn("i2", past, [event_to_proto(h.OrchestratorStarted(-1, T0)), stray]))
    response = answer(fake)
    assert response.instance_id == "i2"
    assert not [action for action in response.actions if action.HasField("complete_orchestration")]
    assert "task id 99" in caplog.text
    still_serving(fake)


def test_a_turn_with_no_events_gets_an_answer(fake: FakeSidecar) -> None:
    fake.work_items.put(turn("i3", [], []))
    response = answer(fake)
    assert response.instance_id == "i3" and response.completion_token == "token-i3"
    assert list(response.actions) == [], "nothing to do, and nothing invented"
    still_serving(fake)


def test_a_turn_with_history_but_no_new_events_replays_without_acting_twice(fake: FakeSidecar) -> None:
    past = [*started("i4"), event_to_proto(h.TaskScheduled(1, T0, "hello", '"Ada"'))]
    fake.work_items.put(turn("i4", past, []))
    response = answer(fake)
    assert response.instance_id == "i4"
    assert list(response.actions) == [], "the activity already scheduled is not scheduled again"
    still_serving(fake)


def test_a_work_item_of_no_known_kind_is_skipped(fake: FakeSidecar) -> None:
    fake.work_items.put(pb.WorkItem(completion_token="mystery"))
    still_serving(fake)
