"""The built-in HTTP/2 channel (``durabletask.grpc._h2.channel``) against a real grpcio server.

The server serves a small ``test.Echo`` service through generic handlers, bytes in and bytes out,
so the channel's default (bytes) serializers are enough. Each test gets its own server on a free
port and its own channel; the handlers record what reached them (metadata, cancellations) for the
tests to check.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

from durabletask.grpc._h2.channel import BuiltinChannel, BuiltinRpcError, UnaryStreamMethod, UnaryUnaryMethod
from durabletask.grpc._h2.connection import Connection
from durabletask.grpc._h2.frames import DEFAULT_MAX_FRAME_SIZE, SETTINGS_ACK

SERVICE = "test.Echo"
MB = 1 << 20


def path(method: str) -> str:
    return f"/{SERVICE}/{method}"


def unary_method(channel: BuiltinChannel, method: str) -> UnaryUnaryMethod[bytes, bytes]:
    """The channel's callable for unary ``test.Echo`` ``method``, bytes in and out."""
    return channel.unary_unary(path(method))


def stream_method(channel: BuiltinChannel, method: str) -> UnaryStreamMethod[bytes, bytes]:
    """The channel's callable for server-streaming ``test.Echo`` ``method``, bytes in and out."""
    return channel.unary_stream(path(method))


def stream_payload(index: int) -> bytes:
    """The ``index``-th message of the ``Stream`` method: its number, then 0 to ~5000 bytes of filler."""
    return index.to_bytes(4, "big") + bytes((index % 251,)) * ((index * 7919) % 5000)


def big_payload(size: int) -> bytes:
    """``size`` bytes that are not all alike, so a misplaced chunk shows."""
    pattern = bytes(range(256)) * 4 + b"durabletask"
    return (pattern * (size // len(pattern) + 1))[:size]


class EchoService:
    """The handlers, and what they saw."""

    def __init__(self) -> None:
        self.metadata: list[tuple[str, str | bytes]] = []
        self.stream_started = threading.Event()
        self.cancelled = threading.Event()
        self.sleeping = threading.Event()
        self.slept: list[float] = []

    def handler(self) -> Any:
        def unary(function: Callable[[bytes, Any], bytes]) -> Any:
            return grpc.unary_unary_rpc_method_handler(function)

        def streaming(function: Callable[[bytes, Any], Iterator[bytes]]) -> Any:
            return grpc.unary_stream_rpc_method_handler(function)

        return grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "Unary": unary(self.echo),
                "Metadata": unary(self.record_metadata),
                "Abort": unary(self.abort),
                "Sleep": unary(self.sleep),
                "Big": unary(self.big),
                "Digest": unary(self.digest),
                "Stream": streaming(self.stream),
                "StreamThenFail": streaming(self.stream_then_fail),
                "Endless": streaming(self.endless),
            },
        )

    def echo(self, request: bytes, context: Any) -> bytes:
        return request

    def record_metadata(self, request: bytes, context: Any) -> bytes:
        self.metadata = list(context.invocation_metadata())
        return b"ok"

    def abort(self, request: bytes, context: Any) -> bytes:
        """``request`` is ``b"<status code number>|<details in UTF-8>"``."""
        number, details = request.decode("utf-8").split("|", 1)
        code = next(code for code in grpc.StatusCode if code.value[0] == int(number))
        context.abort(code, details)
        raise AssertionError("abort returned")

    def sleep(self, request: bytes, context: Any) -> bytes:
        """Sleeps ``float(request)`` seconds, or until the call is cancelled."""
        started = time.monotonic()
        context.add_callback(self.cancelled.set)
        self.sleeping.set()
        while time.monotonic() - started < float(request) and context.is_active():
            time.sleep(0.01)
        self.slept.append(time.monotonic() - started)
        return b"slept"

    def big(self, request: bytes, context: Any) -> bytes:
        return big_payload(int(request))

    def digest(self, request: bytes, context: Any) -> bytes:
        return hashlib.sha256(request).digest()

    def stream(self, request: bytes, context: Any) -> Iterator[bytes]:
        for index in range(int(request)):
            yield stream_payload(index)

    def stream_then_fail(self, request: bytes, context: Any) -> Iterator[bytes]:
        yield b"one"
        yield b"two"
        yield b"three"
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "stopped after three: 100% done")

    def endless(self, request: bytes, context: Any) -> Iterator[bytes]:
        """A tick every 5 ms until the client goes away."""
        context.add_callback(self.cancelled.set)
        self.stream_started.set()
        while context.is_active():
            yield b"tick"
            time.sleep(0.005)


