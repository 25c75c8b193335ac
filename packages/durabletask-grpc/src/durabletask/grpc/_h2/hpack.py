"""HPACK, the header compression of HTTP/2 (RFC 7541): a full decoder and a stateless encoder.

A header block is a sequence of field representations. Each one either names an entry of the
*static table* (61 common fields fixed by the RFC) or the *dynamic table* (fields the peer chose to
remember earlier on this connection), or spells the field out as literal strings, optionally adding
it to the dynamic table. Both ends keep identical dynamic tables, so the decoder must be fed every
block the peer sends on one connection, in order, including blocks whose stream it no longer cares
about.

:class:`HeaderDecoder` decodes everything RFC 7541 allows. :func:`encode_headers` never adds to the
dynamic table: it sends a field by static index when the static table has it, and literally
otherwise, which leaves the peer's decoding table empty and this side with no encoder state to keep
in step. A gRPC request's fixed fields (``:method: POST``, ``:scheme``, the ``:path`` name ...) are
mostly static-table hits anyway.

Names and values are ``str``. On the wire they are octets; they are decoded and encoded as latin-1,
which maps every octet to one character and back, so nothing is lost and ``len()`` of a decoded
string is its size in octets, as the dynamic table's accounting needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .huffman import HpackError, huffman_decode

__all__ = [
    "STATIC_TABLE",
    "HeaderDecoder",
    "HpackError",
    "decode_integer",
    "encode_headers",
    "encode_integer",
]

STATIC_TABLE: tuple[tuple[str, str], ...] = (
    (":authority", ""),
    (":method", "GET"),
    (":method", "POST"),
    (":path", "/"),
    (":path", "/index.html"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "200"),
    (":status", "204"),
    (":status", "206"),
    (":status", "304"),
    (":status", "400"),
    (":status", "404"),
    (":status", "500"),
    ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"),
    ("accept-language", ""),
    ("accept-ranges", ""),
    ("accept", ""),
    ("access-control-allow-origin", ""),
    ("age", ""),
    ("allow", ""),
    ("authorization", ""),
    ("cache-control", ""),
    ("content-disposition", ""),
    ("content-encoding", ""),
    ("content-language", ""),
    ("content-length", ""),
    ("content-location", ""),
    ("content-range", ""),
    ("content-type", ""),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("expect", ""),
    ("expires", ""),
    ("from", ""),
    ("host", ""),
    ("if-match", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("if-range", ""),
    ("if-unmodified-since", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("max-forwards", ""),
    ("proxy-authenticate", ""),
    ("proxy-authorization", ""),
    ("range", ""),
    ("referer", ""),
    ("refresh", ""),
    ("retry-after", ""),
    ("server", ""),
    ("set-cookie", ""),
    ("strict-transport-security", ""),
    ("transfer-encoding", ""),
    ("user-agent", ""),
    ("vary", ""),
    ("via", ""),
    ("www-authenticate", ""),
)
"""RFC 7541, Appendix A: the static table. Entry ``i`` here has HPACK index ``i + 1``."""

_STATIC_COUNT = len(STATIC_TABLE)

# RFC 7541, Section 4.1: an entry's size counts 32 octets of overhead besides its name and value.
_ENTRY_OVERHEAD = 32

# The longest integer accepted: a prefix plus five continuation octets (35 bits). Every legitimate
# value (an index, a string length, a table size) is far smaller; the cap stops a peer from making
# the decoder build an unbounded number out of an endless run of continuation octets.
_MAX_INTEGER_SHIFT = 28


# --- integers (RFC 7541, Section 5.1) --------------------------------------------------------------


def encode_integer(value: int, prefix_bits: int, flags: int = 0) -> bytes:
    """Encode ``value`` with an N-bit prefix; ``flags`` fills the first octet's bits above the prefix."""
    if value < 0:
        raise ValueError("HPACK integers are never negative")
    prefix_max = (1 << prefix_bits) - 1
    if value < prefix_max:
        return bytes((flags | value,))
    out = bytearray((flags | prefix_max,))
    value -= prefix_max
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_integer(data: bytes, pos: int, prefix_bits: int) -> tuple[int, int]:
    """Decode the integer whose N-bit prefix is in ``data[pos]``; return it and the position after it."""
    if pos >= len(data):
        raise HpackError("header block ends where an integer should start")
    prefix_max = (1 << prefix_bits) - 1
    value = data[pos] & prefix_max
    if value < prefix_max:
        return value, pos + 1
    return _decode_integer_tail(data, pos + 1, prefix_max)


def _decode_integer_tail(data: bytes, pos: int, value: int) -> tuple[int, int]:
    """Add the continuation octets from ``pos`` on to a prefix that was full (``value``)."""
    end = len(data)
    shift = 0
    while True:
        if pos >= end:
            raise HpackError("header block ends inside an integer")
        octet = data[pos]
        pos += 1
        value += (octet & 0x7F) << shift
        if not octet & 0x80:
            return value, pos
        shift += 7
        if shift > _MAX_INTEGER_SHIFT:
            raise HpackError("integer is too long (more than 35 bits)")


