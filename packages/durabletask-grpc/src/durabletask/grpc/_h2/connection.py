"""One HTTP/2 connection to a gRPC server, shared by calls on any number of threads.

A reader thread owns the socket's input. It parses frames, keeps header decompression in step
with the server, answers pings and settings, and hands each stream's gRPC messages, then one
:class:`StreamEnd`, to the inbox its caller waits on. Callers write their own frames, under a
lock, so a call costs one ``sendall`` and one wake-up of the calling thread.

Flow control: this side lets the server send as much as it likes (the largest windows HTTP/2
allows, topped up long before they run out), and obeys the server's windows when sending, so
large requests are split and paced as the server asks.

Pings wait for their answer, within limits. grpc-go servers, both sidecars among them, send a
bandwidth-probing PING whenever request data arrives and no probe is outstanding, so a worker
that answered each at once would pay one more write and one more wake-up of the server per call.
Instead the answer rides on this side's next write, after the frames written then, and is written
alone only when no write comes within :data:`PING_ANSWER_LIMIT` (100 ms). Riding after a request,
the answer reaches the server after that request's data, while the probe is still outstanding,
so the request starts no new probe. Measured against microsoft/durabletask-go v0.6.0 on a worker
running 300 activities one after the other: the answers cost no write of their own and the server
sends half as many probes. Answers are also at least :data:`PING_ANSWER_SPACING` (20 ms) apart, so
a busy connection, which writes all the time, still answers only a few probes a second. Keepalive
pings allow seconds for their answer, so waiting costs them nothing.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from durabletask.grpc._h2.frames import (
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_WINDOW_SIZE,
    FRAME_HEADER_SIZE,
    MAX_WINDOW_SIZE,
    PREFACE,
    SETTINGS_ACK,
    ErrorCode,
    Flag,
    FrameType,
    Setting,
    frame_header,
    goaway_frame,
    parse_frame_header,
    parse_settings,
    ping_ack_frame,
    read_uint32,
    rst_stream_frame,
    settings_frame,
    window_update_frame,
)
from durabletask.grpc._h2.hpack import HeaderDecoder, HpackError

Headers = list[tuple[str, str]]

_logger = logging.getLogger(__name__)

# Windows are topped up once this much of them has been used: rarely enough to cost nothing,
# early enough that the server never waits.
_WINDOW_REFILL_THRESHOLD: Final = MAX_WINDOW_SIZE // 2
# The largest frame this side accepts. A bigger limit lets a large history arrive in fewer frames.
_MAX_RECEIVE_FRAME_SIZE: Final = 1 << 20
# What the reader's buffer holds to begin with; it grows to the size of the largest frame received.
_RECEIVE_BUFFER_SIZE: Final = 1 << 18
_MAX_STREAM_ID: Final = 2**31 - 1
_MIN_MAX_FRAME_SIZE: Final = DEFAULT_MAX_FRAME_SIZE
_MAX_MAX_FRAME_SIZE: Final = 2**24 - 1
PING_ANSWER_SPACING: Final = 0.02
"""The shortest interval between two answers to pings; see the module docstring."""
PING_ANSWER_LIMIT: Final = 0.1
"""The longest a ping waits for its answer to ride on another write; see the module docstring."""
_MESSAGE_PREFIX_SIZE: Final = 5  # gRPC: a compressed flag byte and a 32-bit length before each message

_CLIENT_SETTINGS: Final = settings_frame(
    {
        Setting.ENABLE_PUSH: 0,
        Setting.INITIAL_WINDOW_SIZE: MAX_WINDOW_SIZE,
        Setting.MAX_FRAME_SIZE: _MAX_RECEIVE_FRAME_SIZE,
    }
)


class ConnectionClosedError(Exception):
    """The connection cannot take new calls; ``by_client`` tells whether :meth:`Connection.close` did it."""

    def __init__(self, reason: str, by_client: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.by_client = by_client


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """How a stream ended: the last thing its inbox receives.

    Exactly one way of ending is filled in: ``trailers`` (the server finished the call; for an
    answer made of trailers only, they are also the ``headers``), ``reset`` (the server reset
    the stream with that HTTP/2 error code), ``refused`` (the server is going away and never
    processed the stream), ``failure`` (the connection broke), ``cancelled`` (the client closed
    the channel or gave up on the call) or ``malformed`` (the server's answer broke gRPC's rules,
    said how; ``headers`` are those it sent, if any).
    """

    headers: Headers | None = None
    trailers: Headers | None = None
    reset: int | None = None
    refused: bool = False
    failure: str | None = None
    cancelled: bool = False
    malformed: str | None = None


StreamItem = bytes | StreamEnd
"""What a stream delivers: each complete gRPC message (without its 5-byte prefix), then the end."""

Listener = Callable[[StreamItem], None]
"""Takes a stream's items on the reader thread, instead of its inbox; must be quick and not raise."""