HOST = "127.0.0.1"
"""Where test servers listen and channels connect. "localhost" has two addresses here, and a
server bound to it may get only one of them (another process can hold the same port on the
other), while the channel connects to the first the name resolves to."""


def start_server(service: EchoService, port: int = 0) -> tuple[Any, int]:
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        options=[("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)],
    )
    server.add_generic_rpc_handlers((service.handler(),))
    bound = server.add_insecure_port(f"{HOST}:{port}")
    assert bound, f"could not listen on {HOST}:{port}"
    server.start()
    return server, bound


class Served:
    """A running server and a channel to it."""

    def __init__(self) -> None:
        self.service = EchoService()
        self.server, self.port = start_server(self.service)
        self.channel = BuiltinChannel(HOST, self.port, connect_timeout=2.0)

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=0).wait(5)


@pytest.fixture
def served() -> Iterator[Served]:
    running = Served()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def channel(served: Served) -> BuiltinChannel:
    return served.channel


def rpc_error(call: Callable[[], object]) -> BuiltinRpcError:
    """The :class:`BuiltinRpcError` that ``call`` raises."""
    with pytest.raises(BuiltinRpcError) as info:
        call()
    error: BuiltinRpcError = info.value
    return error


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# --- unary calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 5, 100, 16_379, 16_380, 16_384, 70_000, 300_000])
def test_unary_echo_of_various_sizes(channel: BuiltinChannel, size: int) -> None:
    echo = unary_method(channel, "Unary")
    request = big_payload(size)
    assert echo(request, timeout=5) == request


