"""The file store: remembered across runs, aged by its age, never a crash on a bad file."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import attrs
import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, ClientFactory

from pictory_async import RateLimitError
from pictory_async._ratestore import FileRateStore, default_directory, scope_of
from pictory_async._ratestore._file import FORMAT
from pictory_async._throttle._learned import FORGET_AFTER, IDLE_HALF_LIFE, Learned

SCOPE = scope_of(BASE_URL, API_KEY)
LEARNED = Learned(rate=40.0, limit=50.0, window=30.0, events=3)


class Wall:
    """A wall clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def store(tmp_path: Path, wall: Wall) -> FileRateStore:
    return FileRateStore(tmp_path / "cache", clock=wall)


async def test_what_a_run_learned_the_next_one_recalls(store: FileRateStore) -> None:
    """Kept, then recalled at once: the same values."""
    await store.keep(SCOPE, LEARNED)

    assert LEARNED == store.recall(SCOPE)


async def test_state_decays_with_its_age(store: FileRateStore, wall: Wall) -> None:
    """Two half-lives later the rate and window are a quarter; after FORGET_AFTER, nothing."""
    await store.keep(SCOPE, LEARNED)

    wall.now += 2 * IDLE_HALF_LIFE
    aged = store.recall(SCOPE)
    wall.now += FORGET_AFTER * IDLE_HALF_LIFE

    assert LEARNED.decayed(2 * IDLE_HALF_LIFE) == aged
    assert aged is not None
    assert pytest.approx(10.0) == aged.rate
    assert store.recall(SCOPE) is None


async def test_nothing_kept_nothing_recalled(store: FileRateStore) -> None:
    """A first run finds no file, and says nothing about it."""
    assert store.recall(SCOPE) is None


def _write(store: FileRateStore, content: bytes) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path(SCOPE).write_bytes(content)


