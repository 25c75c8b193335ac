"""The connection between the SDK and its sidecar: late sidecars, dead sidecars, graceful stops.

* A worker started before its sidecar exists connects when the sidecar appears.
* Client calls made while the sidecar is down fail fast, within their timeout, with a
  ``SidecarUnavailableError`` (a ``ConnectionError``) that names the address.
* ``stop()`` with activities in flight returns within its grace period, and their results are
  delivered: nothing runs twice and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from faults import chain_app
from faults.waiting import wait_for_all

from durabletask import client, task
from durabletask.grpc import (
    AsyncTaskHubGrpcClient,
    SidecarUnavailableError,
    TaskHubGrpcClient,
    TaskHubGrpcWorker,
)
from durabletask.testing.sidecar import Flavor, Sidecar

FLAVORS = ["microsoft", "dapr"]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_worker_started_before_the_sidecar_exists_connects_when_it_appears(
    flavor: Flavor, make_sidecar: Callable[..., Sidecar]
) -> None:
    chain_app.LOG = chain_app.ExecutionLog()
    port = free_port()
    with TaskHubGrpcWorker(host_address=f"localhost:{port}") as w:
        w.add_orchestrator(chain_app.chain)
        w.add_activity(chain_app.step)
        started = time.monotonic()
        w.start()
        assert time.monotonic() - started < 6, "start() does not wait for a sidecar that is not there"
        assert not w.is_connected
        time.sleep(1)  # a few failed attempts, so the worker is in its backoff

        sidecar = make_sidecar(flavor, port=port)
        assert w.wait_until_connected(timeout=10), "the worker found the sidecar within its backoff"
        with TaskHubGrpcClient(host_address=sidecar.address) as c:
            instance_id = c.schedule_new_orchestration(chain_app.chain, input=1)
            [state] = wait_for_all(c, [instance_id], timeout=30)
    assert state.get_output() == chain_app.expected_output(1)


def waits(ctx: task.OrchestrationContext, _: Any) -> Any:
    return (yield ctx.wait_for_external_event("go"))


@pytest.mark.parametrize("flavor", FLAVORS)
def test_client_calls_while_the_sidecar_is_down_fail_fast_with_a_connection_error(
    flavor: Flavor, make_sidecar: Callable[..., Sidecar]
) -> None:
    sidecar = make_sidecar(flavor)
    with TaskHubGrpcWorker(host_address=sidecar.address) as w, TaskHubGrpcClient(host_address=sidecar.address) as c:
        w.add_orchestrator(waits)
        w.start()
        instance_id = c.schedule_new_orchestration(waits)
        c.wait_for_orchestration_start(instance_id, timeout=30)
        sidecar.kill()

        calls: dict[str, Callable[[], object]] = {
            "schedule": lambda: c.schedule_new_orchestration(waits),
            "get": lambda: c.get_orchestration_state(instance_id),
            "wait": lambda: c.wait_for_orchestration_completion(instance_id, timeout=5),
            "raise": lambda: c.raise_orchestration_event(instance_id, "go", data=1),
            "terminate": lambda: c.terminate_orchestration(instance_id),
            "suspend": lambda: c.suspend_orchestration(instance_id),
            "resume": lambda: c.resume_orchestration(instance_id),
            "purge": lambda: c.purge_orchestration(instance_id),
        }
        for name, call in calls.items():
            started = time.monotonic()
            with pytest.raises(SidecarUnavailableError, match=sidecar.address.split(":")[-1]) as raised:
                call()
            assert time.monotonic() - started < 5, f"{name} failed fast"
            assert isinstance(raised.value, ConnectionError)

        async def async_calls() -> None:
            async with AsyncTaskHubGrpcClient(host_address=sidecar.address) as ac:
                with pytest.raises(SidecarUnavailableError):
                    await ac.get_orchestration_state(instance_id)
                with pytest.raises(SidecarUnavailableError):
                    await ac.wait_for_orchestration_completion(instance_id, timeout=5)

        started = time.monotonic()
        asyncio.run(async_calls())
        assert time.monotonic() - started < 5

        sidecar.start()  # and once it is back, the same client works again within seconds
        back = time.monotonic()
        while True:
            try:
                c.raise_orchestration_event(instance_id, "go", data="back")
                break
            except SidecarUnavailableError:
                assert time.monotonic() - back < 6, "the client reconnects within its 5 s backoff cap"
                time.sleep(0.05)
        [state] = wait_for_all(c, [instance_id], timeout=30)
        assert state.get_output() == "back"


@pytest.mark.parametrize("flavor", FLAVORS)
def test_stop_with_activities_in_flight_returns_in_time_and_loses_nothing(
    flavor: Flavor, make_sidecar: Callable[..., Sidecar]
) -> None:
    log = chain_app.ExecutionLog()
    chain_app.LOG = log
    log.activity_seconds = 0.15  # long enough to be caught running, short enough for a quick test
    sidecar = make_sidecar(flavor)
    count = 4
    with TaskHubGrpcClient(host_address=sidecar.address) as c:
        first = TaskHubGrpcWorker(host_address=sidecar.address)
        first.add_orchestrator(chain_app.chain)
        first.add_activity(chain_app.step)
        first.start()
        instance_ids = [c.schedule_new_orchestration(chain_app.chain, input=n) for n in range(count)]
        deadline = time.monotonic() + 30
        while log.activity_count < 2:  # activities are running right now
            assert time.monotonic() < deadline
            time.sleep(0.01)

        started = time.monotonic()
        first.stop(grace_period=5)
        stopped_in = time.monotonic() - started
        ran_before_stop = log.activity_count

        second = TaskHubGrpcWorker(host_address=sidecar.address)
        second.add_orchestrator(chain_app.chain)
        second.add_activity(chain_app.step)
        second.start()
        try:
            states = wait_for_all(c, instance_ids, timeout=60)
        finally:
            second.stop()

    assert stopped_in < 5, f"stop() took {stopped_in:.2f}s"
    assert 0 < ran_before_stop < count * chain_app.STEPS
    for n, state in enumerate(states):
        assert state.runtime_status == client.OrchestrationStatus.COMPLETED
        assert state.get_output() == chain_app.expected_output(n)
    assert log.duplicates() == {}, "activities that were running when stop() came were reported, not re-run"


def test_stop_returns_after_its_grace_period_when_an_activity_will_not_finish(
    make_sidecar: Callable[..., Sidecar],
) -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck(ctx: task.ActivityContext, _: Any) -> None:
        entered.set()
        release.wait(30)

    def calls_stuck(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.call_activity(stuck)

    sidecar = make_sidecar("microsoft")
    w = TaskHubGrpcWorker(host_address=sidecar.address)
    w.add_orchestrator(calls_stuck)
    w.add_activity(stuck)
    w.start()
    try:
        with TaskHubGrpcClient(host_address=sidecar.address) as c:
            c.schedule_new_orchestration(calls_stuck)
            assert entered.wait(30)
            started = time.monotonic()
            w.stop(grace_period=0.5)
            assert time.monotonic() - started < 3
            assert not w.is_running
    finally:
        release.set()
