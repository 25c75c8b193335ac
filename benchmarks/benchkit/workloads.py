"""The orchestrations every benchmark runs, written once and registered with both SDKs.

Both SDKs accept the same user code (that is our compatibility contract), so sharing the source
guarantees that both sides run exactly the same workload. The orchestration context is typed
``Any`` because each SDK passes its own.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

ACTIVITY_NAME = "increment"
"""The one activity: returns its input plus one."""


def increment(ctx: Any, value: int) -> int:
    """The activity: trivial on purpose, so the benchmarks measure the SDK, not the work."""
    return value + 1


def chain(ctx: Any, length: int) -> Generator[Any, Any, int]:
    """Call ``increment`` ``length`` times in sequence, each on the previous result; returns ``length``."""
    value = 0
    for _ in range(length):
        value = yield ctx.call_activity(ACTIVITY_NAME, input=value)
    return value


def make_fan_out(when_all: Callable[[list[Any]], Any]) -> Callable[[Any, int], Generator[Any, Any, int]]:
    """Build the fan-out orchestrator around an SDK's ``task.when_all``."""

    def fan_out(ctx: Any, width: int) -> Generator[Any, Any, int]:
        """Call ``increment`` on 0..width-1 in parallel and return the sum: width*(width+1)/2."""
        results = yield when_all([ctx.call_activity(ACTIVITY_NAME, input=i) for i in range(width)])
        return sum(results)

    return fan_out


def expected_output(workload: str, size: int) -> int:
    """What the orchestration ``workload`` returns for ``size`` activities."""
    if workload == "chain":
        return size
    if workload == "fan_out":
        return size * (size + 1) // 2
    raise ValueError(f"unknown workload {workload!r}")
