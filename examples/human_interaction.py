"""Human interaction: wait for a person's approval, but not forever.

A purchase order above a threshold needs a manager's approval. The orchestrator asks for it, then
races two tasks with ``task.when_any``: the external event ``approval_received`` and a durable
timer (24 hours by default). Whichever finishes first decides: place the order, or escalate it.
Nothing runs while it waits; the waiting survives restarts because it is recorded in history.

The event's data is a named tuple; with no ``data_type`` it comes back as a JSON object whose
fields read as attributes, so ``approval_event.get_result().approver`` works.

Three orders show the three outcomes: a small order is placed without approval, a large one is
approved, and a large one nobody answers is escalated when the timer fires. On the in-memory
backend the 24-hour timer fires at once (its clock skips ahead when nothing else can happen); on
a sidecar the timer is real, so the default there is 3 seconds.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/human_interaction.py
    python examples/human_interaction.py --sidecar localhost:4001 [--timeout-seconds 3]
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from _backend_choice import example_parser, open_backend

from durabletask import client, task

APPROVAL_THRESHOLD = 1000.0


class PurchaseOrder(NamedTuple):
    order_id: str
    item: str
    amount: float


class Approval(NamedTuple):
    approver: str
    comment: str


@dataclass
class ApprovalRequest:
    order: PurchaseOrder
    # How long to wait for a manager. Part of the input, not read from a clock or a global,
    # because the orchestrator must make the same decision on every replay.
    timeout_seconds: float


def request_approval(ctx: task.ActivityContext, order: PurchaseOrder) -> None:
    # A real system would email the manager a link that raises the approval event.
    print(f"  approval requested for {order.order_id} ({order.item}, {order.amount:.2f})")


def place_order(ctx: task.ActivityContext, order: PurchaseOrder) -> None:
    print(f"  order {order.order_id} placed")


def escalate(ctx: task.ActivityContext, order: PurchaseOrder) -> None:
    print(f"  order {order.order_id} escalated to the purchasing department")


def purchase_order_workflow(
    ctx: task.OrchestrationContext, request: ApprovalRequest
) -> Generator[task.Task[Any], Any, str]:
    order = request.order
    if order.amount < APPROVAL_THRESHOLD:
        yield ctx.call_activity(place_order, input=order)
        return f"{order.order_id}: placed without approval"

    yield ctx.call_activity(request_approval, input=order)
    ctx.set_custom_status("waiting for approval")

    approval_event = ctx.wait_for_external_event("approval_received")
    timeout = ctx.create_timer(timedelta(seconds=request.timeout_seconds))
    winner = yield task.when_any([approval_event, timeout])

    if winner is timeout:
        yield ctx.call_activity(escalate, input=order)
        return f"{order.order_id}: escalated, nobody approved in time"

    approver = approval_event.get_result().approver
    yield ctx.call_activity(place_order, input=order)
    return f"{order.order_id}: approved by {approver} and placed"


def main() -> None:
    parser = example_parser(__doc__)
    parser.add_argument(
        "--timeout-seconds",
        type=float,
        help="how long each order waits for approval (default: 24 hours in memory, 3 seconds on a sidecar)",
    )
    args = parser.parse_args()

    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(purchase_order_workflow)
        w.add_activity(request_approval)
        w.add_activity(place_order)
        w.add_activity(escalate)
        w.start()
        c = backend.client()

        timeout_seconds = args.timeout_seconds
        if timeout_seconds is None:
            timeout_seconds = 3.0 if backend.on_sidecar else timedelta(hours=24).total_seconds()

        def start(order: PurchaseOrder) -> str:
            return c.schedule_new_orchestration(
                purchase_order_workflow, input=ApprovalRequest(order, timeout_seconds=timeout_seconds)
            )

        small = start(PurchaseOrder("PO-1", "keyboard", 49.90))
        approved = start(PurchaseOrder("PO-2", "laptops", 4800.00))
        ignored = start(PurchaseOrder("PO-3", "forklift", 23000.00))

        # The manager answers PO-2. The event may arrive before the orchestrator reaches
        # wait_for_external_event; the backend keeps it until then, so there is no race.
        c.wait_for_orchestration_start(approved, timeout=30)
        c.raise_orchestration_event(approved, "approval_received", data=Approval("Ada", "within budget"))
        # Nobody answers PO-3: its timer fires and the order is escalated.

        outputs = []
        for instance_id in (small, approved, ignored):
            state = c.wait_for_orchestration_completion(instance_id, timeout=30 + timeout_seconds)
            if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
                sys.exit(f"The orchestration did not complete: {state}")
            outputs.append(state.get_output())

    for output in outputs:
        print(output)

    expected = [
        "PO-1: placed without approval",
        "PO-2: approved by Ada and placed",
        "PO-3: escalated, nobody approved in time",
    ]
    if outputs != expected:
        sys.exit(f"Expected {expected!r}")


if __name__ == "__main__":
    main()
