"""How much work a gRPC worker takes on at once."""

from __future__ import annotations

import os


class ConcurrencyOptions:
    """Limits on the work items a :class:`~durabletask.grpc.TaskHubGrpcWorker` runs at the same time.

    Items beyond a limit wait in the worker (it keeps reading the sidecar's stream meanwhile)
    and start as earlier ones finish::

        worker.TaskHubGrpcWorker(
            concurrency_options=worker.ConcurrencyOptions(
                maximum_concurrent_activity_work_items=8,
                maximum_concurrent_orchestration_work_items=4,
            )
        )

    Args:
        maximum_concurrent_activity_work_items: activities running at once, plain and
            ``async def`` together (default: 100 per CPU).
        maximum_concurrent_orchestration_work_items: orchestrator turns running at once
            (default: 100 per CPU). Turns of one instance never overlap, whatever the limit.
        maximum_thread_pool_workers: threads that run orchestrator turns and plain activities
            (default: CPUs + 4, as ``concurrent.futures`` chooses). ``async def`` activities run
            on one event loop thread instead and do not use these threads.
    """

    def __init__(
        self,
        maximum_concurrent_activity_work_items: int | None = None,
        maximum_concurrent_orchestration_work_items: int | None = None,
        maximum_thread_pool_workers: int | None = None,
    ) -> None:
        processors = os.cpu_count() or 1
        self.maximum_concurrent_activity_work_items = _positive(
            "maximum_concurrent_activity_work_items", maximum_concurrent_activity_work_items, 100 * processors
        )
        self.maximum_concurrent_orchestration_work_items = _positive(
            "maximum_concurrent_orchestration_work_items", maximum_concurrent_orchestration_work_items, 100 * processors
        )
        self.maximum_thread_pool_workers = _positive(
            "maximum_thread_pool_workers", maximum_thread_pool_workers, processors + 4
        )

    def __repr__(self) -> str:
        return (
            f"ConcurrencyOptions(maximum_concurrent_activity_work_items={self.maximum_concurrent_activity_work_items}, "
            f"maximum_concurrent_orchestration_work_items={self.maximum_concurrent_orchestration_work_items}, "
            f"maximum_thread_pool_workers={self.maximum_thread_pool_workers})"
        )


def _positive(name: str, value: int | None, default: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}.")
    return value
