"""Virtual time: the backend's notion of "now" and the things due at later moments.

Nothing here reads the wall clock after construction. Time moves only when the backend says so,
which is what lets a 24-hour timer fire in a test without anyone waiting 24 hours.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Generic, TypeVar

T = TypeVar("T")


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class VirtualClock(Generic[T]):
    """The current virtual time plus a schedule of items that fall due at given moments.

    Items due at the same moment come out in the order they were scheduled, so the same calls
    always produce the same order of events.
    """

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)
        self._schedule: list[tuple[datetime, int, T]] = []
        self._sequence = 0  # breaks ties between equal times, and keeps items from being compared

    def now(self) -> datetime:
        """The current virtual time (aware, UTC)."""
        return self._now

    def schedule(self, when: datetime, item: T) -> None:
        """Make ``item`` due at ``when`` (at once, if ``when`` is not in the future)."""
        self._sequence += 1
        heapq.heappush(self._schedule, (as_utc(when), self._sequence, item))

    def pop_due(self) -> list[T]:
        """Remove and return the items due by now, earliest first."""
        due: list[T] = []
        while self._schedule and self._schedule[0][0] <= self._now:
            due.append(heapq.heappop(self._schedule)[2])
        return due

    def next_due_time(self, is_live: Callable[[T], bool]) -> datetime | None:
        """When the earliest item that still matters falls due; items that no longer do are dropped."""
        while self._schedule:
            when, _, item = self._schedule[0]
            if is_live(item):
                return when
            heapq.heappop(self._schedule)
        return None

    def advance_to(self, moment: datetime) -> None:
        """Move time forward to ``moment``; moving backwards is ignored (time never runs back)."""
        self._now = max(self._now, as_utc(moment))
