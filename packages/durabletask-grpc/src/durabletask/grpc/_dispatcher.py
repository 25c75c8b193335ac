"""Runs work items within the worker's concurrency limits.

The worker's stream reader hands every item here and goes straight back to reading: submitting
never blocks. Items over a limit wait in a queue and start when a running one finishes. Two turns
of the same orchestration instance never run at once; a sidecar can dispatch an instance again
(after a reconnect, or when a turn outlives its lock) while the previous turn is still running,
and the second turn must see the first one's outcome in its history, not race it.

Plain work runs on a thread pool; ``async def`` activities run on one event loop thread, and
their results are sent from the pool so a slow sidecar never blocks the loop.

An orchestrator turn is meant to be quick (no I/O, just deciding what to schedule next), so a
turn that may start at once runs on the thread that submits it, the stream reader, which saves
handing it to a pool thread: about 15% of a busy worker's CPU (50 chains of 10 activities on
microsoft/durabletask-go v0.6.0). An orchestrator whose turn ever takes longer than
:data:`SLOW_TURN_SECONDS` has every later turn run on the pool instead, so one slow orchestrator
holds the reader up once at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from durabletask.grpc._concurrency import ConcurrencyOptions
from durabletask.grpc._thread_pool import ThreadPool

SLOW_TURN_SECONDS = 0.01
"""A turn that takes longer moves its orchestrator's later turns off the submitting thread."""

Work = Callable[[], None]
"""Runs one work item and sends its result; must not raise."""

AsyncWork = Callable[[], Coroutine[Any, Any, Work]]
"""Runs one ``async def`` activity and returns the (blocking) work that sends its result."""


@dataclass(frozen=True)
class _OrchestratorJob:
    instance_id: str
    work: Work


@dataclass(frozen=True)
class _ActivityJob:
    work: Work | None = None
    async_work: AsyncWork | None = None


