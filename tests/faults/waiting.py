"""Bounded waits for fault tests: nothing here can hang a test run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from durabletask import client
from durabletask.grpc import SidecarUnavailableError, TaskHubGrpcClient


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 10 ms until it holds; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.01)


def wait_for_all(c: TaskHubGrpcClient, instance_ids: Sequence[str], timeout: float) -> list[client.OrchestrationState]:
    """Every instance's final state; calls that fail while a sidecar restarts are retried."""
    deadline = time.monotonic() + timeout
    states: list[client.OrchestrationState] = []
    for instance_id in instance_ids:
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, (
                f"timed out after {timeout}s; {len(states)} of {len(instance_ids)} finished; {instance_id} did not"
            )
            try:
                state = c.wait_for_orchestration_completion(instance_id, timeout=remaining)
            except (SidecarUnavailableError, TimeoutError):
                time.sleep(0.05)
                continue
            assert state is not None, f"instance {instance_id} was lost"
            states.append(state)
            break
    return states
