"""Retries: let the framework retry a failing activity with a ``task.RetryPolicy``.

``charge_card`` stands in for a call to a flaky payment gateway: it fails twice, then succeeds.
With a retry policy the orchestrator just yields the call; the retries (1 s, then 2 s later,
on durable timers) happen underneath, and the orchestrator only sees the final success.

``update_crm`` always fails. Its policy allows two attempts; after that the failure reaches the
orchestrator as ``task.TaskFailedError``, which it catches to finish anyway. ``details`` tells
what went wrong in the activity, even when that ran in another process.

Run it on the embedded in-memory backend (retry timers fire at once), or against a sidecar::

    python examples/retries.py
    python examples/retries.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task

# Counts the calls of each activity, to make the failures predictable. The key is the
# orchestration and the activity's name (each is called once per orchestration). Not the task id:
# some sidecars (Dapr's) give every retry a task id of its own. Real activities keep no state
# between calls; this works only because the worker runs in this process.
_attempts: Counter[tuple[str, str]] = Counter()
_attempts_lock = threading.Lock()  # the gRPC worker may run activities on several threads


class PaymentGatewayTimeoutError(Exception):
    """The payment gateway did not answer in time."""


def _next_attempt(ctx: task.ActivityContext, activity: str) -> int:
    with _attempts_lock:
        _attempts[ctx.orchestration_id, activity] += 1
        return _attempts[ctx.orchestration_id, activity]


def charge_card(ctx: task.ActivityContext, amount: float) -> str:
    attempt = _next_attempt(ctx, "charge_card")
    if attempt < 3:
        print(f"  charge_card attempt {attempt}: gateway timed out")
        raise PaymentGatewayTimeoutError("no answer from the payment gateway within 5 s")
    print(f"  charge_card attempt {attempt}: charged")
    return f"charged {amount:.2f} on attempt {attempt}"


def update_crm(ctx: task.ActivityContext, note: str) -> None:
    attempt = _next_attempt(ctx, "update_crm")
    print(f"  update_crm attempt {attempt}: connection refused")
    raise ConnectionError("crm.example.com refused the connection")


PAYMENT_RETRIES = task.RetryPolicy(
    first_retry_interval=timedelta(seconds=1),
    max_number_of_attempts=5,  # the first attempt counts
    backoff_coefficient=2.0,  # waits 1 s, 2 s, 4 s, ...
    max_retry_interval=timedelta(seconds=10),
)

CRM_RETRIES = task.RetryPolicy(first_retry_interval=timedelta(seconds=1), max_number_of_attempts=2)


def checkout(ctx: task.OrchestrationContext, amount: float) -> Generator[task.Task[Any], Any, list[str]]:
    receipt: str = yield ctx.call_activity(charge_card, input=amount, retry_policy=PAYMENT_RETRIES)

    try:
        yield ctx.call_activity(update_crm, input=receipt, retry_policy=CRM_RETRIES)
        crm = "CRM updated"
    except task.TaskFailedError as error:
        # Retries are exhausted; the order is paid, so record the problem instead of failing.
        crm = f"CRM not updated ({error.details.error_type}: {error.details.message})"

    return [receipt, crm]


def main() -> None:
    args = example_parser(__doc__).parse_args()
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(checkout)
        w.add_activity(charge_card)
        w.add_activity(update_crm)
        w.start()

        c = backend.client()
        instance_id = c.schedule_new_orchestration(checkout, input=120.0)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)

    if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
        sys.exit(f"The orchestration did not complete: {state}")
    for line in state.get_output():
        print(line)

    expected = [
        "charged 120.00 on attempt 3",
        "CRM not updated (ConnectionError: crm.example.com refused the connection)",
    ]
    if state.get_output() != expected:
        sys.exit(f"Expected {expected!r}")


if __name__ == "__main__":
    main()
