"""HPACK header compression (RFC 7541): the RFC's own examples, round trips, and malformed input.

The byte strings in the Appendix C tests are the RFC's hex dumps, copied as wire facts; every block
of a sequence goes through one decoder, and the dynamic table is compared after each, as the RFC
shows it (newest entry first).
"""

from __future__ import annotations

import contextlib
import random

import pytest

from durabletask.grpc._h2.hpack import (
    STATIC_TABLE,
    HeaderDecoder,
    HpackError,
    decode_integer,
    encode_headers,
    encode_integer,
)
from durabletask.grpc._h2.huffman import (
    CODE_LENGTHS,
    CODES,
    huffman_decode,
    huffman_encode,
    huffman_encoded_length,
)

Headers = list[tuple[str, str]]


def block(hex_dump: str) -> bytes:
    return bytes.fromhex(hex_dump)


# --- C.1: integers ---------------------------------------------------------------------------------


def test_c1_1_ten_fits_in_a_five_bit_prefix() -> None:
    assert encode_integer(10, 5) == bytes([0b01010])
    assert decode_integer(bytes([0b11101010]), 0, 5) == (10, 1)  # the bits above the prefix are ignored


def test_c1_2_1337_spills_into_two_continuation_octets() -> None:
    assert encode_integer(1337, 5) == bytes([0b11111, 0b10011010, 0b00001010])
    assert decode_integer(bytes([0b11111, 0b10011010, 0b00001010]), 0, 5) == (1337, 3)


def test_c1_3_42_on_a_whole_octet() -> None:
    assert encode_integer(42, 8) == bytes([42])
    assert decode_integer(bytes([42]), 0, 8) == (42, 1)


def test_flags_fill_the_bits_above_the_prefix() -> None:
    assert encode_integer(3, 7, 0x80) == b"\x83"
    assert encode_integer(15, 4) == b"\x0f\x00"  # the prefix's maximum itself needs a continuation octet


@pytest.mark.parametrize("prefix_bits", [1, 4, 5, 6, 7, 8])
@pytest.mark.parametrize(
    "value", [0, 1, 14, 15, 16, 30, 31, 62, 63, 126, 127, 128, 255, 256, 4096, 16383, 2**21, 2**30]
)
def test_integers_round_trip(prefix_bits: int, value: int) -> None:
    encoded = b"\xaa" + encode_integer(value, prefix_bits)
    assert decode_integer(encoded, 1, prefix_bits) == (value, len(encoded))


# --- C.2: single field representations -------------------------------------------------------------


def test_c2_1_literal_with_indexing_adds_to_the_dynamic_table() -> None:
    decoder = HeaderDecoder()
    assert decoder.decode(block("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")) == [
        ("custom-key", "custom-header")
    ]
    assert decoder.dynamic_table == (("custom-key", "custom-header"),)
    assert decoder.table_size == 55


def test_c2_2_literal_without_indexing_leaves_the_table_alone() -> None:
    decoder = HeaderDecoder()
    assert decoder.decode(block("040c 2f73 616d 706c 652f 7061 7468")) == [(":path", "/sample/path")]
    assert decoder.dynamic_table == ()
    assert decoder.table_size == 0


def test_c2_3_literal_never_indexed_leaves_the_table_alone() -> None:
    decoder = HeaderDecoder()
    assert decoder.decode(block("1008 7061 7373 776f 7264 0673 6563 7265 74")) == [("password", "secret")]
    assert decoder.dynamic_table == ()
    assert decoder.table_size == 0


def test_c2_4_indexed_static_field() -> None:
    decoder = HeaderDecoder()
    assert decoder.decode(block("82")) == [(":method", "GET")]
    assert decoder.dynamic_table == ()


# --- C.3 to C.6: sequences of blocks on one connection ---------------------------------------------

# Each step: the block, the headers it decodes to, then the dynamic table (newest first) and its size.
Step = tuple[str, Headers, Headers, int]

