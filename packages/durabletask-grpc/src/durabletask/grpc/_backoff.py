"""How long a worker waits before trying to reach its sidecar again."""

from __future__ import annotations

import random


class ReconnectBackoff:
    """Capped exponential backoff with jitter: 0.05 s, 0.1 s, 0.2 s ... up to 5 s.

    Jitter (plus or minus ``jitter`` of each delay) keeps a fleet of workers from reconnecting in
    lock step after their sidecar restarts. :meth:`reset` after a connection succeeds.
    """

    def __init__(self, initial: float = 0.05, maximum: float = 5.0, multiplier: float = 2.0, jitter: float = 0.2):
        if not 0 < initial <= maximum:
            raise ValueError("need 0 < initial <= maximum")
        self._initial = initial
        self._maximum = maximum
        self._multiplier = multiplier
        self._jitter = jitter
        self._next = initial
        self.attempts = 0
        """Failed attempts since the last :meth:`reset`."""

    def next_delay(self) -> float:
        """The delay before the next attempt (and count one more failed attempt)."""
        self.attempts += 1
        delay = self._next
        self._next = min(self._next * self._multiplier, self._maximum)
        return delay * random.uniform(1 - self._jitter, 1 + self._jitter)

    def reset(self) -> None:
        """Start again from the initial delay."""
        self._next = self._initial
        self.attempts = 0
