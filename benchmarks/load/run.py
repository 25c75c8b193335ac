"""Load: many orchestrations fanning out to activities on a real sidecar, under a concurrency cap.

    python benchmarks/load/run.py [--orchestrations 1000] [--fan-out 10] [--max-activities 8]
                                  [--flavor dapr] [--json]

A fresh sidecar (Dapr's by default, in-memory store) and one worker in this process with
``ConcurrencyOptions(maximum_concurrent_activity_work_items=--max-activities)`` (and a thread pool
twice that size, so the cap is what binds). Every
orchestration calls ``--fan-out`` activities at once (``when_all``) and returns their sum. Each
activity counts how many activities are running at that moment; the largest count seen must not
exceed the cap. Dapr's sidecar dispatches without a limit of its own, so the cap is the worker's.

Reported: orchestrations per second, from the first start to the last completion decision (the
worker's, since the sidecar's wait polling can lag by seconds), then every instance is checked
for status COMPLETED and the right output. The command exits 1 if any check fails. ``--json``
prints the numbers as one JSON line at the end, for tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import ours

ours.use_working_tree()

from durabletask import client, task  # noqa: E402
from durabletask.grpc import AsyncTaskHubGrpcClient, ConcurrencyOptions, TaskHubGrpcWorker  # noqa: E402
from durabletask.testing.sidecar import Sidecar  # noqa: E402

# Long enough that activities overlap (so the cap is exercised), short enough not to dominate.
ACTIVITY_SECONDS = 0.002
START_CONCURRENCY = 64
"""Starts in flight at once: Dapr's StartInstance returns only after the first turn is stored."""


class Gauge:
    """How many activities run right now, the most seen at once, and completions so far."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.activities = 0
        self.completed = 0
        self.last_completion = 0.0

    def enter(self) -> None:
        with self._lock:
            self.running += 1
            self.activities += 1
            self.peak = max(self.peak, self.running)

    def leave(self) -> None:
        with self._lock:
            self.running -= 1

    def complete(self) -> None:
        with self._lock:
            self.completed += 1
            self.last_completion = time.perf_counter()


GAUGE = Gauge()


def square(ctx: task.ActivityContext, value: int) -> int:
    GAUGE.enter()
    try:
        time.sleep(ACTIVITY_SECONDS)
        return value * value
    finally:
        GAUGE.leave()


def fan_out(ctx: task.OrchestrationContext, width: int) -> Any:
    results = yield task.when_all([ctx.call_activity(square, input=n) for n in range(width)])
    if not ctx.is_replaying:
        GAUGE.complete()
    return sum(results)


async def start_all(address: str, count: int, width: int) -> list[str]:
    gate = asyncio.Semaphore(START_CONCURRENCY)
    async with AsyncTaskHubGrpcClient(host_address=address) as c:

        async def start(n: int) -> str:
            async with gate:
                return await c.schedule_new_orchestration(fan_out, input=width, instance_id=f"load-{n}")

        return list(await asyncio.gather(*(start(n) for n in range(count))))


async def check_all(address: str, instance_ids: list[str], width: int) -> list[str]:
    """Problems found (empty when every instance completed with the right output)."""
    expected = sum(n * n for n in range(width))
    gate = asyncio.Semaphore(START_CONCURRENCY)
    async with AsyncTaskHubGrpcClient(host_address=address) as c:

        async def check(instance_id: str) -> str | None:
            async with gate:
                state = await c.wait_for_orchestration_completion(instance_id, timeout=120)
            if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
                return f"{instance_id}: {state}"
            return None if state.get_output() == expected else f"{instance_id}: output {state.get_output()}"

        return [problem for problem in await asyncio.gather(*(check(i) for i in instance_ids)) if problem]


def run(orchestrations: int, width: int, cap: int, flavor: str) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    with Sidecar(flavor) as sidecar:  # type: ignore[arg-type]
        # Twice as many threads as the cap, so that the cap, not the pool, is what limits activities.
        options = ConcurrencyOptions(maximum_concurrent_activity_work_items=cap, maximum_thread_pool_workers=2 * cap)
        with TaskHubGrpcWorker(host_address=sidecar.address, concurrency_options=options) as w:
            w.add_orchestrator(fan_out)
            w.add_activity(square)
            w.start()
            began = time.perf_counter()
            instance_ids = asyncio.run(start_all(sidecar.address, orchestrations, width))
            started_in = time.perf_counter() - began
            deadline = time.monotonic() + 600
            while GAUGE.completed < orchestrations and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = GAUGE.last_completion - began
            problems = asyncio.run(check_all(sidecar.address, instance_ids, width))
    return {
        "flavor": flavor,
        "orchestrations": orchestrations,
        "fan_out": width,
        "cap": cap,
        "peak_concurrent_activities": GAUGE.peak,
        "activities": GAUGE.activities,
        "completion_turns": GAUGE.completed,
        "seconds": round(elapsed, 2),
        "start_seconds": round(started_in, 2),
        "orchestrations_per_second": round(orchestrations / elapsed, 1) if elapsed > 0 else None,
        "problems": problems[:5],
        "problem_count": len(problems),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orchestrations", type=int, default=1000)
    parser.add_argument("--fan-out", type=int, default=10)
    parser.add_argument("--max-activities", type=int, default=8)
    parser.add_argument("--flavor", choices=("dapr", "microsoft"), default="dapr")
    parser.add_argument("--json", action="store_true", help="print the numbers as one JSON line at the end")
    args = parser.parse_args()
    result = run(args.orchestrations, args.fan_out, args.max_activities, args.flavor)
    ok = result["problem_count"] == 0 and result["peak_concurrent_activities"] <= args.max_activities
    print(
        f"{result['orchestrations']} orchestrations x {result['fan_out']} activities on {result['flavor']}: "
        f"{result['seconds']} s, {result['orchestrations_per_second']} orchestrations/s "
        f"(starting them took {result['start_seconds']} s)"
    )
    print(
        f"peak concurrent activities {result['peak_concurrent_activities']} (cap {result['cap']}); "
        f"{result['activities']} activity executions; {result['problem_count']} problems {result['problems']}"
    )
    print("PASS" if ok else "FAIL")
    if args.json:
        print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