# --- decoding --------------------------------------------------------------------------------------


def _read_string(data: bytes, pos: int) -> tuple[str, int]:
    """Decode the string literal at ``pos`` (RFC 7541, Section 5.2); return it and the position after it."""
    if pos >= len(data):
        raise HpackError("header block ends where a string should start")
    first = data[pos]
    length = first & 0x7F
    pos += 1
    if length == 0x7F:
        length, pos = _decode_integer_tail(data, pos, length)
    stop = pos + length
    if stop > len(data):
        raise HpackError(f"string of {length} octets runs past the end of the header block")
    if first & 0x80:
        return huffman_decode(data[pos:stop]).decode("latin-1"), stop
    return data[pos:stop].decode("latin-1"), stop


_MAX_REPEATS = 32
"""How many blocks a decoder keeps the fields of (see ``HeaderDecoder.decode``)."""
_MAX_REPEAT_SIZE = 256
"""The longest block a decoder keeps the fields of, in octets."""


class HeaderDecoder:
    """Decodes the header blocks of one HTTP/2 connection, keeping its dynamic table.

    ``max_table_size`` is the most the peer may let the dynamic table grow to: the
    SETTINGS_HEADER_TABLE_SIZE this side advertised (4096 octets unless it said otherwise). The
    peer may shrink the table, and grow it back up to that, with dynamic table size updates.

    One decoder per connection, fed every block in the order received. After an :class:`HpackError`
    the table is in an unknown state and the connection must be closed (COMPRESSION_ERROR).
    """

    __slots__ = ("_fields", "_limit", "_max_table_size", "_repeats", "_size")

    def __init__(self, max_table_size: int = 4096) -> None:
        if max_table_size < 0:
            raise ValueError("max_table_size must not be negative")
        # Static and dynamic tables share one index space, so they share one list: slot 0 is a
        # placeholder (index 0 is never valid), slots 1-61 are the static table, and the dynamic
        # table follows newest first. An indexed field, the common case, is then a single lookup.
        self._fields: list[tuple[str, str]] = [("", ""), *STATIC_TABLE]
        self._size = 0
        self._limit = max_table_size
        self._max_table_size = max_table_size
        # A server answers every call with the same few blocks (":status 200", "grpc-status 0"),
        # which, once its table is warm, only refer to it. A block that left the table unchanged
        # decodes the same way until the table changes, so its fields are kept, by its bytes.
        self._repeats: dict[bytes, tuple[tuple[str, str], ...]] = {}

    @property
    def max_table_size(self) -> int:
        """The ceiling the peer's size updates may not exceed, as given at construction."""
        return self._max_table_size

    @property
    def table_size_limit(self) -> int:
        """The dynamic table's current maximum size in octets, as last set by the peer."""
        return self._limit

    @property
    def table_size(self) -> int:
        """The dynamic table's current size in octets (name + value + 32 for each entry)."""
        return self._size

    @property
    def dynamic_table(self) -> tuple[tuple[str, str], ...]:
        """The dynamic table's entries, newest (HPACK index 62) first."""
        return tuple(self._fields[_STATIC_COUNT + 1 :])

    def decode(self, block: bytes | bytearray | memoryview) -> list[tuple[str, str]]:
        """Decode one complete header block (the HEADERS and CONTINUATION payloads joined).

        Returns the fields in order as ``(name, value)`` pairs. Raises :class:`HpackError` for
        anything malformed. Checking the fields against HTTP/2's rules (lowercase names,
        pseudo-headers first ...) is left to the caller.
        """
        data = block if type(block) is bytes else bytes(block)
        repeated = self._repeats.get(data)
        if repeated is not None:
            return list(repeated)
        fields = self._fields
        table_changed = False
        headers: list[tuple[str, str]] = []
        append = headers.append
        end = len(data)
        pos = 0
        while pos < end:
            first = data[pos]
            pos += 1
            if first & 0x80:
                # Indexed field (Section 6.1): most of what a warmed-up peer sends.
                index = first & 0x7F
                if index == 0x7F:
                    index, pos = _decode_integer_tail(data, pos, index)
                if 0 < index < len(fields):
                    append(fields[index])
                    continue
                raise self._bad_index(index)
            if first & 0x40:
                # Literal with incremental indexing (Section 6.2.1).
                index = first & 0x3F
                if index == 0x3F:
                    index, pos = _decode_integer_tail(data, pos, index)
                field, pos = self._read_literal(data, pos, index)
                append(field)
                self._add(field)
                table_changed = True
            elif first & 0x20:
                # Dynamic table size update (Section 6.3).
                if headers:
                    raise HpackError("dynamic table size update after a header field; it must open the block")
                size = first & 0x1F
                if size == 0x1F:
                    size, pos = _decode_integer_tail(data, pos, size)
                if size > self._max_table_size:
                    raise HpackError(
                        f"dynamic table size update to {size} exceeds the maximum of {self._max_table_size}"
                    )
                self._limit = size
                self._evict(size)
                table_changed = True
            else:
                # Literal without indexing (0000) or never indexed (0001) (Sections 6.2.2 and
                # 6.2.3): the same to a decoder; "never" only binds intermediaries that re-encode.
                index = first & 0x0F
                if index == 0x0F:
                    index, pos = _decode_integer_tail(data, pos, index)
                field, pos = self._read_literal(data, pos, index)
                append(field)
        if table_changed:
            self._repeats.clear()
        elif len(data) <= _MAX_REPEAT_SIZE:
            if len(self._repeats) >= _MAX_REPEATS:
                self._repeats.clear()
            self._repeats[data] = tuple(headers)
        return headers

    def _read_literal(self, data: bytes, pos: int, name_index: int) -> tuple[tuple[str, str], int]:
        """Read a literal field's name (by index, or a string when the index is 0) and value."""
        if name_index:
            if name_index >= len(self._fields):
                raise self._bad_index(name_index)
            name = self._fields[name_index][0]
        else:
            name, pos = _read_string(data, pos)
        value, pos = _read_string(data, pos)
        return (name, value), pos

    def _add(self, field: tuple[str, str]) -> None:
        """Insert ``field`` as the newest dynamic entry, evicting the oldest ones to make room."""
        size = len(field[0]) + len(field[1]) + _ENTRY_OVERHEAD
        if size > self._limit:
            # Section 4.4: an entry larger than the whole table empties it and is not added.
            del self._fields[_STATIC_COUNT + 1 :]
            self._size = 0
            return
        self._evict(self._limit - size)
        self._fields.insert(_STATIC_COUNT + 1, field)
        self._size += size

    def _evict(self, target: int) -> None:
        """Drop the oldest dynamic entries until the table's size is at most ``target``."""
        fields = self._fields
        while self._size > target:
            name, value = fields.pop()
            self._size -= len(name) + len(value) + _ENTRY_OVERHEAD

    def _bad_index(self, index: int) -> HpackError:
        if index == 0:
            return HpackError("index 0 is not a valid table index")
        return HpackError(
            f"index {index} is beyond the table ({_STATIC_COUNT} static + "
            f"{len(self._fields) - _STATIC_COUNT - 1} dynamic entries)"
        )


