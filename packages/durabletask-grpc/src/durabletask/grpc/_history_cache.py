"""Converted histories of the orchestration instances a worker serves, reused from turn to turn.

Sidecars send an instance's whole stored history with every turn, so a 300-step orchestration
makes its worker read about 135,000 events over its 301 turns, and turning each protobuf event
into core's type costs far more than replaying it. Within one execution a history only grows:
the events a turn saw (its past events, then its new ones) are the beginning of the next turn's
past events, followed by what the sidecar recorded since (the events of the turn's actions).
:class:`HistoryCache` keeps each instance's converted events and converts only that tail.

Reuse is checked, never assumed. The cached events are kept only when the request's events at
three places (the instance's ``ExecutionStarted``, the middle and the last cached position)
are exactly the cached ones (the ``ExecutionStarted`` is compared as serialized bytes, which is
cheaper than converting it, when the cache saw its wire form; the others convert to the cached
events): a continue-as-new or a purged-and-recreated instance starts
with another ``ExecutionStarted`` (a new execution id), so its history is converted afresh. When
the request is shorter than the cache (the sidecar dispatched a turn again because its answer
was lost), the cached events beyond it are dropped; when another worker served turns meanwhile,
the request is longer and the whole gap is converted. An instance is forgotten when its
orchestration finishes, and the least recently served ones go first when the cache is full.

Core's events are immutable, so sharing them between turns changes nothing for the executor.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from durabletask import history as h
from durabletask.grpc._events import event_from_proto, events_from_proto
from durabletask.grpc._proto import orchestrator_service_pb2 as pb

DEFAULT_MAXIMUM_INSTANCES = 1_000
"""Instances whose histories are kept at most."""

DEFAULT_MAXIMUM_EVENTS = 200_000
"""Events kept at most, over all instances (a few hundred bytes each)."""


class _Entry:
    """One instance's converted events, where its ``ExecutionStarted`` is, and that event's wire form."""

    __slots__ = ("events", "started_at", "started_bytes")

    def __init__(self, events: list[h.HistoryEvent], started_at: int, started_bytes: bytes | None) -> None:
        self.events = events
        self.started_at = started_at
        self.started_bytes = started_bytes


class HistoryCache:
    """Per-instance converted history events, for the next turn of the same instance.

    Thread-safe. A turn takes its instance's entry out of the cache while it runs and puts the
    extended history back when it ends, so two turns of one instance can never share a list.

    Args:
        maximum_instances: instances kept at most (least recently served are dropped first).
        maximum_events: events kept at most over all instances; a longer history is not kept.
    """

    def __init__(
        self, maximum_instances: int = DEFAULT_MAXIMUM_INSTANCES, maximum_events: int = DEFAULT_MAXIMUM_EVENTS
    ) -> None:
        self._maximum_instances = maximum_instances
        self._maximum_events = maximum_events
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._events = 0
        # The serialized ExecutionStarted of each instance whose turn is running, for remember().
        self._started_bytes: dict[str, bytes] = {}

    def __len__(self) -> int:
        """How many instances have a history in the cache."""
        return len(self._entries)

    @property
    def event_count(self) -> int:
        """How many events the cache holds, over all instances."""
        return self._events

    def past_events(self, instance_id: str, messages: Sequence[pb.HistoryEvent]) -> list[h.HistoryEvent]:
        """``messages`` (a turn's past events) in core's types, converting only what is not cached.

        The list returned belongs to the caller: hand it back with :meth:`remember` after the turn.
        """
        entry = self._take(instance_id)
        reusable = 0 if entry is None else min(len(entry.events), len(messages))
        if entry is not None and reusable > 0 and _same_prefix(entry, messages, reusable):
            events = entry.events
            del events[reusable:]  # a turn dispatched again: its lost answer's events are not in it
            if reusable < len(messages):
                events.extend(events_from_proto(messages[reusable:]))
            started_bytes = entry.started_bytes
        else:
            # A first turn, a new execution or an evicted instance: converted as a whole.
            events = events_from_proto(messages)
            started_at = _find_execution_started(events)
            started_bytes = None if started_at is None else _wire_form(messages[started_at])
        if started_bytes is not None:
            with self._lock:
                self._started_bytes[instance_id] = started_bytes
        return events

    def remember(
        self, instance_id: str, events: list[h.HistoryEvent], new_messages: Sequence[pb.HistoryEvent] = ()
    ) -> None:
        """Keep ``events`` (a turn's past events, then its new ones) for the instance's next turn.

        ``new_messages`` are the wire form of the new events, which lets a first turn's
        ``ExecutionStarted`` be checked as bytes next turn. The cache owns ``events`` from now
        on; the caller must not change it.
        """
        started_at = _find_execution_started(events)
        if started_at is None or len(events) > self._maximum_events:
            self.forget(instance_id)  # no way to tell its executions apart, or too long to keep
            return
        with self._lock:
            started_bytes = self._started_bytes.pop(instance_id, None)
        first_new = len(events) - len(new_messages)
        if started_bytes is None and started_at >= first_new:
            started_bytes = _wire_form(new_messages[started_at - first_new])
        with self._lock:
            previous = self._entries.pop(instance_id, None)
            if previous is not None:
                self._events -= len(previous.events)
            self._entries[instance_id] = _Entry(events, started_at, started_bytes)
            self._events += len(events)
            while len(self._entries) > self._maximum_instances or self._events > self._maximum_events:
                _, evicted = self._entries.popitem(last=False)
                self._events -= len(evicted.events)

    def forget(self, instance_id: str) -> None:
        """Drop the instance's history (its orchestration finished, or its turn went wrong)."""
        self._take(instance_id)

    def _take(self, instance_id: str) -> _Entry | None:
        with self._lock:
            self._started_bytes.pop(instance_id, None)
            entry = self._entries.pop(instance_id, None)
            if entry is not None:
                self._events -= len(entry.events)
            return entry


def _same_prefix(entry: _Entry, messages: Sequence[pb.HistoryEvent], length: int) -> bool:
    """Whether ``messages[:length]`` is the history the cache converted (checked at three places)."""
    events = entry.events
    started_at = entry.started_at
    if started_at >= length:
        return False
    if entry.started_bytes is None:
        started_matches = event_from_proto(messages[started_at]) == events[started_at]
    else:
        started_matches = _wire_form(messages[started_at]) == entry.started_bytes
    return started_matches and all(
        event_from_proto(messages[index]) == events[index] for index in (length // 2, length - 1)
    )


def _wire_form(message: pb.HistoryEvent) -> bytes:
    return message.SerializeToString(deterministic=True)


def _find_execution_started(events: Sequence[h.HistoryEvent]) -> int | None:
    # It is the first or second event of every history a sidecar sends (after an
    # OrchestratorStarted); searching further costs little and keeps odd histories correct.
    for index, event in enumerate(events):
        if type(event) is h.ExecutionStarted:
            return index
    return None