def test_large_request_while_the_server_settings_are_being_acknowledged(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request of more than 16 KB sent while the client is acknowledging the server's SETTINGS.

    grpcio announces MAX_FRAME_SIZE 4 MB but enforces 16 KB until it has the ACK. The client used to
    apply the settings before writing the ACK, so now and then (a few fresh connections in a hundred)
    a large first request failed with "Frame size N is larger than max frame size 16384". A slow ACK
    write stands in here for the reader thread losing the CPU at the wrong moment.
    """
    original_write = Connection._write

    def slow_ack_write(self: Connection, data: bytes) -> None:
        if data == SETTINGS_ACK:
            time.sleep(0.3)
        original_write(self, data)

    monkeypatch.setattr(Connection, "_write", slow_ack_write)
    echo = unary_method(served.channel, "Unary")
    first: list[tuple[Any, BuiltinRpcError | None]] = []
    echo.call_in_background(b"opens the connection", lambda *outcome: first.append(outcome), timeout=5)
    # Wait until the client has taken in grpcio's SETTINGS (MAX_FRAME_SIZE 4 MB), ACK or no ACK yet.
    connection = served.channel._connection
    assert connection is not None
    deadline = time.monotonic() + 2
    while connection._peer_max_frame == DEFAULT_MAX_FRAME_SIZE and time.monotonic() < deadline:
        time.sleep(0.001)
    assert connection._peer_max_frame > DEFAULT_MAX_FRAME_SIZE
    request = big_payload(60_000)
    try:
        response = echo(request, timeout=5)
    except BuiltinRpcError as error:
        raise AssertionError(f"the call failed: {error}") from error
    assert response == request


def test_many_sequential_calls_share_one_connection(channel: BuiltinChannel) -> None:
    echo = unary_method(channel, "Unary")
    echo(b"first", timeout=5)
    connection = channel._connection
    for index in range(500):
        request = f"call {index}".encode() * (index % 7)
        assert echo(request, timeout=5) == request
    assert channel._connection is connection  # one connection for all of them


def test_serializer_and_deserializer_are_applied(channel: BuiltinChannel) -> None:
    echo: UnaryUnaryMethod[str, str] = channel.unary_unary(
        path("Unary"), request_serializer=lambda text: text.encode("utf-8"), response_deserializer=bytes.decode
    )
    assert echo("héllo", timeout=5) == "héllo"


def test_metadata_reaches_the_server(served: Served) -> None:
    raw = bytes(range(256)) + b"\x00\xff"
    call = unary_method(served.channel, "Metadata")
    call(b"", timeout=5, metadata=[("x-ascii", "some value"), ("x-trace-bin", raw), ("Mixed-Case", "v")])
    seen = served.service.metadata
    assert ("x-ascii", "some value") in seen
    assert ("x-trace-bin", raw) in seen  # grpcio decodes -bin values back to bytes
    assert ("mixed-case", "v") in seen


@pytest.mark.parametrize("code", [code for code in grpc.StatusCode if code is not grpc.StatusCode.OK], ids=str)
def test_server_abort_status_and_details_reach_the_client(channel: BuiltinChannel, code: Any) -> None:
    details = "naïve 100% ✓ %41 — 日本 + spaces"
    abort = unary_method(channel, "Abort")
    error = rpc_error(lambda: abort(f"{code.value[0]}|{details}".encode(), timeout=5))
    assert error.code() is code
    assert error.details() == details


def test_errors_are_grpc_rpc_errors(channel: BuiltinChannel) -> None:
    """Callers written for grpcio catch ``grpc.RpcError`` and read ``code()`` and ``details()``."""
    abort = unary_method(channel, "Abort")
    with pytest.raises(grpc.RpcError) as info:
        abort(b"8|slow down", timeout=5)
    assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert info.value.details() == "slow down"
    assert "RESOURCE_EXHAUSTED" in str(info.value)


def test_deadline_expires_long_before_a_slow_handler_finishes(served: Served) -> None:
    sleep = unary_method(served.channel, "Sleep")
    started = time.monotonic()
    error = rpc_error(lambda: sleep(b"2", timeout=0.3))
    elapsed = time.monotonic() - started
    assert error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.25 <= elapsed < 1.0
    assert served.service.cancelled.wait(2), "the server never learned that the call was over"
    # The connection is still good for the next call.
    assert unary_method(served.channel, "Unary")(b"after", timeout=5) == b"after"


# --- server streaming ----------------------------------------------------------------------------


def test_a_thousand_streamed_messages_arrive_in_order(channel: BuiltinChannel) -> None:
    responses = stream_method(channel, "Stream")(b"1000", timeout=10)
    assert list(responses) == [stream_payload(index) for index in range(1000)]


def test_consume_delivers_every_streamed_message_in_order(channel: BuiltinChannel) -> None:
    received: list[bytes] = []
    stream_method(channel, "Stream").consume(b"1000", received.append, timeout=10)
    assert received == [stream_payload(index) for index in range(1000)]


def test_an_empty_stream_ends_iteration_at_once(channel: BuiltinChannel) -> None:
    assert list(stream_method(channel, "Stream")(b"0", timeout=5)) == []
    received: list[bytes] = []
    stream_method(channel, "Stream").consume(b"0", received.append, timeout=5)
    assert received == []


def test_a_stream_ending_in_an_error_raises_it_after_the_messages(channel: BuiltinChannel) -> None:
    responses = stream_method(channel, "StreamThenFail")(b"", timeout=5)
    received = []
    with pytest.raises(BuiltinRpcError) as info:
        for message in responses:
            received.append(message)
    assert received == [b"one", b"two", b"three"]
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert info.value.details() == "stopped after three: 100% done"
    # The iterator stays finished, with the same error.
    with pytest.raises(BuiltinRpcError) as again:
        next(responses)
    assert again.value.code() is grpc.StatusCode.FAILED_PRECONDITION


def test_consume_raises_a_stream_error_after_the_messages(channel: BuiltinChannel) -> None:
    received: list[bytes] = []
    consume = stream_method(channel, "StreamThenFail").consume
    error = rpc_error(lambda: consume(b"", received.append, timeout=5))
    assert received == [b"one", b"two", b"three"]
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION


def test_cancel_from_another_thread_ends_iteration_with_cancelled(served: Served) -> None:
    responses = stream_method(served.channel, "Endless")(b"")
    assert next(responses) == b"tick"
    threading.Timer(0.05, responses.cancel).start()
    started = time.monotonic()
    with pytest.raises(BuiltinRpcError) as info:
        for message in responses:
            assert message == b"tick"
    assert info.value.code() is grpc.StatusCode.CANCELLED
    assert time.monotonic() - started < 1.0
    assert served.service.cancelled.wait(2), "the server never saw the cancellation"
    assert responses.cancel() is False  # already over


def test_streaming_deadline_ends_an_endless_stream(served: Served) -> None:
    responses = stream_method(served.channel, "Endless")(b"", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(BuiltinRpcError) as info:
        for _ in responses:
            pass
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 1.0


# --- large messages ------------------------------------------------------------------------------


def test_five_megabyte_request_and_response_round_trip(channel: BuiltinChannel) -> None:
    # grpcio's windows start at 64 KB, so the request is paced by its WINDOW_UPDATEs.
    request = big_payload(5 * MB)
    assert unary_method(channel, "Unary")(request, timeout=20) == request


def test_five_megabyte_request_arrives_intact(channel: BuiltinChannel) -> None:
    request = big_payload(5 * MB + 7)
    digest = unary_method(channel, "Digest")(request, timeout=20)
    assert digest == hashlib.sha256(request).digest()


def test_five_megabyte_response_arrives_intact(channel: BuiltinChannel) -> None:
    response = unary_method(channel, "Big")(str(5 * MB + 3).encode(), timeout=20)
    assert response == big_payload(5 * MB + 3)


# --- concurrency ---------------------------------------------------------------------------------


def test_eight_threads_share_one_channel(channel: BuiltinChannel) -> None:
    echo = unary_method(channel, "Unary")

    def calls(worker: int) -> int:
        for index in range(100):
            request = f"worker {worker} call {index} ".encode() * (1 + index % 50)
            assert echo(request, timeout=10) == request
        return worker

    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(calls, range(8))) == list(range(8))


def test_streams_and_unary_calls_interleave_on_one_connection(channel: BuiltinChannel) -> None:
    def streamer() -> list[bytes]:
        return list(stream_method(channel, "Stream")(b"300", timeout=10))

    with futures.ThreadPoolExecutor(max_workers=4) as pool:
        streams = [pool.submit(streamer) for _ in range(2)]
        echo = unary_method(channel, "Unary")
        for index in range(100):
            assert echo(str(index).encode(), timeout=5) == str(index).encode()
        expected = [stream_payload(index) for index in range(300)]
        for each in streams:
            assert each.result(timeout=10) == expected


# --- call_in_background --------------------------------------------------------------------------


class Outcomes:
    """Records every ``on_done`` call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, BuiltinRpcError | None]] = []
        self.done = threading.Event()

    def __call__(self, response: Any, error: BuiltinRpcError | None) -> None:
        self.calls.append((response, error))
        self.done.set()

    def only(self) -> tuple[Any, BuiltinRpcError | None]:
        assert self.done.wait(5), "on_done was never called"
        time.sleep(0.1)  # room for a wrong second call
        assert len(self.calls) == 1, f"on_done ran {len(self.calls)} times: {self.calls}"
        return self.calls[0]


