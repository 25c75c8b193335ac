"""The worker of the in-memory backend: registration and lifecycle of any worker, no transport."""

from __future__ import annotations

from datetime import timedelta

from durabletask.engine import WorkerEngine
from durabletask.testing._hub import Hub
from durabletask.worker import DEFAULT_MAXIMUM_TIMER_INTERVAL, WorkerBase


class InMemoryWorker(WorkerBase):
    """Serves orchestrators and activities for an :class:`InMemoryBackend`.

    Get one with ``backend.worker()``, register functions, then start it, exactly as with
    ``TaskHubGrpcWorker``::

        with backend.worker() as worker:
            worker.add_orchestrator(sequence)
            worker.add_activity(say_hello)
            worker.start()
            ...  # use backend.client()

    Starting creates no thread: the backend runs this worker's functions on the thread of
    whichever client call finds work ready. Until a worker is started, nothing runs.
    """

    def __init__(self, hub: Hub, *, maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL) -> None:
        super().__init__()
        self._hub = hub
        self._maximum_timer_interval = maximum_timer_interval
        self._engine: WorkerEngine | None = None

    def start(self) -> None:
        """Start serving work from the backend; registration is closed from now on."""
        if self._is_running:
            raise RuntimeError("The worker is already running.")
        self._engine = WorkerEngine(
            self.registry,
            data_converter=self._hub.data_converter,
            maximum_timer_interval=self._maximum_timer_interval,
        )
        self._is_running = True
        self._hub.attach(self._engine)

    def stop(self) -> None:
        """Stop serving work; work already stored waits for a started worker. Idempotent."""
        if not self._is_running or self._engine is None:
            return
        self._is_running = False
        self._hub.detach(self._engine)
        self._engine = None
