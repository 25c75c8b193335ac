"""The blocking gRPC client: start, inspect and control orchestrations on a sidecar."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from google.protobuf import empty_pb2

from durabletask._internal.client_base import (
    OrchestrationClient,
    OrchestrationNotFoundError,
    OrchestrationState,
    PurgeInstancesResult,
    encode_start,
)
from durabletask.grpc import _client_messages as messages
from durabletask.grpc._channel import ChannelOptions, Metadata, SidecarAddress, open_channel
from durabletask.grpc._client_messages import InstanceIdPage
from durabletask.grpc._errors import translate_rpc_error, wait_timeout_error
from durabletask.grpc._logging import configure_logger
from durabletask.grpc._stub import SidecarStub, sidecar_stub
from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter

if TYPE_CHECKING:
    from grpc import UnaryUnaryMultiCallable

    from durabletask.grpc._proto import orchestrator_service_pb2 as pb

_T = TypeVar("_T")


class TaskHubGrpcClient(OrchestrationClient):
    """Starts, inspects and controls orchestrations on a Durable Task sidecar.

    Every method blocks until the sidecar answers::

        from durabletask import client

        with client.TaskHubGrpcClient(host_address="localhost:4001") as c:
            instance_id = c.schedule_new_orchestration(sequence, input="Tokyo")
            state = c.wait_for_orchestration_completion(instance_id, timeout=30)
            print(state.runtime_status, state.get_output())

    Args:
        host_address: where the sidecar listens (default ``localhost:4001``). ``http://`` selects
            plain text, ``https://`` selects TLS; without a scheme ``secure_channel`` decides.
        metadata: headers sent with every call, e.g. ``[("dapr-app-id", "orders")]``.
        log_handler: a handler added to the client's logger.
        log_formatter: the format for ``log_handler``.
        logger: the logger to use instead of ``durabletask.client``.
        channel: an open channel to use instead of creating one (the caller keeps ownership).
        secure_channel: use TLS when the address has no scheme.
        interceptors: gRPC client interceptors wrapped around the channel.
        channel_options: gRPC channel arguments, e.g. ``[("grpc.max_send_message_length", n)]``.
        root_certificates: PEM certificates to trust for TLS instead of the system's roots (for a
            sidecar with a private or self-signed certificate); giving them turns TLS on.
        data_converter: how payloads are encoded (default: JSON).
        default_version: the version given to orchestrations started without one.

    Failures raise :class:`~durabletask.grpc.SidecarUnavailableError` when the sidecar cannot be
    reached, :class:`~durabletask.client.OrchestrationAlreadyExistsError` for a duplicate instance
    id, :class:`~durabletask.client.OrchestrationNotFoundError` when an operation names a missing
    instance, ``TimeoutError`` when a wait runs out, and ``grpc.RpcError`` for anything else.
    """

    def __init__(
        self,
        *,
        host_address: str | None = None,
        metadata: Metadata | None = None,
        log_handler: logging.Handler | None = None,
        log_formatter: logging.Formatter | None = None,
        logger: logging.Logger | None = None,
        channel: grpc.Channel | None = None,
        secure_channel: bool = False,
        interceptors: Sequence[Any] | None = None,
        channel_options: ChannelOptions | None = None,
        root_certificates: bytes | None = None,
        data_converter: DataConverter | None = None,
        default_version: str | None = None,
    ) -> None:
        self._address = SidecarAddress.parse(host_address, secure_channel, root_certificates)
        self._logger = configure_logger("durabletask.client", logger, log_handler, log_formatter)
        self._owns_channel = channel is None
        if channel is None:
            channel = open_channel(self._address, channel_options, interceptors, root_certificates)
        self._channel = channel
        self._stub: SidecarStub = sidecar_stub(self._channel)
        self._metadata = tuple(metadata or ())
        self._default_version = default_version
        if data_converter is not None:
            self.data_converter = data_converter

    @property
    def host_address(self) -> str:
        """The gRPC target this client talks to."""
        return self._address.target

    def close(self) -> None:
        """Close the channel (unless it was passed in by the caller). Idempotent."""
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> TaskHubGrpcClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def ping(self, *, timeout: float = 5) -> None:
        """Check that the sidecar answers (raises :class:`SidecarUnavailableError` otherwise)."""
        self._call(lambda: self._stub.Hello(empty_pb2.Empty(), timeout=timeout, metadata=self._metadata))

    def schedule_new_orchestration(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        tags: dict[str, str] | None = None,
        version: str | None = None,
    ) -> str:
        """Start an orchestration and return its instance id (a new random one if not given).

        ``start_at`` delays the first turn; ``tags`` are stored by sidecars that keep tags and
        ignored by the others. Raises :class:`OrchestrationAlreadyExistsError` if the id is taken.
        """
        name, resolved_id, encoded = encode_start(self.data_converter, orchestrator, input, instance_id)
        request = messages.start_request(
            name, resolved_id, encoded, start_at, tags, version if version is not None else self._default_version
        )
        self._logger.info("Starting orchestration '%s' as instance '%s'.", name, resolved_id)
        response = self._call(lambda: self._stub.StartInstance(request, metadata=self._metadata), resolved_id)
        return response.instance_id or resolved_id

    def get_orchestration_state(self, instance_id: str, *, fetch_payloads: bool = True) -> OrchestrationState | None:
        """The instance's current state, or ``None`` if there is no such instance."""
        request = messages.get_request(instance_id, fetch_payloads)
        response = self._call(lambda: self._stub.GetInstance(request, metadata=self._metadata))
        return messages.state_from_response(instance_id, response, self.data_converter)

    def wait_for_orchestration_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance has left the pending state; ``TimeoutError`` after ``timeout`` s.

        Returns ``None`` when there is no such instance.
        """
        return self._wait(self._stub.WaitForInstanceStart, "start", instance_id, fetch_payloads, timeout)

    def wait_for_orchestration_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance completes, fails or is terminated; ``TimeoutError`` after ``timeout`` s.

        Returns ``None`` when there is no such instance.
        """
        return self._wait(self._stub.WaitForInstanceCompletion, "complete", instance_id, fetch_payloads, timeout)

    def raise_orchestration_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Send the external event ``event_name`` with ``data`` to the instance.

        Some sidecars accept events for instances that do not exist (and drop them).
        """
        request = messages.raise_event_request(instance_id, event_name, self.data_converter.serialize(data))
        self._logger.info("Raising event '%s' for instance '%s'.", event_name, instance_id)
        self._call(lambda: self._stub.RaiseEvent(request, metadata=self._metadata), instance_id)

    def terminate_orchestration(self, instance_id: str, *, output: Any = None, recursive: bool = True) -> None:
        """Stop the instance (and, with ``recursive``, its sub-orchestrations); ``output`` becomes its output."""
        request = messages.terminate_request(instance_id, self.data_converter.serialize(output), recursive)
        self._logger.info("Terminating instance '%s'.", instance_id)
        self._call(lambda: self._stub.TerminateInstance(request, metadata=self._metadata), instance_id)

    def suspend_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Pause the instance; events that arrive meanwhile wait until it is resumed."""
        request = messages.suspend_request(instance_id, reason)
        self._logger.info("Suspending instance '%s'.", instance_id)
        self._call(lambda: self._stub.SuspendInstance(request, metadata=self._metadata), instance_id)

    def resume_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Resume a suspended instance."""
        request = messages.resume_request(instance_id, reason)
        self._logger.info("Resuming instance '%s'.", instance_id)
        self._call(lambda: self._stub.ResumeInstance(request, metadata=self._metadata), instance_id)

    def purge_orchestration(self, instance_id: str, recursive: bool = True) -> PurgeInstancesResult:
        """Delete a finished instance's state and history (and its children's, with ``recursive``).

        Raises :class:`OrchestrationNotFoundError` when there is no such instance; sidecars refuse
        to purge an instance that is still running.
        """
        request = messages.purge_request(instance_id, recursive)
        self._logger.info("Purging instance '%s'.", instance_id)
        response = self._call(lambda: self._stub.PurgeInstances(request, metadata=self._metadata), instance_id)
        return messages.purge_result(response)

    def get_orchestration_history(self, instance_id: str) -> list[HistoryEvent]:
        """The instance's stored history, oldest event first, in core's event types::

            for event in c.get_orchestration_history(instance_id):
                print(event.event_id, type(event).__name__)

        Served by Dapr's sidecar; others raise :class:`~durabletask.grpc.NotSupportedBySidecarError`.
        A missing instance raises :class:`OrchestrationNotFoundError` (or gives an empty list,
        as the sidecar decides). Event kinds this SDK does not know read as ``UnknownEvent``.
        """
        request = messages.history_request(instance_id)
        response = self._call(
            lambda: self._stub.GetInstanceHistory(request, metadata=self._metadata), instance_id, "GetInstanceHistory"
        )
        return messages.history_from_response(response)

    def list_instance_ids(
        self, *, page_size: int | None = None, continuation_token: str | None = None
    ) -> InstanceIdPage:
        """One page of the ids of the instances the sidecar stores, in the sidecar's order::

            page = c.list_instance_ids(page_size=100)
            while True:
                handle(page.instance_ids)
                if page.continuation_token is None:
                    break
                page = c.list_instance_ids(page_size=100, continuation_token=page.continuation_token)

        ``page_size`` is a request, not a promise: follow ``continuation_token`` until it is
        ``None`` (Dapr's SQLite store ignores the size and returns every id in one page). Served
        by Dapr's sidecar; others raise :class:`~durabletask.grpc.NotSupportedBySidecarError`.
        """
        request = messages.list_ids_request(page_size, continuation_token)
        response = self._call(
            lambda: self._stub.ListInstanceIDs(request, metadata=self._metadata), None, "ListInstanceIDs"
        )
        return messages.id_page(response)

    def _wait(
        self,
        method: UnaryUnaryMultiCallable[pb.GetInstanceRequest, pb.GetInstanceResponse],
        goal: str,
        instance_id: str,
        fetch_payloads: bool,
        timeout: float,
    ) -> OrchestrationState | None:
        request = messages.get_request(instance_id, fetch_payloads)
        self._logger.info("Waiting up to %ss for instance '%s' to %s.", timeout, instance_id, goal)
        deadline = time.monotonic() + timeout
        try:
            response = self._call(lambda: method(request, timeout=timeout, metadata=self._metadata), instance_id)
        except OrchestrationNotFoundError:
            return None
        except (TimeoutError, grpc.RpcError) as error:
            timed_out = wait_timeout_error(error, deadline, instance_id, goal, timeout)
            if timed_out is None:
                raise
            raise timed_out from None
        return messages.state_from_response(instance_id, response, self.data_converter)

    def _call(self, invoke: Callable[[], _T], instance_id: str | None = None, operation: str | None = None) -> _T:
        try:
            return invoke()
        except grpc.RpcError as error:
            translated = translate_rpc_error(error, self._address.target, instance_id, operation)
            if translated is error:
                raise
            raise translated from error
