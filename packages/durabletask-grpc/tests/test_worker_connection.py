"""The worker's connection to its sidecar: late sidecars, restarts, graceful stops, clear errors.

Each test owns its sidecar (``fresh_sidecar``), since it starts, kills or restarts it. Every
worker test runs on both transports: the built-in HTTP/2 channel and grpcio.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from durabletask import client, task
from durabletask.grpc import SidecarUnavailableError, TaskHubGrpcClient, TaskHubGrpcWorker
from durabletask.testing.sidecar import Sidecar


@pytest.fixture(params=["builtin", "grpcio"])
def transport(request: pytest.FixtureRequest) -> str:
    """The worker's transport (see ``TaskHubGrpcWorker(transport=...)``)."""
    return str(request.param)


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def greet(ctx: task.OrchestrationContext, name: str) -> Any:
    return (yield ctx.call_activity(hello, input=name))


def greet_when_told(ctx: task.OrchestrationContext, _: Any) -> Any:
    name = yield ctx.wait_for_external_event("name")
    return (yield ctx.call_activity(hello, input=name))


def nap_then_greet(ctx: task.OrchestrationContext, seconds: float) -> Any:
    yield ctx.create_timer(timedelta(seconds=seconds))
    return (yield ctx.call_activity(hello, input="after the nap"))


def test_a_worker_started_before_its_sidecar_connects_when_it_appears(
    fresh_sidecar: Callable[..., Sidecar],
    free_port: int,
    caplog: pytest.LogCaptureFixture,
    transport: str,
) -> None:
    caplog.set_level(logging.INFO, logger="durabletask.worker")
    with TaskHubGrpcWorker(host_address=f"localhost:{free_port}", transport=transport) as w:
        w.add_orchestrator(greet)
        w.add_activity(hello)
        started = time.monotonic()
        w.start()
        assert time.monotonic() - started < 6, "start() must not block while the sidecar is missing"
        assert not w.is_connected

        sidecar = fresh_sidecar(port=free_port).start()
        assert w.wait_until_connected(timeout=15)
        with TaskHubGrpcClient(host_address=sidecar.address) as c:
            instance_id = c.schedule_new_orchestration(greet, input="late sidecar")
            state = c.wait_for_orchestration_completion(instance_id, timeout=30)
        assert state is not None and state.get_output() == "Hello late sidecar!"
    assert "Cannot reach the Durable Task sidecar" in caplog.text


def test_a_restarted_sidecar_is_reconnected_without_restarting_the_worker(
    fresh_sidecar: Callable[..., Sidecar],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    transport: str,
) -> None:
    caplog.set_level(logging.INFO, logger="durabletask.worker")
    sidecar = fresh_sidecar(db=tmp_path / "state.sqlite").start()
    with (
        TaskHubGrpcWorker(host_address=sidecar.address, transport=transport) as w,
        TaskHubGrpcClient(host_address=sidecar.address) as c,
    ):
        for orchestrator in (greet, greet_when_told, nap_then_greet):
            w.add_orchestrator(orchestrator)
        w.add_activity(hello)
        w.start()

        waiting = c.schedule_new_orchestration(greet_when_told)
        napping = c.schedule_new_orchestration(nap_then_greet, input=2.0)
        assert c.wait_for_orchestration_start(waiting, timeout=30) is not None
        assert c.wait_for_orchestration_start(napping, timeout=30) is not None

        sidecar.restart(kill=True)  # a crash: the file database keeps both instances

        c.raise_orchestration_event(waiting, "name", data="survivor")
        for instance_id, expected in ((waiting, "Hello survivor!"), (napping, "Hello after the nap!")):
            state = c.wait_for_orchestration_completion(instance_id, timeout=45)
            assert state is not None
            assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
            assert state.get_output() == expected

        fresh = c.schedule_new_orchestration(greet, input="after restart")
        state = c.wait_for_orchestration_completion(fresh, timeout=30)
        assert state is not None and state.get_output() == "Hello after restart!"
    assert "Lost the Durable Task sidecar" in caplog.text


def test_stop_lets_a_running_activity_finish_and_deliver_its_result(
    fresh_sidecar: Callable[..., Sidecar], transport: str
) -> None:
    sidecar = fresh_sidecar().start()
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow(ctx: task.ActivityContext, _: Any) -> str:
        calls.append(ctx.orchestration_id)
        entered.set()
        release.wait(10)
        return "finished"

    def calls_slow(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.call_activity(slow))

    with TaskHubGrpcClient(host_address=sidecar.address) as c:
        first = TaskHubGrpcWorker(host_address=sidecar.address, transport=transport)
        first.add_orchestrator(calls_slow)
        first.add_activity(slow)
        first.start()
        instance_id = c.schedule_new_orchestration(calls_slow)
        assert entered.wait(30)
        threading.Timer(0.3, release.set).start()
        first.stop(grace_period=10)  # returns once the activity has finished and reported

        with TaskHubGrpcWorker(host_address=sidecar.address, transport=transport) as second:
            second.add_orchestrator(calls_slow)
            second.add_activity(slow)
            second.start()
            state = c.wait_for_orchestration_completion(instance_id, timeout=30)
        assert state is not None and state.get_output() == "finished"
    assert calls == [instance_id], "the first worker's result was delivered, so the activity ran once"


def test_stop_is_bounded_when_work_does_not_finish(fresh_sidecar: Callable[..., Sidecar], transport: str) -> None:
    sidecar = fresh_sidecar().start()
    entered, release = threading.Event(), threading.Event()

    def stuck(ctx: task.ActivityContext, _: Any) -> None:
        entered.set()
        release.wait(30)

    def calls_stuck(ctx: task.OrchestrationContext, _: Any) -> Any:
        yield ctx.call_activity(stuck)

    w = TaskHubGrpcWorker(host_address=sidecar.address, transport=transport)
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


def test_the_client_names_the_address_it_cannot_reach(free_port: int) -> None:
    with TaskHubGrpcClient(host_address=f"http://localhost:{free_port}") as c:
        with pytest.raises(SidecarUnavailableError, match=f"localhost:{free_port}"):
            c.schedule_new_orchestration("anything")
        with pytest.raises(ConnectionError):
            c.get_orchestration_state("anything")


def test_starting_a_running_worker_twice_is_an_error(free_port: int, transport: str) -> None:
    with TaskHubGrpcWorker(host_address=f"localhost:{free_port}", transport=transport) as w:
        w.start()
        with pytest.raises(RuntimeError):
            w.start()
        with pytest.raises(RuntimeError):
            w.add_activity(hello)
    assert not w.is_running
