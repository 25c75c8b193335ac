"""The worker engine runs activities (sync and async) and reports their failures as data."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from durabletask import task
from durabletask.engine import ActivityWorkItem, WorkerEngine
from durabletask.worker import Registry


@dataclass
class Item:
    sku: str
    count: int


def engine_with(*activities: object) -> WorkerEngine:
    registry = Registry()
    for activity in activities:
        registry.add_activity(activity)  # type: ignore[arg-type]
    return WorkerEngine(registry)


def total(ctx: task.ActivityContext, item: Item) -> str:
    assert isinstance(item, Item), "the input is decoded as the annotated type"
    return f"{ctx.orchestration_id}/{ctx.task_id}: {item.count} x {item.sku}"


async def fetch(ctx: task.ActivityContext, url: str) -> int:
    await asyncio.sleep(0)
    return len(url)


def explode(ctx: task.ActivityContext, _: object) -> None:
    raise RuntimeError("disk full")


def test_a_sync_activity_gets_its_context_and_a_typed_input() -> None:
    result = engine_with(total).run_activity(ActivityWorkItem("total", '{"sku":"pen","count":3}', "order-1", 4))
    assert result.failure_details is None
    assert json.loads(result.result or "") == "order-1/4: 3 x pen"


def test_async_activities_run_from_sync_and_async_callers() -> None:
    engine = engine_with(fetch)
    item = ActivityWorkItem("fetch", '"https://example.org"', "o", 1)
    assert engine.is_async_activity("fetch")
    assert engine.run_activity(item).result == "19"
    assert asyncio.run(engine.run_activity_async(item)).result == "19"


def test_whether_an_activity_is_async_follows_the_function_registered_under_its_name() -> None:
    engine = engine_with(total)
    assert not engine.is_async_activity("total")
    assert not engine.is_async_activity("total")  # asked again: the kept answer
    assert not engine.is_async_activity("missing")
    engine.registry.activities["total"] = fetch  # a registry changed behind the engine's back
    assert engine.is_async_activity("total")


def test_an_activity_exception_becomes_failure_details() -> None:
    result = engine_with(explode).run_activity(ActivityWorkItem("explode", None, "o", 1))
    assert result.failure_details is not None
    assert result.failure_details.error_type == "RuntimeError"
    assert result.failure_details.message == "disk full"
    assert "raise RuntimeError" in (result.failure_details.stack_trace or "")


def test_an_unregistered_activity_fails_naming_it() -> None:
    result = engine_with().run_activity(ActivityWorkItem("send_invoice", None, "o", 1))
    assert result.failure_details is not None
    assert "send_invoice" in result.failure_details.message


def test_registering_two_functions_under_one_name_is_refused() -> None:
    registry = Registry()
    registry.add_activity(total)

    def other(ctx: task.ActivityContext, _: object) -> None: ...

    try:
        registry.add_activity(other, "total")
    except ValueError as error:
        assert "total" in str(error)
    else:
        raise AssertionError("a second function under the same name must be refused")


def test_importing_core_never_imports_grpc_or_protobuf() -> None:
    code = (
        "import sys; from durabletask import client, task, worker, engine, history, actions, serialization; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('grpc', 'google')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_core_runs_an_orchestration_with_the_standard_library_alone() -> None:
    # -I ignores site-packages and the environment: only the standard library and core's source.
    source = str(Path(__file__).resolve().parents[1] / "src")
    code = (
        f"import sys; sys.path.insert(0, {source!r})\n"
        "from durabletask import task\n"
        "from durabletask.engine import WorkerEngine, OrchestratorWorkItem\n"
        "from durabletask.worker import Registry\n"
        "from durabletask.history import ExecutionStarted, OrchestratorStarted\n"
        "from datetime import datetime, timezone\n"
        "def plain(ctx, name): return f'hi {name}'\n"
        "registry = Registry(); registry.add_orchestrator(plain)\n"
        "now = datetime.now(timezone.utc)\n"
        "events = [OrchestratorStarted(-1, now), ExecutionStarted(-1, now, 'plain', 'i', '\"Bo\"')]\n"
        "result = WorkerEngine(registry).run_orchestrator(OrchestratorWorkItem('i', [], events))\n"
        "print(result.actions[0].result)\n"
    )
    completed = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == '"hi Bo"'
