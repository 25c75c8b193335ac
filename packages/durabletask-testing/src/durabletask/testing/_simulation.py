"""A sidecar simulated in process: it runs one orchestration turn by turn and lets a chooser decide what happens.

After every turn the actions the orchestrator returned become outstanding work, as in a real
backend. Which piece of work finishes next, whether an activity fails, whether two completions
arrive in the same turn, when an external event is raised: each of those is a question put to a
:class:`Chooser`. Driven by Hypothesis, the chooser explores interleavings and shrinks a failing
one to the smallest; everything else (the clock, ids, payloads) is derived from the choices, so
the same choices give the same run.

The run keeps, per turn, exactly what the worker was given (past and new events) and what it
returned, so the determinism checks can replay any turn again and compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from durabletask.actions import (
    CompleteOrchestrationAction,
    CreateSubOrchestrationAction,
    CreateTimerAction,
    OrchestratorAction,
    ScheduleTaskAction,
    SendEventAction,
)
from durabletask.client import OrchestrationStatus
from durabletask.engine import ActivityResult, ActivityWorkItem, OrchestratorWorkItem, WorkerEngine
from durabletask.history import (
    EventRaised,
    EventSent,
    ExecutionStarted,
    HistoryEvent,
    OrchestratorStarted,
    ParentInstance,
    SubOrchestrationInstanceCompleted,
    SubOrchestrationInstanceFailed,
    TaskCompleted,
    TaskFailed,
    TimerFired,
)
from durabletask.task import FailureDetails
from durabletask.testing._recording import event_for

START_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""The simulated clock's default start: fixed, so that the same choices give the same timestamps."""

SIMULATED_FAILURE = "durabletask.testing.SimulatedFailure"
"""The ``error_type`` of the failures the simulation injects into activities and sub-orchestrations."""

# Each turn happens a little after the previous one, so timestamps (and retry timeouts) move on.
_TURN_GAP = timedelta(seconds=1)
# Sub-orchestrations nested deeper than this are not run (they would never finish when recursive).
_MAX_DEPTH = 4


class Chooser(Protocol):
    """Answers the simulation's questions; the Hypothesis one draws every answer."""

    def pick(self, options: Sequence[str]) -> int:
        """The index of the option that happens next (``options`` describe them in words)."""
        ...

    def flip(self, question: str) -> bool:
        """Yes or no (``False`` is the plain answer a shrinker should prefer)."""
        ...

    def payload(self, source: Any, what: str) -> Any:
        """A value from ``source``: itself, or a value drawn from it when it is a strategy."""
        ...


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    """What the simulated sidecar may deliver, and when it stops.

    ``events`` maps external event names to their data (values or strategies); ``results`` maps
    activity and sub-orchestration names to stand-in results used instead of running them.
    ``start_time`` is when the simulated clock starts.
    """

    events: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)
    max_turns: int = 50
    max_raises_per_event: int = 3
    start_time: datetime = START_TIME
    # Real activities may keep state or talk to the world, so calling one twice for the same call
    # can give two answers. Hypothesis needs each interleaving to replay identically, so the first
    # answer to each call (instance, task id, attempt, name, input) is kept for the whole check.
    activity_outcomes: dict[tuple[str, int, int, str, str | None], ActivityResult] = field(default_factory=dict)


@dataclass(eq=False)
class Turn:
    """One orchestrator turn: what the worker was given and what it returned.

    ``number`` counts turns from 1 over the whole run (continue-as-new included); ``execution``
    counts executions from 1. ``happened`` says in words what the sidecar delivered.
    """

    number: int
    execution: int
    past_events: tuple[HistoryEvent, ...]
    new_events: tuple[HistoryEvent, ...]
    actions: tuple[OrchestratorAction, ...]
    custom_status: str | None
    recorded_events: tuple[HistoryEvent, ...]
    happened: tuple[str, ...]
    children: tuple[Run, ...] = ()

    @property
    def history_after(self) -> tuple[HistoryEvent, ...]:
        """The execution's history as the sidecar stores it once this turn is recorded."""
        return self.past_events + self.new_events + self.recorded_events

    @property
    def completion(self) -> CompleteOrchestrationAction | None:
        """The turn's completion action, if the execution ended in it."""
        for action in self.actions:
            if isinstance(action, CompleteOrchestrationAction):
                return action
        return None


