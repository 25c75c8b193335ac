"""Runs one work item through core's engine and reports the outcome to the sidecar.

Every item gets an answer whenever the sidecar can take one: a sidecar waits for ever on an
item nobody answers. When the SDK itself fails to run a turn, the orchestration is failed with
that error; when an answer is too large for the sidecar to accept, a small failure is sent in
its place, so the instance fails visibly instead of being dispatched again and again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import grpc

from durabletask._internal.failures import FailureDetails
from durabletask.actions import CompleteOrchestrationAction
from durabletask.engine import ActivityResult, WorkerEngine
from durabletask.grpc._dispatcher import Work
from durabletask.grpc._errors import describe_rpc_error, rpc_code, rpc_details
from durabletask.grpc._h2.channel import BuiltinRpcError, UnaryUnaryMethod
from durabletask.grpc._history_cache import HistoryCache
from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._stub import SidecarStub
from durabletask.grpc._work_items import (
    activity_item_from_proto,
    activity_response,
    orchestrator_failure_response,
    orchestrator_item_from_proto,
    orchestrator_response,
)

# Bounds a completion call, so that a hung sidecar cannot hold a thread for ever.
_COMPLETION_TIMEOUT_SECONDS = 60.0

_Response = TypeVar("_Response", pb.OrchestratorResponse, pb.ActivityResponse)


class MessageTooLargeError(Exception):
    """A result was larger than the sidecar accepts."""


class WorkItemRunner:
    """Turns work items into answers with ``engine`` and sends them through a sidecar stub."""

    def __init__(
        self,
        engine: WorkerEngine,
        metadata: tuple[tuple[str, str], ...],
        logger: logging.Logger,
        history: HistoryCache | None = None,
    ) -> None:
        self._engine = engine
        self._metadata = metadata
        self._logger = logger
        self._history = history if history is not None else HistoryCache()
        self._deliveries = _InFlight()

    def wait_for_deliveries(self, timeout: float) -> bool:
        """Wait until every result sent in the background has been answered; returns whether all were."""
        return self._deliveries.wait_until_none(timeout)

    def is_async_activity(self, name: str) -> bool:
        """Whether the activity ``name`` should run on the event loop."""
        return self._engine.is_async_activity(name)

    def run_orchestrator(self, request: pb.OrchestratorRequest, token: str, stub: SidecarStub) -> None:
        """Run one orchestrator turn and send its actions (never raises)."""
        instance_id = request.instance_id
        try:
            history = self._history.past_events(instance_id, request.past_events)
            item = orchestrator_item_from_proto(request, token, history)
            result = self._engine.run_orchestrator(item)
            response = orchestrator_response(result, token)
        except Exception as error:  # its history left the cache with past_events(): nothing to drop
            self._logger.exception("Could not run a turn of orchestration '%s'.", instance_id)
            response = orchestrator_failure_response(instance_id, error, token)
        else:
            if any(type(action) is CompleteOrchestrationAction for action in result.actions):
                self._history.forget(instance_id)  # finished, or restarting with a new history
            else:
                # What this turn saw is how the next turn's history begins.
                history.extend(item.new_events)
                self._history.remember(instance_id, history, request.new_events)
        self._send(
            stub.CompleteOrchestratorTask,
            response,
            lambda too_large: orchestrator_failure_response(request.instance_id, too_large, token),
            f"the turn of orchestration '{request.instance_id}'",
        )

    def run_activity(self, request: pb.ActivityRequest, token: str, stub: SidecarStub) -> None:
        """Run a plain activity and send its result (never raises)."""
        self._send_activity(request, self._engine.run_activity(activity_item_from_proto(request)), token, stub)

    async def run_async_activity(self, request: pb.ActivityRequest, token: str, stub: SidecarStub) -> Work:
        """Run an ``async def`` activity; returns the blocking work that sends its result."""
        result = await self._engine.run_activity_async(activity_item_from_proto(request))
        return lambda: self._send_activity(request, result, token, stub)

    def _send_activity(
        self, request: pb.ActivityRequest, result: ActivityResult, token: str, stub: SidecarStub
    ) -> None:
        def failed_instead(too_large: Exception) -> pb.ActivityResponse:
            failure = FailureDetails.from_exception(too_large)
            return activity_response(request, ActivityResult(failure_details=failure), token)

        self._send(
            stub.CompleteActivityTask,
            activity_response(request, result, token),
            failed_instead,
            f"activity task {request.task_id} of '{request.orchestration_instance.instance_id}'",
        )

    def _send(
        self,
        method: Callable[..., object],
        response: _Response,
        replacement: Callable[[Exception], _Response] | None,
        what: str,
    ) -> None:
        if isinstance(method, UnaryUnaryMethod):
            self._send_in_background(method, response, replacement, what)
            return
        try:
            method(response, timeout=_COMPLETION_TIMEOUT_SECONDS, metadata=self._metadata)
        except grpc.RpcError as error:
            self._on_rejected(error, method, response, replacement, what)
        except ValueError as error:  # the channel was closed by a reconnect or by stop()
            self._logger.warning("Could not deliver the result of %s (%s).", what, error)

    def _send_in_background(
        self,
        method: UnaryUnaryMethod[_Response, pb.CompleteTaskResponse],
        response: _Response,
        replacement: Callable[[Exception], _Response] | None,
        what: str,
    ) -> None:
        # The built-in channel reports the answer on its reader thread, so the thread that ran the
        # work item goes straight back to the pool instead of sleeping until the sidecar answers.
        def answered(_: pb.CompleteTaskResponse | None, error: BuiltinRpcError | None) -> None:
            try:
                if error is None:
                    return
                if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and replacement is not None:
                    # Sending the smaller failure may block, which the reader thread must never do.
                    self._deliveries.add()
                    self._hand_off(
                        "durabletask-redelivery", lambda: self._on_rejected(error, method, response, replacement, what)
                    )
                else:
                    self._on_rejected(error, method, response, replacement, what)  # only logs
            finally:
                self._deliveries.remove()

        self._deliveries.add()
        try:
            method.call_in_background(response, answered, timeout=_COMPLETION_TIMEOUT_SECONDS, metadata=self._metadata)
        except BlockingIOError:
            # A turn run on the channel's reader thread with a result too large to send without
            # waiting for flow control: send it from a thread of its own (rare, so not pooled).
            # It still counts as in flight until that thread has taken over.
            self._hand_off("durabletask-large-result", lambda: self._send(method, response, replacement, what))
        except grpc.RpcError as error:
            self._deliveries.remove()
            self._on_rejected(error, method, response, replacement, what)
        except ValueError as error:  # the channel was closed by a reconnect or by stop()
            self._deliveries.remove()
            self._logger.warning("Could not deliver the result of %s (%s).", what, error)

    def _hand_off(self, name: str, work: Callable[[], None]) -> None:
        """Run ``work`` on a thread of its own, then release the delivery counted for it."""

        def run() -> None:
            try:
                work()
            finally:
                self._deliveries.remove()

        threading.Thread(target=run, name=name, daemon=True).start()

    def _on_rejected(
        self,
        error: grpc.RpcError,
        method: Callable[..., object],
        response: _Response,
        replacement: Callable[[Exception], _Response] | None,
        what: str,
    ) -> None:
        code = rpc_code(error)
        if code != grpc.StatusCode.RESOURCE_EXHAUSTED or replacement is None:
            self._logger.warning(
                "Could not deliver the result of %s (%s); the sidecar will dispatch it again.",
                what,
                describe_rpc_error(error),
            )
            return
        details = rpc_details(error)
        too_large = MessageTooLargeError(
            f"The result of {what} is {response.ByteSize()} bytes, more than the sidecar accepts ({details})."
        )
        self._logger.error("%s Reporting a failure instead.", too_large)
        self._send(method, replacement(too_large), None, what)


class _InFlight:
    """Counts results sent but not yet answered, so that stopping can wait for them."""

    def __init__(self) -> None:
        self._count = 0
        self._waiting = 0  # threads in wait_until_none(): only they need a notification
        self._lock = threading.Lock()  # taken directly where nobody waits: cheaper than the condition's methods
        self._changed = threading.Condition(self._lock)

    def add(self) -> None:
        with self._lock:
            self._count += 1

    def remove(self) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._waiting:
                self._changed.notify_all()

    def wait_until_none(self, timeout: float) -> bool:
        with self._changed:
            self._waiting += 1
            try:
                return self._changed.wait_for(lambda: self._count == 0, timeout)
            finally:
                self._waiting -= 1
