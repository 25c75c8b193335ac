"""Timing helpers shared by both sides, so both are measured the same way."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

_Result = TypeVar("_Result")


def time_runs(
    run: Callable[[], _Result], check: Callable[[_Result], None], *, repeat: int, warmup: int = 1
) -> list[int]:
    """Call ``run`` ``warmup + repeat`` times and return the timed durations in nanoseconds.

    Only ``run`` is inside the timer. ``check`` verifies each result afterwards (a benchmark that
    produced the wrong answer measures nothing) and a full collection before each call keeps one
    run's garbage from being billed to the next. The warm-up runs are checked but not reported.
    """
    durations: list[int] = []
    for index in range(warmup + repeat):
        gc.collect()
        started = time.perf_counter_ns()
        result = run()
        elapsed = time.perf_counter_ns() - started
        check(result)
        if index >= warmup:
            durations.append(elapsed)
    return durations


def median(values: Sequence[float]) -> float:
    """The median: robust against the odd run disturbed by the rest of the machine."""
    return float(statistics.median(values))