@dataclass(eq=False)
class Run:
    """Everything one simulated orchestration instance went through."""

    name: str
    instance_id: str
    turns: list[Turn] = field(default_factory=list)
    completion: CompleteOrchestrationAction | None = None
    stopped: str | None = None
    ended_at: datetime = START_TIME

    children: list[Run] = field(default_factory=list)

    def history(self) -> list[HistoryEvent]:
        """The history of the instance's last execution, as ``backend.get_history`` would give it."""
        return list(self.turns[-1].history_after) if self.turns else []

    def descendants(self) -> Iterator[Run]:
        """The sub-orchestration runs started along the way, depth first."""
        for child in self.children:
            yield child
            yield from child.descendants()

    def narrative(self, indent: str = "  ", *, through: int | None = None) -> list[str]:
        """The run in words, one line per turn, sub-orchestrations indented under their parent.

        With ``through``, the turns after that one are summed up in a single line.
        """
        lines: list[str] = []
        told: set[int] = set()
        for turn in self.turns:
            if through is not None and turn.number > through:
                lines.append(f"{indent}... {len(self.turns) - through} more turn(s)")
                return lines
            lines.append(f"{indent}turn {turn.number}: " + "; ".join(turn.happened))
            for child in turn.children:
                told.add(id(child))
                lines.extend(child.narrative(indent + "    "))
        if self.stopped is not None:
            lines.append(f"{indent}(stopped: {self.stopped})")
        for child in self.children:
            if id(child) not in told:  # it never finished, so no turn of this run reports it
                lines.extend(child.narrative(indent + "    "))
        return lines


@dataclass(frozen=True, slots=True)
class _Delivery:
    """One thing the sidecar can deliver next: a completion of outstanding work, or an event."""

    label: str
    action: OrchestratorAction | None = None
    event_name: str | None = None


class Simulator:
    """Runs orchestrations on ``engine`` the way a sidecar would, asking ``chooser`` at each fork."""

    def __init__(self, engine: WorkerEngine, chooser: Chooser, options: SimulationOptions) -> None:
        self.engine = engine
        self.chooser = chooser
        self.options = options

    def run(
        self,
        name: str,
        instance_id: str,
        input: str | None,
        *,
        start_time: datetime | None = None,
        parent: ParentInstance | None = None,
        depth: int = 0,
    ) -> Run:
        """Run the orchestration ``name`` (with JSON ``input``) until it ends or cannot go on."""
        start = start_time if start_time is not None else self.options.start_time
        return _InstanceSimulation(self, name, instance_id, input, start, parent, depth).run()


