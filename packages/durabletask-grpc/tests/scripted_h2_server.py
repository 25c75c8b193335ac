"""A raw-socket HTTP/2 server that a test drives frame by frame, for protocol tests of the built-in channel.

The test plays the server itself, synchronously: it starts the client's call on another thread
(:func:`in_background`), accepts the connection, reads what the client sent and writes whatever
frames the scenario needs - including ones no real gRPC server would send::

    with ScriptedH2Server() as server:
        channel = BuiltinChannel("127.0.0.1", server.port)
        call = in_background(lambda: channel.unary_unary("/test.Svc/Echo")(b"hi", timeout=5))
        peer = server.accept()
        peer.handshake()
        request = peer.read_request()
        peer.send_response(request.stream_id, b"hello")
        assert call.result(timeout=5) == b"hello"

Frames are built with the channel's own :mod:`durabletask.grpc._h2.frames` helpers and
:func:`~durabletask.grpc._h2.hpack.encode_headers`, and the client's header blocks are read with a
:class:`~durabletask.grpc._h2.hpack.HeaderDecoder`, so this helper adds no HTTP/2 code of its own
beyond laying bytes out.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

from durabletask.grpc._h2.frames import (
    FRAME_HEADER_SIZE,
    PREFACE,
    SETTINGS_ACK,
    ErrorCode,
    Flag,
    FrameType,
    Setting,
    frame_header,
    parse_frame_header,
    parse_settings,
    read_uint32,
    settings_frame,
)
from durabletask.grpc._h2.hpack import HeaderDecoder, encode_headers

T = TypeVar("T")
Headers = list[tuple[str, str]]

DEFAULT_TIMEOUT = 5.0
"""How long the server side waits for the client before the test fails (never reached when all is well)."""


@dataclass(frozen=True)
class Frame:
    """One frame as received from the client."""

    type: int
    flags: int
    stream_id: int
    payload: bytes

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def __repr__(self) -> str:
        try:
            name = FrameType(self.type).name
        except ValueError:
            name = hex(self.type)
        return f"Frame({name}, flags={self.flags:#x}, stream={self.stream_id}, {len(self.payload)} bytes)"


@dataclass
class Request:
    """One call as the server received it: the stream, its decoded headers, its DATA frames and message."""

    stream_id: int
    headers: Headers
    data_frames: list[Frame] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(frame.payload for frame in self.data_frames)

    @property
    def message(self) -> bytes:
        """The single gRPC message of the request, without its 5-byte prefix (checked)."""
        body = self.body
        assert len(body) >= 5, f"request body too short for a gRPC message: {body!r}"
        assert body[0] == 0, "the client set the compressed flag"
        length = int.from_bytes(body[1:5], "big")
        assert len(body) == 5 + length, f"prefix says {length} bytes, body has {len(body) - 5}"
        return body[5:]

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key == name]
        assert len(values) <= 1, f"{name} sent {len(values)} times"
        return values[0] if values else None


def grpc_frame(message: bytes, compressed: bool = False) -> bytes:
    """``message`` with gRPC's length prefix."""
    return bytes((1 if compressed else 0,)) + len(message).to_bytes(4, "big") + message


def response_headers(*extra: tuple[str, str]) -> Headers:
    return [(":status", "200"), ("content-type", "application/grpc"), *extra]


def trailers(status: int = 0, message: str | None = None) -> Headers:
    fields = [("grpc-status", str(status))]
    if message is not None:
        fields.append(("grpc-message", message))
    return fields


