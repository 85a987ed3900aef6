"""The bulk engine's accounting, held test by test (see "Mutation testing" in docs/testing.md).

Each test pins one promise of ``BulkRun`` and ``BulkResult`` that a mutant of
``_bulk`` broke while the rest of the suite passed: what an item's result carries,
when a run counts as interrupted, which error is raised where, and what is reported.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from pictory_async import (
    AuthenticationError,
    BulkOperationError,
    BulkResult,
    BulkRun,
    ClientClosedError,
    InvalidInputError,
    ItemResult,
    Outcome,
)
from pictory_async._bulk import dedupe_key
from pictory_async._journal import Journal


@attrs.frozen
class Summary:
    """What ``projects.select()`` yields, as far as the engine reads it."""

    id: int | str
    name: str


async def deleted(item: int | str) -> ItemResult[str]:
    """An operation that deletes at once."""
    await asyncio.sleep(0)
    return ItemResult(item=item, outcome=Outcome.DELETED, value=f"gone {item}")


def unauthorized() -> AuthenticationError:
    """A 401, as the API answers a revoked key."""
    request = httpx.Request("DELETE", "https://api.pictory.ai/pictoryapis/v2/projects/1")
    return AuthenticationError("bad key", response=httpx.Response(401, request=request), body=None)


def journal_lines(path: Path) -> list[dict[str, Any]]:
    """The outcome lines of a journal (its header left out)."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [line for line in lines if "outcome" in line]


async def collect(run: BulkRun[Any]) -> list[ItemResult[Any]]:
    """Every event of a stream, read to its end."""
    async with run:
        return [item async for item in run]


# -- what each item's result carries ----------------------------------------------------


async def test_a_bare_id_has_no_input_and_a_summary_is_its_input() -> None:
    """``input`` is the object an id was read from, and ``None`` for a bare id."""
    summary = Summary(id=7, name="seven")
    events = await collect(BulkRun([5, "p6", summary], deleted, concurrency=2))
    inputs = {event.item: event.input for event in events}
    assert {5: None, "p6": None, 7: summary} == inputs


async def test_an_invalid_id_fails_with_the_object_it_came_from() -> None:
    """A summary whose id is no valid id fails, and its result keeps the summary."""
    bad = Summary(id="a/b", name="slashed")
    events = await collect(BulkRun([bad, 1], deleted, concurrency=1))
    [failed] = [event for event in events if event.outcome is Outcome.FAILED]
    assert ("a/b", bad) == (failed.item, failed.input)


async def test_an_object_whose_id_property_raises_fails_as_itself() -> None:
    """A hostile ``id`` property: the item is refused, and reported as the object given."""

    class Hostile:
        @property
        def id(self) -> str:
            raise RuntimeError("no")

    hostile = Hostile()
    result = await BulkRun([hostile, 1], deleted, concurrency=1).wait()
    failed: list[object] = [item.item for item in result.failed]
    assert [hostile] == failed
    assert [1] == result.deleted


async def test_a_closed_client_cancels_the_item_with_its_error(tmp_path: Path) -> None:
    """``ClientClosedError``: the item is ``cancelled`` (it may have been applied), with why."""

    async def closing(item: int | str) -> ItemResult[str]:
        raise ClientClosedError("closed meanwhile")

    journal = Journal(tmp_path / "run.jsonl", operation="delete")
    run = BulkRun([1, 2], closing, concurrency=1, journal=journal)
    with pytest.raises(ClientClosedError):
        await run.wait()
    assert ([1], [2]) == (run.result.cancelled, run.result.not_started)
    [entry] = journal_lines(tmp_path / "run.jsonl")
    expected = {"id": 1, "outcome": "cancelled", "error": "ClientClosedError: closed meanwhile"}
    assert expected.items() <= entry.items()


async def test_an_item_left_unstarted_by_a_stop_is_named_as_the_input_gave_it() -> None:
    """Items a stop leaves unsent are ``not_started`` under their own ids, ``"5"`` as ``"5"``."""

    async def closing(item: int | str) -> ItemResult[str]:
        raise ClientClosedError("closed meanwhile")

    run = BulkRun([1, "5", "p6", 7], closing, concurrency=1)
    with pytest.raises(ClientClosedError):
        await run.wait()
    assert ["5", "p6", 7] == run.result.not_started


async def test_a_refused_key_fails_the_item_it_was_refused_for() -> None:
    """The 401's item is ``failed`` under its own id, with the error; the run stops."""
    error = unauthorized()

    async def refused(item: int | str) -> ItemResult[str]:
        raise error

    run = BulkRun(["p1"], refused, concurrency=1)
    with pytest.raises(AuthenticationError):
        await run.wait()
    [failed] = run.result.failed
    assert ("p1", error) == (failed.item, failed.error)