REQUEST_1: Headers = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]
REQUEST_2: Headers = [*REQUEST_1, ("cache-control", "no-cache")]
REQUEST_3: Headers = [
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/index.html"),
    (":authority", "www.example.com"),
    ("custom-key", "custom-value"),
]
REQUEST_TABLES: list[tuple[Headers, int]] = [
    ([(":authority", "www.example.com")], 57),
    ([("cache-control", "no-cache"), (":authority", "www.example.com")], 110),
    ([("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")], 164),
]

DATE_1 = "Mon, 21 Oct 2013 20:13:21 GMT"
DATE_2 = "Mon, 21 Oct 2013 20:13:22 GMT"
LOCATION = "https://www.example.com"
COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
RESPONSE_1: Headers = [(":status", "302"), ("cache-control", "private"), ("date", DATE_1), ("location", LOCATION)]
RESPONSE_2: Headers = [(":status", "307"), ("cache-control", "private"), ("date", DATE_1), ("location", LOCATION)]
RESPONSE_3: Headers = [
    (":status", "200"),
    ("cache-control", "private"),
    ("date", DATE_2),
    ("location", LOCATION),
    ("content-encoding", "gzip"),
    ("set-cookie", COOKIE),
]
# With a 256-octet table, the second response evicts ":status: 302" and the third evicts four more.
RESPONSE_TABLES: list[tuple[Headers, int]] = [
    ([("location", LOCATION), ("date", DATE_1), ("cache-control", "private"), (":status", "302")], 222),
    ([(":status", "307"), ("location", LOCATION), ("date", DATE_1), ("cache-control", "private")], 222),
    ([("set-cookie", COOKIE), ("content-encoding", "gzip"), ("date", DATE_2)], 215),
]


def steps(blocks: list[str], headers: list[Headers], tables: list[tuple[Headers, int]]) -> list[Step]:
    return [(b, h, t, size) for b, h, (t, size) in zip(blocks, headers, tables, strict=True)]


SEQUENCES: dict[str, tuple[int, list[Step]]] = {
    "C.3 requests without Huffman": (
        4096,
        steps(
            [
                "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
                "8286 84be 5808 6e6f 2d63 6163 6865",
                "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
            ],
            [REQUEST_1, REQUEST_2, REQUEST_3],
            REQUEST_TABLES,
        ),
    ),
    "C.4 requests with Huffman": (
        4096,
        steps(
            [
                "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
                "8286 84be 5886 a8eb 1064 9cbf",
                "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
            ],
            [REQUEST_1, REQUEST_2, REQUEST_3],
            REQUEST_TABLES,
        ),
    ),
    "C.5 responses without Huffman": (
        256,
        steps(
            [
                "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133"
                "2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70"
                "6c65 2e63 6f6d",
                "4803 3330 37c1 c0bf",
                "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d"
                "54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049"
                "5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e"
                "3d31",
            ],
            [RESPONSE_1, RESPONSE_2, RESPONSE_3],
            RESPONSE_TABLES,
        ),
    ),
    "C.6 responses with Huffman": (
        256,
        steps(
            [
                "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
                "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
                "4883 640e ffc1 c0bf",
                "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
                "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
                "9587 3160 65c0 03ed 4ee5 b106 3d50 07",
            ],
            [RESPONSE_1, RESPONSE_2, RESPONSE_3],
            RESPONSE_TABLES,
        ),
    ),
}


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_appendix_c_sequences(name: str) -> None:
    max_table_size, sequence = SEQUENCES[name]
    decoder = HeaderDecoder(max_table_size)
    for hex_dump, headers, table, size in sequence:
        assert decoder.decode(block(hex_dump)) == headers
        assert list(decoder.dynamic_table) == table
        assert decoder.table_size == size
        assert size == sum(len(n) + len(v) + 32 for n, v in table)


def test_decode_accepts_memoryview_and_bytearray() -> None:
    data = block("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")
    assert HeaderDecoder().decode(memoryview(data)) == REQUEST_1
    assert HeaderDecoder().decode(bytearray(data)) == REQUEST_1
    assert HeaderDecoder().decode(b"") == []


# --- the dynamic table: size updates and eviction --------------------------------------------------


