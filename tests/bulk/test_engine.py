"""The bulk engine on its own, with fake operations: edge cases of the accounting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from pictory_async import AuthenticationError, BulkRun, InvalidProjectIdError, ItemResult, Outcome
from pictory_async._bulk import as_project_id, dedupe_key
from pictory_async._failures import make_status_error
from pictory_async._journal import Journal


async def ok(item: int | str) -> ItemResult[str]:
    await asyncio.sleep(0)
    return ItemResult(item=item, outcome=Outcome.DELETED, value=f"done {item}")


class Boom(BaseException):
    """A BaseException that is not KeyboardInterrupt (asyncio treats that one apart)."""


def test_dedupe_key_treats_decimal_strings_as_ints() -> None:
    """``"5"`` and ``5`` are one project; ``"05"`` and ``"abc"`` stay strings."""
    assert (5, "05", "abc", 0) == (
        dedupe_key("5"),
        dedupe_key("05"),
        dedupe_key("abc"),
        dedupe_key("0"),
    )


def test_as_project_id_reads_ids_from_objects() -> None:
    """Summaries and projects give their ``id``; anything else is passed on to be refused."""

    class WithId:
        id = 42

    class Nothing:
        pass

    thing: object = Nothing()
    assert [42, "a", thing] == [as_project_id(WithId()), as_project_id("a"), as_project_id(thing)]


async def test_an_object_without_an_id_fails_alone() -> None:
    """An item that is no id fails with ``InvalidProjectIdError``; the others go on."""
    result = await BulkRun([1, object(), 2], ok, concurrency=2).wait()
    assert [1, 2] == sorted(map(int, result.deleted))
    assert [InvalidProjectIdError] == [type(item.error) for item in result.failed]


async def test_a_large_sync_input_is_read_lazily_and_completely() -> None:
    """Thousands of ids from a generator all end in one outcome each."""
    result = await BulkRun((i for i in range(3000)), ok, concurrency=7).wait()
    assert (3000, 3000) == (result.total, len(result.deleted))
    assert "done 5" == result.values[5]


async def test_iterating_outside_async_with_is_an_error() -> None:
    """A run is iterated inside ``async with``."""
    run = BulkRun([1], ok, concurrency=1)
    with pytest.raises(RuntimeError, match="async with"):
        await run.__anext__()


async def test_a_run_starts_once() -> None:
    """Waiting on a run twice is refused."""
    run = BulkRun([1], ok, concurrency=1)
    await run.wait()
    with pytest.raises(RuntimeError, match="only be started once"):
        await run.wait()


async def test_an_error_in_a_progress_callback_ends_the_stream_with_it() -> None:
    """The stream raises the callback's error; every id is still accounted for."""

    def explode(progress: object) -> None:
        raise ValueError("callback broke")

    run = BulkRun(list(range(20)), ok, concurrency=2, on_progress=explode)

    async def consume() -> None:
        async with run:
            async for _ in run:
                pass

    with pytest.raises(ValueError, match="callback broke"):
        await consume()
    assert 20 == run.result.total
    assert run.result.interrupted


async def test_an_input_that_fails_stops_the_run_and_keeps_what_was_read() -> None:
    """An exception from the input is raised; ids read before it are accounted."""

    def ids() -> Iterator[int]:
        yield from range(5)
        raise OSError("disk gone")

    run = BulkRun(ids(), ok, concurrency=2)
    with pytest.raises(OSError, match="disk gone"):
        await run.wait()
    assert 5 == run.result.total
    assert run.result.interrupted


async def test_an_async_input_that_fails_stops_the_run() -> None:
    """The same for an async iterable."""

    async def ids() -> AsyncIterator[int]:
        for i in range(3):
            yield i
        raise OSError("listing failed")

    run = BulkRun(ids(), ok, concurrency=2)
    with pytest.raises(OSError, match="listing failed"):
        await run.wait()
    assert 3 == run.result.total


async def test_a_base_exception_in_an_operation_stops_the_run() -> None:
    """A BaseException in a worker stops everything; its item counts as cancelled."""

    async def op(item: int | str) -> ItemResult[str]:
        if item == 3:
            raise Boom
        return await ok(item)

    run = BulkRun(list(range(10)), op, concurrency=1)
    with pytest.raises(Boom):
        await run.wait()
    assert 10 == run.result.total
    assert [3] == run.result.cancelled


