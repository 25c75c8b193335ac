"""A gRPC channel of our own, with the slice of grpcio's interface that generated stubs use.

Why it exists: grpcio spends about 170-200 µs of CPU on every unary call on a 2-core machine (a
Hello loop against microsoft/durabletask-go v0.6.0, measured with ``getrusage``), and a worker
makes one call per work item, so on a busy worker grpcio's machinery costs more than running the
orchestrations. This channel speaks HTTP/2 through :mod:`durabletask.grpc._h2.connection` on a
plain socket, one ``sendall`` and one thread wake-up per call.

It covers what the worker needs and no more: unary and server-streaming calls, deadlines,
metadata, plain-text ``host:port`` targets. Anything else (TLS, interceptors, channel options,
other target schemes) is grpcio's job; see ``durabletask.grpc._channel.builtin_endpoint``.
Failures surface as :class:`BuiltinRpcError`, a ``grpc.RpcError`` with grpcio's ``code()`` and
``details()``, so callers handle both channels alike.
"""

from __future__ import annotations

import base64
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Generic, TypeVar
from urllib.parse import unquote

import grpc

from durabletask.grpc._h2.connection import (
    Connection,
    ConnectionClosedError,
    Headers,
    Listener,
    Stream,
    StreamEnd,
    StreamItem,
)
from durabletask.grpc._h2.frames import ErrorCode
from durabletask.grpc._h2.hpack import encode_headers

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")

Metadata = Sequence[tuple[str, str | bytes]]

USER_AGENT: Final = "durabletask-python-grpc/0.1"

_DEFAULT_CONNECT_TIMEOUT: Final = 20.0
_HEADER_CACHE_SIZE: Final = 256
_CLOSED_CHANNEL_MESSAGE: Final = "Cannot invoke RPC on closed channel!"  # grpcio's words, which callers may match

_STATUS_BY_NUMBER: Final = {code.value[0]: code for code in grpc.StatusCode}

# How HTTP/2 reset codes and HTTP statuses become gRPC codes (gRPC's "HTTP/2 transport" spec).
_STATUS_BY_RESET: Final[dict[int, grpc.StatusCode]] = {
    ErrorCode.REFUSED_STREAM: grpc.StatusCode.UNAVAILABLE,
    ErrorCode.CANCEL: grpc.StatusCode.CANCELLED,
    ErrorCode.ENHANCE_YOUR_CALM: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorCode.INADEQUATE_SECURITY: grpc.StatusCode.PERMISSION_DENIED,
}
_STATUS_BY_HTTP: Final[dict[int, grpc.StatusCode]] = {
    400: grpc.StatusCode.INTERNAL,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.UNIMPLEMENTED,
    429: grpc.StatusCode.UNAVAILABLE,
    502: grpc.StatusCode.UNAVAILABLE,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.UNAVAILABLE,
}


