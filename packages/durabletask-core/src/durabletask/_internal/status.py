"""The lifecycle states of an orchestration instance."""

from __future__ import annotations

from enum import Enum


class OrchestrationStatus(Enum):
    """The runtime status of an orchestration instance.

    The values are the ones the Durable Task wire protocol uses, so every backend and every other
    Durable Task SDK reads them the same way.
    """

    RUNNING = 0
    COMPLETED = 1
    CONTINUED_AS_NEW = 2
    FAILED = 3
    CANCELED = 4
    TERMINATED = 5
    PENDING = 6
    SUSPENDED = 7
    STALLED = 8
    """Dapr's engine reports an instance it cannot make progress on (for example a version it
    has no worker for) as stalled; it is not a final state."""

    def __str__(self) -> str:
        return self.name

    @property
    def is_terminal(self) -> bool:
        """True for the states an instance never leaves: completed, failed, terminated, canceled."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {
        OrchestrationStatus.COMPLETED,
        OrchestrationStatus.FAILED,
        OrchestrationStatus.TERMINATED,
        OrchestrationStatus.CANCELED,
    }
)
