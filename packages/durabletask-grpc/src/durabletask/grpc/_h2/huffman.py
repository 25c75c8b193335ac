"""The Huffman code HPACK uses for header strings (RFC 7541, Appendix B).

HPACK's code is *canonical*: within each bit length, codes are consecutive binary numbers handed out
in symbol order, and each longer length continues from where the shorter one stopped. So the whole
table is fixed by one fact per symbol, its code length, and that is all this module stores: the
symbols grouped by length, from RFC 7541, Appendix B. The codes themselves are rebuilt at import and
checked against the RFC in the tests.

Decoding walks a small state machine four bits at a time. Each state is a node of the code tree
(the bits read since the last complete symbol); each entry says where the next nibble leads and
which symbol, if any, it completed. A nibble completes at most one symbol because the shortest code
is five bits long, so the loop does two list lookups per input byte and nothing quadratic.
"""

from __future__ import annotations

__all__ = ["CODES", "CODE_LENGTHS", "HpackError", "huffman_decode", "huffman_encode", "huffman_encoded_length"]


class HpackError(Exception):
    """A header block (or a Huffman string inside one) breaks RFC 7541.

    In HTTP/2 this is a connection error of type COMPRESSION_ERROR: once a block fails to decode,
    the two ends' dynamic tables can no longer be trusted to agree.
    """


# Symbols 0-255 are byte values; 256 is EOS, which a valid string never contains.
_EOS = 256

# Every byte value by the length of its code in bits (RFC 7541, Appendix B). EOS, the 257th symbol,
# is the last 30-bit code; it is added below rather than written here because it is not a byte.
_BYTES_BY_CODE_LENGTH: dict[int, bytes] = {
    5: b"012aceiost",
    6: b" %-./3456789=A_bdfghlmnpru",
    7: b":BCDEFGHIJKLMNOPQRSTUVWYjkqvwxyz",
    8: b"&*,;XZ",
    10: b'!"()?',
    11: b"'+|",
    12: b"#>",
    13: b"\x00$@[]~",
    14: b"^}",
    15: b"<`{",
    19: b"\\\xc3\xd0",
    20: b"\x80\x82\x83\xa2\xb8\xc2\xe0\xe2",
    21: b"\x99\xa1\xa7\xac\xb0\xb1\xb3\xd1\xd8\xd9\xe3\xe5\xe6",
    22: b"\x81\x84\x85\x86\x88\x92\x9a\x9c\xa0\xa3\xa4\xa9\xaa\xad\xb2\xb5\xb9\xba\xbb\xbd\xbe\xc4\xc6\xe4\xe8\xe9",
    23: b"\x01\x87\x89\x8a\x8b\x8c\x8d\x8f\x93\x95\x96\x97\x98\x9b\x9d\x9e\xa5\xa6\xa8\xae\xaf\xb4\xb6\xb7\xbc\xbf"
    b"\xc5\xe7\xef",
    24: b"\t\x8e\x90\x91\x94\x9f\xab\xce\xd7\xe1\xec\xed",
    25: b"\xc7\xcf\xea\xeb",
    26: b"\xc0\xc1\xc8\xc9\xca\xcd\xd2\xd5\xda\xdb\xee\xf0\xf2\xf3\xff",
    27: b"\xcb\xcc\xd3\xd4\xd6\xdd\xde\xdf\xf1\xf4\xf5\xf6\xf7\xf8\xfa\xfb\xfc\xfd\xfe",
    28: b"\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    b"\x7f\xdc\xf9",
    30: b"\n\r\x16",
}


def _canonical_codes() -> tuple[list[int], list[int]]:
    """Rebuild every symbol's (code, bit length) from the lengths alone, indexed by symbol."""
    codes = [0] * (_EOS + 1)
    lengths = [0] * (_EOS + 1)
    code = 0
    previous_length = 0
    for length in sorted(_BYTES_BY_CODE_LENGTH):
        symbols = list(_BYTES_BY_CODE_LENGTH[length])
        if length == 30:
            symbols.append(_EOS)
        code <<= length - previous_length
        previous_length = length
        for symbol in symbols:
            codes[symbol] = code
            lengths[symbol] = length
            code += 1
    # A complete prefix code uses up the code space exactly; anything else means a typo above.
    if code != 1 << previous_length or 0 in lengths:
        raise AssertionError("the HPACK Huffman table is incomplete")
    return codes, lengths