class H2Peer:
    """The server's end of one accepted connection."""

    # Frames the client sends on its own (connection upkeep) that most scripts do not care about.
    UPKEEP: frozenset[int] = frozenset({FrameType.WINDOW_UPDATE, FrameType.SETTINGS, FrameType.PING})

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each scripted frame goes out at once
        self.socket.settimeout(DEFAULT_TIMEOUT)
        self.decoder = HeaderDecoder()
        self.received: list[Frame] = []
        """Every frame read from the client, in order."""
        self.client_settings: dict[int, int] = {}
        self._buffer = bytearray()
        self._closed = False

    # -- reading -------------------------------------------------------------------------------

    def _fill(self, size: int, timeout: float | None) -> None:
        self.socket.settimeout(DEFAULT_TIMEOUT if timeout is None else timeout)
        try:
            while len(self._buffer) < size:
                chunk = self.socket.recv(1 << 16)
                if not chunk:
                    raise EOFError(f"the client closed the connection ({len(self._buffer)} of {size} bytes read)")
                self._buffer += chunk
        finally:
            self.socket.settimeout(DEFAULT_TIMEOUT)

    def read_bytes(self, size: int, timeout: float | None = None) -> bytes:
        self._fill(size, timeout)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read_frame(self, timeout: float | None = None) -> Frame:
        """The next frame, whatever it is. Raises ``TimeoutError`` (``socket.timeout``) if none comes."""
        self._fill(FRAME_HEADER_SIZE, timeout)
        length, frame_type, flags, stream_id = parse_frame_header(bytes(self._buffer[:FRAME_HEADER_SIZE]))
        self._fill(FRAME_HEADER_SIZE + length, timeout)
        payload = bytes(self._buffer[FRAME_HEADER_SIZE : FRAME_HEADER_SIZE + length])
        del self._buffer[: FRAME_HEADER_SIZE + length]
        frame = Frame(frame_type, flags, stream_id, payload)
        self.received.append(frame)
        return frame

    def expect(self, frame_type: int, ignore: Iterable[int] = UPKEEP, timeout: float | None = None) -> Frame:
        """The next frame of ``frame_type``, skipping those of the ``ignore`` types; any other frame fails."""
        ignored = frozenset(ignore) - {frame_type}
        while True:
            frame = self.read_frame(timeout)
            if frame.type == frame_type:
                return frame
            assert frame.type in ignored, f"expected a {FrameType(frame_type).name} frame, got {frame!r}"

    def expect_nothing(self, seconds: float = 0.2, ignore: Iterable[int] = UPKEEP) -> None:
        """Check the client sends no frame (other than the ``ignore`` types) for ``seconds``."""
        ignored = frozenset(ignore)
        try:
            while True:
                frame = self.read_frame(timeout=seconds)
                assert frame.type in ignored, f"the client sent {frame!r}, expected nothing"
        except TimeoutError:
            return

    def expect_closed(self, timeout: float | None = None) -> list[Frame]:
        """Read until the client closes the connection; returns the frames read on the way."""
        frames: list[Frame] = []
        try:
            while True:
                frames.append(self.read_frame(timeout))
        except (EOFError, ConnectionResetError):
            return frames

    def read_preface(self) -> dict[int, int]:
        """Read and check the client preface and its SETTINGS frame; returns the settings."""
        preface = self.read_bytes(len(PREFACE))
        assert preface == PREFACE, f"bad client preface {preface!r}"
        settings = self.read_frame()
        assert settings.type == FrameType.SETTINGS, f"the preface was followed by {settings!r}, not SETTINGS"
        assert not settings.has(Flag.ACK)
        assert settings.stream_id == 0
        assert len(settings.payload) % 6 == 0
        self.client_settings = dict(parse_settings(settings.payload))
        return self.client_settings

    def handshake(self, settings: dict[Setting, int] | None = None) -> dict[int, int]:
        """Read the preface, then send this server's SETTINGS and acknowledge the client's."""
        client_settings = self.read_preface()
        self.send(settings_frame(settings or {}) + SETTINGS_ACK)
        return client_settings

    @property
    def settings_acks(self) -> int:
        """How many SETTINGS acknowledgements the client has sent so far (of the frames read)."""
        return sum(1 for frame in self.received if frame.type == FrameType.SETTINGS and frame.has(Flag.ACK))

    def wait_settings_ack(self, count: int = 1) -> None:
        """Read (skipping upkeep) until the client has acknowledged ``count`` SETTINGS frames in all."""
        while self.settings_acks < count:
            frame = self.expect(FrameType.SETTINGS)
            if frame.has(Flag.ACK):
                assert frame.payload == b"", "a SETTINGS ACK must be empty"

    def read_header_block(self, first: Frame) -> Headers:
        """Decode the header block that starts with HEADERS frame ``first``, reading its CONTINUATIONs."""
        assert first.type == FrameType.HEADERS, first
        payload = first.payload
        start, end = 0, len(payload)
        if first.has(Flag.PADDED):
            start, end = 1, end - payload[0]
        if first.has(Flag.PRIORITY):
            start += 5
        block = bytearray(payload[start:end])
        done = first.has(Flag.END_HEADERS)
        while not done:
            frame = self.read_frame()
            assert frame.type == FrameType.CONTINUATION, f"header block interrupted by {frame!r}"
            assert frame.stream_id == first.stream_id
            block += frame.payload
            done = frame.has(Flag.END_HEADERS)
        return self.decoder.decode(bytes(block))

    def read_request(self, read_body: bool = True) -> Request:
        """Read the next call's HEADERS (and CONTINUATIONs) and, with ``read_body``, its DATA up to END_STREAM."""
        first = self.expect(FrameType.HEADERS)
        request = Request(first.stream_id, self.read_header_block(first))
        if read_body and not first.has(Flag.END_STREAM):
            self.read_body(request)
        return request

    def read_body(self, request: Request) -> None:
        while True:
            frame = self.expect(FrameType.DATA)
            assert frame.stream_id == request.stream_id, f"DATA of stream {frame.stream_id} interleaved"
            request.data_frames.append(frame)
            if frame.has(Flag.END_STREAM):
                return

    # -- writing -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def send_frame(self, frame_type: int, flags: int, stream_id: int, payload: bytes = b"") -> None:
        self.send(frame_header(len(payload), frame_type, flags, stream_id) + payload)

    def send_headers(
        self,
        stream_id: int,
        headers: Headers,
        end_stream: bool = False,
        padding: int | None = None,
        priority: bool = False,
    ) -> None:
        block = encode_headers(headers)
        self.send_header_block(stream_id, block, end_stream, padding, priority)

    def send_header_block(
        self,
        stream_id: int,
        block: bytes,
        end_stream: bool = False,
        padding: int | None = None,
        priority: bool = False,
    ) -> None:
        flags = Flag.END_HEADERS | (Flag.END_STREAM if end_stream else 0)
        payload = block
        if priority:
            flags |= Flag.PRIORITY
            payload = struct.pack(">LB", 0, 15) + payload  # depends on stream 0, weight 16
        if padding is not None:
            flags |= Flag.PADDED
            payload = bytes((padding,)) + payload + b"\x00" * padding
        self.send_frame(FrameType.HEADERS, flags, stream_id, payload)

    def send_data(self, stream_id: int, data: bytes, end_stream: bool = False, padding: int | None = None) -> None:
        flags = Flag.END_STREAM if end_stream else 0
        payload = data
        if padding is not None:
            flags |= Flag.PADDED
            payload = bytes((padding,)) + data + b"\x00" * padding
        self.send_frame(FrameType.DATA, flags, stream_id, payload)

    def send_trailers(self, stream_id: int, status: int = 0, message: str | None = None) -> None:
        self.send_headers(stream_id, trailers(status, message), end_stream=True)

    def send_response(self, stream_id: int, *messages: bytes, status: int = 0, message: str | None = None) -> None:
        """Headers, each message in its own DATA frame, then trailers."""
        self.send_headers(stream_id, response_headers())
        for each in messages:
            self.send_data(stream_id, grpc_frame(each))
        self.send_trailers(stream_id, status, message)

    def send_settings(self, settings: dict[Setting, int]) -> None:
        self.send(settings_frame(settings))

    def send_window_update(self, stream_id: int, increment: int) -> None:
        self.send_frame(FrameType.WINDOW_UPDATE, 0, stream_id, struct.pack(">L", increment))

    def send_rst_stream(self, stream_id: int, code: ErrorCode) -> None:
        self.send_frame(FrameType.RST_STREAM, 0, stream_id, struct.pack(">L", code))

    def send_goaway(self, last_stream_id: int, code: ErrorCode = ErrorCode.NO_ERROR, debug: bytes = b"") -> None:
        self.send_frame(FrameType.GOAWAY, 0, 0, struct.pack(">LL", last_stream_id, code) + debug)

    def send_ping(self, opaque: bytes) -> None:
        self.send_frame(FrameType.PING, 0, 0, opaque)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()


def goaway_fields(frame: Frame) -> tuple[int, int]:
    """``(last stream id, error code)`` of a GOAWAY frame."""
    assert frame.type == FrameType.GOAWAY, frame
    return read_uint32(frame.payload) & 0x7FFF_FFFF, read_uint32(frame.payload, 4)


class ScriptedH2Server:
    """A listening socket on 127.0.0.1; :meth:`accept` hands each connection to the test as an :class:`H2Peer`."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(DEFAULT_TIMEOUT)
        self.port: int = self._listener.getsockname()[1]
        self.peers: list[H2Peer] = []

    def accept(self, timeout: float = DEFAULT_TIMEOUT) -> H2Peer:
        self._listener.settimeout(timeout)
        sock, _ = self._listener.accept()
        peer = H2Peer(sock)
        self.peers.append(peer)
        return peer

    def close(self) -> None:
        for peer in self.peers:
            peer.close()
        self._listener.close()

    def __enter__(self) -> ScriptedH2Server:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def in_background(function: Callable[[], T]) -> Future[T]:
    """Run ``function`` on a new daemon thread; its result (or exception) lands in the returned future."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = function()
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(result)

    threading.Thread(target=run, name="h2-test-call", daemon=True).start()
    return future
