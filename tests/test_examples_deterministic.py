"""Every example's orchestrators pass ``assert_deterministic``: replay reproduces every run.

The examples are scripts, so each is loaded from its file; its orchestrators and activities are
found by the context type their first parameter is annotated with.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from durabletask import task
from durabletask.testing import assert_deterministic

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str) -> ModuleType:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))  # the examples import their shared _backend_choice
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def functions_taking(module: ModuleType, context: type) -> list[Callable[..., Any]]:
    found = []
    for value in vars(module).values():
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            parameters = list(inspect.signature(value).parameters)
            if parameters and typing.get_type_hints(value).get(parameters[0]) is context:
                found.append(value)
    return found


def inputs(module: ModuleType, name: str) -> tuple[Any, dict[str, Any] | None]:
    """The input (and external events) each example's main orchestrator is started with."""
    if name == "function_chaining":
        return "order-1001", None
    if name == "fan_out_fan_in":
        return None, None
    if name == "human_interaction":
        order = module.PurchaseOrder("PO-2", "laptop", 2400.0)
        return module.ApprovalRequest(order, 3600.0), {"approval_received": module.Approval("Ada", "ok")}
    if name == "sub_orchestrations":
        return ["Contoso", "Fabrikam"], None
    if name == "continue_as_new":
        return module.CleanupJob(1, 0, max_iterations=3, interval_seconds=60.0), None
    if name == "retries":
        return 120.0, None
    if name == "suspend_resume_terminate":
        return "order-7", {"shipped": "1Z-0042"}
    if name == "custom_objects":
        order = module.Order(
            order_id="SO-1",
            ordered_on=date(2024, 3, 1),
            ship_to=module.Address("1 Main St", "Springfield", "US"),
            items=[module.LineItem("pen", 2, 19.99)],
            shipping=module.Shipping.EXPRESS,
        )
        return order, None
    raise AssertionError(f"add the inputs of the new example '{name}' here")


MAIN_ORCHESTRATOR = {
    "function_chaining": "process_order",
    "fan_out_fan_in": "count_all_words",
    "human_interaction": "purchase_order_workflow",
    "sub_orchestrations": "onboard_batch",
    "continue_as_new": "periodic_cleanup",
    "retries": "checkout",
    "suspend_resume_terminate": "await_shipment",
    "custom_objects": "invoice_order",
}


def test_every_example_is_listed() -> None:
    scripts = {path.stem for path in EXAMPLES.glob("[a-z]*.py")} - {"run_all"}
    assert scripts == set(MAIN_ORCHESTRATOR)


@pytest.mark.parametrize("name", sorted(MAIN_ORCHESTRATOR))
def test_example_orchestrators_are_deterministic(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = load(name)
    orchestrators = functions_taking(module, task.OrchestrationContext)
    activities = functions_taking(module, task.ActivityContext)
    main = getattr(module, MAIN_ORCHESTRATOR[name])
    value, events = inputs(module, name)
    started = time.perf_counter()
    assert_deterministic(
        main,
        input=value,
        activities=activities,
        orchestrators=[o for o in orchestrators if o is not main],
        events=events,
    )
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n  assert_deterministic({name}.{main.__name__}): {elapsed * 1000:.0f} ms", end="")
