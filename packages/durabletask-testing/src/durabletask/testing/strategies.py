"""Hypothesis strategies for durable orchestrations: payloads, history events, and whole histories.

Use them in your own property tests::

    from hypothesis import given
    from durabletask.testing import replay, strategies

    @given(strategies.histories(order_workflow, input=strategies.json_values(), activities=[reserve, charge]))
    def test_new_code_replays_old_histories(history):
        replay(order_workflow_v2, history)

* :func:`json_values`: payloads other SDKs can read (inputs, outputs, event data);
* :func:`failure_details` and :func:`history_events`: any event of :mod:`durabletask.history`,
  with arbitrary fields, e.g. to test code that stores or converts histories;
* :func:`histories`: histories that a backend would really record for a given orchestrator, with
  activities completing (or failing) in any order and external events racing its timers.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from durabletask import history as h
from durabletask.client import OrchestrationStatus
from durabletask.task import FailureDetails
from durabletask.testing._choices import DrawnChoices, draw_if_strategy
from durabletask.testing._engine import quiet_engine, registry_of
from durabletask.testing._simulation import SimulationOptions, Simulator
from durabletask.worker import DEFAULT_MAXIMUM_TIMER_INTERVAL

__all__ = ["failure_details", "histories", "history_events", "json_values", "timestamps"]

_JSON_SCALARS: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)


def json_values(*, max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Values that encode as plain JSON: ``None``, booleans, integers, finite floats, text, lists, objects.

    Use it for orchestration inputs and event data: every Durable Task SDK can read them back.
    ``max_leaves`` bounds the size of nested values.
    """
    return st.recursive(
        _JSON_SCALARS,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
        max_leaves=max_leaves,
    )


