"""Protobuf messages <-> core types: every event and action survives a round trip, and what
other sidecars add (unknown event kinds, extra fields, empty payloads) is tolerated."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from durabletask import actions as a
from durabletask import history as h
from durabletask.client import OrchestrationStatus
from durabletask.engine import ActivityResult, OrchestratorResult
from durabletask.grpc import _client_messages as messages
from durabletask.grpc._actions import action_from_proto, action_to_proto
from durabletask.grpc._events import event_from_proto, event_to_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._values import read_status, read_timestamp, write_timestamp
from durabletask.grpc._work_items import (
    activity_item_from_proto,
    activity_response,
    orchestrator_failure_response,
    orchestrator_item_from_proto,
    orchestrator_response,
)
from durabletask.serialization import JsonDataConverter
from durabletask.task import FailureDetails

T0 = datetime(2024, 5, 17, 8, 30, 15, 123456, tzinfo=timezone.utc)
FAILURE = FailureDetails(
    message="outer",
    error_type="myapp.OutOfStock",
    stack_trace="Traceback ...",
    inner_failure=FailureDetails(message="inner", error_type="ValueError"),
    is_non_retriable=True,
)

EVENTS: list[h.HistoryEvent] = [
    h.ExecutionStarted(
        -1,
        T0,
        name="orders",
        instance_id="abc",
        input='{"id":1}',
        execution_id="exec-1",
        version="2",
        parent=h.ParentInstance(name="parent", instance_id="p-1", task_scheduled_id=4),
        scheduled_start_time=T0 + timedelta(minutes=5),
        tags={"team": "orders"},
    ),
    h.ExecutionStarted(-1, T0, name="bare", instance_id="x"),
    h.ExecutionCompleted(7, T0, status=OrchestrationStatus.FAILED, failure_details=FAILURE),
    h.ExecutionCompleted(7, T0, status=OrchestrationStatus.COMPLETED, result="42"),
    h.ExecutionTerminated(-1, T0, input='"bye"', recurse=True),
    h.ExecutionSuspended(-1, T0, input='"why"'),
    h.ExecutionSuspended(-1, T0),
    h.ExecutionResumed(-1, T0, input='"ok"'),
    h.TaskScheduled(1, T0, name="hello", input='"Tokyo"', version="1"),
    h.TaskCompleted(-1, T0, task_scheduled_id=1, result='"Hello Tokyo!"'),
    h.TaskCompleted(-1, T0, task_scheduled_id=1),
    h.TaskFailed(-1, T0, task_scheduled_id=2, failure_details=FAILURE),
    h.SubOrchestrationInstanceCreated(3, T0, name="child", instance_id="abc:0003", input="1", version="v"),
    h.SubOrchestrationInstanceCompleted(-1, T0, task_scheduled_id=3, result="2"),
    h.SubOrchestrationInstanceFailed(-1, T0, task_scheduled_id=3, failure_details=FAILURE),
    h.TimerCreated(4, T0, fire_at=T0 + timedelta(seconds=30)),
    h.TimerFired(-1, T0, fire_at=T0 + timedelta(seconds=30), timer_id=4),
    h.OrchestratorStarted(-1, T0),
    h.OrchestratorCompleted(-1, T0),
    h.EventSent(5, T0, instance_id="other", name="ping", input='{"n":1}'),
    h.EventRaised(-1, T0, name="Approval", input='{"approver":"Ada"}'),
    h.EventRaised(-1, T0, name="no-data"),
    h.ContinueAsNew(-1, T0, input="3"),
    h.GenericEvent(-1, T0, data="anything"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).__name__)
def test_every_event_kind_survives_a_round_trip(event: h.HistoryEvent) -> None:
    wire = pb.HistoryEvent.FromString(event_to_proto(event).SerializeToString())
    assert event_from_proto(wire) == event


def test_unknown_event_kinds_from_newer_sidecars_become_unknown_events() -> None:
    known = event_to_proto(h.OrchestratorStarted(-1, T0)).SerializeToString()
    message = pb.HistoryEvent(event_id=9, timestamp=write_timestamp(T0))
    # Field 31 (tag 0xfa 0x01, length-delimited) is a kind Dapr adds; 30 is Dapr's routing field.
    dapr_stalled = message.SerializeToString() + b"\xfa\x01\x02\x08\x01" + b"\xf2\x01\x00"
    event = event_from_proto(pb.HistoryEvent.FromString(dapr_stalled))
    assert event == h.UnknownEvent(9, T0, kind="field 31")
    # An extra routing field on a known kind changes nothing.
    routed = event_from_proto(pb.HistoryEvent.FromString(known + b"\xf2\x01\x00"))
    assert routed == h.OrchestratorStarted(-1, T0)


def test_a_history_snapshot_event_reads_as_unknown() -> None:
    message = pb.HistoryEvent(event_id=-1, timestamp=write_timestamp(T0))
    message.history_state.orchestration_state.name = "snapshot"
    assert event_from_proto(message) == h.UnknownEvent(-1, T0, kind="history_state")


def test_empty_payloads_read_as_no_payload() -> None:
    message = pb.HistoryEvent(event_id=-1, timestamp=write_timestamp(T0))
    message.event_raised.name = "x"
    message.event_raised.input.value = ""
    assert event_from_proto(message) == h.EventRaised(-1, T0, name="x", input=None)


def test_a_missing_timestamp_reads_as_the_epoch() -> None:
    message = pb.HistoryEvent(event_id=-1)
    message.orchestrator_started.SetInParent()
    assert event_from_proto(message).timestamp == datetime(1970, 1, 1, tzinfo=timezone.utc)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)))
def test_timestamps_round_trip_to_the_microsecond(moment: datetime) -> None:
    assert read_timestamp(write_timestamp(moment)) == moment


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert read_timestamp(write_timestamp(T0.replace(tzinfo=None))) == T0


def test_other_time_zones_are_converted_to_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert read_timestamp(write_timestamp(T0.astimezone(tokyo))) == T0


def test_a_status_this_sdk_does_not_know_reads_as_running() -> None:
    assert read_status(99) is OrchestrationStatus.RUNNING
    assert read_status(8) is OrchestrationStatus.STALLED
    assert [read_status(status.value) for status in OrchestrationStatus] == list(OrchestrationStatus)


ACTIONS: list[a.OrchestratorAction] = [
    a.ScheduleTaskAction(1, name="hello", input='"x"', version="1"),
    a.ScheduleTaskAction(2, name="bare"),
    a.CreateTimerAction(3, fire_at=T0),
    a.CreateSubOrchestrationAction(4, name="child", instance_id="abc:0004", input="1", version="2"),
    a.SendEventAction(5, instance_id="other", name="ping", data='{"n":1}'),
    a.CompleteOrchestrationAction(6, status=OrchestrationStatus.COMPLETED, result='"done"'),
    a.CompleteOrchestrationAction(6, status=OrchestrationStatus.FAILED, failure_details=FAILURE),
    a.CompleteOrchestrationAction(
        6,
        status=OrchestrationStatus.CONTINUED_AS_NEW,
        result="2",
        carryover_events=(h.EventRaised(-1, T0, name="kept", input="1"),),
        new_version="3",
    ),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: type(action).__name__)
def test_every_action_kind_survives_a_round_trip(action: a.OrchestratorAction) -> None:
    wire = pb.OrchestratorAction.FromString(action_to_proto(action).SerializeToString())
    assert action_from_proto(wire) == action


def test_activity_tags_are_not_sent_in_a_field_sidecars_disagree_on() -> None:
    message = action_to_proto(a.ScheduleTaskAction(1, name="hello", tags={"team": "orders"}))
    assert message.schedule_task.ListFields() == [(pb.ScheduleTaskAction.DESCRIPTOR.fields_by_name["name"], "hello")]


def test_an_action_kind_core_does_not_have_is_refused() -> None:
    message = pb.OrchestratorAction(id=1)
    message.terminate_orchestration.instance_id = "x"
    with pytest.raises(ValueError, match="terminate_orchestration"):
        action_from_proto(message)


def test_an_orchestrator_work_item_becomes_core_events() -> None:
    request = pb.OrchestratorRequest(
        instance_id="abc",
        past_events=[event_to_proto(EVENTS[0])],
        new_events=[event_to_proto(h.OrchestratorStarted(-1, T0)), event_to_proto(EVENTS[8])],
    )
    item = orchestrator_item_from_proto(request)
    assert item.instance_id == "abc"
    assert list(item.past_events) == [EVENTS[0]]
    assert list(item.new_events) == [h.OrchestratorStarted(-1, T0), EVENTS[8]]


def test_a_completion_token_means_retries_take_new_ids() -> None:
    """Sidecars that set tokens (Dapr's) keep one result per task id; the others never set one."""
    request = pb.OrchestratorRequest(instance_id="abc")
    assert orchestrator_item_from_proto(request, "token-1").retries_take_new_ids
    assert not orchestrator_item_from_proto(request, "").retries_take_new_ids
    assert not orchestrator_item_from_proto(request).retries_take_new_ids


def test_an_orchestrator_response_is_whole_and_echoes_the_completion_token() -> None:
    result = OrchestratorResult("abc", list(ACTIONS[:3]), custom_status='"busy"')
    response = orchestrator_response(result, "token-7")
    assert response.instance_id == "abc"
    assert response.completion_token == "token-7"
    assert response.custom_status.value == '"busy"'
    assert [action_from_proto(action) for action in response.actions] == ACTIONS[:3]
    assert not orchestrator_response(OrchestratorResult("abc", []), "").HasField("custom_status")


def test_an_sdk_failure_still_answers_the_turn_with_a_failed_completion() -> None:
    response = orchestrator_failure_response("abc", RuntimeError("boom"), "t")
    (action,) = response.actions
    assert action.complete_orchestration.orchestration_status == pb.ORCHESTRATION_STATUS_FAILED
    assert action.complete_orchestration.failure_details.error_message == "boom"
    assert action.complete_orchestration.failure_details.error_type == "RuntimeError"
    assert response.completion_token == "t"


def test_activity_requests_and_responses() -> None:
    request = pb.ActivityRequest(
        name="hello", task_id=3, orchestration_instance=pb.OrchestrationInstance(instance_id="abc")
    )
    request.input.value = '"Tokyo"'
    item = activity_item_from_proto(request)
    assert (item.name, item.input, item.orchestration_id, item.task_id) == ("hello", '"Tokyo"', "abc", 3)

    done = activity_response(request, ActivityResult(result='"Hello"'), "tok")
    assert (done.instance_id, done.task_id, done.result.value, done.completion_token) == ("abc", 3, '"Hello"', "tok")
    assert not done.HasField("failure_details")

    failed = activity_response(request, ActivityResult(failure_details=FAILURE), "")
    assert failed.failure_details.error_type == "myapp.OutOfStock"
    assert failed.failure_details.inner_failure.error_message == "inner"
    assert not failed.HasField("result")


def test_start_requests_carry_tags_in_the_agreed_field() -> None:
    request = messages.start_request("orders", "id-1", '{"a":1}', T0, {"team": "x"}, "2")
    assert dict(request.tags) == {"team": "x"}
    assert pb.CreateInstanceRequest.DESCRIPTOR.fields_by_name["tags"].number == 8
    assert read_timestamp(request.scheduled_start_timestamp) == T0
    assert (request.input.value, request.version.value) == ('{"a":1}', "2")
    bare = messages.start_request("orders", "id-1", None, None, None, None)
    assert not bare.HasField("input") and not bare.HasField("scheduled_start_timestamp")


def test_instance_state_is_read_with_payloads_and_failure() -> None:
    response = pb.GetInstanceResponse(exists=True)
    state = response.orchestration_state
    state.name = "orders"
    state.orchestration_status = pb.ORCHESTRATION_STATUS_FAILED
    state.created_timestamp.CopyFrom(write_timestamp(T0))
    state.last_updated_timestamp.CopyFrom(write_timestamp(T0 + timedelta(seconds=1)))
    state.input.value = '{"approver":"Ada"}'
    state.output.value = ""  # Microsoft's sidecar sends empty strings for missing payloads
    state.failure_details.CopyFrom(pb.TaskFailureDetails(error_type="E", error_message="m"))

    read = messages.state_from_response("asked-id", response, JsonDataConverter())
    assert read is not None
    assert read.instance_id == "asked-id"
    assert read.runtime_status is OrchestrationStatus.FAILED
    assert read.created_at == T0 and read.last_updated_at == T0 + timedelta(seconds=1)
    assert read.get_input().approver == "Ada"
    assert read.serialized_output is None
    assert read.failure_details == FailureDetails(message="m", error_type="E")
    assert messages.state_from_response("x", pb.GetInstanceResponse(exists=False), JsonDataConverter()) is None


def test_purge_results_are_complete_unless_the_sidecar_says_otherwise() -> None:
    assert messages.purge_result(pb.PurgeInstancesResponse(deleted_instance_count=2)).is_complete
    partial = pb.PurgeInstancesResponse(deleted_instance_count=1)
    partial.is_complete.value = False
    assert not messages.purge_result(partial).is_complete