def test_call_in_background_passes_the_response(channel: BuiltinChannel) -> None:
    outcomes = Outcomes()
    shout: UnaryUnaryMethod[bytes, bytes] = channel.unary_unary(path("Unary"), response_deserializer=bytes.upper)
    shout.call_in_background(b"hello", outcomes, timeout=5)
    assert outcomes.only() == (b"HELLO", None)


def test_call_in_background_passes_the_error(channel: BuiltinChannel) -> None:
    outcomes = Outcomes()
    unary_method(channel, "Abort").call_in_background(b"5|gone", outcomes, timeout=5)
    response, error = outcomes.only()
    assert response is None
    assert error is not None
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.details() == "gone"


def test_many_background_calls_each_end_once(channel: BuiltinChannel) -> None:
    lock = threading.Lock()
    results: dict[int, list[tuple[Any, BuiltinRpcError | None]]] = {index: [] for index in range(200)}
    all_done = threading.Semaphore(0)
    echo = unary_method(channel, "Unary")

    def on_done_for(index: int) -> Callable[[Any, BuiltinRpcError | None], None]:
        def on_done(response: Any, error: BuiltinRpcError | None) -> None:
            with lock:
                results[index].append((response, error))
            all_done.release()

        return on_done

    for index in range(200):
        echo.call_in_background(str(index).encode(), on_done_for(index), timeout=5)
    for _ in range(200):
        assert all_done.acquire(timeout=5)
    time.sleep(0.05)
    assert results == {index: [(str(index).encode(), None)] for index in range(200)}


