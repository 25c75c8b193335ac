"""Retry policies for activities and sub-orchestrations."""

from __future__ import annotations

from datetime import datetime, timedelta

_LONGEST_DELAY_SECONDS = 10 * 365 * 24 * 3600.0


class RetryPolicy:
    """How often, and how long, to retry a failed activity or sub-orchestration.

    Retries wait on durable timers, so they survive restarts and replay deterministically::

        policy = task.RetryPolicy(
            first_retry_interval=timedelta(seconds=1),
            max_number_of_attempts=5,        # including the first attempt
            backoff_coefficient=2.0,         # 1 s, 2 s, 4 s, 8 s
            max_retry_interval=timedelta(seconds=5),
        )
        yield ctx.call_activity(flaky, retry_policy=policy)

    Args:
        first_retry_interval: the wait before the first retry (>= 0).
        max_number_of_attempts: total attempts, the first one included (>= 1).
        backoff_coefficient: each wait is the previous one times this (>= 1; ``None`` means 1).
        max_retry_interval: no single wait is longer than this.
        retry_timeout: give up once this much time has passed since the first attempt.

    Raises:
        ValueError: for any out-of-range argument, naming it.
    """

    def __init__(
        self,
        *,
        first_retry_interval: timedelta,
        max_number_of_attempts: int,
        backoff_coefficient: float | None = 1.0,
        max_retry_interval: timedelta | None = None,
        retry_timeout: timedelta | None = None,
    ) -> None:
        if not isinstance(first_retry_interval, timedelta):
            raise ValueError("first_retry_interval must be a timedelta")
        if first_retry_interval < timedelta(0):
            raise ValueError("first_retry_interval must be >= 0")
        if isinstance(max_number_of_attempts, bool) or not isinstance(max_number_of_attempts, int):
            raise ValueError("max_number_of_attempts must be an int")
        if max_number_of_attempts < 1:
            raise ValueError("max_number_of_attempts must be >= 1")
        if backoff_coefficient is not None and not backoff_coefficient >= 1:
            raise ValueError("backoff_coefficient must be >= 1")
        if max_retry_interval is not None and max_retry_interval < timedelta(0):
            raise ValueError("max_retry_interval must be >= 0")
        if retry_timeout is not None and retry_timeout < timedelta(0):
            raise ValueError("retry_timeout must be >= 0")
        self._first_retry_interval = first_retry_interval
        self._max_number_of_attempts = max_number_of_attempts
        self._backoff_coefficient = backoff_coefficient
        self._max_retry_interval = max_retry_interval
        self._retry_timeout = retry_timeout

    @property
    def first_retry_interval(self) -> timedelta:
        """The wait before the first retry."""
        return self._first_retry_interval

    @property
    def max_number_of_attempts(self) -> int:
        """Total attempts allowed, the first one included."""
        return self._max_number_of_attempts

    @property
    def backoff_coefficient(self) -> float | None:
        """The factor by which each wait grows."""
        return self._backoff_coefficient

    @property
    def max_retry_interval(self) -> timedelta | None:
        """The longest single wait."""
        return self._max_retry_interval

    @property
    def retry_timeout(self) -> timedelta | None:
        """How long after the first attempt retrying stops."""
        return self._retry_timeout

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(first_retry_interval={self._first_retry_interval!r}, "
            f"max_number_of_attempts={self._max_number_of_attempts}, "
            f"backoff_coefficient={self._backoff_coefficient}, "
            f"max_retry_interval={self._max_retry_interval!r}, retry_timeout={self._retry_timeout!r})"
        )

    def next_delay(self, attempts_made: int, first_attempt_at: datetime, now: datetime) -> timedelta | None:
        """The wait before attempt ``attempts_made + 1``, or ``None`` when retrying is over."""
        if attempts_made >= self._max_number_of_attempts:
            return None
        if self._retry_timeout is not None and now - first_attempt_at >= self._retry_timeout:
            return None
        coefficient = self._backoff_coefficient if self._backoff_coefficient is not None else 1.0
        # Work in float seconds so a large coefficient saturates instead of overflowing timedelta.
        seconds = self._first_retry_interval.total_seconds() * coefficient ** (attempts_made - 1)
        if self._max_retry_interval is not None:
            seconds = min(seconds, self._max_retry_interval.total_seconds())
        return timedelta(seconds=min(seconds, _LONGEST_DELAY_SECONDS))