CODES, CODE_LENGTHS = _canonical_codes()
"""Each symbol's code and its length in bits, indexed by symbol (0-255 are bytes, 256 is EOS)."""

# The codes of the bytes as strings of "0"s and "1"s: joining them and parsing the result as one
# base-2 integer is the fastest pure-Python way to pack codes of uneven length into octets.
_BIT_STRINGS: tuple[str, ...] = tuple(
    format(code, f"0{length}b") for code, length in zip(CODES[:_EOS], CODE_LENGTHS[:_EOS], strict=True)
)


def _decoding_machine() -> tuple[list[tuple[int, int]], list[bool]]:
    """Build the nibble-at-a-time decoder: its transition table and which states may end a string.

    Transitions are indexed by ``state + nibble``, where a state is its tree node's number times 16,
    so the hot loop needs no multiplication. Each entry is (next state, symbol completed or -1).
    """
    # The code tree: internal nodes numbered from 0 (the root); a child is a node number, or
    # ~symbol (always negative) for a leaf.
    children: list[list[int]] = [[0, 0]]
    # Bits read since the last symbol, for each node: how many, and whether all were ones.
    # Those bits are what a string ending at that node leaves as padding.
    depth = [0]
    all_ones = [True]
    for symbol in range(_EOS + 1):
        code, length = CODES[symbol], CODE_LENGTHS[symbol]
        node = 0
        for position in range(length - 1, 0, -1):
            bit = (code >> position) & 1
            if children[node][bit] == 0:
                children.append([0, 0])
                depth.append(depth[node] + 1)
                all_ones.append(all_ones[node] and bit == 1)
                children[node][bit] = len(children) - 1
            node = children[node][bit]
        children[node][code & 1] = ~symbol

    transitions: list[tuple[int, int]] = []
    for start in range(len(children)):
        for nibble in range(16):
            node = start
            completed = -1
            for shift in (3, 2, 1, 0):
                child = children[node][(nibble >> shift) & 1]
                if child < 0:
                    completed = ~child
                    node = 0
                else:
                    node = child
            transitions.append((node * 16, completed))
    # RFC 7541, Section 5.2: padding is at most seven bits and all ones (a prefix of EOS).
    may_end = [node == 0 or (all_ones[node] and depth[node] <= 7) for node in range(len(children))]
    return transitions, may_end


_TRANSITIONS, _MAY_END = _decoding_machine()


def huffman_decode(data: bytes | bytearray | memoryview) -> bytes:
    """Decode one Huffman-coded HPACK string.

    Raises :class:`HpackError` if the string contains EOS, or ends in padding that is longer than
    seven bits or not all ones (RFC 7541, Section 5.2).
    """
    transitions = _TRANSITIONS
    out = bytearray()
    append = out.append
    state = 0
    try:
        for byte in data:
            state, symbol = transitions[state + (byte >> 4)]
            if symbol >= 0:
                append(symbol)
            state, symbol = transitions[state + (byte & 0x0F)]
            if symbol >= 0:
                append(symbol)
    except ValueError:
        # Only EOS (256) is out of a byte's range, so letting bytearray reject it keeps a check out
        # of the loop.
        raise HpackError("Huffman string contains the EOS symbol") from None
    if not _MAY_END[state >> 4]:
        raise HpackError("Huffman string ends in invalid padding (more than 7 bits, or not all ones)")
    return bytes(out)


def huffman_encode(data: bytes | bytearray | memoryview) -> bytes:
    """Huffman-code ``data``, padding the last octet with the most significant bits of EOS (ones)."""
    bits = "".join([_BIT_STRINGS[byte] for byte in data])
    if not bits:
        return b""
    padding = -len(bits) % 8
    return int(bits + "1" * padding, 2).to_bytes((len(bits) + padding) // 8, "big")


def huffman_encoded_length(data: bytes | bytearray | memoryview) -> int:
    """How many octets :func:`huffman_encode` would produce for ``data``, without encoding it."""
    lengths = CODE_LENGTHS
    return (sum([lengths[byte] for byte in data]) + 7) // 8