def test_size_update_shrinks_the_table_and_may_grow_it_back_to_the_maximum() -> None:
    decoder = HeaderDecoder(4096)
    decoder.decode(block("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
    assert decoder.table_size == 55

    assert decoder.decode(encode_integer(0, 5, 0x20)) == []
    assert (decoder.dynamic_table, decoder.table_size, decoder.table_size_limit) == ((), 0, 0)

    # Two updates in a row at the start of a block are allowed; the fields that follow use the last.
    assert decoder.decode(encode_integer(10, 5, 0x20) + encode_integer(4096, 5, 0x20) + b"\x82") == [(":method", "GET")]
    assert decoder.table_size_limit == decoder.max_table_size == 4096


def test_size_update_evicts_oldest_entries_first() -> None:
    decoder = HeaderDecoder()
    for value in ("a", "b", "c"):
        decoder.decode(b"\x40\x01x\x01" + value.encode())
    assert list(decoder.dynamic_table) == [("x", "c"), ("x", "b"), ("x", "a")]
    decoder.decode(encode_integer(2 * 34, 5, 0x20))
    assert list(decoder.dynamic_table) == [("x", "c"), ("x", "b")]
    assert decoder.table_size == 68


def test_an_entry_larger_than_the_table_empties_it_and_is_not_added() -> None:
    decoder = HeaderDecoder(64)
    decoder.decode(b"\x40\x01x\x01y")
    assert decoder.table_size == 34
    assert decoder.decode(b"\x40\x01x\x28" + b"z" * 40) == [("x", "z" * 40)]
    assert (decoder.dynamic_table, decoder.table_size) == ((), 0)


def test_indexed_names_may_refer_to_dynamic_entries() -> None:
    decoder = HeaderDecoder()
    decoder.decode(b"\x40\x0bgrpc-status\x010")
    # 0x7e = literal with indexing, name index 62 (the newest dynamic entry).
    assert decoder.decode(b"\x7e\x011\xbf\xbe") == [("grpc-status", "1"), ("grpc-status", "0"), ("grpc-status", "1")]


def test_a_repeated_block_decodes_against_the_table_as_it_is_now() -> None:
    """Decoders keep the fields of blocks that left the table alone; a table change must drop them."""
    decoder = HeaderDecoder()
    decoder.decode(b"\x40\x0bgrpc-status\x010")
    newest = b"\xbe"  # indexed field 62: the newest dynamic entry
    first = decoder.decode(newest)
    assert first == [("grpc-status", "0")]
    first.append(("mutated", "by the caller"))
    assert decoder.decode(newest) == [("grpc-status", "0")]

    decoder.decode(b"\x7e\x011")  # adds grpc-status: 1, which becomes entry 62
    assert decoder.decode(newest) == [("grpc-status", "1")]
    # A literal without indexing that names a dynamic entry leaves the table alone, and repeats too.
    assert decoder.decode(b"\x0f\x2f\x012") == [("grpc-status", "2")]
    assert decoder.decode(b"\x0f\x2f\x012") == [("grpc-status", "2")]

    decoder.decode(encode_integer(0, 5, 0x20))  # a size update empties the table
    with pytest.raises(HpackError, match="beyond the table"):
        decoder.decode(newest)


# --- encode_headers --------------------------------------------------------------------------------


def test_static_fields_are_sent_as_one_octet() -> None:
    assert encode_headers([(":method", "POST"), (":scheme", "http"), (":status", "200")]) == b"\x83\x86\x88"


def test_static_names_are_sent_by_index_without_indexing() -> None:
    assert encode_headers([(":path", "/pkg.Svc/Do")]) == b"\x04\x0b/pkg.Svc/Do"
    # content-type is static index 31: past the four-bit prefix, so 15 then 16.
    assert encode_headers([("content-type", "application/grpc")]) == b"\x0f\x10\x10application/grpc"


def test_other_names_are_sent_literally_without_indexing() -> None:
    assert encode_headers([("te", "trailers")]) == b"\x00\x02te\x08trailers"


# Every latin-1 character a value may hold: all but NUL, LF and CR.
EVERY_ALLOWED_OCTET = "".join(chr(octet) for octet in range(256) if octet not in (0, 10, 13))

GRPC_REQUEST: Headers = [
    (":method", "POST"),
    (":scheme", "http"),
    (":path", "/TaskHubSidecarService/StartInstance"),
    (":authority", "localhost:4001"),
    ("content-type", "application/grpc"),
    ("te", "trailers"),
    ("grpc-timeout", "30S"),
    ("user-agent", "durabletask-python/1.0"),
    ("x-empty", ""),
    ("accept", ""),
]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(GRPC_REQUEST, id="grpc-request"),
        pytest.param([("x-latin-1", "caf\xe9 \xa0\xff")], id="latin-1"),
        pytest.param([("x-every-octet", EVERY_ALLOWED_OCTET)], id="octets"),
        pytest.param([("x-long", "v" * 126), ("x-longer", "v" * 127), ("x-huge", "w" * 70_000)], id="long-values"),
        pytest.param([("x-" + "n" * 300, "long name")], id="long-name"),
        pytest.param([("same", "1"), ("same", "2"), ("same", "1")], id="repeats"),
        pytest.param([], id="empty"),
    ],
)
def test_encoded_headers_decode_to_the_same_fields_and_leave_the_table_empty(headers: Headers) -> None:
    decoder = HeaderDecoder()
    assert decoder.decode(encode_headers(headers)) == headers
    assert decoder.dynamic_table == ()


