"""The worker's dispatcher: concurrency limits, one turn per instance at a time, bounded drain."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from durabletask.grpc import ConcurrencyOptions
from durabletask.grpc._backoff import ReconnectBackoff
from durabletask.grpc._dispatcher import SLOW_TURN_SECONDS, Work, WorkItemDispatcher

LOGGER = logging.getLogger("test.dispatcher")


class Probe:
    """Counts how many pieces of work run at once, overall and per key."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.order: list[str] = []
        self.done = threading.Semaphore(0)

    def work(self, key: str, label: str = "", seconds: float = 0.05) -> Work:
        def run() -> None:
            with self.lock:
                self.running[key] = self.running.get(key, 0) + 1
                self.peak[key] = max(self.peak.get(key, 0), self.running[key])
                total = sum(self.running.values())
                self.peak["*"] = max(self.peak.get("*", 0), total)
                self.order.append(label or key)
            time.sleep(seconds)
            with self.lock:
                self.running[key] -= 1
            self.done.release()

        return run

    def wait(self, count: int) -> None:
        for _ in range(count):
            assert self.done.acquire(timeout=10)


@pytest.fixture
def dispatcher() -> Iterator[WorkItemDispatcher]:
    options = ConcurrencyOptions(
        maximum_concurrent_activity_work_items=2,
        maximum_concurrent_orchestration_work_items=3,
        maximum_thread_pool_workers=8,
    )
    made = WorkItemDispatcher(options, LOGGER)
    yield made
    made.shutdown()


def test_turns_of_one_instance_never_overlap_and_keep_their_order(dispatcher: WorkItemDispatcher) -> None:
    probe = Probe()
    for turn in range(4):
        dispatcher.submit_orchestrator("same", probe.work("same", f"same-{turn}"))
    dispatcher.submit_orchestrator("other", probe.work("other"))
    probe.wait(5)
    assert probe.peak["same"] == 1
    assert [label for label in probe.order if label.startswith("same")] == [f"same-{i}" for i in range(4)]
    assert probe.peak["*"] == 2, "another instance runs beside the busy one"


def test_orchestration_turns_respect_their_limit(dispatcher: WorkItemDispatcher) -> None:
    probe = Probe()
    for index in range(8):
        dispatcher.submit_orchestrator(f"instance-{index}", probe.work(f"instance-{index}"))
    probe.wait(8)
    assert probe.peak["*"] == 3


def test_activities_respect_their_limit_plain_and_async_together(dispatcher: WorkItemDispatcher) -> None:
    probe = Probe()
    gauge = {"now": 0, "peak": 0}
    lock = threading.Lock()

    async def async_activity() -> Work:
        with lock:
            gauge["now"] += 1
            gauge["peak"] = max(gauge["peak"], gauge["now"] + sum(probe.running.values()))
        await asyncio.sleep(0.05)
        with lock:
            gauge["now"] -= 1
        return lambda: probe.done.release()

    for _ in range(3):
        dispatcher.submit_activity(probe.work("plain"))
        dispatcher.submit_async_activity(async_activity)
    probe.wait(6)
    assert probe.peak["plain"] <= 2
    assert gauge["peak"] <= 2


def test_drain_waits_for_running_work_and_drops_queued_work(dispatcher: WorkItemDispatcher) -> None:
    probe = Probe()
    for index in range(5):
        dispatcher.submit_activity(probe.work("a", str(index), seconds=0.2))
    time.sleep(0.05)
    assert dispatcher.drain(timeout=5)
    assert len(probe.order) == 2, "the two running items finished; the three queued ones were dropped"
    dispatcher.submit_activity(probe.work("a"))  # ignored once draining
    time.sleep(0.1)
    assert len(probe.order) == 2


def test_drain_gives_up_after_its_timeout(dispatcher: WorkItemDispatcher) -> None:
    release = threading.Event()

    def blocked() -> None:
        release.wait(5)

    dispatcher.submit_activity(blocked)
    started = time.monotonic()
    assert not dispatcher.drain(timeout=0.2)
    assert time.monotonic() - started < 1
    release.set()


def test_work_that_raises_does_not_leak_its_slot(dispatcher: WorkItemDispatcher) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    for _ in range(4):
        dispatcher.submit_orchestrator("x", broken)
        dispatcher.submit_activity(broken)
    assert dispatcher.drain(timeout=5)


def test_concurrency_options_default_and_validate() -> None:
    defaults = ConcurrencyOptions()
    assert defaults.maximum_thread_pool_workers >= 5
    assert defaults.maximum_concurrent_activity_work_items >= 100
    with pytest.raises(ValueError):
        ConcurrencyOptions(maximum_concurrent_activity_work_items=0)


def test_reconnect_backoff_grows_to_its_cap_with_jitter_and_resets() -> None:
    backoff = ReconnectBackoff(initial=0.05, maximum=5.0, jitter=0.2)
    delays = [backoff.next_delay() for _ in range(12)]
    assert 0.04 <= delays[0] <= 0.06
    assert all(later >= earlier * 1.3 for earlier, later in itertools.pairwise(delays[:6]))
    assert 4.0 <= delays[-1] <= 6.0
    assert backoff.attempts == 12
    backoff.reset()
    assert backoff.attempts == 0 and backoff.next_delay() <= 0.06


def test_a_quick_orchestrator_turn_runs_on_the_submitting_thread(dispatcher: WorkItemDispatcher) -> None:
    threads: list[threading.Thread] = []
    dispatcher.submit_orchestrator("i", lambda: threads.append(threading.current_thread()), "quick")
    assert threads == [threading.current_thread()], "run before submit_orchestrator returned, right here"
    assert dispatcher.drain(1), "and its slot was released"


def test_a_slow_orchestrator_has_its_later_turns_run_on_the_pool(
    dispatcher: WorkItemDispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    threads: list[threading.Thread] = []
    finished = threading.Semaphore(0)

    def slow_turn() -> None:
        threads.append(threading.current_thread())
        time.sleep(SLOW_TURN_SECONDS * 3)
        finished.release()

    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        dispatcher.submit_orchestrator("first", slow_turn, "slow")
        dispatcher.submit_orchestrator("second", slow_turn, "slow")
        assert finished.acquire(timeout=5) and finished.acquire(timeout=5)
    assert threads[0] is threading.current_thread()
    assert threads[1] is not threading.current_thread(), "marked slow after its first turn"
    assert "turns run on the thread pool from now on" in caplog.text
    dispatcher.submit_orchestrator("third", lambda: threads.append(threading.current_thread()), "quick")
    assert threads[-1] is threading.current_thread(), "other orchestrators still run here"


def test_a_turn_that_cannot_start_at_once_waits_on_the_pool_as_before(dispatcher: WorkItemDispatcher) -> None:
    """A busy instance, or a full orchestration limit, queues the turn: it never runs here."""
    probe = Probe()
    release = threading.Event()
    dispatcher.submit_orchestrator("busy", lambda: release.wait(5))  # unnamed: always on the pool
    submitted_on = threading.current_thread()
    ran_on: list[threading.Thread] = []

    def record() -> None:
        ran_on.append(threading.current_thread())
        probe.done.release()

    dispatcher.submit_orchestrator("busy", record, "quick")
    assert ran_on == [], "queued behind the running turn of its instance"
    release.set()
    probe.wait(1)
    assert ran_on and ran_on[0] is not submitted_on
