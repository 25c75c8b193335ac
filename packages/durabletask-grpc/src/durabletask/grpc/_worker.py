"""The gRPC worker: pulls work items from a sidecar and feeds them to core's engine.

One background thread owns the connection. It says Hello, opens the GetWorkItems stream and
reads it for as long as it lasts, handing each item to the dispatcher without waiting for it to
run. When the sidecar is not there yet, goes away or the stream breaks, the thread opens a fresh
channel after a capped exponential backoff and carries on: a worker never stops pulling until
:meth:`TaskHubGrpcWorker.stop` is called.

Sidecars send an instance's whole history with every turn. Between turns the worker keeps, for
up to a thousand unfinished instances, the history it converted (``_history_cache``) and the
orchestrator's paused generator (core's ``resumable_instances``), so a turn converts and applies
only the events recorded since (turns another worker served meanwhile included). A history that
does not provably continue the kept one (a new execution, a turn dispatched again, an evicted
instance) is replayed from the start, as without the cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import grpc
from google.protobuf import empty_pb2

from durabletask._internal.engine import DEFAULT_MAXIMUM_TIMER_INTERVAL
from durabletask._internal.worker_base import WorkerBase
from durabletask.engine import WorkerEngine
from durabletask.grpc._backoff import ReconnectBackoff
from durabletask.grpc._channel import (
    ChannelOptions,
    Metadata,
    SidecarAddress,
    Transport,
    builtin_endpoint,
    open_channel,
)
from durabletask.grpc._concurrency import ConcurrencyOptions
from durabletask.grpc._dispatcher import WorkItemDispatcher
from durabletask.grpc._errors import describe_rpc_error
from durabletask.grpc._h2.channel import BuiltinChannel, UnaryStreamMethod
from durabletask.grpc._history_cache import HistoryCache
from durabletask.grpc._logging import configure_logger
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._stub import SidecarStub, sidecar_stub
from durabletask.grpc._work_items import orchestrator_name
from durabletask.grpc._work_runner import WorkItemRunner
from durabletask.serialization import DataConverter

# How long start() waits for the first connection attempt before returning anyway.
_START_WAIT_SECONDS = 5.0
# Bounds the greeting, so that a hung sidecar cannot hold the connection thread for ever.
_HELLO_TIMEOUT_SECONDS = 5.0
# Orchestration instances whose converted history and replay state the worker keeps between turns.
_RESUMABLE_INSTANCES = 1_000
# grpc.experimental.ChannelOptions.SingleThreadedUnaryStream (the stubs do not declare it).
_SINGLE_THREADED_STREAMS = "SingleThreadedUnaryStream"


class TaskHubGrpcWorker(WorkerBase):
    """Runs registered orchestrators and activities for a Durable Task sidecar.

    Register functions, then start the worker; it serves work items on background threads until
    stopped::

        from durabletask import worker

        with worker.TaskHubGrpcWorker(host_address="localhost:4001") as w:
            w.add_orchestrator(sequence)
            w.add_activity(hello)
            w.start()
            ...  # schedule orchestrations with a client

    :meth:`start` returns as soon as the worker is connected, or after a few seconds if the
    sidecar cannot be reached yet; the worker keeps retrying in the background (and reconnects
    whenever the sidecar restarts), so it may be started before its sidecar.

    Args:
        host_address: where the sidecar listens (default ``localhost:4001``). ``http://`` selects
            plain text, ``https://`` selects TLS; without a scheme ``secure_channel`` decides.
        metadata: headers sent with every call, e.g. ``[("dapr-app-id", "orders")]``.
        log_handler: a handler added to the worker's logger.
        log_formatter: the format for ``log_handler``.
        logger: the logger to use instead of ``durabletask.worker``.
        secure_channel: use TLS when the address has no scheme.
        interceptors: gRPC client interceptors wrapped around each channel.
        channel_options: gRPC channel arguments, e.g. ``[("grpc.max_send_message_length", n)]``.
        root_certificates: PEM certificates to trust for TLS instead of the system's roots (for a
            sidecar with a private or self-signed certificate); giving them turns TLS on.
        concurrency_options: limits on work run at once (see :class:`ConcurrencyOptions`).
        maximum_timer_interval: longer durable timers are created as a chain of shorter ones.
        data_converter: how payloads are encoded (default: JSON).
        transport: ``"auto"`` (the default) calls the sidecar through this package's own HTTP/2
            channel, which uses a fraction of grpcio's CPU per call, whenever the settings allow
            (plain text, a ``host:port`` address, no interceptors or channel options) and through
            grpcio otherwise; ``"grpcio"`` always uses grpcio; ``"builtin"`` insists on the
            built-in channel. The ``DURABLETASK_GRPC_TRANSPORT`` environment variable overrides
            ``"auto"``.
    """

    def __init__(
        self,
        *,
        host_address: str | None = None,
        metadata: Metadata | None = None,
        log_handler: logging.Handler | None = None,
        log_formatter: logging.Formatter | None = None,
        logger: logging.Logger | None = None,
        secure_channel: bool = False,
        interceptors: Sequence[Any] | None = None,
        channel_options: ChannelOptions | None = None,
        root_certificates: bytes | None = None,
        concurrency_options: ConcurrencyOptions | None = None,
        maximum_timer_interval: timedelta | None = DEFAULT_MAXIMUM_TIMER_INTERVAL,
        data_converter: DataConverter | None = None,
        transport: Transport = "auto",
    ) -> None:
        super().__init__()
        self._address = SidecarAddress.parse(host_address, secure_channel, root_certificates)
        self._builtin_endpoint = builtin_endpoint(self._address, transport, channel_options, interceptors)
        self._root_certificates = root_certificates
        self._metadata = tuple(metadata or ())
        self._logger = configure_logger("durabletask.worker", logger, log_handler, log_formatter)
        self._interceptors = interceptors
        self._channel_options = channel_options
        self._concurrency_options = concurrency_options if concurrency_options is not None else ConcurrencyOptions()
        self._maximum_timer_interval = maximum_timer_interval
        self._data_converter = data_converter

        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._first_attempt_done = threading.Event()
        self._channel: grpc.Channel | BuiltinChannel | None = None  # the current connection attempt's channel
        self._thread: threading.Thread | None = None
        self._runner: WorkItemRunner | None = None
        self._dispatcher: WorkItemDispatcher | None = None

    @property
    def host_address(self) -> str:
        """The gRPC target this worker pulls work from."""
        return self._address.target

    @property
    def concurrency_options(self) -> ConcurrencyOptions:
        """The limits this worker runs with."""
        return self._concurrency_options

    @property
    def is_connected(self) -> bool:
        """Whether the work item stream is open right now."""
        return self._connected.is_set()

    def wait_until_connected(self, timeout: float | None = None) -> bool:
        """Block until the work item stream is open (or ``timeout`` s pass); returns whether it is."""
        return self._connected.wait(timeout)

    def start(self) -> None:
        """Connect to the sidecar and serve work items on background threads.

        Returns once connected, or after a few seconds if the sidecar is not reachable yet (the
        worker keeps trying in the background). Raises ``RuntimeError`` if already running.
        """
        if self._is_running:
            raise RuntimeError("The worker is already running.")
        engine = WorkerEngine(
            self.registry,
            data_converter=self._data_converter,
            maximum_timer_interval=self._maximum_timer_interval,
            logger=self._logger,
            # The history cache hands each turn the previous turn's event objects, so the engine
            # can continue an instance's parked turn instead of replaying its whole history.
            resumable_instances=_RESUMABLE_INSTANCES,
        )
        self._runner = WorkItemRunner(engine, self._metadata, self._logger, HistoryCache(_RESUMABLE_INSTANCES))
        self._dispatcher = WorkItemDispatcher(self._concurrency_options, self._logger)
        self._stopping.clear()
        self._first_attempt_done.clear()
        self._thread = threading.Thread(target=self._pull_work_items, name="durabletask-grpc-worker", daemon=True)
        self._is_running = True
        self._thread.start()
        if not self._first_attempt_done.wait(_START_WAIT_SECONDS) or not self._connected.is_set():
            self._logger.warning(
                "The Durable Task sidecar at '%s' is not reachable yet; the worker keeps trying in the background.",
                self._address.target,
            )

    def stop(self, *, grace_period: float = 30.0) -> None:
        """Stop pulling work, let running items finish (up to ``grace_period`` s), disconnect.

        Items that had not started are left to the sidecar, which dispatches them again to
        another worker (or to this one after a restart). Idempotent.
        """
        if not self._is_running:
            return
        self._is_running = False
        self._stopping.set()
        self._logger.info("Stopping the worker; waiting up to %ss for running work items.", grace_period)
        deadline = time.monotonic() + grace_period
        dispatcher, runner = self._dispatcher, self._runner
        if dispatcher is not None and not dispatcher.drain(grace_period):
            self._logger.warning("Work items still running after %ss are abandoned.", grace_period)
        if runner is not None and not runner.wait_for_deliveries(max(0.0, deadline - time.monotonic())):
            self._logger.warning("Results the sidecar had not acknowledged after %ss are left to it.", grace_period)
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()  # ends the stream and any call in flight
        if self._thread is not None:
            self._thread.join(_HELLO_TIMEOUT_SECONDS + 1)
            self._thread = None
        if dispatcher is not None:
            dispatcher.shutdown()
        self._connected.clear()
        self._logger.info("The worker has stopped.")

    # -- the connection loop -------------------------------------------------------------------

    def _pull_work_items(self) -> None:
        backoff = ReconnectBackoff()
        while not self._stopping.is_set():
            channel = self._open_channel()
            with self._lock:
                if self._stopping.is_set():
                    channel.close()
                    break
                self._channel = channel
            try:
                reason = self._serve(channel, backoff)
            except grpc.RpcError as error:
                reason = describe_rpc_error(error)
            except Exception as error:  # never let a surprise end the loop: log it and reconnect
                self._logger.exception("Unexpected error in the work item loop.")
                reason = repr(error)
            finally:
                was_connected = self._connected.is_set()
                self._connected.clear()
                self._first_attempt_done.set()
                with self._lock:
                    if self._channel is channel:
                        self._channel = None
                channel.close()
            if self._stopping.is_set():
                break
            delay = backoff.next_delay()
            self._log_retry(reason, delay, was_connected, backoff.attempts)
            self._stopping.wait(delay)

    def _log_retry(self, reason: str, delay: float, was_connected: bool, attempts: int) -> None:
        target = self._address.target
        if was_connected:
            self._logger.warning(
                "Lost the Durable Task sidecar at '%s' (%s); reconnecting in %.2fs.", target, reason, delay
            )
            return
        # Warn on the first failures and now and then after; the rest would only be noise.
        level = logging.WARNING if attempts in (1, 10) or attempts % 100 == 0 else logging.INFO
        self._logger.log(
            level,
            "Cannot reach the Durable Task sidecar at '%s' (%s); attempt %d, retrying in %.2fs.",
            target,
            reason,
            attempts,
            delay,
        )

    @property
    def transport(self) -> Transport:
        """The gRPC client this worker uses: ``"builtin"`` or ``"grpcio"``."""
        return "builtin" if self._builtin_endpoint is not None else "grpcio"

    def _open_channel(self) -> grpc.Channel | BuiltinChannel:
        if self._builtin_endpoint is not None:
            host, port = self._builtin_endpoint
            return BuiltinChannel(host, port)
        return open_channel(self._address, self._stream_options(), self._interceptors, self._root_certificates)

    def _stream_options(self) -> list[tuple[str, Any]]:
        # The work item stream is read by one thread only. By default gRPC delivers a stream's
        # messages through a channel-wide polling thread that then wakes the reader: two thread
        # hand-offs per work item. Single-threaded streams let the reader poll for itself.
        given = list(self._channel_options or ())
        if all(name != _SINGLE_THREADED_STREAMS for name, _ in given):
            given.append((_SINGLE_THREADED_STREAMS, 1))
        return given

    def _serve(self, channel: grpc.Channel | BuiltinChannel, backoff: ReconnectBackoff) -> str:
        """Say Hello, then read the work item stream until it ends; returns why it ended."""
        stub = sidecar_stub(channel)
        stub.Hello(empty_pb2.Empty(), timeout=_HELLO_TIMEOUT_SECONDS, metadata=self._metadata)
        request, work_items = pb.GetWorkItemsRequest(), stub.GetWorkItems
        if isinstance(work_items, UnaryStreamMethod):
            self._on_connected(backoff)
            # The built-in channel hands each item over on its reader thread: one thread hand-off
            # fewer per work item than iterating here.
            work_items.consume(request, lambda item: self._dispatch(item, stub), metadata=self._metadata)
        else:
            stream = work_items(request, metadata=self._metadata)  # grpcio's stream, not connected yet
            self._on_connected(backoff)
            for item in stream:
                self._dispatch(item, stub)
        return "the sidecar closed the work item stream"

    def _on_connected(self, backoff: ReconnectBackoff) -> None:
        self._connected.set()
        self._first_attempt_done.set()
        backoff.reset()
        self._logger.info(
            "Connected to the Durable Task sidecar at '%s'; waiting for work items.", self._address.target
        )

    # -- work items ----------------------------------------------------------------------------

    def _dispatch(self, item: pb.WorkItem, stub: SidecarStub) -> None:
        dispatcher, runner = self._dispatcher, self._runner
        assert dispatcher is not None and runner is not None
        token = item.completion_token
        kind = item.WhichOneof("request")
        # The log arguments are protobuf fields, each read into a new Python object: only when logged.
        debugging = self._logger.isEnabledFor(logging.DEBUG)
        if kind == "orchestrator_request":
            orchestration = item.orchestrator_request
            if debugging:
                self._logger.debug("Received a turn of orchestration '%s'.", orchestration.instance_id)
            dispatcher.submit_orchestrator(
                orchestration.instance_id,
                lambda: runner.run_orchestrator(orchestration, token, stub),
                orchestrator_name(orchestration),
            )
        elif kind == "activity_request":
            activity = item.activity_request
            if debugging:
                self._logger.debug(
                    "Received activity '%s' (task %d of '%s').",
                    activity.name,
                    activity.task_id,
                    activity.orchestration_instance.instance_id,
                )
            if runner.is_async_activity(activity.name):
                dispatcher.submit_async_activity(lambda: runner.run_async_activity(activity, token, stub))
            else:
                dispatcher.submit_activity(lambda: runner.run_activity(activity, token, stub))
        else:
            self._logger.debug("Ignoring a work item of a kind this worker does not serve.")