class _InstanceSimulation:
    """The state of one simulated instance: its clock, history and outstanding work."""

    def __init__(
        self,
        simulator: Simulator,
        name: str,
        instance_id: str,
        input: str | None,
        start_time: datetime,
        parent: ParentInstance | None,
        depth: int,
    ) -> None:
        self.simulator = simulator
        self.engine = simulator.engine
        self.chooser = simulator.chooser
        self.options = simulator.options
        self.depth = depth
        self.now = start_time
        self.execution = 1
        self.history: list[HistoryEvent] = []
        self.outstanding: list[OrchestratorAction] = []
        self.raised: Counter[str] = Counter()
        self.activity_attempts: Counter[int] = Counter()
        self.record = Run(name, instance_id)
        self.start_event = ExecutionStarted(
            -1, start_time, name, instance_id, input, execution_id=f"{instance_id}:1", parent=parent
        )

    def run(self) -> Run:
        record = self.record
        new_events: list[HistoryEvent] = [self.start_event]
        happened = [_with_input("started", self.start_event.input)]
        children: list[Run] = []
        while True:
            if len(record.turns) >= self.options.max_turns:
                record.stopped = f"it reached max_turns={self.options.max_turns}"
                break
            completion = self.take_turn(new_events, happened, children)
            if completion is not None and completion.status is OrchestrationStatus.CONTINUED_AS_NEW:
                new_events, happened = self.continue_as_new(completion)
                children = []
                continue
            if completion is not None:
                record.completion = completion
                break
            delivered = self.deliver_next()
            if delivered is None:
                reason = "it waits for something this check does not deliver"
                record.stopped = reason if record.stopped is None else f"{record.stopped}; then {reason}"
                break
            new_events, happened, children = delivered
        record.ended_at = self.now
        return record

    # -- one turn ------------------------------------------------------------------------------

    def take_turn(
        self, events: list[HistoryEvent], happened: list[str], children: list[Run]
    ) -> CompleteOrchestrationAction | None:
        instance_id = self.record.instance_id
        new_events = (OrchestratorStarted(-1, self.now), *events)
        past_events = tuple(self.history)
        result = self.engine.run_orchestrator(OrchestratorWorkItem(instance_id, past_events, new_events))
        recorded = tuple(event_for(action, self.now) for action in result.actions)
        turn = Turn(
            number=len(self.record.turns) + 1,
            execution=self.execution,
            past_events=past_events,
            new_events=new_events,
            actions=tuple(result.actions),
            custom_status=result.custom_status,
            recorded_events=recorded,
            happened=tuple(happened),
            children=tuple(children),
        )
        self.record.turns.append(turn)
        self.history.extend(new_events)
        self.history.extend(recorded)
        for action in result.actions:
            if isinstance(action, SendEventAction) and action.instance_id != instance_id:
                continue  # delivered elsewhere; nothing comes back to this instance
            if not isinstance(action, CompleteOrchestrationAction):
                self.outstanding.append(action)
        return turn.completion

    def continue_as_new(self, completion: CompleteOrchestrationAction) -> tuple[list[HistoryEvent], list[str]]:
        """Start the next execution with a fresh history, as a sidecar does."""
        self.execution += 1
        self.history = []
        self.outstanding = []  # work of the old execution never reaches the new one
        self.raised = Counter()
        previous = self.start_event
        self.start_event = ExecutionStarted(
            -1,
            self.now,
            previous.name,
            previous.instance_id,
            completion.result,
            execution_id=f"{previous.instance_id}:{self.execution}",
            version=completion.new_version if completion.new_version is not None else previous.version,
            parent=previous.parent,
        )
        happened = [_with_input("continued as new", completion.result)]
        if completion.carryover_events:
            happened.append(f"{len(completion.carryover_events)} unconsumed event(s) carried over")
        return [self.start_event, *completion.carryover_events], happened

    # -- what the sidecar delivers next -----------------------------------------------------------

    def deliver_next(self) -> tuple[list[HistoryEvent], list[str], list[Run]] | None:
        """Choose what arrives for the next turn (one thing, maybe more), and produce its events."""
        events: list[HistoryEvent] = []
        happened: list[str] = []
        children: list[Run] = []
        while not events:  # a child that never finishes delivers nothing: choose again
            chosen = self.choose()
            if not chosen:
                if happened:
                    self.record.stopped = "; ".join(happened)
                return None
            self.now += _TURN_GAP
            for delivery in chosen:
                if delivery.action is not None:
                    self.outstanding.remove(delivery.action)
                event, text, child = self.produce(delivery)
                happened.append(text)
                if event is not None:
                    events.append(event)
                if child is not None:
                    children.append(child)
                    self.record.children.append(child)
        return events, happened, children

    def choose(self) -> list[_Delivery]:
        """One delivery, then more for the same turn as long as the chooser says so."""
        chosen: list[_Delivery] = []
        while True:
            deliveries = [d for d in self.deliveries() if d not in chosen]
            if not deliveries:
                return chosen
            if chosen and not self.chooser.flip("another delivery in the same turn"):
                return chosen
            chosen.append(deliveries[self.chooser.pick([d.label for d in deliveries])])

    def deliveries(self) -> list[_Delivery]:
        """What may arrive now: completions in schedule order, the earliest timer(s), then events."""
        found: list[_Delivery] = []
        timers = [action for action in self.outstanding if isinstance(action, CreateTimerAction)]
        earliest = min((timer.fire_at for timer in timers), default=None)
        for action in self.outstanding:
            if isinstance(action, CreateTimerAction):
                # A clock fires timers in due order; a later one cannot overtake an earlier one.
                if action.fire_at == earliest:
                    found.append(_Delivery(f"timer (id {action.id}) fires", action=action))
            elif isinstance(action, ScheduleTaskAction):
                found.append(_Delivery(f"activity '{action.name}' (id {action.id}) finishes", action=action))
            elif isinstance(action, CreateSubOrchestrationAction):
                found.append(_Delivery(f"sub-orchestration '{action.name}' (id {action.id}) finishes", action=action))
            elif isinstance(action, SendEventAction):
                found.append(_Delivery(f"event '{action.name}' (id {action.id}) sent to itself arrives", action=action))
        for name in self.options.events:
            if self.raised[name] < self.options.max_raises_per_event:
                found.append(_Delivery(f"event '{name}' is raised", event_name=name))
        return found

    def produce(self, delivery: _Delivery) -> tuple[HistoryEvent | None, str, Run | None]:
        action = delivery.action
        if isinstance(action, ScheduleTaskAction):
            event, text = self.finish_activity(action)
            return event, text, None
        if isinstance(action, CreateTimerAction):
            self.now = max(self.now, action.fire_at)
            return TimerFired(-1, self.now, action.fire_at, action.id), f"timer (id {action.id}) fired", None
        if isinstance(action, CreateSubOrchestrationAction):
            return self.finish_sub_orchestration(action)
        if isinstance(action, SendEventAction):
            event = EventSent(-1, self.now, action.instance_id, action.name, action.data)
            return event, f"event '{action.name}' sent to itself arrived with {_show(action.data)}", None
        assert delivery.event_name is not None
        name = delivery.event_name
        self.raised[name] += 1
        data = self.chooser.payload(self.options.events[name], f"data of event '{name}'")
        encoded = self.engine.data_converter.serialize(data)
        return EventRaised(-1, self.now, name, encoded), f"event '{name}' raised with {_show(encoded)}", None

    def finish_activity(self, action: ScheduleTaskAction) -> tuple[HistoryEvent, str]:
        label = f"activity '{action.name}' (id {action.id})"
        if self.chooser.flip(f"{label} fails"):
            return TaskFailed(-1, self.now, action.id, _simulated_failure(label)), f"{label} failed (simulated)"
        if action.name in self.options.results:
            value = self.chooser.payload(self.options.results[action.name], f"result of {label}")
            encoded = self.engine.data_converter.serialize(value)
            return TaskCompleted(-1, self.now, action.id, encoded), f"{label} returned {_show(encoded)} (stand-in)"
        self.activity_attempts[action.id] += 1
        call = (self.record.instance_id, action.id, self.activity_attempts[action.id], action.name, action.input)
        outcome = self.options.activity_outcomes.get(call)
        if outcome is None:
            outcome = self.engine.run_activity(
                ActivityWorkItem(action.name, action.input, self.record.instance_id, action.id)
            )
            self.options.activity_outcomes[call] = outcome
        if outcome.failure_details is not None:
            details = outcome.failure_details
            text = f"{label} raised {details.error_type}: {details.message}"
            return TaskFailed(-1, self.now, action.id, details), text
        return TaskCompleted(-1, self.now, action.id, outcome.result), f"{label} returned {_show(outcome.result)}"

    def finish_sub_orchestration(
        self, action: CreateSubOrchestrationAction
    ) -> tuple[HistoryEvent | None, str, Run | None]:
        label = f"sub-orchestration '{action.name}' (id {action.id})"
        if self.chooser.flip(f"{label} fails"):
            failure = _simulated_failure(label)
            return SubOrchestrationInstanceFailed(-1, self.now, action.id, failure), f"{label} failed (simulated)", None
        if action.name in self.options.results:
            value = self.chooser.payload(self.options.results[action.name], f"result of {label}")
            encoded = self.engine.data_converter.serialize(value)
            event = SubOrchestrationInstanceCompleted(-1, self.now, action.id, encoded)
            return event, f"{label} returned {_show(encoded)} (stand-in)", None
        if self.depth >= _MAX_DEPTH:
            return None, f"{label} was not run (nested more than {_MAX_DEPTH} deep)", None
        parent = ParentInstance(self.record.name, self.record.instance_id, action.id)
        child = self.simulator.run(
            action.name, action.instance_id, action.input, start_time=self.now, parent=parent, depth=self.depth + 1
        )
        self.now = max(self.now, child.ended_at)
        done = child.completion
        ran = f"{label} ran as '{action.instance_id}'"
        if done is None:
            return None, f"{ran} and did not finish", child
        if done.status is OrchestrationStatus.COMPLETED:
            event = SubOrchestrationInstanceCompleted(-1, self.now, action.id, done.result)
            return event, f"{ran} and returned {_show(done.result)}", child
        details = done.failure_details or FailureDetails(
            f"Sub-orchestration '{action.instance_id}' ended as {done.status.name}.", f"Orchestration{done.status.name}"
        )
        failed = SubOrchestrationInstanceFailed(-1, self.now, action.id, details)
        return failed, f"{ran} and failed: {details.error_type}: {details.message}", child


def _simulated_failure(label: str) -> FailureDetails:
    return FailureDetails(f"Simulated failure of {label}.", SIMULATED_FAILURE)


def _with_input(what: str, payload: str | None) -> str:
    return what if payload is None else f"{what} with input {_show(payload)}"


def _show(payload: str | None) -> str:
    if payload is None:
        return "nothing"
    return payload if len(payload) <= 60 else payload[:57] + "..."
