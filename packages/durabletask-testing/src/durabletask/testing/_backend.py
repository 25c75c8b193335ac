"""The in-memory backend: a fake sidecar with a virtual clock, for fast deterministic tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter, JsonDataConverter
from durabletask.testing._client import InMemoryClient
from durabletask.testing._hub import Hub
from durabletask.testing._worker import InMemoryWorker
from durabletask.worker import DEFAULT_MAXIMUM_TIMER_INTERVAL


class InMemoryBackend:
    """Stores and runs orchestrations in process, the way a Durable Task sidecar would.

    Use its client and worker exactly like ``TaskHubGrpcClient`` and ``TaskHubGrpcWorker``; the
    same test body runs against either::

        backend = InMemoryBackend()
        with backend.worker() as worker:
            worker.add_orchestrator(approval)
            worker.add_activity(notify)
            worker.start()
            client = backend.client()
            instance_id = client.schedule_new_orchestration(approval, input=request)
            state = client.wait_for_orchestration_completion(instance_id, timeout=10)

    How it runs:

    * No sockets and no threads. Every client call first runs, on the calling thread, the work
      that is ready; histories are exactly those a sidecar would record, and the same calls give
      the same histories (pass ``start_time`` to make their timestamps repeat too).
    * Time is virtual. It stands still except when :meth:`advance_time` moves it, or when a
      client waits for an instance and nothing else can happen: then, with
      ``auto_advance_time`` on (the default), the clock skips straight to the next due timer, so
      a 24-hour timeout completes in milliseconds. ``timeout`` arguments stay wall-clock seconds.
    * A wait that can make no progress at all (no worker started, or only a timer to wait for
      with ``auto_advance_time`` off, or an event nobody raises) blocks until another thread
      changes something or its timeout passes. When the waiting thread is the only thread in the
      process, nothing could, so it raises ``TimeoutError`` at once, saying why it is stuck.
    * All of it is thread-safe: one thread may wait while another raises events or starts a
      worker. User code runs under the backend's lock, so an activity that waits through a client
      for an orchestration that has not finished gets a ``RuntimeError`` (nothing else could run).

    Args:
        auto_advance_time: whether waits may skip the virtual clock to the next due timer.
        start_time: the virtual clock's starting time (default: the wall-clock time now, UTC).
        data_converter: how payloads are encoded, for the clients and workers (default: JSON).
    """

    def __init__(
        self,
        *,
        auto_advance_time: bool = True,
        start_time: datetime | None = None,
        data_converter: DataConverter | None = None,
    ) -> None:
        self._hub = Hub(
            start_time=start_time if start_time is not None else datetime.now(timezone.utc),
            auto_advance_time=auto_advance_time,
            data_converter=data_converter if data_converter is not None else JsonDataConverter(),
        )

    @property
    def auto_advance_time(self) -> bool:
        """Whether a wait with nothing to run skips the virtual clock to the next due timer."""
        return self._hub.auto_advance_time

    @auto_advance_time.setter
    def auto_advance_time(self, enabled: bool) -> None:
        self._hub.auto_advance_time = enabled

    @property
    def data_converter(self) -> DataConverter:
        """How this backend's clients and workers encode payloads."""
        return self._hub.data_converter

    def client(self) -> InMemoryClient:
        """A client for this backend (clients are cheap; all of them see the same instances)."""
        return InMemoryClient(self._hub)

    def worker(self, *, maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL) -> InMemoryWorker:
        """A new worker for this backend; register functions on it, then start it.

        With several started workers, each work item goes to the first one that has its function
        registered (or to the first one, which then reports the function as unknown).
        """
        return InMemoryWorker(self._hub, maximum_timer_interval=maximum_timer_interval)

    def now(self) -> datetime:
        """The current virtual time (aware, UTC): what ``ctx.current_utc_datetime`` shows in a new turn."""
        return self._hub.now()

    def advance_time(self, delta: timedelta) -> None:
        """Move the virtual clock forward by ``delta``.

        Every timer due on the way fires at its own due time, and the work it wakes runs before
        the clock moves on, as if that much time had really passed.
        """
        self._hub.advance_time(delta)

    def get_history(self, instance_id: str) -> list[HistoryEvent]:
        """The stored history of the instance's current execution (``OrchestrationNotFoundError`` if missing).

        Events that arrived but were not yet handed to the orchestrator are not part of it. The
        list is a copy; the events are immutable.
        """
        return self._hub.history(instance_id)