class BuiltinRpcError(grpc.RpcError):  # type: ignore[misc,unused-ignore]  # untyped without grpc-stubs
    """A call that ended without success, described the way grpcio describes its failures."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers: Headers | None = None) -> None:
        super().__init__(f"{code.name}: {details}")
        self._code = code
        self._details = details
        self._trailers = tuple(trailers or ())

    def code(self) -> grpc.StatusCode:
        """The gRPC status code."""
        return self._code

    def details(self) -> str:
        """The server's (or this channel's) explanation."""
        return self._details

    @property
    def trailers(self) -> tuple[tuple[str, str], ...]:
        """The trailers the server sent with the status, if it sent any (names lowercase)."""
        return self._trailers

    def debug_error_string(self) -> str:
        """The same as ``str(error)``; grpcio has a richer one."""
        return str(self)


class BuiltinChannel:
    """Calls to the gRPC server at ``host:port`` over one shared HTTP/2 connection.

    The connection is made on the first call and made again on the next call after it breaks,
    as a grpcio channel would. :meth:`close` cancels calls in flight; later calls raise
    ``ValueError``, as grpcio's do.
    """

    def __init__(self, host: str, port: int, *, connect_timeout: float = _DEFAULT_CONNECT_TIMEOUT) -> None:
        self._host = host
        self._port = port
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._draining: list[Connection] = []  # replaced while going away; they end on their own
        self._closed = False
        self._header_blocks: dict[tuple[str, str | None, tuple[tuple[str, str | bytes], ...]], bytes] = {}
        self.target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def unary_unary(
        self,
        method: str,
        request_serializer: Callable[[RequestT], bytes] | None = None,
        response_deserializer: Callable[[bytes], ResponseT] | None = None,
        **_grpcio_only: Any,
    ) -> UnaryUnaryMethod[RequestT, ResponseT]:
        """A callable for the unary method at path ``method`` (``/Service/Method``)."""
        return UnaryUnaryMethod(self, method, request_serializer, response_deserializer)

    def unary_stream(
        self,
        method: str,
        request_serializer: Callable[[RequestT], bytes] | None = None,
        response_deserializer: Callable[[bytes], ResponseT] | None = None,
        **_grpcio_only: Any,
    ) -> UnaryStreamMethod[RequestT, ResponseT]:
        """A callable for the server-streaming method at path ``method``."""
        return UnaryStreamMethod(self, method, request_serializer, response_deserializer)

    def close(self) -> None:
        """Cancel every call in flight and refuse new ones. Idempotent."""
        with self._lock:
            self._closed = True
            connections = [*self._draining, *([self._connection] if self._connection is not None else [])]
            self._connection, self._draining = None, []
        for connection in connections:
            connection.close()

    def __enter__(self) -> BuiltinChannel:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    # -- what the method objects share ---------------------------------------------------------

    def start(
        self,
        method: str,
        message: bytes,
        timeout: float | None,
        metadata: Metadata | None,
        listener: Listener | None = None,
    ) -> _Call:
        """Send one request message on a new stream; the returned call reads the answer.

        With a ``listener``, the answer goes to it on the connection's reader thread instead.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        block = self._header_block(method, timeout, metadata)
        framed = b"\x00" + len(message).to_bytes(4, "big") + message
        connection = self._usable_connection(deadline)
        try:
            stream = connection.open_stream(block, framed, deadline, listener)
        except ConnectionClosedError as error:
            if error.by_client:  # closed while this call was starting: it is one of the calls in flight
                raise BuiltinRpcError(grpc.StatusCode.CANCELLED, "Channel closed!") from error
            raise BuiltinRpcError(grpc.StatusCode.UNAVAILABLE, error.reason) from error
        except TimeoutError as error:
            raise BuiltinRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, str(error)) from error
        return _Call(connection, stream, deadline)

    def _usable_connection(self, deadline: float | None) -> Connection:
        with self._lock:
            if self._closed:
                raise ValueError(_CLOSED_CHANNEL_MESSAGE)
            connection = self._connection
            if connection is not None and connection.is_usable:
                return connection
            timeout = self._connect_timeout
            if deadline is not None:
                timeout = min(timeout, max(0.001, deadline - time.monotonic()))
            try:
                connection = Connection.open(self._host, self._port, timeout)
            except OSError as error:
                raise BuiltinRpcError(
                    grpc.StatusCode.UNAVAILABLE, f"failed to connect to {self.target}: {error}"
                ) from error
            # A connection that is going away closes itself once its calls are done; close() still
            # has to reach it meanwhile.
            self._draining = [old for old in self._draining if not old.is_closed]
            if self._connection is not None and not self._connection.is_closed:
                self._draining.append(self._connection)
            self._connection = connection
            return connection

    def _header_block(self, method: str, timeout: float | None, metadata: Metadata | None) -> bytes:
        # Workers call a handful of methods with the same timeout and metadata again and again,
        # so each combination is encoded once.
        timeout_text = None if timeout is None else _encode_timeout(timeout)
        key = (method, timeout_text, tuple(metadata or ()))
        block = self._header_blocks.get(key)
        if block is None:
            headers = [
                (":method", "POST"),
                (":scheme", "http"),
                (":path", method),
                (":authority", self.target),
                ("te", "trailers"),
                ("content-type", "application/grpc"),
                ("user-agent", USER_AGENT),
            ]
            if timeout_text is not None:
                headers.append(("grpc-timeout", timeout_text))
            headers.extend(_metadata_headers(key[2]))
            block = encode_headers(headers)
            if len(self._header_blocks) >= _HEADER_CACHE_SIZE:
                self._header_blocks.clear()
            self._header_blocks[key] = block
        return block


class _Method(Generic[RequestT, ResponseT]):
    """A method of the server, and how its messages are (de)serialized (bytes unchanged by default)."""

    def __init__(
        self,
        channel: BuiltinChannel,
        method: str,
        serializer: Callable[[RequestT], bytes] | None,
        deserializer: Callable[[bytes], ResponseT] | None,
    ) -> None:
        self._channel = channel
        self._method = method
        self._serialize = serializer or _as_bytes
        self._deserialize: Callable[[bytes], Any] = deserializer or _unchanged


