"""The original SDK's README snippets, verbatim, run on every backend.

The three orchestrators below are copied character for character from the patterns section of
the original ``durabletask`` README (function chaining, fan-out/fan-in, human interaction); only
the surrounding activities and the test bodies are ours. Code written for the original SDK must
run unchanged.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import timedelta
from typing import List

from durabletask import client, task

# --- function chaining (verbatim) ---------------------------------------------------------------


# simple activity function that returns a greeting
def hello(ctx: task.ActivityContext, name: str) -> str:
    return f'Hello {name}!'

# orchestrator function that sequences the activity calls
def sequence(ctx: task.OrchestrationContext, _):
    result1 = yield ctx.call_activity(hello, input='Tokyo')
    result2 = yield ctx.call_activity(hello, input='Seattle')
    result3 = yield ctx.call_activity(hello, input='London')

    return [result1, result2, result3]


# --- fan-out/fan-in (verbatim orchestrator; the activity bodies were elided in the README) -------


# activity function for getting the list of work items
def get_work_items(ctx: task.ActivityContext, _) -> List[str]:
    return [f"item-{i}" for i in range(5)]

# activity function for processing a single work item
def process_work_item(ctx: task.ActivityContext, item: str) -> int:
    return int(item.rsplit("-", 1)[1]) * 10

# orchestrator function that fans-out the work items and then fans-in the results
def orchestrator(ctx: task.OrchestrationContext, _):
    # the number of work-items is unknown in advance
    work_items = yield ctx.call_activity(get_work_items)

    # fan-out: schedule the work items in parallel and wait for all of them to complete
    tasks = [ctx.call_activity(process_work_item, input=item) for item in work_items]
    results = yield task.when_all(tasks)

    # fan-in: summarize and return the results
    return {'work_items': work_items, 'results': results, 'total': sum(results)}


# --- human interaction and durable timers (verbatim orchestrator) --------------------------------

Order = namedtuple("Order", ["Cost", "Product", "Quantity"])
Approval = namedtuple("Approval", ["approver"])
placed_orders: list[object] = []


def send_approval_request(ctx: task.ActivityContext, order: Order) -> None:
    pass


def place_order(ctx: task.ActivityContext, order: Order) -> None:
    placed_orders.append(order)


APPROVAL_TIMEOUT = timedelta(hours=24)


def purchase_order_workflow(ctx: task.OrchestrationContext, order: Order):
    """Orchestrator function that represents a purchase order workflow"""
    # Orders under $1000 are auto-approved
    if order.Cost < 1000:
        return "Auto-approved"

    # Orders of $1000 or more require manager approval
    yield ctx.call_activity(send_approval_request, input=order)

    # Approvals must be received within 24 hours or they will be canceled.
    approval_event = ctx.wait_for_external_event("approval_received")
    timeout_event = ctx.create_timer(APPROVAL_TIMEOUT)
    winner = yield task.when_any([approval_event, timeout_event])
    if winner == timeout_event:
        return "Canceled"

    # The order was approved
    yield ctx.call_activity(place_order, input=order)
    approval_details = approval_event.get_result()
    return f"Approved by '{approval_details.approver}'"


# --- the tests ------------------------------------------------------------------------------------


def test_function_chaining(hub) -> None:  # type: ignore[no-untyped-def]
    hub.worker(hello, orchestrators=(sequence,)).start()
    instance_id = hub.client.schedule_new_orchestration(sequence, instance_id=hub.new_id())
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None
    assert state.runtime_status == client.OrchestrationStatus.COMPLETED
    assert state.get_output() == ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]


def test_fan_out_fan_in(hub) -> None:  # type: ignore[no-untyped-def]
    hub.worker(get_work_items, process_work_item, orchestrators=(orchestrator,)).start()
    instance_id = hub.client.schedule_new_orchestration(orchestrator, instance_id=hub.new_id())
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None
    state.raise_if_failed()
    assert state.get_output() == {
        "work_items": [f"item-{i}" for i in range(5)],
        "results": [0, 10, 20, 30, 40],
        "total": 100,
    }


def test_purchase_order_approved(hub) -> None:  # type: ignore[no-untyped-def]
    hub.worker(send_approval_request, place_order, orchestrators=(purchase_order_workflow,)).start()
    order = Order(Cost=2000, Product="MyProduct", Quantity=1)
    instance_id = hub.client.schedule_new_orchestration(purchase_order_workflow, input=order, instance_id=hub.new_id())
    hub.client.wait_for_orchestration_start(instance_id, timeout=hub.wait_timeout)
    hub.client.raise_orchestration_event(instance_id, "approval_received", data=Approval("Manager Ada"))
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None
    state.raise_if_failed()
    assert state.get_output() == "Approved by 'Manager Ada'"


def test_purchase_order_times_out(hub) -> None:  # type: ignore[no-untyped-def]
    # 24 hours on the in-memory backend's virtual clock; a few seconds on a real sidecar.
    global APPROVAL_TIMEOUT
    APPROVAL_TIMEOUT = hub.long_wait
    try:
        hub.worker(send_approval_request, place_order, orchestrators=(purchase_order_workflow,)).start()
        order = Order(Cost=5000, Product="Server", Quantity=2)
        instance_id = hub.client.schedule_new_orchestration(
            purchase_order_workflow, input=order, instance_id=hub.new_id()
        )
        state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
        assert state is not None
        assert state.get_output() == "Canceled"
    finally:
        APPROVAL_TIMEOUT = timedelta(hours=24)


def test_small_orders_are_auto_approved(hub) -> None:  # type: ignore[no-untyped-def]
    hub.worker(send_approval_request, place_order, orchestrators=(purchase_order_workflow,)).start()
    order = Order(Cost=50, Product="Pen", Quantity=3)
    instance_id = hub.client.schedule_new_orchestration(purchase_order_workflow, input=order, instance_id=hub.new_id())
    state = hub.client.wait_for_orchestration_completion(instance_id, timeout=hub.wait_timeout)
    assert state is not None and state.get_output() == "Auto-approved"
