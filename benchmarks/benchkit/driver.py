"""Drive a batch of orchestrations through a client, identically for both SDKs.

Both SDKs' clients have the same methods (our compatibility contract), so one driver serves the
original's ``TaskHubGrpcClient``, our in-memory client and our gRPC client alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BatchTiming:
    """How long a batch took, from the first schedule call to the last completion."""

    wall_seconds: float
    cpu_seconds: float
    """CPU of the driving process over the same span (includes an in-process backend and worker)."""


def run_batch(
    client: Any,
    orchestrator: Callable[..., Any],
    inputs: Sequence[int],
    expected_outputs: Sequence[str],
    *,
    timeout: float,
) -> BatchTiming:
    """Schedule one orchestration per input, wait for all, then check every output.

    Everything is scheduled before anything is awaited, so the worker sees the whole batch at
    once and may run it concurrently. A wrong or missing output raises.
    """
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    instance_ids = [client.schedule_new_orchestration(orchestrator, input=value) for value in inputs]
    states = [client.wait_for_orchestration_completion(instance_id, timeout=timeout) for instance_id in instance_ids]
    timing = BatchTiming(time.perf_counter() - wall_started, time.process_time() - cpu_started)

    for instance_id, state, expected in zip(instance_ids, states, expected_outputs, strict=True):
        status = getattr(getattr(state, "runtime_status", None), "name", None)
        output = getattr(state, "serialized_output", None)
        if status != "COMPLETED" or output != expected:
            failure = getattr(state, "failure_details", None)
            raise AssertionError(f"{instance_id}: expected COMPLETED with {expected}, got {status} {output} {failure}")
    return timing
