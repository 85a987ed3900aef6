"""The exact edges of the id store: header lengths, the last handle a table slot can hold."""

from __future__ import annotations

import pytest

from pictory_async import _idstore
from pictory_async._idstore import IdStore, SeenSet, encode

# an id's header is a varint of (length << 1 | is_int): one byte up to 63 bytes of id,
# two up to 8191, three beyond; 64 bytes make a first header byte of exactly 0x80
LENGTHS = [0, 1, 63, 64, 65, 127, 128, 8191, 8192, 8193, 70_000]


@pytest.mark.parametrize("length", LENGTHS)
def test_a_string_id_of_any_length_comes_back_whole(length: int) -> None:
    """Around each header length (64: first header byte 0x80), a str id reads back as put."""
    store = IdStore()
    keys: list[int | str] = ["before", "s" * length, "after"]
    handles = [store.put(key) for key in keys]
    assert keys == [store.get(handle) for handle in handles]


@pytest.mark.parametrize("length", LENGTHS[1:])
def test_an_int_id_of_any_length_comes_back_whole(length: int) -> None:
    """An int whose bytes make each header length reads back as put, sign and all."""
    keys: list[int | str] = [-(256 ** (length - 1)) * 3 // 4, 256 ** (length - 1) // 2]
    store = IdStore()
    handles = [store.put(key) for key in keys]
    assert [(key, encode(key)) for key in keys] == [
        (store.get(handle), store.encoded(handle)) for handle in handles
    ]


def test_a_long_id_is_found_again_and_not_taken_for_a_longer_one() -> None:
    """A 64-byte id is seen once; the same bytes plus one more are another id."""
    seen = SeenSet(IdStore())
    assert (True, -1, True) == (
        seen.add("s" * 64) >= 0,
        seen.add("s" * 64),
        seen.add("s" * 65) >= 0,
    )


class _HugeBuffer(bytearray):
    """A buffer that claims ``length`` bytes: the store at the edge of a slot's 40 bits."""

    length = 0

    def __len__(self) -> int:
        return self.length


def _seen_holding(held: int) -> SeenSet:
    store = IdStore()
    buffer = _HugeBuffer()
    buffer.length = held
    store._buffer = buffer
    return SeenSet(store)


def test_the_last_handle_a_slot_holds_is_taken() -> None:
    """A store of 2**40 - 1 bytes takes one more id: its handle fits a slot's 40 bits."""
    assert _idstore._OFFSET_MASK - 1 == _seen_holding(_idstore._OFFSET_MASK - 1).add("p1")


def test_a_handle_that_a_slot_cannot_hold_is_refused() -> None:
    """The next handle would spill into the hash bits: a MemoryError, never a wrong slot."""
    seen = _seen_holding(_idstore._OFFSET_MASK)
    with pytest.raises(MemoryError, match=r"^too many ids for one run$"):
        seen.add("p1")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (0, b"\x03\x00"),
        (127, b"\x03\x7f"),
        (128, b"\x05\x00\x80"),
        (-127, b"\x03\x81"),
        (-129, b"\x05\xff\x7f"),
        (255, b"\x05\x00\xff"),
        ("p1", b"\x04p1"),
    ],
)
def test_an_id_is_encoded_in_a_few_bytes(key: int | str, expected: bytes) -> None:
    """A header, then an int's signed big-endian bytes (its bits and a sign bit) or UTF-8."""
    assert expected == encode(key)


def test_the_seen_sets_table_is_the_smallest_at_most_two_thirds_full() -> None:
    """After each id the table has the fewest slots (16, 32, ...) that keep it <= 2/3 full."""
    seen = SeenSet(IdStore())
    expected, actual = [], []
    for count in range(1, 3000):
        seen.add(count)
        size = 16
        while count * 3 > (size - 1) * 2:
            size *= 2
        expected.append(size)
        actual.append(len(seen._slots))
    assert expected == actual
