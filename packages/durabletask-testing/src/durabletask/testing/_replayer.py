"""Replay a recorded history against today's orchestrator code, turn by turn.

Before deploying a change, replay the histories of orchestrations that are still running (or
that ran in production) against the new code: if the code would now issue other actions than
the history records, a worker would fail those instances with a NonDeterminismError::

    history = history_from_json(Path("order-42.history.json").read_text())
    result = replay(order_workflow, history)
    assert result.status is OrchestrationStatus.COMPLETED

The history is cut into turns at each ``OrchestratorStarted``. Each turn is replayed the way a
worker ran it (the events before it as past events, the events it received as new ones) and the
actions the code issues are compared with the ones the turn recorded (``TaskScheduled``,
``TimerCreated``, ``SubOrchestrationInstanceCreated``, ``EventSent``, ``ExecutionCompleted``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from durabletask._internal.outcome_payloads import OutcomePayloads
from durabletask.actions import CompleteOrchestrationAction, OrchestratorAction
from durabletask.client import OrchestrationStatus
from durabletask.engine import OrchestratorWorkItem
from durabletask.history import EventSent, ExecutionStarted, HistoryEvent, OrchestratorStarted
from durabletask.serialization import DataConverter, JsonDataConverter
from durabletask.task import FailureDetails, NonDeterminismError
from durabletask.testing._diff import failure_of, first_mismatch
from durabletask.testing._engine import quiet_engine
from durabletask.testing._recording import action_for
from durabletask.testing._report import side_by_side
from durabletask.worker import DEFAULT_MAXIMUM_TIMER_INTERVAL, Registry


@dataclass(frozen=True)
class ReplayResult(OutcomePayloads):
    """What the orchestrator's code did with the history.

    ``status`` is ``RUNNING`` when the history does not end the execution. ``actions`` are all the
    actions the code issued, turn after turn (each one matching a recorded event).
    """

    status: OrchestrationStatus
    serialized_output: str | None
    serialized_custom_status: str | None
    failure_details: FailureDetails | None
    actions: list[OrchestratorAction]
    turns: int
    data_converter: DataConverter = field(default_factory=JsonDataConverter, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class _RecordedTurn:
    start: int  # index in the history of the turn's first event
    received: tuple[HistoryEvent, ...]
    recorded: tuple[OrchestratorAction, ...]


def replay(
    orchestrator: Callable[..., Any],
    history: Sequence[HistoryEvent],
    *,
    name: str | None = None,
    strict: bool = False,
    data_converter: DataConverter | None = None,
    maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL,
) -> ReplayResult:
    """Check that ``orchestrator``'s code still issues the actions ``history`` records.

    By default actions are compared as the runtime compares them: the same kind, sequence id and
    name (and, for sent events, the same target; for the completion, the same status). With
    ``strict=True`` every field must match too (inputs, timer times, outputs), as for a replay
    that must reproduce the recorded run exactly.

    Args:
        orchestrator: the orchestrator function as it is today.
        history: the recorded events, as ``backend.get_history(instance_id)`` or
            :func:`history_from_json` gives them; they must include the ``ExecutionStarted``.
        name: the name to register ``orchestrator`` under (default: the name recorded in the
            history, so that a renamed function still replays its old histories).
        strict: compare every field of every action, not only what the runtime checks.
        data_converter: how payloads are decoded (default: JSON).
        maximum_timer_interval: the worker's setting when the history was recorded.

    Returns:
        A :class:`ReplayResult` with the status, output and actions the code gives.

    Raises:
        NonDeterminismError: the code issues other actions than the history records; the
            message names the first differing one (``turn 3, action 2: recorded activity
            'charge' (id 2) / replayed activity 'refund' (id 2)``).
        ValueError: the history has no ``ExecutionStarted`` event.
    """
    events = list(history)
    start = next((event for event in events if isinstance(event, ExecutionStarted)), None)
    if start is None:
        raise ValueError("A history to replay must contain its ExecutionStarted event.")
    registry = Registry()
    registry.add_orchestrator(orchestrator, name if name is not None else start.name)
    engine = quiet_engine(registry, data_converter=data_converter, maximum_timer_interval=maximum_timer_interval)
    issued: list[OrchestratorAction] = []
    custom_status: str | None = None
    turns = _split_turns(events, start.instance_id)
    for number, turn in enumerate(turns, 1):
        item = OrchestratorWorkItem(start.instance_id, events[: turn.start], turn.received)
        result = engine.run_orchestrator(item)
        mismatch = first_mismatch(turn.recorded, result.actions, strict=strict)
        if mismatch is not None:
            lines = [
                f"Orchestrator '{start.name}' (instance '{start.instance_id}') does not match its history: "
                f"turn {number}, {mismatch.describe()}."
            ]
            failure = failure_of(mismatch.replayed)
            if failure is not None:
                lines.append(f"The replay failed the orchestration with {failure}")
            lines.extend(["", f"Turn {number}, recorded vs replayed:"])
            lines.extend(side_by_side(turn.recorded, result.actions, mismatch))
            raise NonDeterminismError("\n".join(lines))
        issued.extend(result.actions)
        if result.custom_status is not None:
            custom_status = result.custom_status
    return _result(issued, custom_status, len(turns), engine.data_converter)


def _split_turns(events: list[HistoryEvent], instance_id: str) -> list[_RecordedTurn]:
    """Cut the history at each ``OrchestratorStarted`` into what each turn received and recorded."""
    starts = [index for index, event in enumerate(events) if isinstance(event, OrchestratorStarted)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)  # events before the first OrchestratorStarted belong to the first turn
    turns: list[_RecordedTurn] = []
    for position, begin in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(events)
        received: list[HistoryEvent] = []
        recorded: list[OrchestratorAction] = []
        for event in events[begin:end]:
            action = None if _is_delivery(event, instance_id) else action_for(event)
            if action is None:
                received.append(event)
            else:
                recorded.append(action)
        turns.append(_RecordedTurn(begin, tuple(received), tuple(recorded)))
    return turns


def _is_delivery(event: HistoryEvent, instance_id: str) -> bool:
    # Sidecars deliver another instance's send_event to its target as an EventSent addressed to
    # it. An instance that sends an event to itself records one too; fed to the executor as a
    # received event after the code issued the send, it confirms the send, as a record would.
    return isinstance(event, EventSent) and event.instance_id == instance_id


def _result(
    issued: list[OrchestratorAction], custom_status: str | None, turns: int, converter: DataConverter
) -> ReplayResult:
    completion = next((a for a in reversed(issued) if isinstance(a, CompleteOrchestrationAction)), None)
    if completion is None:
        return ReplayResult(OrchestrationStatus.RUNNING, None, custom_status, None, issued, turns, converter)
    return ReplayResult(
        completion.status, completion.result, custom_status, completion.failure_details, issued, turns, converter
    )
