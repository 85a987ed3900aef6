"""Ids kept compactly for a bulk run: a few bytes each, and no Python object each.

A run over a million ids must not keep a million Python objects, nor take two ids for
one. Three small parts:

- ``IdStore``: ids encoded as bytes in one append-only buffer; an id's offset in it is
  its handle.
- ``IdLog``: a sequence of ids (a run keeps one per outcome), as handles into a store.
- ``SeenSet``: the ids seen so far, to find duplicates: an open-addressing table of
  handles, indexed by a hash of each id's bytes. Where the hashes match, the stored bytes
  are compared with the id's own, so two different ids are never taken for one: a
  collision costs a comparison, never a skipped id. Each id is stored once, and the
  run's logs refer to the same bytes.

An id is encoded as a varint header (its length and whether it is an int) and then its
bytes: a str as UTF-8 (lone surrogates kept), an int as signed big-endian bytes. So
``5`` and ``"5"`` are different ids here; the engine passes each id's canonical form
(``dedupe_key``) to ``SeenSet``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["IdLog", "IdStore", "SeenSet", "encode"]

_SINGLE = [bytes((value,)) for value in range(0x80)]  # one-byte headers, prebuilt
_OFFSET_BITS = 40  # a handle (plus one) in the low bits of a table slot: stores < 1 TiB
_OFFSET_MASK = (1 << _OFFSET_BITS) - 1
_TAG_MASK = (1 << (63 - _OFFSET_BITS)) - 1  # the hash's low 23 bits, above the handle
_REHASH_ABOVE = _TAG_MASK + 1  # a larger table needs more of the hash than a slot keeps


def encode(key: int | str) -> bytes:
    """The bytes ``key`` is stored and compared as (subclasses as their plain value)."""
    if isinstance(key, int):
        payload = int.to_bytes(key, (int.bit_length(key) + 8) // 8, "big", signed=True)
        value = len(payload) << 1 | 1
    else:
        payload = str.encode(key, "utf-8", "surrogatepass")
        value = len(payload) << 1
    if value < 0x80:
        return _SINGLE[value] + payload
    header = bytearray()
    while value >= 0x80:
        header.append(value & 0x7F | 0x80)
        value >>= 7
    header.append(value)
    return bytes(header) + payload


class IdStore:
    """Ids as bytes in one append-only buffer; ``put`` returns the handle to ``get`` one."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return len(self._buffer)

    def put(self, key: int | str) -> int:
        """Store ``key``; its handle."""
        return self.put_encoded(encode(key))

    def put_encoded(self, blob: bytes) -> int:
        """Store an id already encoded with ``encode``; its handle."""
        handle = len(self._buffer)
        self._buffer += blob
        return handle

    def _span(self, handle: int) -> tuple[int, int, bool]:
        """Where the id at ``handle`` starts and ends, and whether it is an int."""
        buffer = self._buffer
        position, value, shift = handle, 0, 0
        while True:
            byte = buffer[position]
            position += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        return position, position + (value >> 1), bool(value & 1)

    def get(self, handle: int) -> int | str:
        """The id stored at ``handle``."""
        start, end, is_int = self._span(handle)
        payload = bytes(self._buffer[start:end])
        if is_int:
            return int.from_bytes(payload, "big", signed=True)
        return payload.decode("utf-8", "surrogatepass")

    def encoded(self, handle: int) -> bytes:
        """The encoded bytes of the id at ``handle`` (header included)."""
        return bytes(self._buffer[handle : self._span(handle)[1]])

    def holds(self, handle: int, blob: bytes) -> bool:
        """Whether the id at ``handle`` is exactly the one ``blob`` encodes.

        The header is prefix-free and carries the length, so equal bytes from ``handle``
        on mean an equal id, never a longer one that starts the same.
        """
        return self._buffer[handle : handle + len(blob)] == blob


class IdLog:
    """A sequence of ids, as handles into an ``IdStore`` (8 bytes each).

    Ints and strings go to the store (an id the store already holds, as the same kind,
    can be appended by its handle); anything else (an input that is no id, a summary a
    dry run keeps) is kept as the object itself.
    """

    __slots__ = ("_handles", "_objects", "_store")

    def __init__(self, store: IdStore) -> None:
        self._store = store
        self._handles = array("q")
        self._objects: list[object] = []

    def __len__(self) -> int:
        return len(self._handles)

    def append(self, entry: object, handle: int | None = None) -> None:
        """Append ``entry``; ``handle``: where the store already holds it."""
        if handle is None:
            if isinstance(entry, (int, str)) and not isinstance(entry, bool):
                handle = self._store.put(entry)
            else:
                self._objects.append(entry)
                handle = -len(self._objects)
        self._handles.append(handle)

    def __iter__(self) -> Iterator[Any]:
        store, objects = self._store, self._objects
        for handle in self._handles:
            yield objects[-handle - 1] if handle < 0 else store.get(handle)


class SeenSet:
    """The ids seen so far, each stored once in an ``IdStore``: exact, and compact.

    A table of 8-byte slots, each holding a handle and the low 23 bits of the id's hash;
    at most two thirds full, so 12-24 bytes of table per id, plus the id's bytes in the
    store (which the run's logs share). A lookup compares the stored bytes wherever the
    hash bits match: a hash collision (``5`` and ``5 + 2**61 - 1`` have the same Python
    hash) costs a comparison and never merges two ids. The bits kept are also where an
    id goes in a table of up to 2**23 slots, so growing it hashes nothing again.

    Args:
        store: Where the ids' bytes go.
        hasher: Hashes an id's encoded bytes (a seam for tests; any function is exact).
    """

    __slots__ = ("_hash", "_mask", "_slots", "_store", "_used")

    def __init__(self, store: IdStore, *, hasher: Callable[[bytes], int] = hash) -> None:
        self._store = store
        self._hash = hasher
        self._slots = array("q", [0]) * 16
        self._mask = 15
        self._used = 0

    def __len__(self) -> int:
        return self._used

    def add(self, key: int | str) -> int:
        """Add ``key``; its new handle in the store, or ``-1`` when it was seen before."""
        blob = encode(key)
        hashed = self._hash(blob)
        tag = hashed & _TAG_MASK
        slots, mask, buffer = self._slots, self._mask, self._store._buffer
        slot = hashed & mask
        while entry := slots[slot]:
            if entry >> _OFFSET_BITS == tag:
                start = (entry & _OFFSET_MASK) - 1
                if buffer[start : start + len(blob)] == blob:  # IdStore.holds, inlined
                    return -1
            slot = (slot + 1) & mask
        handle = len(buffer)
        if handle >= _OFFSET_MASK:  # pragma: no cover - a terabyte of ids
            raise MemoryError("too many ids for one run")
        buffer += blob
        slots[slot] = tag << _OFFSET_BITS | (handle + 1)
        self._used += 1
        if self._used * 3 > mask * 2:
            self._grow()
        return handle

    def _grow(self) -> None:
        size = (self._mask + 1) * 2
        mask, slots = size - 1, array("q", [0]) * size
        store, hasher = self._store, self._hash
        for entry in self._slots:
            if entry:
                if size <= _REHASH_ABOVE:
                    slot = (entry >> _OFFSET_BITS) & mask  # the tag is the hash's low bits
                else:  # over 5 million ids: hash each id again
                    slot = hasher(store.encoded((entry & _OFFSET_MASK) - 1)) & mask
                while slots[slot]:
                    slot = (slot + 1) & mask
                slots[slot] = entry
        self._slots, self._mask = slots, mask
