"""``assert_deterministic``: explore an orchestrator's interleavings with Hypothesis and replay every turn.

Each Hypothesis example runs the orchestrator on a simulated sidecar (see ``_simulation``) whose
every decision is drawn: which outstanding task completes next, whether an activity fails,
whether an external event beats a timer. The run records, for each turn, what the worker was
given and what it returned. Then every turn is checked the way a restarted worker would see it:

* **restart before the turn**: replay from scratch the events recorded before it plus the turn's
  new events; the actions (and custom status) must be exactly the recorded ones;
* **restart after the turn**: replay from scratch everything recorded through it, all as past
  events; nothing may come out but the completion the turn recorded, if any.

The first run itself fails when the executor finds a mismatch with history. Any of these stops the
example; Hypothesis shrinks it to the plainest interleaving that still fails, and the report names
the first differing action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import strategies as st
from hypothesis.errors import Flaky, FlakyFailure

from durabletask.engine import OrchestratorWorkItem, WorkerEngine
from durabletask.serialization import DataConverter
from durabletask.testing._choices import DrawnChoices, draw_if_strategy
from durabletask.testing._diff import executor_failure, first_mismatch
from durabletask.testing._engine import quiet_engine, registry_of
from durabletask.testing._report import Discovery, Finding, render
from durabletask.testing._simulation import Run, SimulationOptions, Simulator
from durabletask.worker import DEFAULT_MAXIMUM_TIMER_INTERVAL

DEFAULT_MAX_EXAMPLES = 50
"""Interleavings tried by default: enough to find order-dependent bugs, fast enough for every test run."""

DEFAULT_INSTANCE_ID = "determinism-check"


def assert_deterministic(
    orchestrator: Callable[..., Any],
    *,
    input: Any = None,
    activities: Iterable[Callable[..., Any]] = (),
    orchestrators: Iterable[Callable[..., Any]] = (),
    events: Mapping[str, Any] | None = None,
    results: Mapping[str, Any] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    max_turns: int = 50,
    max_raises_per_event: int = 3,
    settings: hypothesis.settings | None = None,
    instance_id: str = DEFAULT_INSTANCE_ID,
    data_converter: DataConverter | None = None,
    maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL,
) -> None:
    """Check that ``orchestrator`` makes the same decisions every time it is replayed.

    Hypothesis explores many runs of the orchestrator on a simulated sidecar: the order in which
    concurrently outstanding tasks complete, activity outcomes (the real activity's result, or a
    simulated failure), sub-orchestrations (run for real when registered, or failing), external
    events racing timers. After each run, every turn is replayed from scratch as a restarted
    worker would, and must give exactly the actions first recorded. This catches code that
    branches on ``random``, the wall clock, ``uuid4()`` or global state::

        from durabletask.testing import assert_deterministic

        def test_approval_is_deterministic():
            assert_deterministic(
                approval_workflow,
                input={"amount": 250},
                activities=[request_approval, process_order],
                events={"approval": st.booleans()},
            )

    On failure it raises ``AssertionError`` naming the first differing action (``turn 3, action
    2: recorded activity 'charge' (id 2) / replayed activity 'refund' (id 2)``), with the turn's
    actions side by side and the smallest interleaving Hypothesis found.

    Activities run many times, in the test process: give stand-ins in ``results`` for those with
    side effects you do not want.

    Args:
        orchestrator: the orchestrator function to check.
        input: its input, or a Hypothesis strategy to draw inputs from.
        activities: activity functions to register (called with a fake ``ActivityContext``).
        orchestrators: other orchestrators to register, run when called as sub-orchestrations.
        events: external events the simulation may raise at any point, by name, with their data
            (a value, or a strategy to draw it from); each one at most ``max_raises_per_event``
            times per execution.
        results: stand-in results by activity or sub-orchestration name (values or strategies),
            used instead of running them. An activity neither registered nor given here fails
            as "not registered", as on a real worker.
        max_examples: how many runs Hypothesis tries.
        max_turns: a run stops (without failing) after this many turns, so that eternal
            orchestrations end.
        max_raises_per_event: see ``events``.
        settings: Hypothesis settings to use instead of the defaults (``max_examples`` is then
            ignored). The defaults disable the deadline, the example database and health checks.
        instance_id: the simulated instance's id.
        data_converter: how payloads are encoded (default: JSON).
        maximum_timer_interval: as for the worker: longer timers are created in pieces.

    Raises:
        AssertionError: the orchestrator is not deterministic; the message says where and how.
    """
    name, registry = registry_of(orchestrator, orchestrators, activities)
    engine = quiet_engine(registry, data_converter=data_converter, maximum_timer_interval=maximum_timer_interval)
    options = SimulationOptions(
        events=dict(events or {}),
        results=dict(results or {}),
        max_turns=max_turns,
        max_raises_per_event=max_raises_per_event,
        # Near the real time, so that code reading the wall clock builds timers of a plausible
        # length (far-future ones would be cut into identical pieces and hide the difference).
        # Fixed for the whole check: the same choices still give the same run.
        start_time=datetime.now(timezone.utc),
    )
    found: list[tuple[Finding, Run]] = []

    @hypothesis.given(st.data())
    @(settings if settings is not None else _default_settings(max_examples))
    def explore(data: st.DataObject) -> None:
        value = draw_if_strategy(data.draw, input)
        run = Simulator(engine, DrawnChoices(data.draw), options).run(
            name, instance_id, engine.data_converter.serialize(value)
        )
        finding = find_problem(run, engine)
        if finding is not None:
            found.append((finding, run))
            raise _NotDeterministicError(render(finding, run))

    try:
        explore()
    except _NotDeterministicError as failure:
        raise AssertionError(str(failure)) from None
    except (Flaky, FlakyFailure) as error:
        # The same draws gave another run: the orchestrator depends on state outside its history.
        if found:
            finding, run = found[-1]
            raise AssertionError(render(finding, run, reproduced=False)) from None
        raise AssertionError(
            f"Orchestrator '{name}' is not deterministic: it made other decisions when Hypothesis ran the same "
            "interleaving again, so it depends on state outside its history (a global variable, random numbers, "
            "the wall clock, uuid4()...)."
        ) from error
    except BaseException as error:
        reported = _first_report(error)
        if reported is None:
            raise
        raise AssertionError(reported) from None


def find_problem(run: Run, engine: WorkerEngine) -> Finding | None:
    """The first turn of ``run`` (or of a sub-orchestration it ran) that does not replay as recorded."""
    for instance in (run, *run.descendants()):
        finding = _check_instance(instance, engine)
        if finding is not None:
            return finding
    return None


def _check_instance(run: Run, engine: WorkerEngine) -> Finding | None:
    for turn in run.turns:
        message = executor_failure(turn.actions)
        if message is not None:
            return Finding(run, turn, Discovery.FIRST_RUN, turn.actions, (), executor_message=message)

        again = engine.run_orchestrator(OrchestratorWorkItem(run.instance_id, turn.past_events, turn.new_events))
        replayed = tuple(again.actions)
        mismatch = first_mismatch(turn.actions, replayed, strict=True)
        if mismatch is not None or again.custom_status != turn.custom_status:
            return Finding(
                run,
                turn,
                Discovery.RESTART_BEFORE,
                turn.actions,
                replayed,
                mismatch,
                executor_failure(replayed),
                None if mismatch is not None else (turn.custom_status, again.custom_status),
            )

        # A worker restarted after the turn replays it all as past events: every action is
        # confirmed by history, so only the recorded completion may come out. (Custom status is
        # not compared: while replaying, code may legitimately skip setting it.)
        after = engine.run_orchestrator(OrchestratorWorkItem(run.instance_id, turn.history_after, ()))
        expected = (turn.completion,) if turn.completion is not None else ()
        replayed = tuple(after.actions)
        mismatch = first_mismatch(expected, replayed, strict=True)
        if mismatch is not None:
            return Finding(run, turn, Discovery.RESTART_AFTER, expected, replayed, mismatch, executor_failure(replayed))
    return None


class _NotDeterministicError(Exception):
    """Raised inside the Hypothesis test so that it shrinks; turned into ``AssertionError`` outside."""


def _first_report(error: BaseException) -> str | None:
    """The report carried by ``error`` or, for an exception group, by the first one inside."""
    if isinstance(error, _NotDeterministicError):
        return str(error)
    for inner in getattr(error, "exceptions", ()):
        reported = _first_report(inner)
        if reported is not None:
            return reported
    return None


def _default_settings(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,  # turns replay from scratch; their time varies with the interleaving
        database=None,  # runs depend on the orchestrator's code, which changes between sessions
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,  # the AssertionError carries the report
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