class Stream:
    """One call's stream: where its items go, and what flow control and message framing need."""

    __slots__ = ("headers", "inbox", "listener", "pending", "received", "send_window", "stream_id")

    def __init__(self, stream_id: int, send_window: int, listener: Listener | None) -> None:
        self.stream_id = stream_id
        self.inbox: queue.SimpleQueue[StreamItem] = queue.SimpleQueue()
        self.listener = listener
        self.send_window = send_window
        self.received = 0  # bytes received since this stream's window was last topped up
        self.pending = bytearray()  # an incomplete gRPC message
        self.headers: Headers | None = None


class Connection:
    """An open HTTP/2 connection; see the module docstring. Use :meth:`open` to make one."""

    def __init__(self, sock: socket.socket) -> None:
        self._socket = sock
        self._write_lock = threading.Lock()
        # Guards the stream table, the send windows and the peer's settings.
        self._state_lock = threading.Lock()
        self._state = threading.Condition(self._state_lock)  # for waiting; ``_state_lock`` is faster to take
        self._waiting = 0  # threads waiting on ``_state``: nobody to notify is the common case
        self._reserved = 0  # stream slots taken by calls about to open their stream
        self._streams: dict[int, Stream] = {}
        self._next_stream_id = 1
        self._closed: ConnectionClosedError | None = None
        self._last_processed_stream_id: int | None = None  # from the server's GOAWAY
        self._send_window = DEFAULT_WINDOW_SIZE
        self._peer_initial_window = DEFAULT_WINDOW_SIZE
        self._peer_max_frame = DEFAULT_MAX_FRAME_SIZE
        self._peer_max_streams = 2**31
        self._received = 0  # bytes received since the connection's window was last topped up
        self._decoder = HeaderDecoder()
        self._continuing: tuple[int, int, bytearray] | None = None  # a header block awaiting CONTINUATION
        # Pings waiting for their answer, guarded by the write lock: any writer may answer them.
        self._unanswered_pings: list[bytes] = []
        self._pings_due = 0.0  # from when a write may carry their answer (time.monotonic())
        self._pings_deadline = 0.0  # when the reader answers them on its own
        self._last_ping_answer = -PING_ANSWER_SPACING
        self._reader = threading.Thread(target=self._read_frames, name="durabletask-h2-reader", daemon=True)

    @classmethod
    def open(cls, host: str, port: int, timeout: float) -> Connection:
        """Connect to ``host:port`` in plain text (HTTP/2 with prior knowledge) and start reading.

        Raises ``OSError`` when the server cannot be reached within ``timeout`` seconds.
        """
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # Notices a server host that vanished without closing the connection.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.settimeout(None)
            sock.sendall(PREFACE + _CLIENT_SETTINGS + window_update_frame(0, MAX_WINDOW_SIZE - DEFAULT_WINDOW_SIZE))
        except OSError:
            sock.close()
            raise
        connection = cls(sock)
        connection._reader.start()
        return connection

    @property
    def is_usable(self) -> bool:
        """Whether new streams can be opened (not closed, broken, going away or out of stream ids)."""
        return self._closed is None and not self._draining

    @property
    def _draining(self) -> bool:
        # Takes no new streams, and closes itself once the ones it has are finished.
        return self._last_processed_stream_id is not None or self._next_stream_id > _MAX_STREAM_ID

    # -- calls ---------------------------------------------------------------------------------

    def open_stream(
        self, header_block: bytes, message: bytes, deadline: float | None, listener: Listener | None = None
    ) -> Stream:
        """Start a call: send its headers and its one request message, which ends the client's side.

        ``message`` already carries its gRPC prefix. The answer goes to the stream's inbox, or to
        ``listener`` when given (called on the reader thread, so a waiting caller costs no
        wake-up). Raises :class:`ConnectionClosedError` when the connection cannot take the call,
        ``TimeoutError`` when flow control holds the request back past ``deadline`` (a
        ``time.monotonic()`` value).

        On the reader thread itself (a listener starting a call), where waiting would wait for
        the very thread that waits, it raises ``BlockingIOError`` instead of waiting for a free
        stream or for window, having sent nothing: the caller sends from another thread.
        """
        on_reader = threading.get_ident() == self._reader.ident
        with self._state_lock:
            # A slot is reserved before the write lock is taken, so racing callers cannot open
            # more streams than the server allows.
            while len(self._streams) + self._reserved >= self._peer_max_streams and self._closed is None:
                if on_reader:
                    raise BlockingIOError("no stream is free, and the reader thread cannot wait for one")
                if not self._wait(deadline):
                    raise TimeoutError("the server allows no more concurrent calls")
            self._reserved += 1
        with self._write_lock:
            with self._state_lock:
                self._reserved -= 1
                self._raise_if_closed()
                size = len(message)
                fits = size <= min(self._peer_initial_window, self._send_window, self._peer_max_frame)
                if on_reader and not fits:
                    raise BlockingIOError(
                        f"a {size}-byte request must wait for window, which the reader thread cannot do"
                    )
                stream = Stream(self._next_stream_id, self._peer_initial_window, listener)
                self._next_stream_id += 2
                self._streams[stream.stream_id] = stream
                if fits:
                    stream.send_window -= size
                    self._send_window -= size
                max_frame = self._peer_max_frame
            frames = _header_frames(stream.stream_id, header_block, max_frame)
            if fits:
                frames += frame_header(size, FrameType.DATA, Flag.END_STREAM, stream.stream_id) + message
            self._write_locked(frames)
        if not fits:
            try:
                self._send_paced(stream, message, deadline)
            except BaseException:
                self.cancel(stream)
                raise
        return stream

    def cancel(self, stream: Stream) -> None:
        """Give up on ``stream``: the server is told, and its inbox gets a cancelled end."""
        if self._finish(stream.stream_id, StreamEnd(cancelled=True)):
            with contextlib.suppress(ConnectionClosedError):  # then the server forgets the stream anyway
                self._write(rst_stream_frame(stream.stream_id, ErrorCode.CANCEL))

    def close(self) -> None:
        """End every call (they see a cancelled end) and the connection. Idempotent."""
        self._close(ConnectionClosedError("the channel was closed", by_client=True))

    @property
    def is_closed(self) -> bool:
        """Whether the connection is closed (by the client, or after it broke or drained)."""
        return self._closed is not None

    def _close(self, reason: ConnectionClosedError) -> None:
        # The GOAWAY goes out before the connection counts as closed: from then on the reader,
        # failing to write, could close the socket first.
        if self._closed is None:
            with contextlib.suppress(OSError), self._write_lock:  # a courtesy; the socket closes either way
                self._socket.sendall(goaway_frame(0, ErrorCode.NO_ERROR))
        if self._shut(reason):
            _shutdown(self._socket)

    # -- writing -------------------------------------------------------------------------------

    def _send_paced(self, stream: Stream, message: bytes, deadline: float | None) -> None:
        """Send ``message`` as DATA frames no larger than the windows and frame size allow."""
        view = memoryview(message)
        offset, size = 0, len(message)
        while offset < size:
            with self._state_lock:
                while True:
                    self._raise_if_closed()
                    if stream.stream_id not in self._streams:
                        return  # the server already answered (with an error) or reset the stream
                    allowed = min(size - offset, stream.send_window, self._send_window, self._peer_max_frame)
                    if allowed > 0:
                        break
                    if not self._wait(deadline):
                        raise TimeoutError("the server did not accept the request in time")
                stream.send_window -= allowed
                self._send_window -= allowed
            flags = Flag.END_STREAM if offset + allowed == size else 0
            self._write(
                frame_header(allowed, FrameType.DATA, flags, stream.stream_id) + view[offset : offset + allowed]
            )
            offset += allowed

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            self._write_locked(data)

    def _write_locked(self, data: bytes) -> None:
        if self._closed is not None:
            raise self._closed
        if self._unanswered_pings:
            now = time.monotonic()
            if now >= self._pings_due:
                data += self._ping_answers(now)
        try:
            self._socket.sendall(data)
        except OSError as error:
            failure = ConnectionClosedError(f"the connection broke while sending: {error}", by_client=False)
            self._shut(failure)
            raise failure from error

    def _raise_if_closed(self) -> None:
        if self._closed is not None:
            raise self._closed
        if self._last_processed_stream_id is not None:
            raise ConnectionClosedError("the server is shutting this connection down", by_client=False)
        if self._next_stream_id > _MAX_STREAM_ID:
            raise ConnectionClosedError("this connection has used all its stream ids", by_client=False)

    # -- reading -------------------------------------------------------------------------------

    def _read_frames(self) -> None:
        # Bytes are received into one long-lived buffer: ``recv`` of a fresh chunk each time cost
        # a memory map, page faults, a remap and an unmap per read (4,000 page faults and 4,300
        # system calls over 300 sequential activities on microsoft/durabletask-go v0.6.0).
        buffer = bytearray(_RECEIVE_BUFFER_SIZE)
        start = end = 0  # buffer[start:end] holds what is received and not yet parsed
        reason = "the server closed the connection"
        readable = _readable_within(self._socket)
        try:
            while True:
                if self._unanswered_pings:
                    wait = self._pings_deadline - time.monotonic()
                    if wait <= 0 or not readable(wait):
                        self._answer_pings()
                        continue
                with memoryview(buffer) as whole:
                    received = self._socket.recv_into(whole[end:])
                if not received:
                    break
                end += received
                while end - start >= FRAME_HEADER_SIZE:
                    length, frame_type, flags, stream_id = parse_frame_header(buffer, start)
                    if length > _MAX_RECEIVE_FRAME_SIZE:
                        raise _ProtocolError(ErrorCode.FRAME_SIZE_ERROR, f"a {length}-byte frame is over the limit")
                    frame_end = start + FRAME_HEADER_SIZE + length
                    if frame_end > end:
                        if FRAME_HEADER_SIZE + length > len(buffer):  # the whole frame would not fit
                            buffer.extend(bytes(FRAME_HEADER_SIZE + length - len(buffer)))
                        break
                    self._on_frame(frame_type, flags, stream_id, bytes(buffer[start + FRAME_HEADER_SIZE : frame_end]))
                    start = frame_end
                if start == end:
                    start = end = 0
                elif start:  # a piece of a frame is left: move it to the front, making room for the rest
                    buffer[: end - start] = buffer[start:end]
                    end -= start
                    start = 0
        except _ProtocolError as error:
            reason = f"the server broke the HTTP/2 protocol: {error}"
            with contextlib.suppress(ConnectionClosedError):
                self._write(goaway_frame(0, error.code))
        except OSError as error:
            reason = f"the connection broke: {error}"
        except Exception as error:  # a reader that dies silently would leave every caller waiting
            reason = f"unexpected error reading from the server: {error!r}"
        self._shut(ConnectionClosedError(reason, by_client=False))
        _shutdown(self._socket)
        self._socket.close()

    def _on_frame(self, frame_type: int, flags: int, stream_id: int, payload: bytes) -> None:
        if self._continuing is not None and frame_type != FrameType.CONTINUATION:
            raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, "a header block was interrupted")
        if frame_type == FrameType.DATA:
            self._on_data(flags, stream_id, payload)
        elif frame_type == FrameType.HEADERS:
            self._on_headers(flags, stream_id, payload)
        elif frame_type == FrameType.CONTINUATION:
            self._on_continuation(flags, stream_id, payload)
        elif frame_type == FrameType.RST_STREAM:
            _require_size(payload, 4, "RST_STREAM")
            self._finish(stream_id, StreamEnd(reset=read_uint32(payload)))
        elif frame_type == FrameType.SETTINGS:
            if not flags & Flag.ACK:
                self._apply_settings(payload)
        elif frame_type == FrameType.PING:
            _require_size(payload, 8, "PING")
            if not flags & Flag.ACK:
                with self._write_lock:
                    if not self._unanswered_pings:
                        self._pings_due = self._last_ping_answer + PING_ANSWER_SPACING
                        self._pings_deadline = time.monotonic() + PING_ANSWER_LIMIT
                    self._unanswered_pings.append(payload)
        elif frame_type == FrameType.GOAWAY:
            if len(payload) < 8:
                raise _ProtocolError(ErrorCode.FRAME_SIZE_ERROR, f"a GOAWAY frame of {len(payload)} bytes is too short")
            self._on_goaway(read_uint32(payload) & 0x7FFF_FFFF)
        elif frame_type == FrameType.WINDOW_UPDATE:
            _require_size(payload, 4, "WINDOW_UPDATE")
            self._on_window_update(stream_id, read_uint32(payload) & 0x7FFF_FFFF)
        elif frame_type == FrameType.PUSH_PROMISE:
            raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, "the server pushed a stream after push was disabled")
        # PRIORITY and unknown frame types carry nothing a client must act on.

    def _on_data(self, flags: int, stream_id: int, payload: bytes) -> None:
        self._received += len(payload)
        if self._received >= _WINDOW_REFILL_THRESHOLD:
            self._write(window_update_frame(0, self._received))
            self._received = 0
        stream = self._streams.get(stream_id)
        if stream is None:
            return  # a stream this side already gave up on
        stream.received += len(payload)
        if stream.received >= _WINDOW_REFILL_THRESHOLD and not flags & Flag.END_STREAM:
            self._write(window_update_frame(stream_id, stream.received))
            stream.received = 0
        if flags & Flag.PADDED:
            payload = _unpad(payload)
        pending = stream.pending
        if not pending and len(payload) >= _MESSAGE_PREFIX_SIZE and _whole_message_size(payload) == len(payload):
            if payload[0]:
                self._reject_compressed(stream)
                return
            _deliver(stream, payload[_MESSAGE_PREFIX_SIZE:])  # the common case: one frame, one message
        else:
            pending += payload
            while len(pending) >= _MESSAGE_PREFIX_SIZE:
                size = _whole_message_size(pending)
                if len(pending) < size:
                    break
                if pending[0]:
                    self._reject_compressed(stream)
                    return
                _deliver(stream, bytes(pending[_MESSAGE_PREFIX_SIZE:size]))
                del pending[:size]
        if flags & Flag.END_STREAM:
            self._finish(
                stream_id, StreamEnd(headers=stream.headers, malformed="the server ended the call without trailers")
            )

    def _reject_compressed(self, stream: Stream) -> None:
        # This client never offers compression, so a compressed message is one it cannot read.
        self._finish(
            stream.stream_id, StreamEnd(malformed="the server sent a compressed message, which was not asked for")
        )
        self._write(rst_stream_frame(stream.stream_id, ErrorCode.CANCEL))

    def _on_headers(self, flags: int, stream_id: int, payload: bytes) -> None:
        start, end = 0, len(payload)
        if flags & Flag.PADDED:
            if not payload:
                raise _ProtocolError(ErrorCode.FRAME_SIZE_ERROR, "a padded HEADERS frame has no padding length")
            start, end = 1, end - payload[0]
        if flags & Flag.PRIORITY:
            start += 5
        if start > end:
            raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, "a HEADERS frame's padding is longer than the frame")
        block = payload[start:end]
        if flags & Flag.END_HEADERS:
            self._on_header_block(stream_id, flags & Flag.END_STREAM, block)
        else:
            self._continuing = (stream_id, flags & Flag.END_STREAM, bytearray(block))

    def _on_continuation(self, flags: int, stream_id: int, payload: bytes) -> None:
        if self._continuing is None or self._continuing[0] != stream_id:
            raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, "a CONTINUATION frame followed no header block")
        self._continuing[2].extend(payload)
        if flags & Flag.END_HEADERS:
            _, end_stream, block = self._continuing
            self._continuing = None
            self._on_header_block(stream_id, end_stream, bytes(block))

    def _on_header_block(self, stream_id: int, end_stream: int, block: bytes) -> None:
        try:
            headers = self._decoder.decode(block)  # always, or later blocks would be misread
        except HpackError as error:
            raise _ProtocolError(ErrorCode.COMPRESSION_ERROR, str(error)) from error
        stream = self._streams.get(stream_id)
        if stream is None:
            return
        if end_stream:
            self._finish(stream_id, StreamEnd(headers=stream.headers or headers, trailers=headers))
        elif stream.headers is None:
            stream.headers = headers
        else:
            self._finish(
                stream_id,
                StreamEnd(headers=stream.headers, malformed="the server sent trailers that do not end the call"),
            )
            self._write(rst_stream_frame(stream_id, ErrorCode.PROTOCOL_ERROR))

    def _answer_pings(self) -> None:
        with self._write_lock:
            if self._unanswered_pings:  # unless a write answered them meanwhile
                self._write_locked(b"")

    def _ping_answers(self, now: float) -> bytes:
        """The answers to the waiting pings, which the caller writes at once (write lock held)."""
        answers = b"".join(ping_ack_frame(opaque) for opaque in self._unanswered_pings)
        self._unanswered_pings.clear()
        self._last_ping_answer = now
        return answers

    def _apply_settings(self, payload: bytes) -> None:
        if len(payload) % 6:
            raise _ProtocolError(ErrorCode.FRAME_SIZE_ERROR, "a SETTINGS frame's length is not a multiple of 6")
        # The server may count on its new limits only once it has the ACK, so no frame sized by
        # them may go out before it: the ACK is written under the same write lock.
        with self._write_lock:
            with self._state_lock:
                for key, value in parse_settings(payload):
                    self._apply_setting(key, value)
                self._wake_waiters()
            self._write_locked(SETTINGS_ACK)

    def _apply_setting(self, key: int, value: int) -> None:
        if key == Setting.INITIAL_WINDOW_SIZE:
            if value > MAX_WINDOW_SIZE:
                raise _ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, f"initial window {value} is too large")
            change = value - self._peer_initial_window
            self._peer_initial_window = value
            for stream in self._streams.values():
                stream.send_window += change
        elif key == Setting.MAX_FRAME_SIZE:
            if not _MIN_MAX_FRAME_SIZE <= value <= _MAX_MAX_FRAME_SIZE:
                raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, f"maximum frame size {value} is out of range")
            self._peer_max_frame = value
        elif key == Setting.MAX_CONCURRENT_STREAMS:
            self._peer_max_streams = value
        # The header table size only limits an encoder that indexes; this one never does.

    def _on_window_update(self, stream_id: int, increment: int) -> None:
        with self._state_lock:
            if stream_id == 0:
                self._send_window += increment
            else:
                stream = self._streams.get(stream_id)
                if stream is None:
                    return
                stream.send_window += increment
            self._wake_waiters()

    def _on_goaway(self, last_stream_id: int) -> None:
        with self._state_lock:
            self._last_processed_stream_id = last_stream_id
            unprocessed = [stream_id for stream_id in self._streams if stream_id > last_stream_id]
        for stream_id in unprocessed:
            self._finish(stream_id, StreamEnd(refused=True))
        self._close_if_drained()

    def _close_if_drained(self) -> None:
        if self._draining and not self._streams and self._closed is None:
            self._close(ConnectionClosedError("the connection finished its calls after the server's GOAWAY", False))

    # -- waiting for windows and stream slots (called with ``_state_lock`` held) ---------------

    def _wait(self, deadline: float | None) -> bool:
        self._waiting += 1
        try:
            return self._state.wait(_remaining(deadline))
        finally:
            self._waiting -= 1

    def _wake_waiters(self) -> None:
        if self._waiting:
            self._state.notify_all()

    # -- endings -------------------------------------------------------------------------------

    def _finish(self, stream_id: int, end: StreamEnd) -> bool:
        """Deliver ``end`` to the stream, once; returns whether the stream was still open."""
        with self._state_lock:
            stream = self._streams.pop(stream_id, None)
            if stream is None:
                return False
            self._wake_waiters()
        _deliver(stream, end)
        self._close_if_drained()
        return True

    def _shut(self, reason: ConnectionClosedError) -> bool:
        """Refuse new calls and end the open ones; returns whether this call did it."""
        with self._state_lock:
            if self._closed is not None:
                return False
            self._closed = reason
            streams, self._streams = self._streams, {}
            self._wake_waiters()
        for stream in streams.values():
            _deliver(stream, StreamEnd(cancelled=True) if reason.by_client else StreamEnd(failure=reason.reason))
        return True