def _good(wall: Wall, **changes: object) -> bytes:
    document = {
        "format": FORMAT,
        "version": 1,
        "scope": SCOPE,
        "saved_at": wall.now,
        "learned": attrs.asdict(LEARNED),
    }
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00\xff garbage", id="corrupt"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"format": "pictory-async rate store", "vers', id="truncated"),
        pytest.param(b'{"cookies": [1, 2, 3]}', id="foreign"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b"null", id="null"),
    ],
)
def test_a_bad_file_is_ignored_with_one_log_line(
    store: FileRateStore, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Corrupt, truncated or foreign: the run learns afresh, one warning, no exception."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    _write(store, content)

    assert store.recall(SCOPE) is None
    assert 1 == len(caplog.records)
    assert "learning the rate afresh" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"version": 99}, id="another-version"),
        pytest.param({"scope": "0" * 32}, id="another-key"),
        pytest.param({"saved_at": "yesterday"}, id="time-not-a-number"),
        pytest.param({"saved_at": float("nan")}, id="time-nan"),
        pytest.param({"learned": {"rate": -1.0}}, id="negative-rate"),
        pytest.param({"learned": {"window": float("inf")}}, id="infinite-window"),
        pytest.param({"learned": {"events": 1.5}}, id="events-not-a-count"),
        pytest.param({"learned": {"rate": 5.0, "password": "x"}}, id="unknown-field"),
        pytest.param({"learned": [1, 2]}, id="learned-not-an-object"),
    ],
)
def test_a_file_with_bad_values_is_ignored(
    store: FileRateStore, wall: Wall, changes: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    """Well-formed JSON with values no run wrote: ignored with one log line."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    _write(store, _good(wall, **changes))

    assert store.recall(SCOPE) is None
    assert 1 == len(caplog.records)


def test_a_file_missing_a_field_is_ignored(store: FileRateStore, wall: Wall) -> None:
    """No time or no values: ignored, no KeyError."""
    for field in ("saved_at", "learned"):
        document = json.loads(_good(wall))
        del document[field]
        _write(store, json.dumps(document).encode())

        assert store.recall(SCOPE) is None


def test_a_file_from_the_future_is_ignored(store: FileRateStore, wall: Wall) -> None:
    """A timestamp far ahead of now (a clock that jumped, a forged file) would never age."""
    _write(store, _good(wall, saved_at=wall.now + 86_400))

    assert store.recall(SCOPE) is None


def test_an_unreadable_file_is_ignored(
    store: FileRateStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A directory where the file should be (unreadable as a file): ignored, one line."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    store.path(SCOPE).mkdir(parents=True)

    assert store.recall(SCOPE) is None
    assert 1 == len(caplog.records)


async def test_a_failed_write_is_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache directory that cannot be made: the run ends normally, one warning."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    (tmp_path / "blocked").write_text("a file, not a directory")
    store = FileRateStore(tmp_path / "blocked" / "cache")

    await store.keep(SCOPE, LEARNED)

    assert 1 == len(caplog.records)


async def test_a_write_leaves_no_temporary_file(store: FileRateStore) -> None:
    """Temp file then rename: only the one file is left."""
    await store.keep(SCOPE, LEARNED)
    await store.keep(SCOPE, LEARNED)

    assert [store.path(SCOPE).name] == [path.name for path in store.directory.iterdir()]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
async def test_the_file_is_the_owners_alone(store: FileRateStore) -> None:
    """The file is 0600 and its directory 0700, whatever the umask lets others read."""
    await store.keep(SCOPE, LEARNED)

    path = store.path(SCOPE)
    assert (0o600, 0o700) == (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777)


_WRITER = """
import asyncio, sys
from pictory_async._ratestore import FileRateStore
from pictory_async._throttle._learned import Learned
store = FileRateStore(sys.argv[1])
async def main():
    for i in range(60):
        await store.keep(sys.argv[2], Learned(rate=float(sys.argv[3]), window=10.0 + i))
asyncio.run(main())
"""


async def test_concurrent_writers_from_several_processes_leave_a_whole_file(
    tmp_path: Path,
) -> None:
    """Four processes writing one key at once: every read finds one whole file of one of them."""
    store = FileRateStore(tmp_path)
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _WRITER, str(tmp_path), SCOPE, str(rate)
        )
        for rate in (1.0, 2.0, 3.0, 4.0)
    ]
    seen: set[float] = set()
    while any(writer.returncode is None for writer in writers):
        learned = store.recall(SCOPE)
        if learned is not None:
            assert learned.rate is not None
            seen.add(learned.rate)
        await asyncio.sleep(0.001)
    for writer in writers:
        assert 0 == await writer.wait()

    final = store.recall(SCOPE)
    assert final is not None
    assert final.rate in {1.0, 2.0, 3.0, 4.0}
    assert seen <= {1.0, 2.0, 3.0, 4.0}
    assert [store.path(SCOPE).name] == [path.name for path in await _listing(tmp_path)]


async def _listing(directory: Path) -> list[Path]:
    return await asyncio.to_thread(lambda: list(directory.iterdir()))


def test_the_default_directory_follows_xdg(tmp_path: Path) -> None:
    """XDG_CACHE_HOME is honoured when absolute, ignored when relative (the XDG spec)."""
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG applies to Linux and other Unix systems")

    assert tmp_path / "pictory-async" == default_directory({"XDG_CACHE_HOME": str(tmp_path)})
    assert Path.home() / ".cache" / "pictory-async" == default_directory(
        {"XDG_CACHE_HOME": "relative/path"}
    )


async def test_a_client_remembers_across_runs(
    make_client: ClientFactory, router: respx.Router, tmp_path: Path
) -> None:
    """A first client learns a rate from a 429; a second one on the same key starts from it."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"})])
    router.get("/ping").mock(side_effect=lambda request: next(answers, httpx.Response(200)))
    store = FileRateStore(tmp_path)
    async with make_client(rate_store=store) as first:
        for _ in range(30):
            await first.get("/ping")
        learned = first._shared.throttle.learned()

    async with make_client(rate_store=store) as second:
        recalled = second._rates.recalled

    assert learned.events >= 1
    assert recalled is not None
    assert learned.rate == recalled.rate
    assert recalled.rate == second.throttle.rate


async def test_a_client_on_another_key_recalls_nothing(
    make_client: ClientFactory, router: respx.Router, tmp_path: Path
) -> None:
    """What one key learned is not another key's."""
    router.get("/ping").mock(return_value=httpx.Response(429, headers={"Retry-After": "0"}))
    store = FileRateStore(tmp_path)
    async with make_client(rate_store=store, max_retries=0) as first:
        with pytest.raises(RateLimitError):
            await first.get("/ping")

    async with make_client(rate_store=store, api_key="pictai_another") as other:
        assert other._rates.recalled is None
