"""Activities run alone, with the context and the input a worker would give them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from durabletask import task
from durabletask.testing import ActivityEnvironment, run_activity


@dataclass
class Order:
    order_id: str
    amount: int


def charge(ctx: task.ActivityContext, order: Order) -> str:
    assert isinstance(order, Order), "the input arrives as the annotated type"
    return f"{ctx.orchestration_id}/{ctx.task_id}: charged {order.amount} for {order.order_id}"


def test_an_activity_gets_a_context_and_its_input_decoded_as_the_annotated_type() -> None:
    assert run_activity(charge, {"order_id": "A-1", "amount": 25}) == "test-orchestration/1: charged 25 for A-1"


def test_the_context_carries_the_given_orchestration_and_task_ids() -> None:
    result = run_activity(charge, Order("A-2", 5), orchestration_id="order-7", task_id=4)
    assert result == "order-7/4: charged 5 for A-2"


async def fetch_total(ctx: task.ActivityContext, amounts: list[int]) -> int:
    await asyncio.sleep(0)
    return sum(amounts)


def test_async_activities_are_awaited() -> None:
    assert run_activity(fetch_total, [1, 2, 3]) == 6


def test_async_activities_can_run_on_the_test_s_own_event_loop() -> None:
    async def main() -> int:
        result: int = await ActivityEnvironment(task_id=9).run_async(fetch_total, [4, 5])
        return result

    assert asyncio.run(main()) == 9


def out_of_stock(ctx: task.ActivityContext, _: None) -> None:
    raise LookupError("out of stock")


def test_exceptions_propagate_unchanged() -> None:
    with pytest.raises(LookupError, match="out of stock"):
        run_activity(out_of_stock)


def returns_a_socket(ctx: task.ActivityContext, _: None) -> object:
    return object()


def test_a_result_a_worker_could_not_store_is_refused() -> None:
    with pytest.raises(TypeError, match="Activity 'returns_a_socket' returned a value a worker could not store"):
        run_activity(returns_a_socket)


def test_one_environment_runs_many_activities() -> None:
    environment = ActivityEnvironment(orchestration_id="batch")
    assert environment.context().orchestration_id == "batch"
    assert environment.run(fetch_total, [1]) == 1
    assert environment.run(charge, Order("B", 1)).startswith("batch/1:")
