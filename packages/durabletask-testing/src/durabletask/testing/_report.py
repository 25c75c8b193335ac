"""Turning a determinism finding into a message a developer can act on.

The message leads with the first differing action (``turn 3, action 2: recorded activity
'charge' (id 2) / replayed activity 'refund' (id 2)``), says how it was found, shows the turn's
recorded and replayed actions side by side, and ends with the interleaving that led there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from durabletask.actions import OrchestratorAction
from durabletask.testing._diff import ActionMismatch, describe_action, failure_of, in_id_order
from durabletask.testing._simulation import Run, Turn

_COLUMN = 52

ADVICE = (
    "Orchestrator code is replayed from history on every turn and after every restart, so it must make the "
    "same decisions each time: read time from ctx.current_utc_datetime, make ids with ctx.new_uuid(), and "
    "do anything random or stateful (random numbers, the wall clock, uuid4(), global variables, I/O) in an "
    "activity."
)

NOT_REPRODUCED = (
    "Hypothesis could not reproduce this failure by running the same interleaving again: the orchestrator's "
    "decisions depend on state that outlives a run (a global variable, random numbers, the wall clock...)."
)


class Discovery(Enum):
    """How a finding was found."""

    FIRST_RUN = "first run"
    RESTART_BEFORE = "restart before the turn"
    RESTART_AFTER = "restart after the turn"


@dataclass(frozen=True, slots=True)
class Finding:
    """A turn whose replay did not match what was recorded.

    ``mismatch`` is ``None`` when the actions agree but the custom status does not
    (``custom_status`` holds both then), or when the executor failed the first run itself.
    """

    run: Run
    turn: Turn
    discovery: Discovery
    recorded: tuple[OrchestratorAction, ...]
    replayed: tuple[OrchestratorAction, ...]
    mismatch: ActionMismatch | None = None
    executor_message: str | None = None
    custom_status: tuple[str | None, str | None] | None = None

    def headline(self) -> str:
        """The first difference in one line: ``turn 3, action 2: recorded ... / replayed ...``.

        When the executor itself failed the turn, its message leads: it names what history
        records and what the code issued instead.
        """
        where = f"turn {self.turn.number}"
        if self.executor_message is not None:
            # The executor names the recorded and the issued action; the mismatch would only show
            # the failed completion it turned the turn into.
            return f"{where}: {self.executor_message}"
        if self.mismatch is not None:
            return f"{where}, {self.mismatch.describe()}"
        was, now = self.custom_status if self.custom_status is not None else (None, None)
        return f"{where}, custom status: recorded {was} / replayed {now}"


def render(finding: Finding, top: Run, *, reproduced: bool = True) -> str:
    """The whole report for ``finding``, found while simulating ``top``."""
    run, turn = finding.run, finding.turn
    lines = [f"Orchestrator '{top.name}' is not deterministic.", "", finding.headline()]
    instance = f"instance '{run.instance_id}'"
    if run is not top:
        instance = f"sub-orchestration '{run.name}', {instance}"
    if turn.execution > 1:
        instance += f", execution {turn.execution} (after continue-as-new)"
    lines.append(f"  in {instance}")
    lines.append(f"  found {_how(finding)}")
    failure = failure_of(finding.mismatch.replayed) if finding.mismatch is not None else None
    if failure is not None and finding.executor_message is None:
        lines.append(f"  the replay failed the orchestration with {failure}")
    if finding.discovery is not Discovery.FIRST_RUN:
        lines.extend(["", f"Turn {turn.number}, recorded vs replayed:"])
        lines.extend(side_by_side(finding.recorded, finding.replayed, finding.mismatch))
    # What happened after the differing turn does not matter (and may be long: think of timers).
    through = turn.number if run is top else None
    lines.extend(["", "Interleaving (the smallest Hypothesis found):", *top.narrative(through=through)])
    if not reproduced:
        lines.extend(["", NOT_REPRODUCED])
    lines.extend(["", ADVICE])
    return "\n".join(lines)


def side_by_side(
    recorded: Sequence[OrchestratorAction],
    replayed: Sequence[OrchestratorAction],
    mismatch: ActionMismatch | None,
) -> list[str]:
    """A two-column table of the actions, the first differing row marked with ``>``."""
    left, right = in_id_order(recorded), in_id_order(replayed)
    field = mismatch.field if mismatch is not None else None
    lines = [f"      {'recorded':<{_COLUMN}} replayed"]
    for index in range(max(len(left), len(right))):
        marker = ">" if mismatch is not None and mismatch.position == index + 1 else " "
        was = _cell(left, index, field if marker == ">" else None)
        now = _cell(right, index, field if marker == ">" else None)
        lines.append(f"{marker} {index + 1:>2}  {was:<{_COLUMN}} {now}")
    if not left and not right:
        lines.append("      (no actions on either side)")
    return lines


def _cell(actions: list[OrchestratorAction], index: int, field: str | None) -> str:
    text = describe_action(actions[index], field) if index < len(actions) else "-"
    return text if len(text) <= _COLUMN else text[: _COLUMN - 3] + "..."


def _how(finding: Finding) -> str:
    turn = finding.turn
    if finding.discovery is Discovery.FIRST_RUN:
        return (
            "while the simulated sidecar ran it: the executor found that the code no longer issues what the "
            "history of earlier turns records"
        )
    if finding.discovery is Discovery.RESTART_BEFORE:
        return (
            f"by restarting before turn {turn.number}: replaying from scratch the {len(turn.past_events)} events "
            f"recorded before it, then its {len(turn.new_events)} new events, gave other actions than the first run"
        )
    return (
        f"by restarting after turn {turn.number}: replaying from scratch the {len(turn.history_after)} events "
        "recorded through it gave actions that the history does not record"
    )
