"""The asyncio client offers the blocking client's methods as coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from durabletask import client, task
from durabletask.grpc import AsyncTaskHubGrpcClient, OrchestrationAlreadyExistsError, SidecarUnavailableError
from durabletask.testing.sidecar import Sidecar


def double(ctx: task.ActivityContext, value: int) -> int:
    return value * 2


def doubler(ctx: task.OrchestrationContext, value: int) -> Any:
    return (yield ctx.call_activity(double, input=value))


def wait_for_go(ctx: task.OrchestrationContext, _: Any) -> Any:
    return (yield ctx.wait_for_external_event("go"))


@pytest.fixture(scope="module")
def address(sidecar: Sidecar, serve: Callable[..., Any]) -> Iterator[str]:
    with serve(sidecar.address, [doubler, wait_for_go], [double]):
        yield sidecar.address


def test_the_async_client_drives_an_orchestration_end_to_end(address: str) -> None:
    async def scenario() -> None:
        async with AsyncTaskHubGrpcClient(host_address=address) as c:
            await c.ping()
            instance_id = await c.schedule_new_orchestration(doubler, input=21)
            state = await c.wait_for_orchestration_completion(instance_id, timeout=30)
            assert state is not None and state.get_output() == 42
            with pytest.raises(OrchestrationAlreadyExistsError):
                await c.schedule_new_orchestration(doubler, input=1, instance_id=instance_id)
            assert (await c.purge_orchestration(instance_id)).deleted_instance_count == 1
            assert await c.get_orchestration_state(instance_id) is None

    asyncio.run(scenario())


def test_the_async_client_controls_a_running_orchestration(address: str) -> None:
    async def scenario() -> None:
        async with AsyncTaskHubGrpcClient(host_address=address) as c:
            instance_id = await c.schedule_new_orchestration(wait_for_go)
            assert await c.wait_for_orchestration_start(instance_id, timeout=30) is not None
            await c.suspend_orchestration(instance_id)
            await c.resume_orchestration(instance_id)
            await c.raise_orchestration_event(instance_id, "go", data="went")
            done = await c.wait_for_orchestration_completion(instance_id, timeout=30)
            assert done is not None and done.get_output() == "went"

            stuck = await c.schedule_new_orchestration(wait_for_go)
            with pytest.raises(TimeoutError):
                await c.wait_for_orchestration_completion(stuck, timeout=0.3)
            await c.terminate_orchestration(stuck, output="enough")
            ended = await c.wait_for_orchestration_completion(stuck, timeout=30)
            assert ended is not None and ended.runtime_status == client.OrchestrationStatus.TERMINATED

    asyncio.run(scenario())


def test_the_async_client_names_the_address_it_cannot_reach(free_port: int) -> None:
    async def scenario() -> None:
        async with AsyncTaskHubGrpcClient(host_address=f"localhost:{free_port}") as c:
            with pytest.raises(SidecarUnavailableError, match=str(free_port)):
                await c.get_orchestration_state("x")

    asyncio.run(scenario())
