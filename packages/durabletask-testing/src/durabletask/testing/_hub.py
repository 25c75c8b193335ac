"""The in-memory backend's engine room: one lock, the store, the dispatcher, and waiting.

Every operation takes the lock, first runs the work that is ready (on the caller's thread, at
the current virtual time), then does its job. So no background thread is needed, and a read
that follows a suspend, a raised event or a terminate sees its effect.

Waiting is where time moves: a wait that is not yet satisfied and has nothing left to run skips
the virtual clock to the next due timer (when ``auto_advance_time`` is on). When even that is
impossible, only another thread could change anything (start a worker, raise an event, advance
the clock), so the wait blocks on a condition until one does or the timeout passes; if the
waiting thread is the only thread in the process, nothing ever could, and the wait raises
``TimeoutError`` at once instead of sleeping through its timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from durabletask.client import OrchestrationNotFoundError, OrchestrationState, OrchestrationStatus
from durabletask.engine import WorkerEngine
from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter
from durabletask.testing._clock import VirtualClock
from durabletask.testing._dispatcher import Dispatcher
from durabletask.testing._store import Due, Instance, InstanceStore

_logger = logging.getLogger("durabletask.testing")


class Hub:
    """Shared state of one in-memory backend, its clients and its workers (thread-safe)."""

    def __init__(self, *, start_time: datetime, auto_advance_time: bool, data_converter: DataConverter) -> None:
        self.data_converter = data_converter
        self.auto_advance_time = auto_advance_time
        self._changed = threading.Condition(threading.RLock())
        self._store = InstanceStore(VirtualClock[Due](start_time))
        self._dispatcher = Dispatcher(self._store)
        self._is_running_work = False

    # --- workers ---------------------------------------------------------------------------

    def attach(self, engine: WorkerEngine) -> None:
        """A worker started: from now on, ready work runs on ``engine``."""
        with self._changed:
            self._dispatcher.attach(engine)
            self._changed.notify_all()

    def detach(self, engine: WorkerEngine) -> None:
        """A worker stopped."""
        with self._changed:
            self._dispatcher.detach(engine)
            self._changed.notify_all()

    # --- time ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current virtual time."""
        with self._changed:
            return self._store.clock.now()

    def advance_time(self, delta: timedelta) -> None:
        """Move the clock by ``delta``, firing each timer at its own due time and running what it wakes."""
        if delta < timedelta(0):
            raise ValueError("The virtual clock cannot go back in time.")
        with self._session():
            target = self._store.clock.now() + delta
            while (due := self._store.next_due_time()) is not None and due <= target:
                self._store.clock.advance_to(due)
                self._run_ready()
            self._store.clock.advance_to(target)
            self._run_ready()

    # --- instances -------------------------------------------------------------------------

    def create(
        self,
        name: str,
        instance_id: str,
        input: str | None,
        *,
        start_at: datetime | None,
        version: str | None,
        tags: dict[str, str] | None,
    ) -> None:
        """Store a new instance (``OrchestrationAlreadyExistsError`` if the id is taken)."""
        with self._session():
            self._store.create(name, instance_id, input, start_at=start_at, version=version, tags=tags)

    def deliver(
        self, instance_id: str, make_event: Callable[[datetime], HistoryEvent], *, missing_ok: bool = False
    ) -> None:
        """Deliver the event ``make_event(now)`` to the instance's next turn.

        A missing instance is an ``OrchestrationNotFoundError``, unless ``missing_ok`` (then the
        event is dropped, as a sidecar drops an event raised to a missing instance).
        """
        with self._session():
            instance = self._store.get(instance_id)
            if instance is None:
                if not missing_ok:
                    raise OrchestrationNotFoundError(instance_id)
                _logger.warning("Event for missing orchestration '%s' was dropped.", instance_id)
                return
            self._store.deliver(instance, make_event(self._store.clock.now()))

    def state(self, instance_id: str, *, fetch_payloads: bool) -> OrchestrationState | None:
        """The instance's state, or ``None`` if there is no such instance."""
        with self._session():
            instance = self._store.get(instance_id)
            if instance is None:
                return None
            return instance.state(fetch_payloads=fetch_payloads, data_converter=self.data_converter)

    def history(self, instance_id: str) -> list[HistoryEvent]:
        """A copy of the instance's stored history (``OrchestrationNotFoundError`` if missing)."""
        with self._session():
            return list(self._store.require(instance_id).history)

    def purge(self, instance_id: str, *, recursive: bool) -> int:
        """Delete a finished instance (and its sub-orchestrations); return how many were deleted."""
        with self._session():
            return self._store.purge(instance_id, recursive=recursive)

    # --- waiting ---------------------------------------------------------------------------

    def wait(
        self,
        instance_id: str,
        is_reached: Callable[[OrchestrationStatus], bool],
        *,
        fetch_payloads: bool,
        timeout: float,
    ) -> OrchestrationState:
        """Run work and move virtual time until the instance's status satisfies ``is_reached``.

        Raises ``OrchestrationNotFoundError`` for a missing instance and ``TimeoutError`` after
        ``timeout`` wall-clock seconds, or at once when no other thread could ever help.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                self._run_ready(deadline)
                instance = self._store.require(instance_id)
                if is_reached(instance.status):
                    return instance.state(fetch_payloads=fetch_payloads, data_converter=self.data_converter)
                if time.monotonic() >= deadline:
                    why = self._why_stuck()
                    raise TimeoutError(
                        f"Orchestration '{instance_id}' is still {instance.status} after {timeout} s: {why}."
                    )
                if self._skip_to_next_due_time():
                    continue
                self._block_until_changed(instance, deadline, timeout)

    def _skip_to_next_due_time(self) -> bool:
        if not self.auto_advance_time or not self._dispatcher.has_workers or self._is_running_work:
            return False
        due = self._store.next_due_time()
        if due is None:
            return False
        self._store.clock.advance_to(due)
        return True

    def _block_until_changed(self, instance: Instance, deadline: float, timeout: float) -> None:
        if self._is_running_work:
            raise RuntimeError(
                f"Cannot wait for orchestration '{instance.instance_id}' from inside an orchestrator or activity "
                "that the in-memory backend is running: nothing else can run until it returns."
            )
        if threading.active_count() == 1:
            raise TimeoutError(
                f"Orchestration '{instance.instance_id}' is {instance.status} and cannot make progress: "
                f"{self._why_stuck()}. No other thread exists that could change that, so the wait gives up "
                f"now instead of after {timeout} s."
            )
        # Wake up whenever another thread changes something (the lock is released meanwhile).
        self._changed.wait(deadline - time.monotonic())

    def _why_stuck(self) -> str:
        if not self._dispatcher.has_workers:
            return "no worker is started"
        due = self._store.next_due_time()
        if due is not None:
            return f"its next timer is due at {due.isoformat()} and auto_advance_time is off (call advance_time)"
        return "it waits for something only a client call can bring (an external event, a resume, a terminate)"

    # --- running work ----------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[None]:
        """Hold the lock, run the ready work first, and tell waiting threads when done."""
        with self._changed:
            self._run_ready()
            try:
                yield
            finally:
                self._changed.notify_all()

    def _run_ready(self, deadline: float | None = None) -> None:
        # User code runs under the lock; if it calls back into the backend (an activity using a
        # client), that call must not start running other work in the middle of this item.
        if self._is_running_work:
            return
        self._is_running_work = True
        try:
            ran = self._dispatcher.run_ready(deadline)
        finally:
            self._is_running_work = False
        if ran:  # another thread may be waiting for what just ran
            self._changed.notify_all()