def test_every_static_field_round_trips() -> None:
    assert HeaderDecoder().decode(encode_headers(STATIC_TABLE)) == list(STATIC_TABLE)


@pytest.mark.parametrize("name", ["Content-Type", "", "x y", "caf\xe9", "x:\n"])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="header name"):
        encode_headers([(name, "v")])


@pytest.mark.parametrize("value", ["a\r\nb", "a\nb", "\x00"])
def test_values_with_nul_cr_or_lf_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="NUL, CR and LF"):
        encode_headers([("x-v", value)])


def test_values_beyond_latin_1_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_headers([("x-v", "\u20ac")])


# --- Huffman ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "code", "length"),
    [
        (0, 0x1FF8, 13),
        (ord(" "), 0x14, 6),
        (ord("0"), 0x0, 5),
        (ord("a"), 0x3, 5),
        (ord("t"), 0x9, 5),
        (ord("&"), 0xF8, 8),
        (ord("\n"), 0x3FFFFFFC, 30),
        (198, 0x3FFFE8, 22),
        (220, 0xFFFFFFD, 28),
        (255, 0x3FFFFEE, 26),
        (256, 0x3FFFFFFF, 30),  # EOS
    ],
)
def test_codes_match_rfc_7541_appendix_b(symbol: int, code: int, length: int) -> None:
    assert (CODES[symbol], CODE_LENGTHS[symbol]) == (code, length)


@pytest.mark.parametrize(
    ("text", "coded"),
    [
        (b"www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"),
        (b"no-cache", "a8eb 1064 9cbf"),
        (b"custom-key", "25a8 49e9 5ba9 7d7f"),
        (b"custom-value", "25a8 49e9 5bb8 e8b4 bf"),
        (b"302", "6402"),
        (b"private", "aec3 771a 4b"),
        (b"Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"),
        (b"https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"),
        (b"gzip", "9bd9 ab"),
        (
            COOKIE.encode(),
            "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5"
            "b106 3d50 07",
        ),
    ],
)
def test_huffman_matches_the_rfc_examples(text: bytes, coded: str) -> None:
    assert huffman_encode(text) == block(coded)
    assert huffman_decode(block(coded)) == text
    assert huffman_encoded_length(text) == len(block(coded))


def test_every_octet_round_trips_alone_and_together() -> None:
    for octet in range(256):
        assert huffman_decode(huffman_encode(bytes([octet]))) == bytes([octet])
    everything = bytes(range(256))
    assert huffman_decode(huffman_encode(everything)) == everything
    assert huffman_decode(huffman_encode(everything[::-1])) == everything[::-1]


def test_random_octets_round_trip() -> None:
    rng = random.Random(7541)
    for length in [*range(40), 100, 1000, 10_000]:
        data = rng.randbytes(length)
        encoded = huffman_encode(data)
        assert len(encoded) == huffman_encoded_length(data)
        assert huffman_decode(encoded) == data
        assert huffman_decode(memoryview(encoded)) == data


