"""Operations only some sidecars serve: instance ids and histories on Dapr's, a clear refusal elsewhere.

Dapr's sidecar serves ``ListInstanceIDs`` and ``GetInstanceHistory``; microsoft/durabletask-go
v0.6.0 answers ``UNIMPLEMENTED``, which both clients raise as ``NotSupportedBySidecarError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from durabletask import history, task
from durabletask.grpc import (
    AsyncTaskHubGrpcClient,
    NotSupportedBySidecarError,
    TaskHubGrpcClient,
    TaskHubGrpcWorker,
)
from durabletask.testing.sidecar import Flavor, Sidecar


def double(ctx: task.ActivityContext, value: int) -> int:
    return value * 2


def doubles_twice(ctx: task.OrchestrationContext, value: int) -> Any:
    once = yield ctx.call_activity(double, input=value)
    return (yield ctx.call_activity(double, input=once))


@pytest.fixture(scope="module")
def dapr(sidecar_of: Callable[[Flavor], Sidecar]) -> Iterator[str]:
    """Dapr's sidecar with a worker serving ``doubles_twice``."""
    sidecar = sidecar_of("dapr")
    with TaskHubGrpcWorker(host_address=sidecar.address) as w:
        w.add_orchestrator(doubles_twice)
        w.add_activity(double)
        w.start()
        yield sidecar.address


def test_the_history_of_a_finished_instance_reads_as_core_events(dapr: str) -> None:
    with TaskHubGrpcClient(host_address=dapr) as c:
        instance_id = c.schedule_new_orchestration(doubles_twice, input=5)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)
        assert state is not None and state.get_output() == 20

        events = c.get_orchestration_history(instance_id)

    kinds = [type(event) for event in events]
    assert kinds[:2] == [history.OrchestratorStarted, history.ExecutionStarted]
    assert isinstance(events[-1], history.ExecutionCompleted) and events[-1].result == "20"
    scheduled = [event for event in events if isinstance(event, history.TaskScheduled)]
    completed = [event for event in events if isinstance(event, history.TaskCompleted)]
    assert [event.name for event in scheduled] == ["double", "double"]
    assert [event.result for event in completed] == ["10", "20"]
    assert [event.task_scheduled_id for event in completed] == [event.event_id for event in scheduled]


def test_instance_ids_come_in_pages_that_cover_every_instance(dapr: str) -> None:
    with TaskHubGrpcClient(host_address=dapr) as c:
        started = {c.schedule_new_orchestration(doubles_twice, input=n) for n in range(5)}
        seen: list[str] = []
        page = c.list_instance_ids(page_size=2)
        for _ in range(100):  # pages are followed until the sidecar says there are no more
            seen.extend(page.instance_ids)
            if page.continuation_token is None:
                break
            page = c.list_instance_ids(page_size=2, continuation_token=page.continuation_token)
        everything = c.list_instance_ids()

    # page_size is a request, not a promise: Dapr's SQLite store answers with one page of all ids.
    assert started <= set(seen), "every instance appears on some page"
    assert len(seen) == len(set(seen)), "no instance appears twice"
    assert set(everything.instance_ids) == set(seen) and everything.continuation_token is None


def test_the_async_client_reads_histories_and_ids_too(dapr: str) -> None:
    async def scenario() -> tuple[list[history.HistoryEvent], list[str]]:
        async with AsyncTaskHubGrpcClient(host_address=dapr) as c:
            instance_id = await c.schedule_new_orchestration(doubles_twice, input=1)
            await c.wait_for_orchestration_completion(instance_id, timeout=30)
            page = await c.list_instance_ids()
            assert instance_id in page.instance_ids
            return await c.get_orchestration_history(instance_id), page.instance_ids

    events, _ = asyncio.run(scenario())
    assert isinstance(events[-1], history.ExecutionCompleted) and events[-1].result == "4"


def test_page_size_must_be_positive(dapr: str) -> None:
    with TaskHubGrpcClient(host_address=dapr) as c, pytest.raises(ValueError, match="page_size"):
        c.list_instance_ids(page_size=0)


def test_a_sidecar_without_them_says_so(sidecar_of: Callable[[Flavor], Sidecar]) -> None:
    address = sidecar_of("microsoft").address
    with TaskHubGrpcClient(host_address=address) as c:
        with pytest.raises(NotSupportedBySidecarError, match=r"does not support GetInstanceHistory") as raised:
            c.get_orchestration_history("anything")
        assert raised.value.address == address and isinstance(raised.value, NotImplementedError)
        with pytest.raises(NotSupportedBySidecarError, match=r"does not support ListInstanceIDs"):
            c.list_instance_ids()

    async def scenario() -> None:
        async with AsyncTaskHubGrpcClient(host_address=address) as c:
            with pytest.raises(NotSupportedBySidecarError, match="ListInstanceIDs"):
                await c.list_instance_ids()
            with pytest.raises(NotSupportedBySidecarError, match="GetInstanceHistory"):
                await c.get_orchestration_history("anything")

    asyncio.run(scenario())