async def test_an_operation_that_returns_no_result_stops_the_run_with_the_defect() -> None:
    """A defect in an operation stops the run and is raised by it, never hidden."""

    async def broken(item: int | str) -> ItemResult[str]:
        return None  # type: ignore[return-value]

    run = BulkRun([1, 2], broken, concurrency=1)
    with pytest.raises(AttributeError):
        await run.wait()
    assert isinstance(run.result.error, AttributeError)
    assert [2] == run.result.not_started


# -- when a run is interrupted, and what it waits for -------------------------------------


async def test_leaving_after_the_input_ran_out_with_work_in_flight_is_an_interruption() -> None:
    """Every id read, one still in flight when the reader leaves: interrupted, and cancelled."""
    slow = asyncio.Event()

    async def operation(item: int | str) -> ItemResult[str]:
        if item == 2:
            await slow.wait()
        return await deleted(item)

    async with BulkRun([1, 2], operation, concurrency=2) as run:
        async for event in run:
            assert 1 == event.item
            break
    assert ([1], [2], True) == (run.result.deleted, run.result.cancelled, run.result.interrupted)
    assert not run.result.ok


async def test_leaving_waits_for_the_cancelled_operations_to_end() -> None:
    """When the block is left, every cancelled operation has run its cleanup."""
    cleaned: list[int | str] = []
    started = asyncio.Event()

    async def operation(item: int | str) -> ItemResult[str]:
        try:
            started.set()
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # a cleanup that itself awaits
            cleaned.append(item)
        raise AssertionError("never reached")

    async with BulkRun([1, 2], operation, concurrency=2) as run:
        await started.wait()
    assert [1, 2] == sorted(map(int, cleaned))
    assert [1, 2] == sorted(map(int, run.result.cancelled))


async def test_a_worker_cancelled_from_outside_stops_the_run_and_says_so() -> None:
    """A worker cancelled by someone else: ``CancelledError`` naming it, every item accounted."""
    started = asyncio.Event()

    async def operation(item: int | str) -> ItemResult[str]:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never reached")

    run = BulkRun([1, 2, 3], operation, concurrency=1)
    waiting = asyncio.ensure_future(run.wait())
    await started.wait()
    run._tasks[0].cancel()
    with pytest.raises(asyncio.CancelledError, match=r"^a bulk worker was cancelled$"):
        await waiting
    assert (1, 3) == (len(run.result.cancelled), run.result.total)


async def test_a_long_dry_run_yields_every_so_often_without_sleeping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of ids settled without a request: other tasks see the run progress."""
    delays: list[float] = []
    sleep = asyncio.sleep

    async def spy(delay: float, *args: Any) -> Any:
        delays.append(delay)
        return await sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", spy)
    run = BulkRun(range(5000), deleted, concurrency=1, dry_run=True)
    seen: set[int] = set()

    async def watch() -> None:
        while True:
            seen.add(run.result.total)
            await sleep(0)

    watcher = asyncio.ensure_future(watch())
    await run.wait()
    watcher.cancel()
    assert len({total for total in seen if 0 < total < 5000}) >= 4  # seen mid-way, often
    assert {0} == set(delays)  # a yield, not a wait


# -- errors: where they are raised, and only once -----------------------------------------


async def test_an_error_caught_inside_the_block_is_not_raised_again_on_leaving() -> None:
    """The loop raised the run's error and the caller handled it: leaving is quiet."""

    async def refused(item: int | str) -> ItemResult[str]:
        raise unauthorized()

    async with BulkRun([1, 2], refused, concurrency=1) as run:
        with pytest.raises(AuthenticationError):
            async for _ in run:
                pass
    assert isinstance(run.result.error, AuthenticationError)


async def test_an_error_the_loop_did_not_see_is_raised_on_leaving() -> None:
    """The reader left before the error arrived: leaving the block raises it."""

    async def refused(item: int | str) -> ItemResult[str]:
        raise unauthorized()

    run = BulkRun([1], refused, concurrency=1)

    async def leave_without_reading() -> None:
        async with run:
            await asyncio.sleep(0)
            await asyncio.sleep(0)

    with pytest.raises(AuthenticationError):
        await leave_without_reading()
    assert 1 == run.result.total


