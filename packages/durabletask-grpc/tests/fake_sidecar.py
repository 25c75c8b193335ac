"""A scripted stand-in for a sidecar: a real gRPC server whose work items a test chooses.

It serves ``TaskHubSidecarService`` through generic handlers (no generated servicer), records
the metadata of every call and every completion it receives, and can listen with TLS. Tests use
it to feed a worker data no real sidecar sends on demand, and to check what reaches the server::

    with FakeSidecar() as fake:
        fake.work_items.put(pb.WorkItem(orchestrator_request=...))
        response = fake.orchestrator_responses.get(timeout=5)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2

from durabletask.grpc._proto import orchestrator_service_pb2 as pb

_SERVICE = "TaskHubSidecarService"


class FakeSidecar:
    """A gRPC server on a free local port; ``credentials`` makes it a TLS server."""

    def __init__(self, credentials: grpc.ServerCredentials | None = None) -> None:
        self.work_items: queue.Queue[pb.WorkItem | None] = queue.Queue()
        """Items to stream to the next ``GetWorkItems`` caller; ``None`` ends the stream."""
        self.orchestrator_responses: queue.Queue[pb.OrchestratorResponse] = queue.Queue()
        self.activity_responses: queue.Queue[pb.ActivityResponse] = queue.Queue()
        self.calls: list[tuple[str, dict[str, str]]] = []
        """``(method, metadata)`` for every call received, in order."""
        self._lock = threading.Lock()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self._server.add_generic_rpc_handlers((self._handlers(),))
        # Plain text listens on one address only: "localhost" is two (127.0.0.1 and ::1), and the
        # port picked for the first may already be taken on the second, leaving the client to
        # reach whatever holds it there. TLS keeps "localhost", the name its certificate has.
        self.host = "127.0.0.1" if credentials is None else "localhost"
        if credentials is None:
            self.port = self._server.add_insecure_port(f"{self.host}:0")
        else:
            self.port = self._server.add_secure_port(f"{self.host}:0", credentials)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def metadata_of(self, method: str) -> list[dict[str, str]]:
        """The metadata of each call of ``method`` so far."""
        with self._lock:
            return [metadata for name, metadata in self.calls if name == method]

    def __enter__(self) -> FakeSidecar:
        self._server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.work_items.put(None)
        self._server.stop(grace=0).wait()

    # -- the service -------------------------------------------------------------------------

    def _record(self, method: str, context: grpc.ServicerContext) -> None:
        with self._lock:
            self.calls.append((method, {key: value for key, value in context.invocation_metadata()}))

    def _handlers(self) -> grpc.GenericRpcHandler:
        def unary(method: str, request_type: Any, answer: Callable[[Any], Any]) -> grpc.RpcMethodHandler:
            def handle(request: Any, context: grpc.ServicerContext) -> Any:
                self._record(method, context)
                return answer(request)

            return grpc.unary_unary_rpc_method_handler(
                handle,
                request_deserializer=request_type.FromString,
                response_serializer=lambda m: m.SerializeToString(),
            )

        def stream_work_items(request: pb.GetWorkItemsRequest, context: grpc.ServicerContext) -> Iterator[pb.WorkItem]:
            self._record("GetWorkItems", context)
            while context.is_active():
                try:
                    item = self.work_items.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is None:
                    return
                yield item

        def complete_orchestration(response: pb.OrchestratorResponse) -> pb.CompleteTaskResponse:
            self.orchestrator_responses.put(response)
            return pb.CompleteTaskResponse()

        def complete_activity(response: pb.ActivityResponse) -> pb.CompleteTaskResponse:
            self.activity_responses.put(response)
            return pb.CompleteTaskResponse()

        def start(request: pb.CreateInstanceRequest) -> pb.CreateInstanceResponse:
            return pb.CreateInstanceResponse(instance_id=request.instance_id)

        def get(request: pb.GetInstanceRequest) -> pb.GetInstanceResponse:
            return pb.GetInstanceResponse(exists=False)

        handlers = {
            "Hello": unary("Hello", empty_pb2.Empty, lambda _: empty_pb2.Empty()),
            "StartInstance": unary("StartInstance", pb.CreateInstanceRequest, start),
            "GetInstance": unary("GetInstance", pb.GetInstanceRequest, get),
            "CompleteOrchestratorTask": unary(
                "CompleteOrchestratorTask", pb.OrchestratorResponse, complete_orchestration
            ),
            "CompleteActivityTask": unary("CompleteActivityTask", pb.ActivityResponse, complete_activity),
            "GetWorkItems": grpc.unary_stream_rpc_method_handler(
                stream_work_items,
                request_deserializer=pb.GetWorkItemsRequest.FromString,
                response_serializer=lambda m: m.SerializeToString(),
            ),
        }
        return grpc.method_handlers_generic_handler(_SERVICE, handlers)
