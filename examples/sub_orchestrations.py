"""Sub-orchestrations: an orchestrator starts other orchestrations and waits for their outputs.

Onboarding a batch of customers: the parent starts one ``onboard_customer`` child per customer,
all at once, and gathers their outputs with ``task.when_all``. Each child is a full orchestration
with its own instance id, history and status (visible to any client), and calls its own
activities. Splitting work this way keeps each history short and lets the children be reused.

A child's instance id defaults to ``"<parent id>:<task id in hex>"``; here it is chosen explicitly,
derived from the parent's id so that it is the same on every replay.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/sub_orchestrations.py
    python examples/sub_orchestrations.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task


def create_account(ctx: task.ActivityContext, customer: str) -> str:
    return f"acct-{customer.lower()}"


def send_welcome_email(ctx: task.ActivityContext, account: str) -> None:
    print(f"  welcome email sent to {account}")


def onboard_customer(ctx: task.OrchestrationContext, customer: str) -> Generator[task.Task[Any], Any, str]:
    account: str = yield ctx.call_activity(create_account, input=customer)
    yield ctx.call_activity(send_welcome_email, input=account)
    return f"{customer} -> {account}"


def onboard_batch(ctx: task.OrchestrationContext, customers: list[str]) -> Generator[task.Task[Any], Any, list[str]]:
    children = [
        ctx.call_sub_orchestrator(onboard_customer, input=customer, instance_id=f"{ctx.instance_id}-{customer}")
        for customer in customers
    ]
    results: list[str] = yield task.when_all(children)
    return results


def main() -> None:
    args = example_parser(__doc__).parse_args()
    customers = ["Contoso", "Fabrikam", "Northwind"]
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(onboard_batch)
        w.add_orchestrator(onboard_customer)
        w.add_activity(create_account)
        w.add_activity(send_welcome_email)
        w.start()

        c = backend.client()
        instance_id = c.schedule_new_orchestration(onboard_batch, input=customers)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)
        if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
            sys.exit(f"The orchestration did not complete: {state}")

        # The children are orchestrations in their own right: any client can look them up.
        child_states = [c.get_orchestration_state(f"{instance_id}-{customer}") for customer in customers]

    for line in state.get_output():
        print(line)
    for customer, child in zip(customers, child_states, strict=True):
        print(f"child {customer}: {child.runtime_status if child else 'missing'}")

    expected = ["Contoso -> acct-contoso", "Fabrikam -> acct-fabrikam", "Northwind -> acct-northwind"]
    if state.get_output() != expected:
        sys.exit(f"Expected {expected!r}")
    if any(child is None or child.runtime_status != client.OrchestrationStatus.COMPLETED for child in child_states):
        sys.exit("Every child orchestration should have completed")


if __name__ == "__main__":
    main()
