"""The asyncio gRPC client: the blocking client's methods, awaitable."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
import grpc.aio
from google.protobuf import empty_pb2

from durabletask._internal.client_base import (
    OrchestrationNotFoundError,
    OrchestrationState,
    PurgeInstancesResult,
    encode_start,
)
from durabletask.grpc import _client_messages as messages
from durabletask.grpc._channel import ChannelOptions, Metadata, SidecarAddress, open_aio_channel
from durabletask.grpc._client_messages import InstanceIdPage
from durabletask.grpc._errors import translate_rpc_error, wait_timeout_error
from durabletask.grpc._logging import configure_logger
from durabletask.grpc._stub import AioSidecarStub, aio_sidecar_stub
from durabletask.history import HistoryEvent
from durabletask.serialization import DataConverter, JsonDataConverter

if TYPE_CHECKING:
    from grpc.aio import UnaryUnaryMultiCallable

    from durabletask.grpc._proto import orchestrator_service_pb2 as pb

_T = TypeVar("_T")


class AsyncTaskHubGrpcClient:
    """Starts, inspects and controls orchestrations on a Durable Task sidecar, from asyncio code.

    It has the methods of :class:`~durabletask.grpc.TaskHubGrpcClient`, as coroutines::

        async with AsyncTaskHubGrpcClient(host_address="localhost:4001") as c:
            instance_id = await c.schedule_new_orchestration(sequence, input="Tokyo")
            state = await c.wait_for_orchestration_completion(instance_id, timeout=30)

    The channel is opened on first use, on the running event loop; use one client per loop.
    The constructor arguments and the errors raised are those of ``TaskHubGrpcClient``
    (``channel`` must be a ``grpc.aio.Channel``).
    """

    def __init__(
        self,
        *,
        host_address: str | None = None,
        metadata: Metadata | None = None,
        log_handler: logging.Handler | None = None,
        log_formatter: logging.Formatter | None = None,
        logger: logging.Logger | None = None,
        channel: grpc.aio.Channel | None = None,
        secure_channel: bool = False,
        interceptors: Sequence[Any] | None = None,
        channel_options: ChannelOptions | None = None,
        root_certificates: bytes | None = None,
        data_converter: DataConverter | None = None,
        default_version: str | None = None,
    ) -> None:
        self._address = SidecarAddress.parse(host_address, secure_channel, root_certificates)
        self._root_certificates = root_certificates
        self._logger = configure_logger("durabletask.client", logger, log_handler, log_formatter)
        self._owns_channel = channel is None
        self._channel = channel
        self._channel_options = channel_options
        self._interceptors = interceptors
        self._stub_instance: AioSidecarStub | None = aio_sidecar_stub(channel) if channel is not None else None
        self._metadata = tuple(metadata or ())
        self._default_version = default_version
        self.data_converter: DataConverter = data_converter if data_converter is not None else JsonDataConverter()

    @property
    def host_address(self) -> str:
        """The gRPC target this client talks to."""
        return self._address.target

    async def close(self) -> None:
        """Close the channel (unless it was passed in by the caller). Idempotent."""
        if self._owns_channel and self._channel is not None:
            channel, self._channel, self._stub_instance = self._channel, None, None
            await channel.close(None)

    async def __aenter__(self) -> AsyncTaskHubGrpcClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def ping(self, *, timeout: float = 5) -> None:
        """Check that the sidecar answers (raises :class:`SidecarUnavailableError` otherwise)."""
        stub = self._stub()
        await self._call(lambda: stub.Hello(empty_pb2.Empty(), timeout=timeout, metadata=self._metadata))

    async def schedule_new_orchestration(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        tags: dict[str, str] | None = None,
        version: str | None = None,
    ) -> str:
        """Start an orchestration and return its instance id (a new random one if not given)."""
        name, resolved_id, encoded = encode_start(self.data_converter, orchestrator, input, instance_id)
        request = messages.start_request(
            name, resolved_id, encoded, start_at, tags, version if version is not None else self._default_version
        )
        stub = self._stub()
        self._logger.info("Starting orchestration '%s' as instance '%s'.", name, resolved_id)
        response = await self._call(lambda: stub.StartInstance(request, metadata=self._metadata), resolved_id)
        return response.instance_id or resolved_id

    async def get_orchestration_state(
        self, instance_id: str, *, fetch_payloads: bool = True
    ) -> OrchestrationState | None:
        """The instance's current state, or ``None`` if there is no such instance."""
        request = messages.get_request(instance_id, fetch_payloads)
        stub = self._stub()
        response = await self._call(lambda: stub.GetInstance(request, metadata=self._metadata))
        return messages.state_from_response(instance_id, response, self.data_converter)

    async def wait_for_orchestration_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance has left the pending state; ``TimeoutError`` after ``timeout`` s."""
        return await self._wait(self._stub().WaitForInstanceStart, "start", instance_id, fetch_payloads, timeout)

    async def wait_for_orchestration_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance completes, fails or is terminated; ``TimeoutError`` after ``timeout`` s."""
        method = self._stub().WaitForInstanceCompletion
        return await self._wait(method, "complete", instance_id, fetch_payloads, timeout)

    async def raise_orchestration_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Send the external event ``event_name`` with ``data`` to the instance."""
        request = messages.raise_event_request(instance_id, event_name, self.data_converter.serialize(data))
        stub = self._stub()
        self._logger.info("Raising event '%s' for instance '%s'.", event_name, instance_id)
        await self._call(lambda: stub.RaiseEvent(request, metadata=self._metadata), instance_id)

    async def terminate_orchestration(self, instance_id: str, *, output: Any = None, recursive: bool = True) -> None:
        """Stop the instance (and, with ``recursive``, its sub-orchestrations); ``output`` becomes its output."""
        request = messages.terminate_request(instance_id, self.data_converter.serialize(output), recursive)
        stub = self._stub()
        self._logger.info("Terminating instance '%s'.", instance_id)
        await self._call(lambda: stub.TerminateInstance(request, metadata=self._metadata), instance_id)

    async def suspend_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Pause the instance; events that arrive meanwhile wait until it is resumed."""
        request = messages.suspend_request(instance_id, reason)
        stub = self._stub()
        self._logger.info("Suspending instance '%s'.", instance_id)
        await self._call(lambda: stub.SuspendInstance(request, metadata=self._metadata), instance_id)

    async def resume_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Resume a suspended instance."""
        request = messages.resume_request(instance_id, reason)
        stub = self._stub()
        self._logger.info("Resuming instance '%s'.", instance_id)
        await self._call(lambda: stub.ResumeInstance(request, metadata=self._metadata), instance_id)

    async def purge_orchestration(self, instance_id: str, recursive: bool = True) -> PurgeInstancesResult:
        """Delete a finished instance's state and history (and its children's, with ``recursive``)."""
        request = messages.purge_request(instance_id, recursive)
        stub = self._stub()
        self._logger.info("Purging instance '%s'.", instance_id)
        response = await self._call(lambda: stub.PurgeInstances(request, metadata=self._metadata), instance_id)
        return messages.purge_result(response)

    async def get_orchestration_history(self, instance_id: str) -> list[HistoryEvent]:
        """The instance's stored history, oldest event first (see ``TaskHubGrpcClient``)."""
        request = messages.history_request(instance_id)
        stub = self._stub()
        response = await self._call(
            lambda: stub.GetInstanceHistory(request, metadata=self._metadata), instance_id, "GetInstanceHistory"
        )
        return messages.history_from_response(response)

    async def list_instance_ids(
        self, *, page_size: int | None = None, continuation_token: str | None = None
    ) -> InstanceIdPage:
        """One page of the ids of the instances the sidecar stores (see ``TaskHubGrpcClient``)."""
        request = messages.list_ids_request(page_size, continuation_token)
        stub = self._stub()
        response = await self._call(
            lambda: stub.ListInstanceIDs(request, metadata=self._metadata), None, "ListInstanceIDs"
        )
        return messages.id_page(response)

    def _stub(self) -> AioSidecarStub:
        if self._stub_instance is None:
            # Opened here, inside a coroutine, so the channel belongs to the running loop.
            self._channel = open_aio_channel(
                self._address, self._channel_options, self._interceptors, self._root_certificates
            )
            self._stub_instance = aio_sidecar_stub(self._channel)
        return self._stub_instance

    async def _wait(
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
            response = await self._call(lambda: method(request, timeout=timeout, metadata=self._metadata), instance_id)
        except OrchestrationNotFoundError:
            return None
        except (TimeoutError, grpc.RpcError) as error:
            timed_out = wait_timeout_error(error, deadline, instance_id, goal, timeout)
            if timed_out is None:
                raise
            raise timed_out from None
        return messages.state_from_response(instance_id, response, self.data_converter)

    async def _call(
        self, invoke: Callable[[], Awaitable[_T]], instance_id: str | None = None, operation: str | None = None
    ) -> _T:
        try:
            return await invoke()
        except grpc.RpcError as error:
            translated = translate_rpc_error(error, self._address.target, instance_id, operation)
            if translated is error:
                raise
            raise translated from error