# --- encoding --------------------------------------------------------------------------------------

# Exact static matches, sent as one "indexed field" octet (all static indices are below 127).
_INDEXED_FIELDS: dict[tuple[str, str], bytes] = {
    field: encode_integer(index, 7, 0x80) for index, field in enumerate(STATIC_TABLE, start=1)
}

# For names in the static table, the first octets of "literal without indexing, indexed name"
# (Section 6.2.2), ready to copy. The lowest index wins where a name appears more than once.
_LITERAL_NAME_PREFIXES: dict[str, bytes] = {}
for _index, (_name, _) in enumerate(STATIC_TABLE, start=1):
    _LITERAL_NAME_PREFIXES.setdefault(_name, encode_integer(_index, 4))
del _index, _name

# RFC 9113, Section 8.2.1: a field name is non-empty and has no control characters, spaces,
# uppercase letters or non-ASCII octets. A value may not contain NUL, CR or LF.
_INVALID_NAME_CHARACTER = re.compile(r"[^\x21-\x40\x5b-\x7e]")
_INVALID_VALUE_CHARACTER = re.compile(r"[\x00\r\n]")


def encode_headers(headers: Iterable[tuple[str, str]]) -> bytes:
    """Encode ``(name, value)`` pairs as one header block, without touching the dynamic table.

    A field that is in the static table exactly is sent as its index; any other as a literal
    without indexing, naming it by static index when the static table has the name. Strings are
    sent raw, not Huffman-coded: gRPC headers are short, and this keeps encoding a few dictionary
    lookups and copies.

    Raises :class:`ValueError` (before anything is sent) for a name that is not valid in HTTP/2 -
    names must be lowercase ASCII - or for a value with NUL, CR or LF or a character that latin-1
    cannot encode.
    """
    out = bytearray()
    for name, value in headers:
        indexed = _INDEXED_FIELDS.get((name, value))
        if indexed is not None:
            out += indexed
            continue
        prefix = _LITERAL_NAME_PREFIXES.get(name)
        if prefix is not None:
            out += prefix
        else:
            if not name or _INVALID_NAME_CHARACTER.search(name):
                raise ValueError(f"invalid HTTP/2 header name {name!r}: must be non-empty lowercase ASCII")
            out.append(0)  # literal without indexing, new name
            _put_string(out, name.encode("ascii"))
        if _INVALID_VALUE_CHARACTER.search(value):
            raise ValueError(f"invalid value for header {name!r}: NUL, CR and LF are not allowed")
        _put_string(out, value.encode("latin-1"))
    return bytes(out)


def _put_string(out: bytearray, raw: bytes) -> None:
    """Append ``raw`` as a string literal without Huffman coding (Section 5.2)."""
    length = len(raw)
    if length < 0x7F:
        out.append(length)
    else:
        out += encode_integer(length, 7)
    out += raw