async def test_the_journal_records_outcomes_and_skips_torn_lines(tmp_path: Path) -> None:
    """Failures carry their error; a torn or foreign line is ignored on reload."""
    path = tmp_path / "j.jsonl"

    async def op(item: int | str) -> ItemResult[str]:
        if item == 2:
            raise RuntimeError("nope")
        return await ok(item)

    result = await BulkRun(
        [1, 2, 1], op, concurrency=1, journal=Journal(path, operation="delete")
    ).wait()
    assert [1] == result.skipped_because("duplicate")
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    failed = [{k: e[k] for k in ("id", "outcome", "error")} for e in entries if "error" in e]
    assert [{"id": 2, "outcome": "failed", "error": "RuntimeError: nope"}] == failed
    with path.open("a") as file:
        file.write('[1, 2]\n{"id": 7, "outcome": "dele')  # a foreign line, then a torn one
    journal = Journal(path, operation="delete")
    journal.open(write=False)
    assert frozenset({1}) == journal.done
    journal.close()  # nothing was opened for writing: nothing to close


async def test_a_dry_run_writes_no_journal(tmp_path: Path) -> None:
    """A dry run reads the journal but never writes it."""
    path = tmp_path / "j.jsonl"
    await BulkRun(
        [1, 2], ok, concurrency=1, dry_run=True, journal=Journal(path, operation="d")
    ).wait()
    assert not path.exists()


async def test_stopping_a_run_over_an_endless_stream_does_not_drain_it() -> None:
    """An endless generator is never drained: leaving early returns at once."""
    import itertools

    run = BulkRun(itertools.count(1), ok, concurrency=3)
    async with run:
        async for item in run:
            if item.item == 50:
                break
    assert run.result.interrupted
    assert 50 <= run.result.total < 60  # what was read, not the endless rest


async def test_stopping_an_async_input_reads_no_further_than_the_workers() -> None:
    """With an async input, a stop reports the in-flight ids as cancelled and reads no more."""
    gate = asyncio.Event()
    read: list[int] = []

    async def slow(item: int | str) -> ItemResult[str]:
        await gate.wait()
        return await ok(item)

    async def ids() -> AsyncIterator[int]:
        for i in range(100):
            read.append(i)
            yield i

    run = BulkRun(ids(), slow, concurrency=2)
    async with run:
        for _ in range(20):
            await asyncio.sleep(0)
    assert [0, 1] == sorted(map(int, run.result.cancelled))
    assert [0, 1] == read
    assert 2 == run.result.total


async def test_a_long_dry_run_yields_to_the_event_loop() -> None:
    """A dry run over thousands of ids lets other tasks run meanwhile."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    result = await BulkRun(range(5000), ok, concurrency=1, dry_run=True).wait()
    task.cancel()

    assert 5000 == len(result.previewed)
    assert ticks >= 4


async def test_an_operation_that_outlives_its_cancellation_is_counted_once() -> None:
    """An operation that swallows the cancel and returns stays ``cancelled``, not twice."""
    gate = asyncio.Event()

    async def stubborn(item: int | str) -> ItemResult[str]:
        try:
            await gate.wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0)
        return ItemResult(item=item, outcome=Outcome.DELETED)

    run = BulkRun([1, 2, 3], stubborn, concurrency=2)
    async with run:
        await asyncio.sleep(0)

    assert (3, [1, 2], [3]) == (run.result.total, run.result.cancelled, run.result.not_started)


async def test_names_come_from_summaries_and_projects(tmp_path: Path) -> None:
    """A journal line names the project when the input was a summary or a project."""
    from pictory_async import Project, ProjectSummary

    class Bare:
        id = "p3"

    path = tmp_path / "j.jsonl"
    items = [ProjectSummary(id="p1", name="One"), Project(id="p2", project_name="Two"), Bare()]
    await BulkRun(items, ok, concurrency=1, journal=Journal(path, operation="delete")).wait()

    entries = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert [("p1", "One"), ("p2", "Two"), ("p3", None)] == [
        (e["id"], e.get("name")) for e in entries
    ]


async def test_a_failed_final_flush_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the journal cannot be flushed at the end, the run says so (OSError)."""
    import errno

    import pictory_async._journal as journal_module

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(journal_module, "FSYNC_EVERY", 0.0)
    monkeypatch.setattr("pictory_async._journal.os.fsync", failing)
    run = BulkRun([1, 2], ok, concurrency=1, journal=Journal(tmp_path / "j", operation="d"))

    with pytest.raises(OSError, match="cannot flush the journal"):
        await run.wait()
    assert 2 == run.result.total


