"""The threads that run a worker's blocking work: a lean stand-in for ``ThreadPoolExecutor``.

The dispatcher keeps its own count of running work and never needs a result back, so the pool
needs no futures: a job is a function and its argument on a queue. Skipping the future, its
condition variable and the executor's bookkeeping saves about a tenth of the CPU a work item
costs the worker end to end (measured on 2 cores against microsoft/durabletask-go v0.6.0).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_Job = tuple[Callable[[Any], None], Any]


class ThreadPool:
    """Runs submitted jobs on up to ``maximum_threads`` daemon threads, started as needed.

    A job must not raise: an exception is the submitter's bug and ends the thread that ran it
    (its place is taken by a new thread on a later submit).
    """

    def __init__(self, maximum_threads: int, thread_name_prefix: str) -> None:
        if maximum_threads < 1:
            raise ValueError(f"A thread pool needs at least one thread, not {maximum_threads}.")
        self._maximum_threads = maximum_threads
        self._name_prefix = thread_name_prefix
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._waiting = 0  # threads blocked waiting for a job
        self._shut_down = False

    def submit(self, function: Callable[[Any], None], argument: Any) -> None:
        """Run ``function(argument)`` on a pool thread. Raises ``RuntimeError`` after :meth:`shutdown`."""
        with self._lock:
            if self._shut_down:
                raise RuntimeError("The thread pool has been shut down.")
            # Every queued job already has a waiting thread to take it unless the queue is longer.
            if self._jobs.qsize() >= self._waiting and self._threads < self._maximum_threads:
                self._threads += 1
                threading.Thread(
                    target=self._serve, name=f"{self._name_prefix}_{self._threads - 1}", daemon=True
                ).start()
            self._jobs.put((function, argument))

    def shutdown(self) -> None:
        """Drop the jobs not yet started and let idle threads end; running jobs are not waited for."""
        with self._lock:
            self._shut_down = True
            threads = self._threads
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        for _ in range(threads):
            self._jobs.put(None)

    def _serve(self) -> None:
        jobs, lock = self._jobs, self._lock
        try:
            while True:
                with lock:
                    self._waiting += 1
                job = jobs.get()
                with lock:
                    self._waiting -= 1
                if job is None:
                    return
                function, argument = job
                function(argument)
        finally:
            with self._lock:
                self._threads -= 1