async def test_misuse_is_a_clear_runtime_error() -> None:
    """Iterating outside ``async with``, or starting twice: each says what to do."""
    run = BulkRun([1], deleted, concurrency=1)
    with pytest.raises(RuntimeError, match=r"^iterate a bulk run inside 'async with'$"):
        await run.__anext__()
    await run.wait()
    with pytest.raises(RuntimeError, match=r"^a bulk run can only be started once$"):
        await run.wait()


@pytest.mark.parametrize(
    ("items", "concurrency", "message"),
    [
        ("abc", 1, "ids must be an iterable or async iterable of project ids"),
        (5, 1, "ids must be an iterable or async iterable of project ids"),
        ([1], 0, "concurrency must be an int >= 1, got 0"),
        ([1], True, "concurrency must be an int >= 1, got True"),
        ([1], 1.0, "concurrency must be an int >= 1, got 1.0"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(
    items: Any, concurrency: Any, message: str
) -> None:
    """A string or a number as ids, a concurrency that is no positive int: refused, said why."""
    with pytest.raises(InvalidInputError) as info:
        BulkRun(items, deleted, concurrency=concurrency)
    assert message == str(info.value)


# -- the result and how it reports ----------------------------------------------------------


def test_a_new_result_is_ok_and_keeps_values() -> None:
    """A ``BulkResult`` made by hand starts uninterrupted, and keeps values by default."""
    result: BulkResult[str] = BulkResult()
    assert (True, False, "BulkResult(total=0, empty)") == (
        result.ok,
        result.interrupted,
        repr(result),
    )
    result.add(ItemResult(item=1, outcome=Outcome.FETCHED, value="one"))
    assert {1: "one"} == result.values


async def test_skipped_ids_are_ids_even_when_a_dry_run_keeps_summaries() -> None:
    """A dry run over summaries: ``previewed`` keeps them, ``skipped`` and ``ids`` give ids."""
    summaries = [Summary(id=1, name="one"), Summary(id="p2", name="two")]
    result = await BulkRun([*summaries, 1], deleted, concurrency=1, dry_run=True).wait()
    assert summaries == result.previewed
    assert [1, "p2", 1] == result.skipped
    assert [1, "p2", 1] == result.ids(Outcome.SKIPPED)
    assert [1] == result.skipped_because("duplicate")


async def test_the_repr_counts_each_outcome_present() -> None:
    """``repr`` lists the outcomes that occurred, with their counts."""

    async def mixed(item: int | str) -> ItemResult[str]:
        if item == 3:
            raise ValueError("bad")
        return await deleted(item)

    result = await BulkRun([1, 2, 3, 2], mixed, concurrency=1).wait()
    assert "BulkResult(total=4, deleted=2, skipped=1, failed=1)" == repr(result)


async def test_the_failure_message_keeps_the_counts_when_an_error_stopped_the_run() -> None:
    """Counts, the first failure and what stopped the run, in one line."""
    error = unauthorized()

    async def operation(item: int | str) -> ItemResult[str]:
        if item == 1:
            raise ValueError("bad one")
        raise error

    run = BulkRun([1, 2, 3], operation, concurrency=1)
    with pytest.raises(AuthenticationError):
        await run.wait()
    expected = (
        "2 of 3 items failed, 1 not started; first: 1: bad one; "
        f"stopped by AuthenticationError: {error}"
    )
    assert expected == run.result.failure_message()


async def test_raise_for_failures_carries_the_result_and_its_message() -> None:
    """``BulkOperationError`` holds this result, and says what ``failure_message`` says."""

    async def failing(item: int | str) -> ItemResult[str]:
        raise ValueError("bad")

    result = await BulkRun([1], failing, concurrency=1).wait()
    with pytest.raises(BulkOperationError) as info:
        result.raise_for_failures()
    assert result is info.value.result
    assert result.failure_message() == str(info.value)
    assert "1 of 1 items failed; first: 1: bad" == str(info.value)


async def test_a_run_stopped_early_logs_one_warning_with_its_result(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stopped by an error: one warning, ``bulk run stopped early: <the result>``."""

    async def refused(item: int | str) -> ItemResult[str]:
        raise unauthorized()

    run = BulkRun([1, 2], refused, concurrency=1)
    with (
        caplog.at_level(logging.WARNING, logger="pictory_async"),
        pytest.raises(AuthenticationError),
    ):
        await run.wait()
    messages = [r.getMessage() for r in caplog.records if "stopped early" in r.getMessage()]
    assert [f"bulk run stopped early: {run.result!r}"] == messages


async def test_a_cancelled_summary_is_journaled_with_its_name(tmp_path: Path) -> None:
    """An item in flight when the reader leaves: journaled ``cancelled``, with its name."""
    started = asyncio.Event()

    async def hanging(item: int | str) -> ItemResult[str]:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never reached")

    journal = Journal(tmp_path / "run.jsonl", operation="delete")
    async with BulkRun(
        [Summary(id=9, name="nine")], hanging, concurrency=1, journal=journal
    ) as run:
        await started.wait()
    [entry] = journal_lines(tmp_path / "run.jsonl")
    assert ("cancelled", "nine") == (entry["outcome"], entry["name"])
    assert [9] == run.result.cancelled


def _many() -> Iterator[int | str]:
    """Distinct ids of both kinds, each given twice, the copies far apart."""
    distinct: list[int | str] = [*range(3000), *(f"p{n}" for n in range(3000))]
    yield from distinct
    yield from reversed(distinct)


async def test_thousands_of_ids_each_given_twice_are_done_once_each() -> None:
    """Past every growth of the set of seen ids: each id done once, each copy a duplicate."""
    result = await BulkRun(_many(), deleted, concurrency=8).wait()
    assert (12000, 6000, 6000) == (
        result.total,
        len(result.deleted),
        len(result.skipped_because("duplicate")),
    )
    assert len(set(result.deleted)) == 6000


# -- a resume: asking about the ids an earlier run may have applied -----------------------


def unconfirmed_journal(path: Path, *ids: int) -> Journal:
    """A journal whose ``ids`` were in flight when an earlier run stopped."""
    lines = [{"id": i, "outcome": "cancelled", "may_have_been_applied": True} for i in ids]
    path.write_text(
        '{"format": "pictory-async-journal", "version": 1, "operation": "delete"}\n'
        + "".join(json.dumps(line) + "\n" for line in lines)
    )
    return Journal(path, operation="delete")


async def test_an_id_that_cannot_be_confirmed_does_not_stop_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One worker: the first id cannot be told (logged), the next is still asked about."""

    async def confirm(item: int | str) -> bool:
        if item == 1:
            raise RuntimeError("the API could not tell")
        return True

    journal = unconfirmed_journal(tmp_path / "j.jsonl", 1, 2)
    run = BulkRun([], deleted, concurrency=1, journal=journal, confirm=confirm)
    with caplog.at_level(logging.INFO, logger="pictory_async"):
        result = await run.wait()
    assert [2] == result.confirmed_gone
    assert ["could not confirm 1: RuntimeError"] == [
        r.getMessage() for r in caplog.records if "confirm" in r.getMessage()
    ]


async def test_a_journal_that_fails_while_confirming_stops_the_run_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer about an earlier id cannot be journaled: the run stops with that OSError."""

    async def confirm(item: int | str) -> bool:
        return True

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    journal = unconfirmed_journal(tmp_path / "j.jsonl", 1)
    run = BulkRun([5], deleted, concurrency=1, journal=journal, confirm=confirm)
    monkeypatch.setattr(journal, "record", full)
    with pytest.raises(OSError, match="No space left"):
        await run.wait()
    assert isinstance(run.result.error, OSError)
    assert [5] == run.result.not_started


async def test_only_an_item_whose_request_was_sent_may_have_been_applied(tmp_path: Path) -> None:
    """Cancelled in flight: journaled ``may_have_been_applied`` only where ``sent`` says so."""
    started = asyncio.Event()
    waiting = 0

    async def hanging(item: int | str) -> ItemResult[str]:
        nonlocal waiting
        waiting += 1
        if waiting == 2:
            started.set()
        await asyncio.Event().wait()
        raise AssertionError("never reached")

    journal = Journal(tmp_path / "run.jsonl", operation="delete")
    async with BulkRun(
        [1, 2], hanging, concurrency=2, journal=journal, sent=lambda item: item == 1
    ):
        await started.wait()
    applied = {
        line["id"]: line.get("may_have_been_applied", False)
        for line in journal_lines(tmp_path / "run.jsonl")
    }
    assert {1: True, 2: False} == applied


def test_an_id_of_a_str_or_int_subclass_is_deduplicated_by_its_value() -> None:
    """A subclass's own ``__eq__`` and ``__hash__`` play no part: the key is a plain value."""

    class Text(str):
        def __eq__(self, other: object) -> bool:
            return False

        __hash__ = object.__hash__

    class Number(int):
        def __eq__(self, other: object) -> bool:
            return False

        __hash__ = object.__hash__

    keys = [dedupe_key(Text("abc")), dedupe_key(Number(5)), dedupe_key(Text("7"))]
    assert [("abc", str), (5, int), (7, int)] == [(key, type(key)) for key in keys]
