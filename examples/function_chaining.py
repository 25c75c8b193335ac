"""Function chaining: run activities one after another, each taking the previous one's output.

An order goes through three steps in sequence (reserve stock, charge the card, ship). The
orchestrator yields each activity call; the generator resumes with that activity's result, and
a replay after a crash resumes from history without calling finished activities again.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/function_chaining.py
    python examples/function_chaining.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task


def reserve_stock(ctx: task.ActivityContext, order_id: str) -> str:
    return f"{order_id}: reserved"


def charge_card(ctx: task.ActivityContext, progress: str) -> str:
    return f"{progress}, charged"


def ship(ctx: task.ActivityContext, progress: str) -> str:
    return f"{progress}, shipped"


def process_order(ctx: task.OrchestrationContext, order_id: str) -> Generator[task.Task[Any], Any, str]:
    reserved = yield ctx.call_activity(reserve_stock, input=order_id)
    charged = yield ctx.call_activity(charge_card, input=reserved)
    shipped: str = yield ctx.call_activity(ship, input=charged)
    return shipped


def main() -> None:
    args = example_parser(__doc__).parse_args()
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(process_order)
        w.add_activity(reserve_stock)
        w.add_activity(charge_card)
        w.add_activity(ship)
        w.start()

        c = backend.client()
        instance_id = c.schedule_new_orchestration(process_order, input="order-1001")
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)

    if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
        sys.exit(f"The orchestration did not complete: {state}")
    print(f"Orchestration {state.runtime_status}: {state.get_output()}")

    expected = "order-1001: reserved, charged, shipped"
    if state.get_output() != expected:
        sys.exit(f"Expected {expected!r}")


if __name__ == "__main__":
    main()