def test_call_in_background_ends_with_cancelled_when_the_channel_closes(served: Served) -> None:
    outcomes = Outcomes()
    unary_method(served.channel, "Sleep").call_in_background(b"2", outcomes, timeout=5)
    time.sleep(0.1)
    served.channel.close()
    response, error = outcomes.only()
    assert response is None
    assert error is not None
    assert error.code() is grpc.StatusCode.CANCELLED


# --- consume with a failing callback -------------------------------------------------------------


def test_consume_cancels_the_call_when_on_response_raises(served: Served) -> None:
    seen: list[bytes] = []

    def on_response(message: bytes) -> None:
        seen.append(message)
        if len(seen) == 3:
            raise RuntimeError("handler bug")

    consume = stream_method(served.channel, "Endless").consume
    error = rpc_error(lambda: consume(b"", on_response, timeout=10))
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "handler bug" in error.details()
    assert len(seen) == 3  # nothing more was handed over after the failure
    assert served.service.cancelled.wait(2), "the server never saw the call cancelled"
    # The channel carries on.
    assert unary_method(served.channel, "Unary")(b"still fine", timeout=5) == b"still fine"


# --- closing -------------------------------------------------------------------------------------


def test_close_while_iterating_cancels_the_stream_and_refuses_new_calls(served: Served) -> None:
    channel = served.channel
    responses = stream_method(channel, "Endless")(b"")
    ticks: list[bytes] = []
    outcome: list[BaseException] = []

    def iterate() -> None:
        try:
            for message in responses:
                ticks.append(message)
        except BaseException as error:
            outcome.append(error)

    reader = threading.Thread(target=iterate)
    reader.start()
    try:
        assert served.service.stream_started.wait(5)
        deadline = time.monotonic() + 5
        while not ticks and time.monotonic() < deadline:
            time.sleep(0.005)
        closed_at = time.monotonic()
        channel.close()
        reader.join(timeout=2)
        assert not reader.is_alive(), "the iterating thread did not end after close()"
        assert time.monotonic() - closed_at < 1.0
    finally:
        channel.close()
        reader.join(timeout=5)
    assert len(outcome) == 1
    assert isinstance(outcome[0], BuiltinRpcError)
    assert outcome[0].code() is grpc.StatusCode.CANCELLED
    assert served.service.cancelled.wait(2)

    with pytest.raises(ValueError):
        unary_method(channel, "Unary")(b"x", timeout=1)
    with pytest.raises(ValueError):
        stream_method(channel, "Stream")(b"1", timeout=1)
    with pytest.raises(ValueError):
        stream_method(channel, "Stream").consume(b"1", lambda _: None, timeout=1)
    with pytest.raises(ValueError):
        unary_method(channel, "Unary").call_in_background(b"x", lambda *_: None, timeout=1)
    channel.close()  # idempotent


