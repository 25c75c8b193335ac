"""Comparing the actions a turn recorded with the actions a replay of that turn issues.

Two levels of strictness:

* **identity** (what the executor enforces at run time): the same kind of action with the same
  sequence id and the same name (and, for a sent event, the same target; for a completion, the
  same status);
* **strict** (what the determinism checks demand): every field equal too, so an activity input
  built from ``uuid4()`` or a timer built from ``datetime.now()`` shows up. Failure stack traces
  are left out: they name code lines, not decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.task import FailureDetails, NonDeterminismError

# Fields compared beyond identity, per action type, in the order they are reported.
_DETAIL_FIELDS: dict[type, tuple[str, ...]] = {
    ScheduleTaskAction: ("input", "version", "tags"),
    CreateTimerAction: ("fire_at",),
    CreateSubOrchestrationAction: ("instance_id", "input", "version"),
    SendEventAction: ("data",),
    CompleteOrchestrationAction: ("result", "failure_details", "carryover_events", "new_version"),
}

_LONGEST_VALUE = 60


@dataclass(frozen=True, slots=True)
class ActionMismatch:
    """The first place where two action lists differ.

    ``position`` counts from 1 in the recorded list (sorted by sequence id, completion last);
    ``field`` names the differing field when the two actions are otherwise the same call.
    """

    position: int
    recorded: OrchestratorAction | None
    replayed: OrchestratorAction | None
    field: str | None = None

    def describe(self) -> str:
        """``action 2: recorded activity 'charge' (id 2) / replayed activity 'refund' (id 2)``."""
        return (
            f"action {self.position}: recorded {describe_action(self.recorded, self.field)} / "
            f"replayed {describe_action(self.replayed, self.field)}"
        )


def in_id_order(actions: Sequence[OrchestratorAction]) -> list[OrchestratorAction]:
    """The actions sorted by sequence id with the completion last, the order reports use.

    A backend may store a turn's actions in any order; sorting makes the comparison positional.
    """
    return sorted(actions, key=lambda action: (isinstance(action, CompleteOrchestrationAction), action.id))


def first_mismatch(
    recorded: Sequence[OrchestratorAction],
    replayed: Sequence[OrchestratorAction],
    *,
    strict: bool,
) -> ActionMismatch | None:
    """Where ``replayed`` first differs from ``recorded`` (``None`` if it does not)."""
    left, right = in_id_order(recorded), in_id_order(replayed)
    for index in range(max(len(left), len(right))):
        was = left[index] if index < len(left) else None
        now = right[index] if index < len(right) else None
        if was is None or now is None or not _same_call(was, now, strict=strict):
            return ActionMismatch(index + 1, was, now)
        if strict:
            for name in _DETAIL_FIELDS[type(was)]:
                if _comparable(name, getattr(was, name)) != _comparable(name, getattr(now, name)):
                    return ActionMismatch(index + 1, was, now, name)
    return None


def executor_failure(actions: Sequence[OrchestratorAction]) -> str | None:
    """The message of the NonDeterminismError with which the executor failed a turn, if it did."""
    for action in actions:
        details = action.failure_details if isinstance(action, CompleteOrchestrationAction) else None
        if details is not None and details.is_caused_by(NonDeterminismError):
            return details.message
    return None


def failure_of(action: OrchestratorAction | None) -> str | None:
    """``ValueError: out of stock`` when ``action`` is a completion that failed the orchestration."""
    if isinstance(action, CompleteOrchestrationAction) and action.failure_details is not None:
        details = action.failure_details
        return f"{details.error_type.rsplit('.', 1)[-1]}: {details.message}"
    return None


def describe_action(action: OrchestratorAction | None, field: str | None = None) -> str:
    """``activity 'charge' (id 2)``; with ``field``, its value too: ``(id 2, input '"x"')``."""
    if action is None:
        return "nothing"
    if isinstance(action, ScheduleTaskAction):
        what = f"activity '{action.name}'"
    elif isinstance(action, CreateTimerAction):
        what = "timer"
    elif isinstance(action, CreateSubOrchestrationAction):
        what = f"sub-orchestration '{action.name}'"
    elif isinstance(action, SendEventAction):
        what = f"event '{action.name}' sent to '{action.instance_id}'"
    else:
        what = f"completion {action.status.name}"
    detail = f", {field} {_show(getattr(action, field, None))}" if field is not None else ""
    return f"{what} (id {action.id}{detail})"


def _same_call(recorded: OrchestratorAction, replayed: OrchestratorAction, *, strict: bool) -> bool:
    if type(recorded) is not type(replayed):
        return False
    if isinstance(recorded, CompleteOrchestrationAction):
        assert isinstance(replayed, CompleteOrchestrationAction)
        # Some sidecars record completions without the action's id; the runtime never checks it.
        return recorded.status is replayed.status and (not strict or recorded.id == replayed.id)
    if recorded.id != replayed.id:
        return False
    if isinstance(recorded, SendEventAction):
        assert isinstance(replayed, SendEventAction)
        return recorded.name == replayed.name and recorded.instance_id == replayed.instance_id
    if isinstance(recorded, ScheduleTaskAction | CreateSubOrchestrationAction):
        return recorded.name == getattr(replayed, "name", None)
    return True


def _comparable(name: str, value: Any) -> Any:
    if name == "tags":
        return dict(value) if value else {}  # no tags, however written
    if isinstance(value, FailureDetails):
        inner = _comparable(name, value.inner_failure)
        return (value.message, value.error_type, value.is_non_retriable, inner)
    return value


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, FailureDetails):
        text = f"{value.error_type}: {value.message}"
    elif isinstance(value, str):
        text = value  # payloads are JSON text already
    else:
        text = repr(value)
    return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 3] + "..."