class UnaryUnaryMethod(_Method[RequestT, ResponseT]):
    """One unary method: call it with a request, get the response or a :class:`BuiltinRpcError`."""

    def __call__(
        self, request: RequestT, timeout: float | None = None, metadata: Metadata | None = None, **_grpcio_only: Any
    ) -> ResponseT:
        call = self._channel.start(self._method, self._serialize(request), timeout, metadata)
        response = call.next_message()
        if response is None:
            raise BuiltinRpcError(grpc.StatusCode.INTERNAL, "the server answered a unary call without a message")
        call.expect_end()
        result: ResponseT = self._deserialize(response)
        return result

    def call_in_background(
        self,
        request: RequestT,
        on_done: Callable[[ResponseT | None, BuiltinRpcError | None], None],
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> None:
        """Send the request and return at once; ``on_done(response, error)`` follows.

        ``on_done`` runs once, with exactly one of its two arguments set, on the connection's
        reader thread when the answer arrives (or on this thread, before this method returns,
        when the answer came that fast). It must be quick, must not raise, and must not make
        blocking calls on this channel. The deadline is the server's to enforce (``timeout`` is sent to it); a
        broken connection or a closed channel ends the call too. Errors that stop the request
        from being sent at all are raised here instead, as by a blocking call, and so is
        ``BlockingIOError`` when called on the connection's reader thread (from a listener) for a
        request that would have to wait to be sent: nothing was sent, send it from another thread.
        """
        deserialize = self._deserialize
        responses: list[bytes] = []
        lock = threading.Lock()
        # An end that arrives while start() is still sending belongs to a failure start() raises:
        # it is held back here, so that on_done never reports what the caller already caught.
        starting: list[StreamEnd | None] = [None]

        def finish(end: StreamEnd) -> None:
            error = _error_of(end)
            if error is None and len(responses) != 1:
                error = BuiltinRpcError(
                    grpc.StatusCode.INTERNAL, f"the server answered a unary call with {len(responses)} messages"
                )
            if error is not None:
                on_done(None, error)
                return
            try:
                response = deserialize(responses[0])
            except Exception as failure:
                on_done(None, BuiltinRpcError(grpc.StatusCode.INTERNAL, f"could not read the response: {failure!r}"))
                return
            on_done(response, None)

        def listen(item: StreamItem) -> None:
            if isinstance(item, bytes):
                responses.append(item)
                return
            with lock:
                if starting:
                    starting[0] = item
                    return
            finish(item)

        self._channel.start(self._method, self._serialize(request), timeout, metadata, listen)
        with lock:
            early = starting.pop()
        if early is not None:
            finish(early)


class UnaryStreamMethod(_Method[RequestT, ResponseT]):
    """One server-streaming method: call it with a request, iterate over the responses."""

    def __call__(
        self, request: RequestT, timeout: float | None = None, metadata: Metadata | None = None, **_grpcio_only: Any
    ) -> ResponseStream[ResponseT]:
        call = self._channel.start(self._method, self._serialize(request), timeout, metadata)
        return ResponseStream(call, self._deserialize)

    def consume(
        self,
        request: RequestT,
        on_response: Callable[[ResponseT], None],
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> None:
        """Call ``on_response`` with each response until the call ends; block until it does.

        ``on_response`` runs on the connection's reader thread, so each response costs no
        thread hand-off; it must be quick. Returns when the server ends the call successfully;
        raises :class:`BuiltinRpcError` otherwise, including when ``on_response`` raises (the
        call is then cancelled) and when the channel is closed.
        """
        deserialize = self._deserialize
        ended: queue.SimpleQueue[StreamEnd] = queue.SimpleQueue()
        failures: list[BuiltinRpcError] = []
        calls: list[_Call] = []

        def listen(item: StreamItem) -> None:
            if isinstance(item, StreamEnd):
                ended.put(item)
            elif not failures:
                try:
                    on_response(deserialize(item))
                except Exception as failure:
                    failures.append(
                        BuiltinRpcError(grpc.StatusCode.INTERNAL, f"could not handle a response: {failure!r}")
                    )
                    if calls:
                        calls[0].cancel()

        deadline = None if timeout is None else time.monotonic() + timeout
        call = self._channel.start(self._method, self._serialize(request), timeout, metadata, listen)
        calls.append(call)
        if failures:  # a response arrived, and failed, before the call was in ``calls``
            call.cancel()
        try:
            end = ended.get(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            call.cancel()
            raise BuiltinRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded") from None
        error = failures[0] if failures else _error_of(end)
        if error is not None:
            raise error


class ResponseStream(Generic[ResponseT]):
    """The responses of a server-streaming call, as they arrive.

    Iteration ends when the server ends the call successfully and raises :class:`BuiltinRpcError`
    when it ends otherwise; :meth:`cancel` ends it from this side.
    """

    def __init__(self, call: _Call, deserialize: Callable[[bytes], ResponseT]) -> None:
        self._call = call
        self._deserialize = deserialize

    def __iter__(self) -> Iterator[ResponseT]:
        return self

    def __next__(self) -> ResponseT:
        message = self._call.next_message()
        if message is None:
            raise StopIteration
        return self._deserialize(message)

    def cancel(self) -> bool:
        """Stop the call; a reader blocked on the next response gets CANCELLED."""
        return self._call.cancel()


class _Call:
    """The answer side of one stream: messages, then the status."""

    __slots__ = ("_connection", "_deadline", "_done", "_error", "_stream")

    def __init__(self, connection: Connection, stream: Stream, deadline: float | None) -> None:
        self._connection = connection
        self._stream = stream
        self._deadline = deadline
        self._error: BuiltinRpcError | None = None
        self._done = False

    def next_message(self) -> bytes | None:
        """The next message; ``None`` once the call ended well. Raises if it ended otherwise."""
        if self._done:
            if self._error is not None:
                raise self._error
            return None
        item = self._take()
        if isinstance(item, bytes):
            return item
        self._done = True
        self._error = _error_of(item)
        if self._error is not None:
            raise self._error
        return None

    def expect_end(self) -> None:
        """Read the status after a unary call's message (a second message is an error)."""
        if self.next_message() is not None:
            self.cancel()
            raise BuiltinRpcError(grpc.StatusCode.INTERNAL, "the server sent more than one message to a unary call")

    def cancel(self) -> bool:
        if self._done:
            return False
        self._connection.cancel(self._stream)
        return True

    def _take(self) -> bytes | StreamEnd:
        if self._deadline is None:
            return self._stream.inbox.get()
        try:
            return self._stream.inbox.get(timeout=max(0.0, self._deadline - time.monotonic()))
        except queue.Empty:
            self._connection.cancel(self._stream)
            self._done = True
            self._error = BuiltinRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
            raise self._error from None


def _error_of(end: StreamEnd) -> BuiltinRpcError | None:
    """What a stream's end means for the call: ``None`` for success, else the error to raise."""
    if end.trailers is not None:
        trailers = dict(end.trailers)
        status = trailers.get("grpc-status")
        if status is None:
            return _http_error(end.headers or end.trailers, "the server sent no grpc-status")
        code = _STATUS_BY_NUMBER.get(int(status) if status.isdigit() else -1, grpc.StatusCode.UNKNOWN)
        if code is grpc.StatusCode.OK:
            return None
        return BuiltinRpcError(code, unquote(trailers.get("grpc-message", "")), end.trailers)
    if end.cancelled:
        return BuiltinRpcError(grpc.StatusCode.CANCELLED, "Channel closed!")
    if end.failure is not None:
        return BuiltinRpcError(grpc.StatusCode.UNAVAILABLE, end.failure)
    if end.refused:
        return BuiltinRpcError(grpc.StatusCode.UNAVAILABLE, "the server is shutting down and did not process the call")
    if end.reset is not None:
        code = _STATUS_BY_RESET.get(end.reset, grpc.StatusCode.INTERNAL)
        return BuiltinRpcError(code, f"the server reset the stream (HTTP/2 error {_error_code_name(end.reset)})")
    return _http_error(end.headers or [], end.malformed or "the call ended abnormally")


def _error_code_name(number: int) -> str:
    try:
        return ErrorCode(number).name
    except ValueError:
        return str(number)


def _http_error(headers: Headers, fallback: str) -> BuiltinRpcError:
    status = dict(headers).get(":status", "")
    if status.isdigit() and int(status) != 200:
        code = _STATUS_BY_HTTP.get(int(status), grpc.StatusCode.UNKNOWN)
        return BuiltinRpcError(code, f"the server answered HTTP status {status}")
    return BuiltinRpcError(grpc.StatusCode.INTERNAL, fallback)


def _encode_timeout(seconds: float) -> str:
    """gRPC's ``grpc-timeout`` value: at most 8 digits and a unit."""
    milliseconds = max(1, math.ceil(seconds * 1000))
    if milliseconds < 10**8:
        return f"{milliseconds}m"
    return f"{min(math.ceil(seconds), 10**8 - 1)}S"


def _metadata_headers(metadata: tuple[tuple[str, str | bytes], ...]) -> list[tuple[str, str]]:
    headers = []
    for key, value in metadata:
        name = key.lower()
        if name.endswith("-bin"):
            raw = value if isinstance(value, bytes) else value.encode()
            headers.append((name, base64.b64encode(raw).decode("ascii").rstrip("=")))
        else:
            headers.append((name, value.decode("latin-1") if isinstance(value, bytes) else value))
    return headers


def _as_bytes(request: Any) -> bytes:
    return bytes(request)


def _unchanged(response: bytes) -> Any:
    return response