def test_the_empty_string() -> None:
    assert huffman_encode(b"") == b""
    assert huffman_decode(b"") == b""


@pytest.mark.parametrize(
    ("coded", "problem"),
    [
        (bytes([0b00011_000]), "padding"),  # "a", then three zero bits
        (bytes([0b00011_111, 0xFF]), "padding"),  # "a", then eleven one bits
        (b"\xff", "padding"),  # eight one bits and no symbol
        (b"\xff\xff\xff\xff", "EOS"),  # EOS's 30 ones, then 2 bits of padding
        (bytes([0b00011_111, 0xFF, 0xFF, 0xFF, 0xFF]), "EOS"),  # "a", then EOS
    ],
)
def test_invalid_huffman_strings(coded: bytes, problem: str) -> None:
    with pytest.raises(HpackError, match=problem):
        huffman_decode(coded)


# --- malformed header blocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(b"\xff", "inside an integer", id="integer-missing-continuation"),
        pytest.param(b"\xff\x80", "inside an integer", id="integer-truncated"),
        pytest.param(b"\xff" + b"\x80" * 10 + b"\x01", "too long", id="integer-too-long"),
        pytest.param(b"\x80", "index 0", id="index-zero"),
        pytest.param(b"\xbe", "index 62 is beyond the table", id="index-beyond-static"),
        pytest.param(b"\xff\x80\x01", "index 255 is beyond", id="index-multi-octet-beyond"),
        pytest.param(b"\x7e\x01a", "index 62 is beyond", id="name-index-beyond"),
        pytest.param(b"\x0f\x30\x01a", "index 63 is beyond", id="name-index-beyond-not-indexed"),
        pytest.param(b"\x40\x0acustom", "runs past the end", id="name-past-end"),
        pytest.param(b"\x04\x05/ab", "runs past the end", id="value-past-end"),
        pytest.param(b"\x04\x7f\xff\xff\x01", "runs past the end", id="huge-length-past-end"),
        pytest.param(b"\x04", "where a string should start", id="value-missing"),
        pytest.param(b"\x40\x01x", "where a string should start", id="literal-name-value-missing"),
        pytest.param(b"\x04\x81\x18", "padding", id="huffman-bad-padding"),
        pytest.param(b"\x04\x84\xff\xff\xff\xff", "EOS", id="huffman-eos"),
        pytest.param(encode_integer(4097, 5, 0x20), "exceeds the maximum of 4096", id="size-update-above-max"),
        pytest.param(b"\x82\x20", "must open the block", id="size-update-after-field"),
    ],
)
def test_malformed_blocks_raise_hpack_error(data: bytes, problem: str) -> None:
    with pytest.raises(HpackError, match=problem):
        HeaderDecoder().decode(data)


def test_index_beyond_a_filled_dynamic_table() -> None:
    decoder = HeaderDecoder()
    decoder.decode(b"\x40\x01x\x01y")
    assert decoder.decode(b"\xbe") == [("x", "y")]
    with pytest.raises(HpackError, match=r"index 63 is beyond the table \(61 static \+ 1 dynamic entries\)"):
        decoder.decode(b"\xbf")


def test_size_update_above_a_smaller_maximum() -> None:
    with pytest.raises(HpackError, match="exceeds the maximum of 256"):
        HeaderDecoder(256).decode(encode_integer(257, 5, 0x20))


def test_random_and_mutated_input_only_ever_raises_hpack_error() -> None:
    rng = random.Random(9113)
    valid = [block(hex_dump) for _, sequence in SEQUENCES.values() for hex_dump, _, _, _ in sequence]
    for _ in range(3000):
        if rng.random() < 0.5:
            data = rng.randbytes(rng.randrange(1, 40))
        else:
            mutated = bytearray(rng.choice(valid))
            for _ in range(rng.randrange(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            data = bytes(mutated[: rng.randrange(1, len(mutated) + 1)])
        with contextlib.suppress(HpackError):
            HeaderDecoder(256).decode(data)
