"""The built-in HTTP/2 channel at the frame level, against a scripted server (``scripted_h2_server``).

Each test plays the server: it accepts the channel's connection, reads what the client sent and
answers with exactly the frames the scenario needs, including ones a real gRPC server rarely or
never sends (padding, split header blocks, resets, GOAWAY, tiny flow-control windows, garbage).
The client's calls run on background threads, so a test can watch what the client does while a
call is pending.
"""

from __future__ import annotations

import base64
import contextlib
import random
import re
import struct
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from concurrent.futures import Future
from typing import Any

import grpc
import pytest
from scripted_h2_server import (
    Frame,
    H2Peer,
    ScriptedH2Server,
    goaway_fields,
    grpc_frame,
    in_background,
    response_headers,
    trailers,
)

from durabletask.grpc._h2 import connection as connection_module
from durabletask.grpc._h2.channel import BuiltinChannel, BuiltinRpcError, UnaryStreamMethod, UnaryUnaryMethod
from durabletask.grpc._h2.connection import _MAX_RECEIVE_FRAME_SIZE, _RECEIVE_BUFFER_SIZE, Connection
from durabletask.grpc._h2.frames import (
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_WINDOW_SIZE,
    SETTINGS_ACK,
    ErrorCode,
    Flag,
    FrameType,
    Setting,
    frame_header,
    read_uint32,
    settings_frame,
)
from durabletask.grpc._h2.hpack import encode_headers, encode_integer
from durabletask.grpc._h2.huffman import huffman_encode

METHOD = "/test.Scripted/Call"
STREAM_METHOD = "/test.Scripted/Stream"
WAIT = 5.0  # how long a test waits for a result that should come at once


@pytest.fixture
def server() -> Iterator[ScriptedH2Server]:
    with ScriptedH2Server() as listening:
        yield listening


@pytest.fixture
def channel(server: ScriptedH2Server) -> Iterator[BuiltinChannel]:
    opened = BuiltinChannel("127.0.0.1", server.port, connect_timeout=2.0)
    try:
        yield opened
    finally:
        opened.close()


def unary_method(channel: BuiltinChannel) -> UnaryUnaryMethod[bytes, bytes]:
    return channel.unary_unary(METHOD)


def stream_method(channel: BuiltinChannel) -> UnaryStreamMethod[bytes, bytes]:
    return channel.unary_stream(STREAM_METHOD)


def unary(
    channel: BuiltinChannel,
    request: bytes = b"request",
    timeout: float | None = WAIT,
    metadata: list[tuple[str, str | bytes]] | None = None,
) -> Future[bytes]:
    """Start a unary call on a background thread."""
    call = unary_method(channel)
    return in_background(lambda: call(request, timeout=timeout, metadata=metadata))


def streaming(
    channel: BuiltinChannel, request: bytes = b"request", timeout: float | None = WAIT
) -> Future[list[bytes]]:
    """Start a server-streaming call on a background thread; the future holds every message."""
    call = stream_method(channel)
    return in_background(lambda: list(call(request, timeout=timeout)))


def failure(call: Future[Any], timeout: float = WAIT) -> BuiltinRpcError:
    """The :class:`BuiltinRpcError` the call ended with."""
    error = call.exception(timeout=timeout)
    assert isinstance(error, BuiltinRpcError), f"expected a BuiltinRpcError, the call ended with {error!r}"
    return error


def connect(server: ScriptedH2Server, settings: dict[Setting, int] | None = None) -> H2Peer:
    """Accept the channel's connection and do the SETTINGS exchange."""
    peer = server.accept()
    peer.handshake(settings)
    return peer


def connect_settled(channel: BuiltinChannel, server: ScriptedH2Server, settings: dict[Setting, int]) -> H2Peer:
    """Open the channel's connection with a first call, answered only once the client acknowledged ``settings``.

    The channel connects on its first call and sends that call at once, so only later calls are sure
    to see the server's settings.
    """
    call = unary(channel, b"warm-up")
    peer = connect(server, settings)
    request = peer.read_request()
    peer.wait_settings_ack()
    peer.send_response(request.stream_id, b"warmed")
    assert call.result(timeout=WAIT) == b"warmed"
    return peer


def parse_timeout(value: str) -> float:
    """Seconds of a ``grpc-timeout`` value."""
    match = re.fullmatch(r"(\d{1,8})([HMSmun])", value)
    assert match, f"bad grpc-timeout {value!r}"
    unit = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}[match.group(2)]
    return int(match.group(1)) * unit


def literal_with_indexing(name: str, value: str, huffman: bool = False) -> bytes:
    """An HPACK "literal with incremental indexing, new name" field (RFC 7541, 6.2.1), which our encoder never makes."""

    def string(text: str) -> bytes:
        raw = text.encode("latin-1")
        if huffman:
            coded = huffman_encode(raw)
            return encode_integer(len(coded), 7, 0x80) + coded
        return encode_integer(len(raw), 7) + raw

    return b"\x40" + string(name) + string(value)


# --- what the client sends -----------------------------------------------------------------------