def test_an_os_error_without_errno_still_names_the_journal(tmp_path: Path) -> None:
    """A bare OSError from the file system keeps its type and gains the journal's path."""
    from pictory_async._journal import _clear

    error = _clear(PermissionError("denied"), "read", tmp_path / "j")

    assert PermissionError is type(error)
    assert "cannot read the journal" in str(error)


def test_an_unreadable_journal_is_an_os_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal that exists but cannot be read raises the OSError, naming the journal."""
    path = tmp_path / "j.jsonl"
    path.write_text('{"format": "pictory-async-journal", "version": 1, "operation": "d"}\n')

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(PermissionError, match="cannot read the journal"):
        Journal(path, operation="d").open(write=False)


async def test_hostile_input_objects_fail_alone(tmp_path: Path) -> None:
    """An object whose ``id`` or ``name`` raises is one failed item, or a line without name."""

    class NoId:
        @property
        def id(self) -> str:
            raise RuntimeError("no id")

    class NoName:
        id = "p2"

        @property
        def name(self) -> str:
            raise RuntimeError("no name")

    path = tmp_path / "j.jsonl"
    result = await BulkRun(
        [NoId(), NoName(), 3], ok, concurrency=1, journal=Journal(path, operation="d")
    ).wait()

    assert ["p2", 3] == result.deleted
    assert [InvalidProjectIdError] == [type(item.error) for item in result.failed]
    entries = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert [None, None, None] == [e.get("name") for e in entries]


async def test_a_defect_in_the_engine_stops_the_run_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the bookkeeping itself raise, the run stops with that error; it never hangs."""
    run = BulkRun([1, 2, 3], ok, concurrency=2)

    def broken(result: ItemResult[str], handle: int | None = None) -> None:
        raise LookupError("bookkeeping broke")

    monkeypatch.setattr(run, "_record", broken)
    with pytest.raises(LookupError, match="bookkeeping broke"):
        await asyncio.wait_for(run.wait(), 5)


@pytest.mark.parametrize(
    "ids",
    [
        [5, 5 + 2**61 - 1],  # the same Python hash
        [5 + 2**61 - 1, 5, "5"],  # "5" is 5: a true duplicate after the first two
        [2**61 - 1, 0, 2 * (2**61 - 1)],  # all hash to 0
        [-1 + 2**61, -2 + 2**61, 2**62 - 2],
    ],
)
async def test_ids_whose_hashes_collide_are_each_sent(ids: list[int | str]) -> None:
    """Two ids with one Python hash are two ids: each is sent, only a true repeat is skipped."""
    sent: list[int | str] = []

    async def record(item: int | str) -> ItemResult[str]:
        sent.append(item)
        return await ok(item)

    result = await BulkRun(ids, record, concurrency=1).wait()

    expected = sorted({dedupe_key(i) for i in ids})
    assert expected == sorted(sent)
    assert expected == sorted(result.deleted)
    assert len(ids) - len(expected) == len(result.skipped_because("duplicate"))


def _failure(method: str, status: int, *, applied: bool) -> Exception:
    request = httpx.Request(method, "https://api.example/pictoryapis/v2/projects/1")
    error = make_status_error(httpx.Response(status, request=request, json={}))
    error.may_have_been_applied = applied
    return error