def test_a_channel_closed_before_any_call_refuses_calls() -> None:
    channel = BuiltinChannel("localhost", free_port())
    channel.close()
    with pytest.raises(ValueError, match="closed channel"):
        unary_method(channel, "Unary")(b"x")


def test_context_manager_closes_the_channel(served: Served) -> None:
    with BuiltinChannel(HOST, served.port) as channel:
        assert unary_method(channel, "Unary")(b"x", timeout=5) == b"x"
    with pytest.raises(ValueError):
        unary_method(channel, "Unary")(b"x", timeout=5)


# --- unreachable and restarted servers -----------------------------------------------------------


def test_nothing_listening_is_unavailable_and_names_the_target() -> None:
    port = free_port()
    with BuiltinChannel("localhost", port, connect_timeout=2) as channel:
        started = time.monotonic()
        error = rpc_error(lambda: unary_method(channel, "Unary")(b"x", timeout=5))
        assert error.code() is grpc.StatusCode.UNAVAILABLE
        assert f"localhost:{port}" in error.details()
        assert time.monotonic() - started < 2.5
        # Streams and background calls fail the same way, before returning.
        assert rpc_error(lambda: stream_method(channel, "Stream")(b"1")).code() is grpc.StatusCode.UNAVAILABLE
        background = rpc_error(
            lambda: unary_method(channel, "Unary").call_in_background(b"x", lambda *_: None, timeout=5)
        )
        assert background.code() is grpc.StatusCode.UNAVAILABLE


def test_graceful_server_shutdown_lets_the_calls_in_flight_finish() -> None:
    """grpcio's stop(grace) sends GOAWAY (last stream 2**31-1, then the real one): calls in flight still finish."""
    service = EchoService()
    server, port = start_server(service)
    channel = BuiltinChannel(HOST, port, connect_timeout=2)
    try:
        assert unary_method(channel, "Unary")(b"first", timeout=5) == b"first"
        sleep = unary_method(channel, "Sleep")
        in_flight = futures.ThreadPoolExecutor(max_workers=1)
        try:
            answer = in_flight.submit(sleep, b"0.4", timeout=5)
            assert service.sleeping.wait(5)
            stopped = server.stop(grace=5)
            assert answer.result(timeout=5) == b"slept"
        finally:
            in_flight.shutdown(wait=False)
        assert stopped.wait(5)
        error = rpc_error(lambda: unary_method(channel, "Unary")(b"x", timeout=2))
        assert error.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        channel.close()
        server.stop(grace=0).wait(5)


def test_server_stopped_mid_stream_then_restarted_on_the_same_port() -> None:
    service = EchoService()
    server, port = start_server(service)
    replacement: Any = None
    channel = BuiltinChannel(HOST, port, connect_timeout=2)
    try:
        responses = stream_method(channel, "Endless")(b"", timeout=10)
        assert next(responses) == b"tick"
        server.stop(grace=0).wait(5)
        started = time.monotonic()
        with pytest.raises(BuiltinRpcError) as info:
            for _ in responses:
                pass
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE
        assert time.monotonic() - started < 2.0

        # While nothing listens, calls fail fast with UNAVAILABLE.
        error = rpc_error(lambda: unary_method(channel, "Unary")(b"x", timeout=2))
        assert error.code() is grpc.StatusCode.UNAVAILABLE

        replacement, again = start_server(EchoService(), port)
        assert again == port
        assert unary_method(channel, "Unary")(b"back", timeout=5) == b"back"
        assert list(stream_method(channel, "Stream")(b"3", timeout=5)) == [stream_payload(i) for i in range(3)]
    finally:
        channel.close()
        server.stop(grace=0).wait(5)
        if replacement is not None:
            replacement.stop(grace=0).wait(5)
