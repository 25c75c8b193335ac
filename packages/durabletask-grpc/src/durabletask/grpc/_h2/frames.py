"""HTTP/2 frame layout (RFC 9113, section 4 and 6): the numbers, and how a frame is written.

Only what a gRPC client needs is named here. Reading frames is the connection's job
(:mod:`durabletask.grpc._h2.connection`), because it is interleaved with the stream state.
"""

from __future__ import annotations

import struct
from enum import IntEnum

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
"""What a client sends before its first frame (RFC 9113, 3.4)."""

FRAME_HEADER_SIZE = 9

DEFAULT_WINDOW_SIZE = 65_535
"""Every flow-control window starts here until a SETTINGS frame or WINDOW_UPDATE changes it."""

DEFAULT_MAX_FRAME_SIZE = 16_384
"""The largest frame payload a peer accepts until it says otherwise."""

MAX_WINDOW_SIZE = 2**31 - 1


class FrameType(IntEnum):
    """Frame types (RFC 9113, section 6)."""

    DATA = 0x0
    HEADERS = 0x1
    PRIORITY = 0x2
    RST_STREAM = 0x3
    SETTINGS = 0x4
    PUSH_PROMISE = 0x5
    PING = 0x6
    GOAWAY = 0x7
    WINDOW_UPDATE = 0x8
    CONTINUATION = 0x9


class Flag:
    """Frame flags; each means something only on the frame types noted."""

    END_STREAM = 0x1  # DATA, HEADERS
    ACK = 0x1  # SETTINGS, PING
    END_HEADERS = 0x4  # HEADERS, CONTINUATION
    PADDED = 0x8  # DATA, HEADERS
    PRIORITY = 0x20  # HEADERS


class Setting(IntEnum):
    """SETTINGS parameters (RFC 9113, 6.5.2)."""

    HEADER_TABLE_SIZE = 0x1
    ENABLE_PUSH = 0x2
    MAX_CONCURRENT_STREAMS = 0x3
    INITIAL_WINDOW_SIZE = 0x4
    MAX_FRAME_SIZE = 0x5
    MAX_HEADER_LIST_SIZE = 0x6


class ErrorCode(IntEnum):
    """Why a stream or connection ends (RFC 9113, section 7)."""

    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    FLOW_CONTROL_ERROR = 0x3
    SETTINGS_TIMEOUT = 0x4
    STREAM_CLOSED = 0x5
    FRAME_SIZE_ERROR = 0x6
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    COMPRESSION_ERROR = 0x9
    CONNECT_ERROR = 0xA
    ENHANCE_YOUR_CALM = 0xB
    INADEQUATE_SECURITY = 0xC
    HTTP_1_1_REQUIRED = 0xD


_HEADER = struct.Struct(">BHBBL")  # length as one high byte and two low bytes, type, flags, stream id
_UINT32 = struct.Struct(">L")
_SETTING = struct.Struct(">HL")


def frame_header(length: int, frame_type: int, flags: int, stream_id: int) -> bytes:
    """The 9 bytes that precede a frame's payload."""
    return _HEADER.pack(length >> 16, length & 0xFFFF, frame_type, flags, stream_id)


def parse_frame_header(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[int, int, int, int]:
    """``(payload length, type, flags, stream id)`` of the frame header at ``offset``."""
    high, low, frame_type, flags, stream_id = _HEADER.unpack_from(data, offset)
    return (high << 16) | low, frame_type, flags, stream_id & 0x7FFF_FFFF


def settings_frame(settings: dict[Setting, int]) -> bytes:
    """A SETTINGS frame announcing ``settings``."""
    payload = b"".join(_SETTING.pack(key, value) for key, value in settings.items())
    return frame_header(len(payload), FrameType.SETTINGS, 0, 0) + payload


def parse_settings(payload: bytes | memoryview) -> list[tuple[int, int]]:
    """The ``(parameter, value)`` pairs of a SETTINGS payload, unknown parameters included."""
    return [_SETTING.unpack_from(payload, offset) for offset in range(0, len(payload) - len(payload) % 6, 6)]


SETTINGS_ACK = frame_header(0, FrameType.SETTINGS, Flag.ACK, 0)


def window_update_frame(stream_id: int, increment: int) -> bytes:
    """Lets the peer send ``increment`` more bytes on ``stream_id`` (0: the whole connection)."""
    return frame_header(4, FrameType.WINDOW_UPDATE, 0, stream_id) + _UINT32.pack(increment)


def rst_stream_frame(stream_id: int, error_code: ErrorCode) -> bytes:
    """Ends one stream, telling the peer why."""
    return frame_header(4, FrameType.RST_STREAM, 0, stream_id) + _UINT32.pack(error_code)


def ping_ack_frame(opaque: bytes | memoryview) -> bytes:
    """The answer to a PING: its 8 bytes, echoed."""
    return frame_header(8, FrameType.PING, Flag.ACK, 0) + bytes(opaque)


def goaway_frame(last_stream_id: int, error_code: ErrorCode) -> bytes:
    """Tells the peer this side is closing the connection."""
    return frame_header(8, FrameType.GOAWAY, 0, 0) + _UINT32.pack(last_stream_id) + _UINT32.pack(error_code)


def read_uint32(data: bytes | memoryview, offset: int = 0) -> int:
    """A big-endian 32-bit number, as the frame payloads carry them."""
    value: int = _UINT32.unpack_from(data, offset)[0]
    return value
