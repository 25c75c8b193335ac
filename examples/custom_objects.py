"""Custom business objects as inputs and outputs: dataclasses, named tuples and plain classes.

Payloads travel as plain JSON, so other Durable Task SDKs can read them. Your own types need no
registration: dataclasses, named tuples and plain classes are written as JSON objects of their
fields (enums as their value, dates as ISO text). Reading back, type hints choose the type:

* an orchestrator's or activity's input parameter annotation (``order: Order``);
* an activity's return annotation (``-> Invoice``) for the value ``call_activity`` yields;
* ``state.get_output(Invoice)`` on the client.

Nested fields follow their own annotations (``list[LineItem]``, ``Address``). Without a hint a JSON
object comes back as a dict whose keys also read as attributes.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/custom_objects.py
    python examples/custom_objects.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Any, NamedTuple

from _backend_choice import example_parser, open_backend

from durabletask import client, task


class Shipping(Enum):
    STANDARD = "standard"
    EXPRESS = "express"


class Address(NamedTuple):
    street: str
    city: str
    country: str


@dataclass
class LineItem:
    sku: str
    quantity: int
    unit_price: float


@dataclass
class Order:
    order_id: str
    ordered_on: date
    ship_to: Address
    items: list[LineItem] = field(default_factory=list)
    shipping: Shipping = Shipping.STANDARD


class Invoice:
    """A plain class: its class-level annotations tell the converter how to rebuild the fields."""

    order_id: str
    total: float
    due_on: date
    label: str

    def __init__(self, order_id: str, total: float, due_on: date, label: str = "") -> None:
        self.order_id = order_id
        self.total = total
        self.due_on = due_on
        self.label = label


SHIPPING_COST = {Shipping.STANDARD: 0.0, Shipping.EXPRESS: 15.0}


def price_order(ctx: task.ActivityContext, order: Order) -> Invoice:
    # The annotation `order: Order` turned the JSON back into an Order, down to its fields.
    print(
        f"  price_order got {type(order).__name__} with {type(order.items[0]).__name__} items, "
        f"ship_to {type(order.ship_to).__name__}, shipping {order.shipping}, ordered_on {order.ordered_on!r}"
    )
    subtotal = sum(item.quantity * item.unit_price for item in order.items)
    total = round(subtotal + SHIPPING_COST[order.shipping], 2)
    return Invoice(order.order_id, total, due_on=order.ordered_on + timedelta(days=30))


def shipping_label(ctx: task.ActivityContext, address: Address) -> str:
    return f"{address.street}, {address.city}, {address.country}"


def invoice_order(ctx: task.OrchestrationContext, order: Order) -> Generator[task.Task[Any], Any, Invoice]:
    # `price_order` is annotated `-> Invoice`, so the task's result is an Invoice, not a dict.
    invoice: Invoice = yield ctx.call_activity(price_order, input=order)
    invoice.label = yield ctx.call_activity(shipping_label, input=order.ship_to)
    return invoice


def main() -> None:
    args = example_parser(__doc__).parse_args()
    order = Order(
        order_id="SO-5150",
        ordered_on=date(2024, 3, 1),
        ship_to=Address("1 Main St", "Springfield", "US"),
        items=[LineItem("pen", 2, 19.99), LineItem("desk-lamp", 1, 249.00)],
        shipping=Shipping.EXPRESS,
    )
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(invoice_order)
        w.add_activity(price_order)
        w.add_activity(shipping_label)
        w.start()

        c = backend.client()
        instance_id = c.schedule_new_orchestration(invoice_order, input=order)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)

    if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
        sys.exit(f"The orchestration did not complete: {state}")

    print(f"stored input:  {state.serialized_input}")
    print(f"stored output: {state.serialized_output}")

    invoice = state.get_output(Invoice)
    if invoice is None:
        sys.exit("The orchestration has no output")
    print(f"as an Invoice: {type(invoice).__name__}, total {invoice.total}, due on {invoice.due_on!r}")

    untyped = state.get_output()  # no hint: a dict whose keys also read as attributes
    print(f"without a hint: total {untyped.total}, label {untyped['label']!r}")

    expected = (303.98, date(2024, 3, 31), "1 Main St, Springfield, US")
    if (invoice.total, invoice.due_on, invoice.label) != expected:
        sys.exit(f"Expected total, due date and label {expected!r}")


if __name__ == "__main__":
    main()
