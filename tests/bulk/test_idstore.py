"""The compact id storage of a bulk run: the byte store, the per-outcome logs, the seen set."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pictory_async._idstore import IdLog, IdStore, SeenSet, encode

ids = st.one_of(st.integers(), st.text(max_size=300))


def test_the_id_log_round_trips_every_kind_of_entry() -> None:
    """Ints, strings (empty, surrogates, newlines, control bytes) and other objects come back."""
    thing = object()
    entries: list[object] = [7, 10**300, -5, 0, "p1", "\uff11", "", "\ud800", "a\nb", "\x02x"]
    entries += [thing, True]
    log = IdLog(IdStore())
    for entry in entries:
        log.append(entry)

    assert entries == list(log)
    assert [int, int, int, int, str, str, str, str, str, str, object, bool] == [
        type(entry) for entry in log
    ]
    assert 12 == len(log)


@given(st.lists(ids))
def test_the_store_gives_back_every_id_as_it_was_put(keys: list[int | str]) -> None:
    """Any int or str, one after another in one buffer, comes back by its handle."""
    store = IdStore()
    handles = [store.put(key) for key in keys]

    assert keys == [store.get(handle) for handle in handles]
    assert [encode(key) for key in keys] == [store.encoded(handle) for handle in handles]


def test_an_id_never_matches_a_longer_one_that_starts_the_same() -> None:
    """``holds`` compares the whole id: "ab" is not "abc", 1 is not 256, "5" is not 5."""
    store = IdStore()
    handle = store.put("abc")
    one = store.put(1)

    assert store.holds(handle, encode("abc"))
    assert not store.holds(handle, encode("ab"))
    assert not store.holds(one, encode(256))
    assert not store.holds(store.put("5"), encode(5))


def test_the_seen_set_grows_and_finds_every_repeat() -> None:
    """Thousands of keys, ints and strings alike: each repeat is found, no key is lost."""
    seen = SeenSet(IdStore())
    keys: list[int | str] = [*range(0, 40_000, 1024), *(f"id-{i}" for i in range(3000))]

    assert all(seen.add(k) >= 0 for k in keys)
    assert [-1] * len(keys) == [seen.add(k) for k in keys]
    assert len(keys) == len(seen)


@pytest.mark.parametrize(
    "pair",
    [(5, 5 + 2**61 - 1), (0, 2**61 - 1), (-2, -1), (2**61 - 1, 2 * (2**61 - 1))],
)
def test_ints_with_one_python_hash_are_two_ids(pair: tuple[int, int]) -> None:
    """``hash(5) == hash(5 + 2**61 - 1)``: both are new, and each is found again."""
    assert hash(pair[0]) == hash(pair[1])
    seen = SeenSet(IdStore())

    assert [True, True] == [seen.add(key) >= 0 for key in pair]
    assert [-1, -1] == [seen.add(key) for key in pair]


@pytest.mark.parametrize("hashed", [0, 5, -1, 2**63 - 1, -(2**63)])
def test_a_hash_that_always_collides_never_merges_two_ids(hashed: int) -> None:
    """With every hash equal (all in one slot, one tag), only true repeats are repeats."""
    seen = SeenSet(IdStore(), hasher=lambda blob: hashed)
    keys: list[int | str] = [*range(300), *(f"p{i}" for i in range(300)), "", "0", 2**70]

    assert all(seen.add(key) >= 0 for key in keys)
    assert [-1] * len(keys) == [seen.add(key) for key in keys]
    assert len(keys) == len(seen)


def test_strings_whose_hashes_collide_are_two_ids() -> None:
    """Strings made to share a hash (low bits and tag) stay apart, also across growth."""
    seen = SeenSet(IdStore(), hasher=lambda blob: len(blob) * 2**40)  # same length: same hash
    keys = ["".join(chars) for chars in itertools.product("ab", repeat=10)]

    assert all(seen.add(key) >= 0 for key in keys)
    assert [-1] * len(keys) == [seen.add(key) for key in keys]


@given(st.lists(ids, max_size=200), st.integers(min_value=0, max_value=7))
def test_the_seen_set_agrees_with_a_set(keys: list[int | str], bits: int) -> None:
    """Whatever the hash (here a few bits of it), ``add`` is new exactly when ``set`` says so."""
    seen = SeenSet(IdStore(), hasher=lambda blob: hash(blob) & ((1 << bits) - 1))
    plain: set[tuple[type, int | str]] = set()
    for key in keys:
        new = (type(key), key) not in plain
        plain.add((type(key), key))
        assert new == (seen.add(key) >= 0)


def test_a_handle_from_the_seen_set_is_the_id_in_the_store() -> None:
    """The handle ``add`` returns reads back as the key: a run's logs share the bytes."""
    store = IdStore()
    seen = SeenSet(store)
    handles = [seen.add(key) for key in ("v3-id", 42, "x" * 200)]
    log = IdLog(store)
    for handle, key in zip(handles, ("v3-id", 42, "x" * 200), strict=True):
        log.append(key, handle)
    used = store.nbytes

    assert ["v3-id", 42, "x" * 200] == list(log)
    assert used == store.nbytes  # nothing stored twice


def test_a_table_larger_than_its_tags_hashes_each_id_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past 2**23 slots the kept bits no longer place an id: growing hashes it again."""
    monkeypatch.setattr("pictory_async._idstore._REHASH_ABOVE", 32)
    hashed: list[bytes] = []

    def hasher(blob: bytes) -> int:
        hashed.append(blob)
        return hash(blob)

    seen = SeenSet(IdStore(), hasher=hasher)
    keys = [f"id-{i}" for i in range(500)]

    assert all(seen.add(key) >= 0 for key in keys)
    assert len(hashed) > len(keys)  # ids hashed again as the table grew
    assert [-1] * len(keys) == [seen.add(key) for key in keys]