def test_preface_settings_and_request_headers(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    raw = b"\x00\xffbinary\x01"
    call = unary(
        channel,
        b"the request",
        timeout=1.5,
        metadata=[("x-trace", "abc 123"), ("Upper-Case", "v"), ("blob-bin", raw)],
    )
    peer = server.accept()
    settings = peer.read_preface()  # checks the preface's bytes and that SETTINGS comes next
    assert settings[Setting.ENABLE_PUSH] == 0
    assert settings.get(Setting.INITIAL_WINDOW_SIZE, DEFAULT_WINDOW_SIZE) >= DEFAULT_WINDOW_SIZE
    assert settings.get(Setting.MAX_FRAME_SIZE, DEFAULT_MAX_FRAME_SIZE) >= DEFAULT_MAX_FRAME_SIZE
    peer.send(SETTINGS_ACK)

    request = peer.read_request()
    assert request.stream_id == 1
    headers = request.headers
    names = [name for name, _ in headers]
    pseudo = [name for name in names if name.startswith(":")]
    assert names[: len(pseudo)] == pseudo, f"pseudo-headers must come first: {names}"
    assert all(name == name.lower() for name in names)
    assert request.header(":method") == "POST"
    assert request.header(":scheme") == "http"
    assert request.header(":path") == METHOD
    assert request.header(":authority") == f"127.0.0.1:{server.port}"
    assert request.header("te") == "trailers"
    assert request.header("content-type") == "application/grpc"
    assert request.header("user-agent")
    timeout = request.header("grpc-timeout")
    assert timeout is not None
    assert 1.0 < parse_timeout(timeout) <= 1.5
    assert request.header("x-trace") == "abc 123"
    assert request.header("upper-case") == "v"
    encoded = request.header("blob-bin")
    assert encoded is not None
    assert base64.b64decode(encoded + "=" * (-len(encoded) % 4)) == raw

    # The single request message, prefixed, in one DATA frame that ends the client's side.
    assert len(request.data_frames) == 1
    assert request.data_frames[0].has(Flag.END_STREAM)
    assert request.message == b"the request"
    peer.send_response(request.stream_id, b"the answer")
    assert call.result(timeout=WAIT) == b"the answer"

    # The next call on the same connection: the next odd stream id, and no deadline means no grpc-timeout.
    call = unary(channel, b"", timeout=None)
    request = peer.read_request()
    assert request.stream_id == 3
    assert request.header("grpc-timeout") is None
    assert request.message == b""
    peer.send_response(request.stream_id, b"")
    assert call.result(timeout=WAIT) == b""
    assert len(server.peers) == 1


def test_a_header_block_larger_than_a_frame_goes_out_as_headers_and_continuations(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    big = "v" * 40_000
    call = unary(channel, metadata=[("x-big", big), ("x-small", "s")])
    peer = connect(server)
    first = peer.expect(FrameType.HEADERS)
    assert not first.has(Flag.END_HEADERS)
    assert len(first.payload) <= DEFAULT_MAX_FRAME_SIZE
    request_headers = peer.read_header_block(first)
    continuations = [frame for frame in peer.received if frame.type == FrameType.CONTINUATION]
    assert len(continuations) >= 2
    assert all(len(frame.payload) <= DEFAULT_MAX_FRAME_SIZE for frame in continuations)
    assert continuations[-1].has(Flag.END_HEADERS)
    assert ("x-big", big) in request_headers
    assert ("x-small", "s") in request_headers
    data = peer.expect(FrameType.DATA)
    peer.send_response(first.stream_id, b"ok")
    assert data.has(Flag.END_STREAM)
    assert call.result(timeout=WAIT) == b"ok"


def test_ping_is_answered_with_the_same_bytes(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_ping(b"\x01\x02\x03\x04\xfe\xfd\xfc\xfb")
    ack = peer.expect(FrameType.PING)
    assert ack.has(Flag.ACK)
    assert ack.stream_id == 0
    assert ack.payload == b"\x01\x02\x03\x04\xfe\xfd\xfc\xfb"
    # A PING ACK from the server needs no answer.
    peer.send_frame(FrameType.PING, Flag.ACK, 0, b"whatever")
    peer.send_response(request.stream_id, b"pong")
    assert call.result(timeout=WAIT) == b"pong"
    peer.expect_nothing(0.1, ignore={FrameType.WINDOW_UPDATE, FrameType.SETTINGS})


def frames_until_ping_answer(peer: H2Peer) -> list[Frame]:
    """Every frame the client sends up to and including its next PING ACK."""
    frames = [peer.read_frame()]
    while not (frames[-1].type == FrameType.PING and frames[-1].has(Flag.ACK)):
        frames.append(peer.read_frame())
    return frames


def test_a_ping_on_a_quiet_connection_is_answered_alone_within_the_limit(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    sent = time.monotonic()
    peer.send_ping(b"quiet!!!")
    ack = peer.expect(FrameType.PING)
    waited = time.monotonic() - sent
    assert ack.has(Flag.ACK) and ack.payload == b"quiet!!!"
    # It waited for a write to ride on, and none came.
    assert connection_module.PING_ANSWER_LIMIT * 0.9 <= waited < connection_module.PING_ANSWER_LIMIT + 2.0
    peer.send_response(request.stream_id, b"done")
    assert call.result(timeout=WAIT) == b"done"


def test_a_pings_answer_rides_after_the_next_requests_frames(
    server: ScriptedH2Server, channel: BuiltinChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the request's data, so a grpc-go server sees that data while its probe is outstanding."""
    monkeypatch.setattr(connection_module, "PING_ANSWER_LIMIT", 30.0)  # so only a write can answer
    first = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_ping(b"probe-01")
    time.sleep(connection_module.PING_ANSWER_SPACING + 0.01)
    peer.expect_nothing(0.05)
    second = unary(channel, b"second")
    frames = frames_until_ping_answer(peer)
    assert [frame.type for frame in frames] == [FrameType.HEADERS, FrameType.DATA, FrameType.PING], frames
    assert frames[1].has(Flag.END_STREAM)
    assert frames[-1].payload == b"probe-01"
    peer.send_response(request.stream_id, b"one")
    peer.send_response(frames[0].stream_id, b"two")
    assert first.result(timeout=WAIT) == b"one"
    assert second.result(timeout=WAIT) == b"two"


def test_ping_answers_are_spaced_even_on_a_busy_connection(
    server: ScriptedH2Server, channel: BuiltinChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection_module, "PING_ANSWER_LIMIT", 30.0)
    monkeypatch.setattr(connection_module, "PING_ANSWER_SPACING", 1.0)
    peer = connect_settled(channel, server, {})
    peer.send_ping(b"first!!!")
    time.sleep(0.05)
    calls = [unary(channel, b"carries the answer")]
    frames = frames_until_ping_answer(peer)
    answered = time.monotonic()
    assert frames[-1].payload == b"first!!!"
    peer.send_ping(b"second!!")
    peer.send_ping(b"third!!!")
    time.sleep(0.05)
    calls.append(unary(channel, b"too soon to carry one"))
    too_soon = peer.read_request()
    peer.expect_nothing(0.2, ignore={FrameType.WINDOW_UPDATE, FrameType.SETTINGS})
    time.sleep(max(0.0, answered + 1.0 - time.monotonic()))
    calls.append(unary(channel, b"carries both answers"))
    later = frames_until_ping_answer(peer)
    assert [frame.payload for frame in later if frame.type == FrameType.PING] == [b"second!!"]
    assert peer.expect(FrameType.PING).payload == b"third!!!"  # in the same write
    for stream_id in (frames[0].stream_id, too_soon.stream_id, later[0].stream_id):
        peer.send_response(stream_id, b"ok")
    assert [call.result(timeout=WAIT) for call in calls] == [b"ok", b"ok", b"ok"]


def test_every_server_settings_frame_is_acknowledged(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.wait_settings_ack(1)  # the handshake's
    peer.send_settings({Setting.MAX_CONCURRENT_STREAMS: 100, Setting.HEADER_TABLE_SIZE: 0})
    peer.wait_settings_ack(2)
    peer.send_settings({})
    peer.wait_settings_ack(3)
    # A SETTINGS ACK from the server is not acknowledged back.
    peer.send(SETTINGS_ACK)
    peer.send_response(request.stream_id, b"done")
    assert call.result(timeout=WAIT) == b"done"
    peer.expect_nothing(0.1, ignore={FrameType.WINDOW_UPDATE})
    assert peer.settings_acks == 3


# --- how calls end -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "details"),
    [
        (trailers(5, "no such thing: caf%C3%A9 100%25"), grpc.StatusCode.NOT_FOUND, "no such thing: café 100%"),
        (trailers(14), grpc.StatusCode.UNAVAILABLE, ""),
        (trailers(3, "a+b%20c"), grpc.StatusCode.INVALID_ARGUMENT, "a+b c"),
        (trailers(16, "who?"), grpc.StatusCode.UNAUTHENTICATED, "who?"),
        ([("grpc-status", "abc")], grpc.StatusCode.UNKNOWN, ""),
        ([("grpc-status", "99"), ("grpc-message", "odd")], grpc.StatusCode.UNKNOWN, "odd"),
    ],
    ids=["not-found", "unavailable", "invalid-argument", "unauthenticated", "not-a-number", "unknown-code"],
)
def test_trailers_only_error(
    server: ScriptedH2Server, channel: BuiltinChannel, fields: list[tuple[str, str]], code: Any, details: str
) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers(*fields), end_stream=True)
    error = failure(call)
    assert error.code() is code
    assert error.details() == details


def test_trailers_only_ok_on_a_unary_call_is_internal(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers(*trailers(0)), end_stream=True)
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "without a message" in error.details()


def test_trailers_only_ok_ends_a_stream_with_no_messages(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers(*trailers(0)), end_stream=True)
    assert call.result(timeout=WAIT) == []


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, grpc.StatusCode.UNIMPLEMENTED),
        (503, grpc.StatusCode.UNAVAILABLE),
        (401, grpc.StatusCode.UNAUTHENTICATED),
        (403, grpc.StatusCode.PERMISSION_DENIED),
        (429, grpc.StatusCode.UNAVAILABLE),
        (500, grpc.StatusCode.UNKNOWN),
    ],
)
@pytest.mark.parametrize("shape", ["headers-only", "with-body"])
def test_http_status_without_grpc_status(
    server: ScriptedH2Server, channel: BuiltinChannel, status: int, code: Any, shape: str
) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    headers = [(":status", str(status)), ("content-type", "text/plain")]
    if shape == "headers-only":
        peer.send_headers(request.stream_id, headers, end_stream=True)
    else:  # what an HTTP proxy in the way sends: a page of text, then the end
        peer.send_headers(request.stream_id, headers)
        peer.send_data(request.stream_id, f"{status} some proxy said no\n".encode(), end_stream=True)
    error = failure(call)
    assert error.code() is code
    assert str(status) in error.details()


@pytest.mark.parametrize(
    ("reset", "code"),
    [
        (ErrorCode.CANCEL, grpc.StatusCode.CANCELLED),
        (ErrorCode.REFUSED_STREAM, grpc.StatusCode.UNAVAILABLE),
        (ErrorCode.ENHANCE_YOUR_CALM, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (ErrorCode.INTERNAL_ERROR, grpc.StatusCode.INTERNAL),
        (ErrorCode.PROTOCOL_ERROR, grpc.StatusCode.INTERNAL),
    ],
    ids=lambda value: value.name if isinstance(value, ErrorCode) else str(value),
)
def test_rst_stream(server: ScriptedH2Server, channel: BuiltinChannel, reset: ErrorCode, code: Any) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_rst_stream(request.stream_id, reset)
    error = failure(call)
    assert error.code() is code
    assert reset.name in error.details()
    # Only that stream ended: the connection takes the next call.
    call = unary(channel)
    request = peer.read_request()
    peer.send_response(request.stream_id, b"fine")
    assert call.result(timeout=WAIT) == b"fine"
    assert len(server.peers) == 1


def test_rst_stream_after_some_messages_of_a_stream(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    received: list[bytes] = []
    method = stream_method(channel)

    def collect() -> None:
        for message in method(b"", timeout=WAIT):
            received.append(message)

    call = in_background(collect)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"first"))
    peer.send_data(request.stream_id, grpc_frame(b"second"))
    peer.send_rst_stream(request.stream_id, ErrorCode.CANCEL)
    assert failure(call).code() is grpc.StatusCode.CANCELLED
    assert received == [b"first", b"second"]


def test_goaway_refusing_an_open_stream_then_a_new_connection(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    call = unary(channel, b"first")
    peer = connect(server)
    request = peer.read_request()
    assert request.stream_id == 1
    peer.send_goaway(0, ErrorCode.NO_ERROR, b"shutting down")  # stream 1 was never processed
    error = failure(call)
    assert error.code() is grpc.StatusCode.UNAVAILABLE

    call = unary(channel, b"second")
    second = connect(server)
    request = second.read_request()
    assert request.stream_id == 1  # a fresh connection numbers its streams from 1 again
    assert request.message == b"second"
    second.send_response(request.stream_id, b"from the new connection")
    assert call.result(timeout=WAIT) == b"from the new connection"
    # The old connection is closed by the client once it has moved on.
    peer.expect_closed()


def test_goaway_lets_calls_below_the_last_stream_id_finish(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    """A graceful GOAWAY: calls the server will still answer survive the next call's reconnect.

    Found by this test: the channel used to close the old connection when it opened the new one,
    cancelling the calls the server had promised to finish.
    """
    in_flight = unary(channel, b"long call")
    old = connect(server)
    request = old.read_request()
    old.send_goaway(request.stream_id, ErrorCode.NO_ERROR)  # this stream will still be answered
    old.send_ping(b"goaway!!")
    old.expect(FrameType.PING)  # the client has read the GOAWAY

    later = unary(channel, b"next call")
    new = connect(server)
    next_request = new.read_request()
    new.send_response(next_request.stream_id, b"next answer")
    assert later.result(timeout=WAIT) == b"next answer"

    time.sleep(0.05)
    assert not in_flight.done(), f"the in-flight call ended before its answer: {in_flight.exception()!r}"
    old.send_response(request.stream_id, b"long answer")
    assert in_flight.result(timeout=WAIT) == b"long answer"
    old.expect_closed()  # its last call done, the old connection is closed


def test_a_call_waiting_for_a_stream_slot_when_goaway_drains_the_connection(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """Found by this test: the drained connection closed itself as if the channel had, so the waiting
    call ended CANCELLED ("Channel closed!") though nobody closed anything."""
    peer = connect_settled(channel, server, {Setting.MAX_CONCURRENT_STREAMS: 1})
    first = unary(channel, b"first")
    request = peer.read_request()
    waiting = unary(channel, b"waiting")  # held back: the server allows one stream at a time
    peer.expect_nothing(0.1)
    peer.send_goaway(request.stream_id, ErrorCode.NO_ERROR)
    peer.send_response(request.stream_id, b"first answer")
    assert first.result(timeout=WAIT) == b"first answer"

    # The waiting call was never sent: it may go to a new connection, or fail as retryable (UNAVAILABLE).
    done, _ = futures.wait([waiting], timeout=0.3)
    if done:
        error = waiting.exception()
        assert isinstance(error, BuiltinRpcError), f"the waiting call ended with {error!r}"
        assert error.code() is grpc.StatusCode.UNAVAILABLE, f"the waiting call ended with {error!r}"
    else:
        fresh = connect(server)
        moved = fresh.read_request()
        assert moved.message == b"waiting"
        fresh.send_response(moved.stream_id, b"waiting answer")
        assert waiting.result(timeout=WAIT) == b"waiting answer"


def test_close_cancels_calls_in_flight_on_a_draining_connection(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """Found by this test: once replaced, a draining connection was out of close()'s reach."""
    in_flight = unary(channel, b"long call", timeout=None)
    old = connect(server)
    request = old.read_request()
    old.send_goaway(request.stream_id, ErrorCode.NO_ERROR)
    old.send_ping(b"goaway!!")
    old.expect(FrameType.PING)  # the client has read the GOAWAY
    later = unary(channel, b"next call")
    new = connect(server)
    next_request = new.read_request()
    new.send_response(next_request.stream_id, b"next answer")
    assert later.result(timeout=WAIT) == b"next answer"

    channel.close()
    try:
        error = in_flight.exception(timeout=1.0)
    except futures.TimeoutError:
        error = None
        old.send_response(request.stream_id, b"late")  # let the stranded call end
    assert isinstance(error, BuiltinRpcError), "close() did not end the call on the draining connection"
    assert error.code() is grpc.StatusCode.CANCELLED
    old.expect_closed()


def test_after_goaway_new_calls_use_a_new_connection(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    """After GOAWAY the connection opens no new stream, even below the last stream id it names."""
    peer = connect_settled(channel, server, {})
    peer.send_goaway(2**31 - 1, ErrorCode.NO_ERROR)  # a graceful shutdown's first GOAWAY
    # With no call open, the client may close the connection at once; either way it has read the GOAWAY.
    with contextlib.suppress(TimeoutError):
        peer.expect_closed(timeout=0.3)
    call = unary(channel, b"after goaway")
    second = connect(server)
    request = second.read_request()
    assert request.message == b"after goaway"
    second.send_response(request.stream_id, b"ok")
    assert call.result(timeout=WAIT) == b"ok"
    assert [frame.stream_id for frame in peer.received if frame.type == FrameType.HEADERS] == [1]


# --- framing the client must undo ----------------------------------------------------------------


def test_padded_headers_data_and_trailers(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers(), padding=7, priority=True)
    peer.send_data(request.stream_id, grpc_frame(b"padded message"), padding=200)
    peer.send_data(request.stream_id, b"", padding=0)
    peer.send_headers(request.stream_id, trailers(0), end_stream=True, padding=3)
    assert call.result(timeout=WAIT) == b"padded message"


def test_padded_data_carrying_the_end_of_the_stream(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers(), padding=0)
    peer.send_data(request.stream_id, grpc_frame(b"a") + grpc_frame(b"b"), padding=10)
    peer.send_headers(request.stream_id, trailers(0), end_stream=True, priority=True)
    assert call.result(timeout=WAIT) == [b"a", b"b"]


def split_into(block: bytes, pieces: int) -> list[bytes]:
    size = -(-len(block) // pieces)
    return [block[start : start + size] for start in range(0, len(block), size)]


def send_split_header_block(peer: H2Peer, stream_id: int, block: bytes, end_stream: bool) -> None:
    """The block as HEADERS (without END_HEADERS) and CONTINUATION frames."""
    first, *rest = split_into(block, 3)
    peer.send_frame(FrameType.HEADERS, Flag.END_STREAM if end_stream else 0, stream_id, first)
    for index, piece in enumerate(rest):
        last = index == len(rest) - 1
        peer.send_frame(FrameType.CONTINUATION, Flag.END_HEADERS if last else 0, stream_id, piece)


def test_header_blocks_split_across_continuation_frames(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    headers = encode_headers(response_headers(("x-long", "l" * 100)))
    send_split_header_block(peer, request.stream_id, headers, end_stream=False)
    peer.send_data(request.stream_id, grpc_frame(b"between the blocks"))
    send_split_header_block(peer, request.stream_id, encode_headers(trailers(0, "fine")), end_stream=True)
    assert call.result(timeout=WAIT) == b"between the blocks"


def test_a_trailers_only_block_split_across_continuation_frames(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    block = encode_headers(response_headers(*trailers(5, "split%20up")))
    send_split_header_block(peer, request.stream_id, block, end_stream=True)
    error = failure(call)
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.details() == "split up"


def test_one_message_over_three_data_frames(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    message = bytes(range(256)) * 40
    framed = grpc_frame(message)
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, framed[:2])  # the split falls inside the 5-byte prefix
    peer.send_data(request.stream_id, b"")
    peer.send_data(request.stream_id, framed[2:5000])
    peer.send_data(request.stream_id, framed[5000:])
    peer.send_trailers(request.stream_id)
    assert call.result(timeout=WAIT) == message


def test_several_messages_in_one_data_frame(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    third = grpc_frame(b"third, split" * 10)
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"first") + grpc_frame(b"") + grpc_frame(b"second") + third[:20])
    peer.send_data(request.stream_id, third[20:] + grpc_frame(b"fourth"))
    peer.send_trailers(request.stream_id)
    assert call.result(timeout=WAIT) == [b"first", b"", b"second", b"third, split" * 10, b"fourth"]


def test_stream_reassembly_from_random_chunks(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    generator = random.Random(20240611)
    messages = [generator.randbytes(generator.choice([0, 1, 4, 5, 6, 100, 3000])) for _ in range(300)]
    wire = b"".join(grpc_frame(message) for message in messages)
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    offset = 0
    while offset < len(wire):
        size = generator.choice([0, 1, 3, 5, 7, 64, 1000, 16_384])
        peer.send_data(request.stream_id, wire[offset : offset + size], padding=generator.choice([None, 0, 9]))
        offset += size
    peer.send_trailers(request.stream_id)
    assert call.result(timeout=WAIT) == messages


def test_frames_cut_anywhere_on_the_wire_up_to_the_largest_frame_allowed(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """The reader's buffer grows for a frame larger than it, and a frame may arrive in any pieces."""
    generator = random.Random(20261127)
    largest = generator.randbytes(_MAX_RECEIVE_FRAME_SIZE - 5)  # with its prefix, exactly the largest frame
    messages = [b"small", largest, generator.randbytes(3 * _RECEIVE_BUFFER_SIZE // 2), b"", b"after"]
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    wire = b"".join(
        frame_header(len(framed), FrameType.DATA, 0, request.stream_id) + framed
        for framed in (grpc_frame(message) for message in messages)
    )
    peer.send_headers(request.stream_id, response_headers())
    offset = 0
    while offset < len(wire):
        size = generator.choice([1, 4, 9, 10, 1000, 65_536, 300_000])
        peer.send(wire[offset : offset + size])
        offset += size
        if generator.random() < 0.2:
            time.sleep(0.002)  # lets the reader take what has come so far, so cuts land in its buffer
    peer.send_trailers(request.stream_id)
    assert call.result(timeout=WAIT) == messages


def test_a_frame_header_cut_at_the_very_end_of_the_receive_buffer(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    call = streaming(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    time.sleep(0.1)  # the reader has parsed everything so far, so the next frame starts its buffer
    filling = bytes(_RECEIVE_BUFFER_SIZE - 4 - 9 - 5)
    first = frame_header(len(filling) + 5, FrameType.DATA, 0, request.stream_id) + grpc_frame(filling)
    second = frame_header(len(grpc_frame(b"next")), FrameType.DATA, 0, request.stream_id) + grpc_frame(b"next")
    peer.send(first + second[:4])  # fills the buffer exactly, ending inside the second frame's header
    time.sleep(0.1)
    peer.send(second[4:])
    peer.send_trailers(request.stream_id)
    assert call.result(timeout=WAIT) == [filling, b"next"]


def test_huffman_coded_and_dynamically_indexed_response_headers(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """The decoder keeps its table in step, even from blocks of a stream the client gave up on."""
    peer = connect_settled(channel, server, {})
    # A call that times out; its answer comes later and adds "grpc-status: 5" to the dynamic table.
    abandoned = unary(channel, timeout=0.1)
    request = peer.read_request()
    assert failure(abandoned).code() is grpc.StatusCode.DEADLINE_EXCEEDED
    peer.expect(FrameType.RST_STREAM)
    late = encode_headers(response_headers()) + literal_with_indexing("grpc-status", "5", huffman=True)
    peer.send_header_block(request.stream_id, late, end_stream=True)

    call = unary(channel)
    request = peer.read_request()
    peer.send_header_block(request.stream_id, encode_headers(response_headers()))
    peer.send_data(request.stream_id, grpc_frame(b"message"))
    # Index 62 is the newest dynamic entry: the status added by the abandoned stream's block.
    message = literal_with_indexing("grpc-message", "from%20the%20table", huffman=True)
    peer.send_header_block(request.stream_id, b"\xbe" + message, end_stream=True)
    error = failure(call)
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.details() == "from the table"


def test_priority_and_unknown_frames_are_ignored(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_frame(FrameType.PRIORITY, 0, request.stream_id, struct.pack(">LB", 0, 200))
    peer.send_frame(0xFA, 0xFF, request.stream_id, b"an extension frame")
    peer.send_frame(0xFB, 0, 0, b"")
    peer.send_response(request.stream_id, b"unbothered")
    assert call.result(timeout=WAIT) == b"unbothered"


# --- answers the client must reject ---------------------------------------------------------------


@pytest.mark.parametrize("split", [False, True], ids=["one-frame", "split"])
def test_a_compressed_message_is_internal(server: ScriptedH2Server, channel: BuiltinChannel, split: bool) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    framed = grpc_frame(b"deflated?", compressed=True)
    if split:
        peer.send_data(request.stream_id, framed[:3])
        peer.send_data(request.stream_id, framed[3:])
    else:
        peer.send_data(request.stream_id, framed)
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "compressed" in error.details()
    reset = peer.expect(FrameType.RST_STREAM)
    assert reset.stream_id == request.stream_id
    assert read_uint32(reset.payload) == ErrorCode.CANCEL


def test_data_ending_the_stream_without_trailers_is_internal(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"message"), end_stream=True)
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "trailers" in error.details()


def test_two_messages_to_a_unary_call_is_internal(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"one") + grpc_frame(b"two"))
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "more than one message" in error.details()
    reset = peer.expect(FrameType.RST_STREAM)
    assert reset.stream_id == request.stream_id


def test_a_second_header_block_without_end_stream_is_internal(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    call = unary(channel)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_headers(request.stream_id, trailers(0))  # trailers must end the stream
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    reset = peer.expect(FrameType.RST_STREAM)
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.PROTOCOL_ERROR)


# --- flow control --------------------------------------------------------------------------------


def data_frames_until_quiet(peer: H2Peer, stream_id: int, quiet: float = 0.15) -> list[Frame]:
    """The DATA frames the client sends on ``stream_id`` before it goes quiet for ``quiet`` seconds."""
    frames: list[Frame] = []
    while True:
        try:
            frame = peer.read_frame(timeout=quiet)
        except TimeoutError:
            return frames
        if frame.type == FrameType.DATA:
            assert frame.stream_id == stream_id
            frames.append(frame)
            if frame.has(Flag.END_STREAM):
                return frames
        else:
            assert frame.type in H2Peer.UPKEEP, f"unexpected {frame!r} while reading DATA"


def test_a_request_is_paced_by_a_tiny_stream_window(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
    message = bytes(range(100))
    call = unary(channel, message)
    request = peer.read_request(read_body=False)

    received: list[Frame] = data_frames_until_quiet(peer, request.stream_id)
    assert [len(frame.payload) for frame in received] == [16]  # the whole window, then nothing
    while not received[-1].has(Flag.END_STREAM):
        # Half a window at a time: the client sends exactly what each update allows.
        peer.send_window_update(request.stream_id, 8)
        frame = peer.expect(FrameType.DATA)
        assert len(frame.payload) == min(8, 105 - sum(len(each.payload) for each in received))
        received.append(frame)
        if len(received) == 5:
            peer.expect_nothing(0.1)  # still nothing beyond what the window allows
    assert all(len(frame.payload) <= 16 for frame in received)
    assert not any(frame.has(Flag.END_STREAM) for frame in received[:-1])
    assert b"".join(frame.payload for frame in received) == grpc_frame(message)

    peer.send_response(request.stream_id, b"got it all")
    assert call.result(timeout=WAIT) == b"got it all"


def test_a_request_is_paced_by_the_connection_window(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    # Streams may take a lot; the connection's window (65,535 bytes, minus the warm-up's) holds the request back.
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 1_000_000})
    used = sum(len(frame.payload) for frame in peer.received if frame.type == FrameType.DATA)
    message = bytes(range(256)) * 400  # 102,400 bytes
    call = unary(channel, message)
    request = peer.read_request(read_body=False)

    first = data_frames_until_quiet(peer, request.stream_id)
    assert sum(len(frame.payload) for frame in first) == DEFAULT_WINDOW_SIZE - used
    assert all(len(frame.payload) <= DEFAULT_MAX_FRAME_SIZE for frame in first)
    peer.send_window_update(request.stream_id, 50_000)  # the stream's window was not the limit
    assert data_frames_until_quiet(peer, request.stream_id) == []
    peer.send_window_update(0, 20_000)
    second = data_frames_until_quiet(peer, request.stream_id)
    assert sum(len(frame.payload) for frame in second) == 20_000
    peer.send_window_update(0, 100_000)
    third = data_frames_until_quiet(peer, request.stream_id)
    assert third[-1].has(Flag.END_STREAM)
    everything = first + second + third
    assert all(len(frame.payload) <= DEFAULT_MAX_FRAME_SIZE for frame in everything)
    assert b"".join(frame.payload for frame in everything) == grpc_frame(message)

    peer.send_response(request.stream_id, b"paced")
    assert call.result(timeout=WAIT) == b"paced"


def test_a_request_held_back_by_flow_control_past_its_deadline(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
    started = time.monotonic()
    call = unary(channel, bytes(1000), timeout=0.3)
    request = peer.read_request(read_body=False)
    error = failure(call)
    assert error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 1.5
    reset = peer.expect(FrameType.RST_STREAM, ignore={*H2Peer.UPKEEP, FrameType.DATA})
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)


def test_a_smaller_initial_window_applies_to_open_streams(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 100})
    call = unary(channel, bytes(300))
    request = peer.read_request(read_body=False)
    first = data_frames_until_quiet(peer, request.stream_id)
    assert sum(len(frame.payload) for frame in first) == 100
    peer.send_settings({Setting.INITIAL_WINDOW_SIZE: 50})  # the stream's window is now -50
    peer.wait_settings_ack(2)
    peer.send_window_update(request.stream_id, 60)  # back to 10
    second = data_frames_until_quiet(peer, request.stream_id)
    assert sum(len(frame.payload) for frame in second) == 10
    peer.send_window_update(request.stream_id, 1000)
    rest = data_frames_until_quiet(peer, request.stream_id)
    assert rest[-1].has(Flag.END_STREAM)
    assert sum(len(frame.payload) for frame in first + second + rest) == 305
    peer.send_response(request.stream_id, b"ok")
    assert call.result(timeout=WAIT) == b"ok"


def test_new_frame_size_limits_are_only_used_after_the_settings_ack(
    server: ScriptedH2Server, channel: BuiltinChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server counts on new limits only once it has the ACK (grpcio enforces that).

    Found by these tests: the client used to apply MAX_FRAME_SIZE / INITIAL_WINDOW_SIZE before writing
    the ACK, so a caller could send a frame sized by them first; grpcio servers then failed the
    connection now and then ("Frame size 16389 is larger than max frame size 16384").
    """
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
    call = unary(channel, bytes(40_000))
    request = peer.read_request(read_body=False)
    assert [len(frame.payload) for frame in data_frames_until_quiet(peer, request.stream_id)] == [16]

    # Stand in for the reader thread losing the CPU between applying the settings and acknowledging
    # them: the ACK is written 200 ms late. The client must still not use the new limits before it.
    original_write = Connection._write

    def slow_ack_write(self: Connection, data: bytes) -> None:
        if data == SETTINGS_ACK:
            time.sleep(0.2)
        original_write(self, data)

    monkeypatch.setattr(Connection, "_write", slow_ack_write)
    peer.send_settings({Setting.INITIAL_WINDOW_SIZE: 1_000_000, Setting.MAX_FRAME_SIZE: 1 << 20})
    acknowledged = False
    received = 16
    while received < 40_005:
        frame = peer.read_frame()
        if frame.type == FrameType.SETTINGS and frame.has(Flag.ACK):
            acknowledged = True
        elif frame.type == FrameType.DATA:
            received += len(frame.payload)
            assert acknowledged or len(frame.payload) <= DEFAULT_MAX_FRAME_SIZE, (
                f"a {len(frame.payload)}-byte DATA frame was sent before the SETTINGS ACK"
            )
    peer.send_response(request.stream_id, b"ok")
    assert call.result(timeout=WAIT) == b"ok"


def test_max_concurrent_streams_holds_new_calls_back(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    peer = connect_settled(channel, server, {Setting.MAX_CONCURRENT_STREAMS: 1})
    first = unary(channel, b"first")
    first_request = peer.read_request()
    second = unary(channel, b"second")
    peer.expect_nothing(0.2)  # the second call waits for a free stream
    assert not second.done()

    timed_out = unary(channel, b"impatient", timeout=0.2)
    assert failure(timed_out).code() is grpc.StatusCode.DEADLINE_EXCEEDED

    peer.send_response(first_request.stream_id, b"first answer")
    assert first.result(timeout=WAIT) == b"first answer"
    second_request = peer.read_request()
    assert second_request.message == b"second"
    peer.send_response(second_request.stream_id, b"second answer")
    assert second.result(timeout=WAIT) == b"second answer"


# --- deadlines and cancellation ------------------------------------------------------------------


def test_unary_deadline_against_a_silent_server(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel, timeout=0.3)
    peer = connect(server)
    request = peer.read_request()
    started = time.monotonic()
    error = failure(call)
    assert error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 1.0
    reset = peer.expect(FrameType.RST_STREAM)
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)
    # A late answer to the abandoned stream is ignored, and the connection carries on.
    peer.send_response(request.stream_id, b"too late")
    call = unary(channel)
    request = peer.read_request()
    peer.send_response(request.stream_id, b"on time")
    assert call.result(timeout=WAIT) == b"on time"


def test_streaming_deadline_after_some_messages(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    received: list[bytes] = []
    method = stream_method(channel)

    def collect() -> None:
        for message in method(b"", timeout=0.3):
            received.append(message)

    call = in_background(collect)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"only one"))
    assert failure(call).code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert received == [b"only one"]


def test_consume_deadline_against_a_silent_server(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    """consume() ends at its deadline even when the server ignores grpc-timeout (it used to wait forever)."""
    consume = stream_method(channel).consume
    call = in_background(lambda: consume(b"", lambda _: None, timeout=0.3))
    peer = connect(server)
    request = peer.read_request()
    started = time.monotonic()
    error = failure(call)
    assert error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 1.0
    reset = peer.expect(FrameType.RST_STREAM)
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)


def test_response_stream_cancel_resets_the_stream(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    responses = stream_method(channel)(b"", timeout=WAIT)
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"one"))
    assert next(responses) == b"one"
    assert responses.cancel() is True
    reset = peer.expect(FrameType.RST_STREAM)
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)
    with pytest.raises(BuiltinRpcError) as info:
        next(responses)
    assert info.value.code() is grpc.StatusCode.CANCELLED
    # Frames the server had already sent for the stream are dropped quietly.
    peer.send_data(request.stream_id, grpc_frame(b"two"))
    peer.send_trailers(request.stream_id)
    call = unary(channel)
    request = peer.read_request()
    peer.send_response(request.stream_id, b"next")
    assert call.result(timeout=WAIT) == b"next"


def test_consume_cancels_the_stream_when_on_response_raises(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    handled: list[bytes] = []

    def on_response(message: bytes) -> None:
        handled.append(message)
        raise ValueError("cannot handle it")

    consume = stream_method(channel).consume
    call = in_background(lambda: consume(b"", on_response, timeout=WAIT))
    peer = connect(server)
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"first") + grpc_frame(b"second"))
    reset = peer.expect(FrameType.RST_STREAM)
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "cannot handle it" in error.details()
    assert handled == [b"first"]


def test_consume_cancels_even_when_on_response_fails_before_the_request_is_sent(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """A response may arrive, and on_response fail, while start() is still sending the request.

    consume() used to cancel only through the call object it gets when start() returns, so such a
    failure cancelled nothing and consume() waited for the server to end the stream.
    """
    # A tiny window keeps start() busy sending the request while the server already answers.
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})

    def on_response(message: bytes) -> None:
        raise ValueError("cannot handle it")

    consume = stream_method(channel).consume
    call = in_background(lambda: consume(bytes(100), on_response, timeout=WAIT))
    request = peer.read_request(read_body=False)
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"early answer"))
    peer.send_window_update(request.stream_id, 1000)  # let the request finish
    reset = peer.expect(FrameType.RST_STREAM, ignore={*H2Peer.UPKEEP, FrameType.DATA})
    assert (reset.stream_id, read_uint32(reset.payload)) == (request.stream_id, ErrorCode.CANCEL)
    error = failure(call)
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "cannot handle it" in error.details()


def test_call_in_background_on_done_runs_once_per_call(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    outcomes: list[tuple[bytes | None, BuiltinRpcError | None]] = []
    done = threading.Semaphore(0)

    def on_done(response: bytes | None, error: BuiltinRpcError | None) -> None:
        outcomes.append((response, error))
        done.release()

    method = unary_method(channel)
    method.call_in_background(b"a", on_done, timeout=WAIT)
    peer = connect(server)
    first = peer.read_request()
    method.call_in_background(b"b", on_done, timeout=WAIT)
    second = peer.read_request()
    method.call_in_background(b"c", on_done, timeout=WAIT)
    third = peer.read_request()
    peer.send_response(first.stream_id, b"A")
    peer.send_response(second.stream_id, status=9, message="not%20now")
    peer.send_response(third.stream_id, b"C1", b"C2")  # two messages to a unary call
    for _ in range(3):
        assert done.acquire(timeout=WAIT)
    time.sleep(0.05)
    assert len(outcomes) == 3
    assert outcomes[0] == (b"A", None)
    assert outcomes[1][0] is None
    assert outcomes[1][1] is not None
    assert outcomes[1][1].code() is grpc.StatusCode.FAILED_PRECONDITION
    assert outcomes[1][1].details() == "not now"
    assert outcomes[2][0] is None
    assert outcomes[2][1] is not None
    assert outcomes[2][1].code() is grpc.StatusCode.INTERNAL


def test_close_cancels_pending_calls_and_says_goaway(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    pending = unary(channel, timeout=None)
    outcomes: list[tuple[bytes | None, BuiltinRpcError | None]] = []
    unary_method(channel).call_in_background(b"bg", lambda *outcome: outcomes.append(outcome), timeout=WAIT)
    peer = connect(server)
    peer.read_request()
    peer.read_request()
    consume = stream_method(channel).consume
    consuming = in_background(lambda: consume(b"", lambda _: None, timeout=None))
    iterating = streaming(channel, timeout=None)
    peer.read_request()
    peer.read_request()
    # The client has acknowledged the handshake's SETTINGS, so its reader has nothing left to write;
    # see test_close_says_goaway_even_when_the_reader_writes_meanwhile.
    peer.wait_settings_ack()
    channel.close()
    for call in (pending, consuming, iterating):
        assert failure(call).code() is grpc.StatusCode.CANCELLED
    assert len(outcomes) == 1
    assert outcomes[0][0] is None
    assert outcomes[0][1] is not None
    assert outcomes[0][1].code() is grpc.StatusCode.CANCELLED
    frames = peer.expect_closed()
    goaways = [goaway_fields(frame) for frame in frames if frame.type == FrameType.GOAWAY]
    assert goaways, f"no GOAWAY before the connection closed: {frames}"
    assert goaways[0][1] == ErrorCode.NO_ERROR
    with pytest.raises(ValueError):
        unary_method(channel)(b"x", timeout=1)


@pytest.mark.parametrize("held_by", ["flow-control", "max-concurrent-streams"])
def test_close_cancels_a_call_still_sending_its_request(
    server: ScriptedH2Server, channel: BuiltinChannel, held_by: str
) -> None:
    """Such a call is in flight too: CANCELLED, as the others (it used to raise ValueError)."""
    if held_by == "flow-control":
        peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
        call = unary(channel, bytes(1000))
        peer.read_request(read_body=False)
    else:
        peer = connect_settled(channel, server, {Setting.MAX_CONCURRENT_STREAMS: 1})
        first = unary(channel)
        peer.read_request()
        call = unary(channel)
    time.sleep(0.1)  # the call is now waiting inside start()
    channel.close()
    error = call.exception(timeout=WAIT)
    assert isinstance(error, BuiltinRpcError), f"the call ended with {error!r}"
    assert error.code() is grpc.StatusCode.CANCELLED
    if held_by != "flow-control":
        assert failure(first).code() is grpc.StatusCode.CANCELLED


@pytest.mark.parametrize("ending", ["deadline", "channel-closed", "connection-broken"])
def test_call_in_background_reports_a_failed_send_once(
    server: ScriptedH2Server, channel: BuiltinChannel, ending: str
) -> None:
    """Either call_in_background raises or on_done runs, never both (both used to happen)."""
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
    outcomes: list[tuple[bytes | None, BuiltinRpcError | None]] = []
    method = unary_method(channel)
    timeout = 0.3 if ending == "deadline" else WAIT
    sending = in_background(
        lambda: method.call_in_background(bytes(1000), lambda *outcome: outcomes.append(outcome), timeout=timeout)
    )
    peer.read_request(read_body=False)
    if ending == "channel-closed":
        time.sleep(0.1)
        channel.close()
    elif ending == "connection-broken":
        time.sleep(0.1)
        peer.send_window_update(0, 1)  # wakes the sender up after the socket is gone
        peer.close()
    raised = sending.exception(timeout=WAIT)
    time.sleep(0.1)
    reports = len(outcomes) + (raised is not None)
    assert reports == 1, f"the failure was reported {reports} times: raised {raised!r}, on_done got {outcomes}"


def test_running_out_of_stream_ids_moves_calls_to_a_new_connection(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """Stream ids end at 2**31-1; the client used to go on past it (reserved bit set, then struct.error)."""
    peer = connect_settled(channel, server, {})
    connection = channel._connection
    assert connection is not None
    connection._next_stream_id = 2**31 - 1  # as if a billion calls had been made
    call = unary(channel, b"the last id")
    request = peer.read_request()
    assert request.stream_id == 2**31 - 1
    peer.send_response(request.stream_id, b"fine")
    assert call.result(timeout=WAIT) == b"fine"

    call = unary(channel, b"no ids left", timeout=1.0)
    try:
        fresh: H2Peer | None = server.accept(timeout=1.0)
    except TimeoutError:
        fresh = None
    assert fresh is not None, f"no new connection; the old one received {peer.read_frame(timeout=0.1)!r}"
    fresh.handshake()
    request = fresh.read_request()
    fresh.send_response(request.stream_id, b"on a new connection")
    assert call.result(timeout=WAIT) == b"on a new connection"
    assert request.stream_id == 1
    peer.expect_closed()  # the exhausted connection is closed once its last call is done


def test_close_says_goaway_even_when_the_reader_writes_meanwhile(
    server: ScriptedH2Server, channel: BuiltinChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = unary(channel, timeout=None)
    peer = connect(server)
    peer.read_request()
    peer.wait_settings_ack()

    # Stand in for the closing thread losing the CPU between marking the connection closed and
    # writing its GOAWAY, while the reader has a PING to answer.
    original_shut = Connection._shut

    def slow_shut(self: Connection, reason: Any) -> bool:
        done = original_shut(self, reason)
        if reason.by_client:
            time.sleep(0.2)
        return done

    monkeypatch.setattr(Connection, "_shut", slow_shut)
    closing = in_background(channel.close)
    time.sleep(0.05)
    peer.send_ping(b"12345678")
    frames = peer.expect_closed()
    closing.result(timeout=WAIT)
    assert failure(pending).code() is grpc.StatusCode.CANCELLED
    goaways = [goaway_fields(frame) for frame in frames if frame.type == FrameType.GOAWAY]
    assert goaways, f"no GOAWAY before the connection closed: {frames}"


# --- broken connections --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("garbage", "error_code", "words"),
    [
        (frame_header(1, FrameType.HEADERS, Flag.END_HEADERS, 1) + b"\x80", ErrorCode.COMPRESSION_ERROR, "index 0"),
        (
            frame_header(2, FrameType.HEADERS, Flag.END_HEADERS, 1) + b"\x88\xff",
            ErrorCode.COMPRESSION_ERROR,
            "integer",
        ),
        (
            frame_header(1, FrameType.CONTINUATION, Flag.END_HEADERS, 1) + b"\x88",
            ErrorCode.PROTOCOL_ERROR,
            "CONTINUATION",
        ),
        (
            frame_header(1, FrameType.HEADERS, 0, 1) + b"\x88" + frame_header(0, FrameType.DATA, 0, 1),
            ErrorCode.PROTOCOL_ERROR,
            "interrupted",
        ),
        (frame_header((1 << 20) + 1, FrameType.DATA, 0, 1), ErrorCode.FRAME_SIZE_ERROR, "limit"),
        (frame_header(3, FrameType.DATA, Flag.PADDED, 1) + b"\x05ab", ErrorCode.PROTOCOL_ERROR, "padding"),
        (
            frame_header(3, FrameType.HEADERS, Flag.PADDED | Flag.END_HEADERS, 1) + b"\x09ab",
            ErrorCode.PROTOCOL_ERROR,
            "padding",
        ),
        (
            frame_header(4, FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1) + b"\x00\x00\x00\x02",
            ErrorCode.PROTOCOL_ERROR,
            "push",
        ),
        (frame_header(5, FrameType.SETTINGS, 0, 0) + b"\x00\x04\x00\x00\x00", ErrorCode.FRAME_SIZE_ERROR, "6"),
        (
            frame_header(6, FrameType.SETTINGS, 0, 0) + struct.pack(">HL", Setting.INITIAL_WINDOW_SIZE, 2**31),
            ErrorCode.FLOW_CONTROL_ERROR,
            "window",
        ),
        (settings_frame({Setting.MAX_FRAME_SIZE: 0}), ErrorCode.PROTOCOL_ERROR, "frame size"),
        (settings_frame({Setting.MAX_FRAME_SIZE: 16_383}), ErrorCode.PROTOCOL_ERROR, "frame size"),
        (settings_frame({Setting.MAX_FRAME_SIZE: 2**24}), ErrorCode.PROTOCOL_ERROR, "frame size"),
    ],
    ids=[
        "hpack-index-0",
        "hpack-endless-integer",
        "continuation-without-headers",
        "header-block-interrupted",
        "frame-too-large",
        "data-padding-too-long",
        "headers-padding-too-long",
        "push-promise",
        "settings-length",
        "initial-window-too-large",
        "max-frame-size-0",
        "max-frame-size-too-small",
        "max-frame-size-too-large",
    ],
)
def test_protocol_violations_fail_the_call_and_the_client_says_goaway(
    server: ScriptedH2Server, channel: BuiltinChannel, garbage: bytes, error_code: ErrorCode, words: str
) -> None:
    call = unary(channel)
    peer = connect(server)
    peer.read_request()
    peer.send(garbage)
    error = failure(call)
    assert error.code() is grpc.StatusCode.UNAVAILABLE
    assert "protocol" in error.details()
    assert words.lower() in error.details().lower()
    goaway = peer.expect(FrameType.GOAWAY)
    assert goaway_fields(goaway)[1] == error_code
    peer.expect_closed()

    # The channel connects again for the next call.
    call = unary(channel, b"again")
    second = connect(server)
    request = second.read_request()
    second.send_response(request.stream_id, b"recovered")
    assert call.result(timeout=WAIT) == b"recovered"


@pytest.mark.parametrize(
    "garbage",
    [
        frame_header(2, FrameType.RST_STREAM, 0, 1) + b"\x00\x08",
        frame_header(3, FrameType.WINDOW_UPDATE, 0, 0) + b"\x00\x00\x01",
        frame_header(4, FrameType.GOAWAY, 0, 0) + b"\x00\x00\x00\x00",
        frame_header(0, FrameType.HEADERS, Flag.PADDED | Flag.END_HEADERS, 1),
        frame_header(4, FrameType.PING, 0, 0) + b"ping",
    ],
    ids=["rst-stream", "window-update", "goaway", "empty-padded-headers", "ping"],
)
def test_frames_of_the_wrong_size_are_connection_errors(
    server: ScriptedH2Server, channel: BuiltinChannel, garbage: bytes
) -> None:
    """RFC 9113: these frames have fixed sizes; any other size is a connection error (FRAME_SIZE_ERROR).

    Found by these tests: the reader used to crash on them (struct.error, IndexError) without a
    GOAWAY, take a 4-byte GOAWAY, and answer a 4-byte PING with an ACK whose header claimed 8 bytes.
    """
    call = unary(channel)
    peer = connect(server)
    peer.read_request()
    start = len(peer.received)
    peer.send(garbage)
    with contextlib.suppress(TimeoutError):  # the client may keep the connection open
        peer.expect_closed(timeout=0.3)
    frames = peer.received[start:]
    goaways = [goaway_fields(frame) for frame in frames if frame.type == FrameType.GOAWAY]
    assert goaways, f"the client sent no GOAWAY, only {frames}"
    assert goaways[0][1] in (ErrorCode.FRAME_SIZE_ERROR, ErrorCode.PROTOCOL_ERROR)
    pings = [frame for frame in frames if frame.type == FrameType.PING]
    assert not pings, f"the client answered a malformed PING: {pings}"
    error = failure(call)
    assert error.code() is grpc.StatusCode.UNAVAILABLE
    assert "protocol" in error.details()


def test_the_server_closing_the_socket_fails_pending_calls(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    first = unary(channel, timeout=None)
    stream = streaming(channel, timeout=None)
    peer = connect(server)
    peer.read_request()
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"before the end"))
    peer.close()
    for call in (first, stream):
        error = failure(call)
        assert error.code() is grpc.StatusCode.UNAVAILABLE
        assert "closed" in error.details() or "broke" in error.details()

    call = unary(channel, b"again")
    second = connect(server)
    request = second.read_request()
    second.send_response(request.stream_id, b"reconnected")
    assert call.result(timeout=WAIT) == b"reconnected"


def test_a_server_that_is_not_http2_fails_the_call(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    call = unary(channel)
    peer = server.accept()
    peer.read_preface()
    peer.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    peer.close()
    error = failure(call)
    assert error.code() is grpc.StatusCode.UNAVAILABLE


def test_concurrent_calls_on_one_scripted_connection(server: ScriptedH2Server, channel: BuiltinChannel) -> None:
    """Answers in reverse order of the requests reach the right callers."""
    calls = {index: unary(channel, f"request {index}".encode()) for index in range(20)}
    peer = connect(server)
    requests = [peer.read_request() for _ in calls]
    assert len({request.stream_id for request in requests}) == 20
    for request in reversed(requests):
        peer.send_response(request.stream_id, request.message.replace(b"request", b"answer"))
    for index, call in calls.items():
        assert call.result(timeout=WAIT) == f"answer {index}".encode()


def test_on_done_exceptions_do_not_stop_the_reader(
    server: ScriptedH2Server, channel: BuiltinChannel, caplog: pytest.LogCaptureFixture
) -> None:
    def on_done(response: bytes | None, error: BuiltinRpcError | None) -> None:
        raise RuntimeError("a buggy callback")

    unary_method(channel).call_in_background(b"x", on_done, timeout=WAIT)
    peer = connect(server)
    request = peer.read_request()
    peer.send_response(request.stream_id, b"answer")
    call = unary(channel)
    request = peer.read_request()
    peer.send_response(request.stream_id, b"still reading")
    assert call.result(timeout=WAIT) == b"still reading"
    assert "listener failed" in caplog.text


def test_a_call_started_on_the_reader_thread_never_waits_for_window(
    server: ScriptedH2Server, channel: BuiltinChannel
) -> None:
    """Waiting there would wait for the thread that waits: BlockingIOError, and nothing is sent."""
    peer = connect_settled(channel, server, {Setting.INITIAL_WINDOW_SIZE: 16})
    started: list[object] = []

    def on_response(message: bytes) -> None:
        try:
            unary_method(channel).call_in_background(bytes(100), lambda response, error: None)
        except BlockingIOError as error:
            started.append(error)
        else:
            started.append("sent")

    consume = stream_method(channel).consume
    call = in_background(lambda: consume(b"", on_response, timeout=WAIT))
    request = peer.read_request()
    peer.send_headers(request.stream_id, response_headers())
    peer.send_data(request.stream_id, grpc_frame(b"work"))
    peer.expect_nothing(0.2)  # no HEADERS for the call that could not be sent without waiting
    peer.send_trailers(request.stream_id)
    call.result(timeout=WAIT)
    assert len(started) == 1 and isinstance(started[0], BlockingIOError)
    assert "105-byte request" in str(started[0])
