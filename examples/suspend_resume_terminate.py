"""Managing running instances from a client: suspend, resume, terminate and purge.

``await_shipment`` waits for the warehouse's ``shipped`` event. Two instances show what an
operator can do with one:

* Suspend it: it stays alive but does nothing. An event raised meanwhile is kept, not lost, and
  handed to the orchestrator once it is resumed.
* Terminate it: it stops at once, whatever it was waiting for, with the output you give.

Finished instances keep their state and history until purged; after a purge the client no longer
finds them.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/suspend_resume_terminate.py
    python examples/suspend_resume_terminate.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
import time
from collections.abc import Generator
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task


def await_shipment(ctx: task.OrchestrationContext, order_id: str) -> Generator[task.Task[Any], Any, str]:
    ctx.set_custom_status("waiting for the warehouse")
    tracking_number = yield ctx.wait_for_external_event("shipped")
    return f"{order_id} shipped, tracking number {tracking_number}"


def wait_for_status(
    c: client.OrchestrationClient, instance_id: str, wanted: client.OrchestrationStatus, timeout: float = 15
) -> None:
    """Poll until the instance reaches ``wanted``: suspending is a request the backend handles later."""
    deadline = time.monotonic() + timeout
    while True:
        state = c.get_orchestration_state(instance_id, fetch_payloads=False)
        if state is not None and state.runtime_status == wanted:
            return
        if time.monotonic() > deadline:
            sys.exit(f"{instance_id} did not become {wanted} within {timeout} s: {state}")
        time.sleep(0.1)


def status_of(c: client.OrchestrationClient, instance_id: str) -> str:
    state = c.get_orchestration_state(instance_id, fetch_payloads=False)
    return str(state.runtime_status) if state is not None else "not found"


def main() -> None:
    args = example_parser(__doc__).parse_args()
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(await_shipment)
        w.start()
        c = backend.client()

        # Suspend and resume.
        paused = c.schedule_new_orchestration(await_shipment, input="order-7")
        c.wait_for_orchestration_start(paused, timeout=30)
        c.suspend_orchestration(paused, reason="customer asked to check the address")
        wait_for_status(c, paused, client.OrchestrationStatus.SUSPENDED)
        print(f"order-7 after suspend: {status_of(c, paused)}")

        c.raise_orchestration_event(paused, "shipped", data="1Z-0042")
        print(f"order-7 after the event: {status_of(c, paused)}")

        c.resume_orchestration(paused, reason="address confirmed")
        resumed = c.wait_for_orchestration_completion(paused, timeout=30)
        if resumed is None or resumed.runtime_status != client.OrchestrationStatus.COMPLETED:
            sys.exit(f"order-7 should have completed after resume: {resumed}")
        print(f"order-7 after resume: {resumed.runtime_status}, {resumed.get_output()}")

        # Terminate.
        cancelled = c.schedule_new_orchestration(await_shipment, input="order-8")
        c.wait_for_orchestration_start(cancelled, timeout=30)
        c.terminate_orchestration(cancelled, output="cancelled by the customer")
        terminated = c.wait_for_orchestration_completion(cancelled, timeout=30)
        if terminated is None or terminated.runtime_status != client.OrchestrationStatus.TERMINATED:
            sys.exit(f"order-8 should have been terminated: {terminated}")
        print(f"order-8 after terminate: {terminated.runtime_status}, {terminated.get_output()}")

        # Purge both: their state and history are deleted.
        purged = sum(c.purge_orchestration(instance_id).deleted_instance_count for instance_id in (paused, cancelled))
        print(f"purged {purged} instances; order-7 is now {status_of(c, paused)}, order-8 {status_of(c, cancelled)}")

    if resumed.get_output() != "order-7 shipped, tracking number 1Z-0042":
        sys.exit(f"Unexpected output for order-7: {resumed.get_output()!r}")
    if terminated.get_output() != "cancelled by the customer":
        sys.exit(f"Unexpected output for order-8: {terminated.get_output()!r}")
    if purged != 2:
        sys.exit(f"Expected 2 purged instances, got {purged}")


if __name__ == "__main__":
    main()