async def test_what_was_in_flight_when_a_run_stopped_is_journaled_as_maybe_applied(
    tmp_path: Path,
) -> None:
    """Stopped with requests in flight: each gets a ``cancelled`` line before the stop ends."""
    path = tmp_path / "j.jsonl"
    started: list[int | str] = []
    both = asyncio.Event()

    async def hang(item: int | str) -> ItemResult[str]:
        started.append(item)
        if len(started) == 2:
            both.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    run = BulkRun([1, 2, 3], hang, concurrency=2, journal=Journal(path, operation="delete"))
    async with run:
        await both.wait()

    entries = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert [
        {"id": 1, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": 2, "outcome": "cancelled", "may_have_been_applied": True},
    ] == [{k: e[k] for k in ("id", "outcome", "may_have_been_applied")} for e in entries]
    assert [3] == run.result.not_started  # never sent: no line


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_failure("DELETE", 503, applied=True), True),
        (_failure("DELETE", 503, applied=False), None),
        (_failure("GET", 503, applied=True), None),  # a read changes nothing
        (RuntimeError("no request at all"), None),
    ],
    ids=["delete-maybe", "delete-not-sent", "get-maybe", "not-an-api-error"],
)
async def test_a_failure_that_may_have_been_applied_says_so_in_the_journal(
    tmp_path: Path, error: Exception, expected: bool | None
) -> None:
    """A failed request that may have reached the API (a DELETE, not a GET) is unconfirmed."""
    path = tmp_path / "j.jsonl"

    async def fail(item: int | str) -> ItemResult[str]:
        raise error

    await BulkRun([1], fail, concurrency=1, journal=Journal(path, operation="delete")).wait()

    [entry] = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert ("failed", expected) == (entry["outcome"], entry.get("may_have_been_applied"))
    journal = Journal(path, operation="delete")
    journal.open(write=False)
    assert (expected is True) == journal.is_unconfirmed(1)


def _unconfirmed_journal(path: Path, *ids: int) -> Journal:
    lines = [{"id": i, "outcome": "cancelled", "may_have_been_applied": True} for i in ids]
    path.write_text(
        '{"format": "pictory-async-journal", "version": 1, "operation": "delete"}\n'
        + "".join(json.dumps(line) + "\n" for line in lines)
    )
    return Journal(path, operation="delete")


async def test_every_unconfirmed_id_is_asked_about_before_the_input_is_read(
    tmp_path: Path,
) -> None:
    """All workers wait until each unconfirmed id is settled; only then is the input read."""
    events: list[str] = []

    async def confirm(item: int | str) -> bool:
        events.append(f"confirm {item}")
        await asyncio.sleep(0)
        if item == 3:
            raise RuntimeError("the API could not tell")
        return item == 1

    def source() -> Iterator[int]:
        for i in (1, 2, 4):
            events.append(f"read {i}")
            yield i

    async def record(item: int | str) -> ItemResult[str]:
        events.append(f"send {item}")
        return await ok(item)

    journal = _unconfirmed_journal(tmp_path / "j.jsonl", 1, 2, 3)
    result = await BulkRun(source(), record, concurrency=4, journal=journal, confirm=confirm).wait()

    assert ["confirm 1", "confirm 2", "confirm 3"] == sorted(events[:3])
    assert "read 1" == events[3]
    assert [1] == result.confirmed_gone
    assert [1] == result.skipped_because("journal")
    assert ["send 2", "send 4"] == sorted(e for e in events if e.startswith("send"))
    reloaded = Journal(tmp_path / "j.jsonl", operation="delete")
    reloaded.open(write=False)
    assert frozenset({3}) == reloaded.unconfirmed  # could not be told, and not in the input
    assert frozenset({1, 2, 4}) == reloaded.done


async def test_a_refused_key_while_confirming_stops_the_run_before_the_input(
    tmp_path: Path,
) -> None:
    """A 401 while asking about an earlier run's ids stops the run: nothing is sent."""

    async def confirm(item: int | str) -> bool:
        raise _failure("GET", 401, applied=False)

    async def never(item: int | str) -> ItemResult[str]:
        raise AssertionError("nothing may be sent")

    journal = _unconfirmed_journal(tmp_path / "j.jsonl", 1, 2)
    run = BulkRun([5, 6], never, concurrency=2, journal=journal, confirm=confirm)
    with pytest.raises(AuthenticationError):
        await run.wait()

    assert [5, 6] == run.result.not_started
    assert [] == run.result.confirmed_gone
    assert frozenset({1, 2}) == journal.unconfirmed


async def test_a_run_cancelled_while_confirming_accounts_for_its_input(tmp_path: Path) -> None:
    """Cancelled while asking about an earlier run's ids: the input is not started, nothing lost."""
    asked = asyncio.Event()

    async def confirm(item: int | str) -> bool:
        asked.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    journal = _unconfirmed_journal(tmp_path / "j.jsonl", 1)
    run = BulkRun([7, 8], ok, concurrency=3, journal=journal, confirm=confirm)
    task = asyncio.ensure_future(run.wait())
    await asked.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert [7, 8] == run.result.not_started
    reloaded = Journal(tmp_path / "j.jsonl", operation="delete")
    reloaded.open(write=False)
    assert frozenset({1}) == reloaded.unconfirmed
