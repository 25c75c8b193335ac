"""A history exported from a real backend replays against today's code (and catches a change).

The in-memory backend and Dapr's sidecar both hand out an instance's history; it goes through the
JSON format of ``durabletask.testing`` and back, then ``replay`` checks it against the code.
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario_hub import Hub

from durabletask import history as h
from durabletask import task
from durabletask.testing import history_from_json, history_to_json, replay


def stamp(ctx: task.ActivityContext, text: str) -> str:
    return f"[{text}]"


def stamps_twice(ctx: task.OrchestrationContext, text: str) -> Any:
    once = yield ctx.call_activity(stamp, input=text)
    twice = yield ctx.call_activity(stamp, input=once)
    return twice


def stamps_then_waits(ctx: task.OrchestrationContext, text: str) -> Any:
    once = yield ctx.call_activity(stamp, input=text)
    yield ctx.create_timer(ctx.current_utc_datetime)
    return once


@pytest.mark.parametrize("hub", ["memory", "dapr"], indirect=True)
def test_an_exported_history_replays_through_json(hub: Hub) -> None:
    hub.worker(stamp, orchestrators=(stamps_twice,)).start()
    instance_id = hub.client.schedule_new_orchestration(stamps_twice, input="ok", instance_id=hub.new_id())
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None and state.get_output() == "[[ok]]"

    recorded = history_from_json(history_to_json(hub.read_history(instance_id)))
    assert any(isinstance(event, h.TaskCompleted) for event in recorded)
    assert replay(stamps_twice, recorded).get_output() == "[[ok]]"

    with pytest.raises(task.NonDeterminismError, match="timer"):
        replay(stamps_then_waits, recorded, name="stamps_twice")


@pytest.mark.parametrize("hub", ["microsoft"], indirect=True)
def test_a_sidecar_without_history_export_says_so(hub: Hub) -> None:
    from durabletask.grpc import NotSupportedBySidecarError

    with pytest.raises(NotSupportedBySidecarError, match="GetInstanceHistory"):
        hub.read_history("anything")