class WorkItemDispatcher:
    """Schedules orchestrator turns and activities; see the module docstring for the rules."""

    def __init__(self, options: ConcurrencyOptions, logger: logging.Logger) -> None:
        self._options = options
        self._logger = logger
        self._pool = ThreadPool(options.maximum_thread_pool_workers, thread_name_prefix="durabletask-work")
        self._loop: _EventLoopThread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._accepting = True
        self._running_orchestrations = 0
        self._running_activities = 0
        self._busy_instances: set[str] = set()
        self._slow_orchestrators: set[str] = set()
        self._queued_orchestrations: deque[_OrchestratorJob] = deque()
        self._queued_activities: deque[_ActivityJob] = deque()

    def submit_orchestrator(self, instance_id: str, work: Work, orchestrator: str | None = None) -> None:
        """Run an orchestrator turn once a slot is free and the instance has no turn running.

        When the ``orchestrator`` is named and has not been slow, a turn that may start at once
        runs right here, before this returns (see the module docstring).
        """
        with self._lock:
            if not self._accepting:
                self._logger.debug("Not starting a turn of '%s': the worker is stopping.", instance_id)
                return
            job = _OrchestratorJob(instance_id, work)
            # Only a turn that nothing queued before it waits for may run here.
            may_run_here = (
                orchestrator is not None
                and orchestrator not in self._slow_orchestrators
                and not self._queued_orchestrations
            )
            self._queued_orchestrations.append(job)
            startable = self._take_startable_orchestrations()
            here = may_run_here and len(startable) == 1 and startable[0] is job
            if here:
                startable = []
        if here:
            assert orchestrator is not None
            self._run_here(job, orchestrator)
        for each in startable:
            self._start_orchestration(each)

    def _run_here(self, job: _OrchestratorJob, orchestrator: str) -> None:
        started = time.perf_counter()
        self._run_orchestration(job)
        took = time.perf_counter() - started
        if took > SLOW_TURN_SECONDS:
            with self._lock:
                self._slow_orchestrators.add(orchestrator)
            self._logger.info(
                "A turn of orchestrator '%s' took %.0f ms; its turns run on the thread pool from now on.",
                orchestrator,
                took * 1000,
            )

    def submit_activity(self, work: Work) -> None:
        """Run a plain activity on the thread pool once a slot is free."""
        self._submit_activity(_ActivityJob(work=work))

    def submit_async_activity(self, async_work: AsyncWork) -> None:
        """Run an ``async def`` activity on the event loop thread once a slot is free."""
        self._submit_activity(_ActivityJob(async_work=async_work))

    def drain(self, timeout: float) -> bool:
        """Stop accepting work, drop what has not started, and wait for running work to finish.

        Returns whether everything finished within ``timeout`` seconds. Dropped items were never
        answered, so the sidecar dispatches them again once this worker's stream closes.
        """
        with self._lock:
            self._accepting = False
            dropped = len(self._queued_orchestrations) + len(self._queued_activities)
            self._queued_orchestrations.clear()
            self._queued_activities.clear()
            if dropped:
                self._logger.info("Dropped %d queued work items; the sidecar will dispatch them again.", dropped)
            return self._idle.wait_for(lambda: self._running_orchestrations + self._running_activities == 0, timeout)

    def shutdown(self) -> None:
        """Release the threads; work still running is abandoned (its result is never sent)."""
        self._pool.shutdown()
        if self._loop is not None:
            self._loop.stop()

    # -- orchestrations ------------------------------------------------------------------------

    def _take_startable_orchestrations(self) -> list[_OrchestratorJob]:
        """Jobs that may start now, in arrival order (called with the lock held)."""
        startable: list[_OrchestratorJob] = []
        limit = self._options.maximum_concurrent_orchestration_work_items
        for job in list(self._queued_orchestrations):
            if self._running_orchestrations >= limit:
                break
            if job.instance_id in self._busy_instances:
                continue  # waits, in order, behind the running turn of its instance
            self._queued_orchestrations.remove(job)
            self._busy_instances.add(job.instance_id)
            self._running_orchestrations += 1
            startable.append(job)
        return startable

    def _start_orchestration(self, job: _OrchestratorJob) -> None:
        try:
            self._pool.submit(self._run_orchestration, job)
        except RuntimeError:  # the pool was shut down meanwhile
            self._orchestration_finished(job)

    def _run_orchestration(self, job: _OrchestratorJob) -> None:
        try:
            job.work()
        except Exception:  # work is meant not to raise; never lose the slot if it does
            self._logger.exception("Unexpected error while running a turn of '%s'.", job.instance_id)
        finally:
            self._orchestration_finished(job)

    def _orchestration_finished(self, job: _OrchestratorJob) -> None:
        with self._lock:
            self._busy_instances.discard(job.instance_id)
            self._running_orchestrations -= 1
            startable = self._take_startable_orchestrations() if self._accepting else []
            if not self._accepting:  # only drain() waits for idleness, and it stops accepting first
                self._idle.notify_all()
        for next_job in startable:
            self._start_orchestration(next_job)

    # -- activities ----------------------------------------------------------------------------

    def _submit_activity(self, job: _ActivityJob) -> None:
        with self._lock:
            if not self._accepting:
                self._logger.debug("Not starting an activity: the worker is stopping.")
                return
            if self._running_activities >= self._options.maximum_concurrent_activity_work_items:
                self._queued_activities.append(job)
                return
            self._running_activities += 1
        self._start_activity(job)

    def _start_activity(self, job: _ActivityJob) -> None:
        try:
            if job.work is not None:
                self._pool.submit(self._run_activity, job.work)
            elif job.async_work is not None:
                future = self._event_loop().submit(job.async_work())
                future.add_done_callback(self._async_activity_done)
        except RuntimeError:  # the pool or the loop was shut down meanwhile
            self._activity_finished()

    def _run_activity(self, work: Work) -> None:
        try:
            work()
        except Exception:
            self._logger.exception("Unexpected error while running an activity.")
        finally:
            self._activity_finished()

    def _async_activity_done(self, future: Future[Work]) -> None:
        try:
            send = future.result()
        except BaseException:  # cancelled at shutdown, or the coroutine broke its contract
            self._logger.debug("An async activity ended without a result.", exc_info=True)
            self._activity_finished()
            return
        try:
            self._pool.submit(self._run_activity, send)
        except RuntimeError:
            self._activity_finished()

    def _activity_finished(self) -> None:
        with self._lock:
            self._running_activities -= 1
            next_job = self._queued_activities.popleft() if self._accepting and self._queued_activities else None
            if next_job is not None:
                self._running_activities += 1
            if not self._accepting:  # only drain() waits for idleness, and it stops accepting first
                self._idle.notify_all()
        if next_job is not None:
            self._start_activity(next_job)

    def _event_loop(self) -> _EventLoopThread:
        with self._lock:
            if self._loop is None:
                self._loop = _EventLoopThread()
            return self._loop


class _EventLoopThread:
    """An asyncio event loop running forever on its own daemon thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="durabletask-async-activities", daemon=True)
        self._thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, Work]) -> Future[Work]:
        """Schedule ``coroutine`` on the loop; the future resolves with its result."""
        if self._loop.is_closed():
            coroutine.close()
            raise RuntimeError("The event loop is closed.")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def stop(self) -> None:
        """Cancel what is still running and stop the loop (without waiting for the thread)."""
        with contextlib.suppress(RuntimeError):  # already closed
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()