class _ProtocolError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def _deliver(stream: Stream, item: StreamItem) -> None:
    if stream.listener is None:
        stream.inbox.put(item)
        return
    try:
        stream.listener(item)
    except Exception:  # a listener's bug must not stop the reader, which every other call needs
        _logger.exception("A gRPC stream listener failed; its call may never end.")


def _header_frames(stream_id: int, block: bytes, max_frame: int) -> bytes:
    """A HEADERS frame, followed by CONTINUATION frames when the block is larger than a frame."""
    if len(block) <= max_frame:
        return frame_header(len(block), FrameType.HEADERS, Flag.END_HEADERS, stream_id) + block
    pieces = [block[start : start + max_frame] for start in range(0, len(block), max_frame)]
    frames = [frame_header(len(pieces[0]), FrameType.HEADERS, 0, stream_id) + pieces[0]]
    for index, piece in enumerate(pieces[1:], start=2):
        flags = Flag.END_HEADERS if index == len(pieces) else 0
        frames.append(frame_header(len(piece), FrameType.CONTINUATION, flags, stream_id) + piece)
    return b"".join(frames)


def _readable_within(sock: socket.socket) -> Callable[[float], bool]:
    """A test of whether ``sock`` has input within so many seconds: ``poll`` (one call, any fd) where there is one."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return lambda seconds: bool(poller.poll(seconds * 1000))
    return lambda seconds: bool(select.select([sock], [], [], seconds)[0])


def _require_size(payload: bytes, size: int, frame: str) -> None:
    if len(payload) != size:
        raise _ProtocolError(ErrorCode.FRAME_SIZE_ERROR, f"a {frame} frame of {len(payload)} bytes, not {size}")


def _whole_message_size(data: bytes | bytearray) -> int:
    """The size of the gRPC message starting ``data``, its prefix included."""
    return _MESSAGE_PREFIX_SIZE + int.from_bytes(data[1:_MESSAGE_PREFIX_SIZE], "big")


def _unpad(payload: bytes) -> bytes:
    padding = payload[0] if payload else 0
    if not payload or 1 + padding > len(payload):
        raise _ProtocolError(ErrorCode.PROTOCOL_ERROR, "a DATA frame's padding is longer than the frame")
    return payload[1 : len(payload) - padding]


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)