def timestamps() -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC times with microseconds, as backends record them (years 2000 to 2100)."""
    return st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc))


def failure_details(*, max_depth: int = 2) -> st.SearchStrategy[FailureDetails]:
    """How a task failed: message, error type, maybe a stack trace and up to ``max_depth`` inner failures."""
    inner: st.SearchStrategy[FailureDetails | None] = st.none()
    if max_depth > 0:
        inner = st.none() | failure_details(max_depth=max_depth - 1)
    return st.builds(
        FailureDetails,
        message=st.text(),
        error_type=st.sampled_from(["ValueError", "RuntimeError", "TaskFailedError", "myapp.errors.OutOfStock"])
        | st.text(min_size=1),
        stack_trace=st.none() | st.text(),
        inner_failure=inner,
        is_non_retriable=st.booleans(),
    )


def history_events() -> st.SearchStrategy[h.HistoryEvent]:
    """Any event of :mod:`durabletask.history`, every kind and every field drawn freely.

    The events are well-typed but need not form a valid history; see :func:`histories` for those.
    """
    return st.one_of(*(st.builds(kind, **_EVENT_FIELDS.get(kind, {})) for kind in _EVENT_KINDS))


def histories(
    orchestrator: Callable[..., Any],
    *,
    input: Any = None,
    activities: Iterable[Callable[..., Any]] = (),
    orchestrators: Iterable[Callable[..., Any]] = (),
    events: Mapping[str, Any] | None = None,
    results: Mapping[str, Any] | None = None,
    finished: bool = False,
    instance_id: str = "history-of-a-test",
    max_turns: int = 50,
) -> st.SearchStrategy[list[h.HistoryEvent]]:
    """Histories a backend would record for ``orchestrator``, over many interleavings.

    Each history comes from running the orchestrator on a simulated sidecar whose choices are
    drawn: the order in which outstanding tasks complete, activity outcomes (the registered
    activity's real result, or a simulated failure), external events from ``events`` racing
    timers. The history is cut at a drawn turn boundary, as if exported while the instance was
    still running, unless ``finished`` asks for runs that reached their end (those whose
    simulation stops first are rejected). With continue-as-new, it is the history of the
    execution that turn belongs to.

    The arguments are those of :func:`~durabletask.testing.assert_deterministic`: ``input`` a value
    or a strategy; ``events`` and ``results`` map names to values or strategies.
    """
    name, registry = registry_of(orchestrator, orchestrators, activities)
    engine = quiet_engine(registry, data_converter=None, maximum_timer_interval=DEFAULT_MAXIMUM_TIMER_INTERVAL)
    options = SimulationOptions(events=dict(events or {}), results=dict(results or {}), max_turns=max_turns)

    @st.composite
    def run_and_cut(draw: st.DrawFn) -> list[h.HistoryEvent]:
        value = draw_if_strategy(draw, input)
        run = Simulator(engine, DrawnChoices(draw), options).run(
            name, instance_id, engine.data_converter.serialize(value)
        )
        if finished:
            if run.completion is None:
                reject()
            return run.history()
        turn = run.turns[draw(st.integers(0, len(run.turns) - 1))]
        return list(turn.history_after)

    return run_and_cut()


# -- the fields of every event kind, for history_events() ----------------------------------------

_EVENT_KINDS: tuple[type, ...] = typing.get_args(h.HistoryEvent)

_ids = st.integers(min_value=-1, max_value=10_000)
_names = st.text(min_size=1, max_size=20)
_payloads = st.none() | st.text(max_size=40)
_optional_texts = st.none() | st.text(max_size=20)
_tags = st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)
_optional_failures = st.none() | failure_details(max_depth=1)
_parents = st.none() | st.builds(h.ParentInstance, name=st.none() | _names, instance_id=_names, task_scheduled_id=_ids)

_COMMON: dict[str, st.SearchStrategy[Any]] = {"event_id": _ids, "timestamp": timestamps()}

_EVENT_FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {kind: dict(_COMMON) for kind in _EVENT_KINDS}
_EVENT_FIELDS[h.ExecutionStarted].update(
    name=_names,
    instance_id=_names,
    input=_payloads,
    execution_id=_optional_texts,
    version=_optional_texts,
    parent=_parents,
    scheduled_start_time=st.none() | timestamps(),
    tags=_tags,
)
_EVENT_FIELDS[h.ExecutionCompleted].update(
    status=st.sampled_from(OrchestrationStatus), result=_payloads, failure_details=_optional_failures
)
_EVENT_FIELDS[h.ExecutionTerminated].update(input=_payloads, recurse=st.booleans())
_EVENT_FIELDS[h.ExecutionSuspended].update(input=_payloads)
_EVENT_FIELDS[h.ExecutionResumed].update(input=_payloads)
_EVENT_FIELDS[h.TaskScheduled].update(name=_names, input=_payloads, version=_optional_texts, tags=_tags)
_EVENT_FIELDS[h.TaskCompleted].update(task_scheduled_id=_ids, result=_payloads)
_EVENT_FIELDS[h.TaskFailed].update(task_scheduled_id=_ids, failure_details=_optional_failures)
_EVENT_FIELDS[h.SubOrchestrationInstanceCreated].update(
    name=_names, instance_id=_names, input=_payloads, version=_optional_texts
)
_EVENT_FIELDS[h.SubOrchestrationInstanceCompleted].update(task_scheduled_id=_ids, result=_payloads)
_EVENT_FIELDS[h.SubOrchestrationInstanceFailed].update(task_scheduled_id=_ids, failure_details=_optional_failures)
_EVENT_FIELDS[h.TimerCreated].update(fire_at=timestamps())
_EVENT_FIELDS[h.TimerFired].update(fire_at=timestamps(), timer_id=_ids)
_EVENT_FIELDS[h.EventSent].update(instance_id=_names, name=_names, input=_payloads)
_EVENT_FIELDS[h.EventRaised].update(name=_names, input=_payloads)
_EVENT_FIELDS[h.ContinueAsNew].update(input=_payloads)
_EVENT_FIELDS[h.GenericEvent].update(data=_payloads)
_EVENT_FIELDS[h.UnknownEvent].update(kind=_names)
