"""Runs that stop early: a bad key, a closed client, a reader that leaves.

Also the reporting of what was never sent (invalid, duplicate, unstarted), dry runs,
what a result keeps, and ``select()``'s filters.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from pictory_async import (
    AsyncPictory,
    AuthenticationError,
    BulkOperationError,
    BulkProgress,
    BulkResult,
    BulkRun,
    ClientClosedError,
    InvalidInputError,
    InvalidProjectIdError,
    ItemResult,
    Outcome,
    PermissionDeniedError,
    ProjectSummary,
)
from pictory_async._bulk import dedupe_key
from pictory_async.emulator import Emulator, FakeClock

pytestmark = pytest.mark.pictory_emulator(projects=40, seed=6)


async def _drain(run: BulkRun[Any]) -> None:
    """Read a bulk stream to its end."""
    async with run:
        async for _ in run:
            pass


async def _first(run: BulkRun[Any]) -> None:
    """Read one item of a bulk stream, then leave it."""
    async with run:
        async for _ in run:
            break


def _ids(emulator: Emulator) -> list[int | str]:
    return [record.id for record in emulator.projects()]


async def test_a_bad_key_stops_the_run_at_the_first_401(
    pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A wrong key: a handful of requests, not one per id; AuthenticationError is raised."""
    ids = _ids(pictory_emulator)
    async with (
        httpx.AsyncClient(transport=pictory_emulator.transport()) as http,
        AsyncPictory(
            api_key="pictai_wrong-key",
            base_url=pictory_emulator.base_url,
            http_client=http,
            sleep=pictory_clock.sleep,
            clock=pictory_clock.time,
        ) as client,
    ):
        run = client.projects.delete_many_stream(ids, concurrency=4)
        with pytest.raises(AuthenticationError):
            await _drain(run)
        with pytest.raises(AuthenticationError):
            await client.projects.delete_many(ids, concurrency=4)

    result = run.result
    assert len(ids) == result.total
    assert isinstance(result.error, AuthenticationError)
    assert 1 <= len(result.failed) <= 4
    assert {AuthenticationError} == {type(item.error) for item in result.failed}
    assert len(ids) - len(result.failed) - len(result.cancelled) == len(result.not_started)
    assert 8 >= pictory_emulator.stats.count(method="DELETE")
    assert len(ids) == len(pictory_emulator.projects())
    with pytest.raises(BulkOperationError, match="stopped by AuthenticationError"):
        result.raise_for_failures()


async def test_a_403_stays_one_failed_project(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A project of another account fails alone; the run goes on."""
    own = _ids(pictory_emulator)
    foreign = pictory_emulator.projects(pictory_emulator.accounts[1])[0].id

    result = await pictory_client.projects.delete_many([foreign, *own], concurrency=1)

    assert [PermissionDeniedError] == [type(item.error) for item in result.failed]
    assert len(own) == len(result.deleted)
    assert None is result.error


async def test_closing_the_client_stops_the_run(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``aclose()`` during a run: no failures, the item refused is cancelled, the rest unstarted."""
    ids = _ids(pictory_emulator)
    closing: list[asyncio.Task[None]] = []

    def on_progress(progress: BulkProgress) -> None:
        if progress.done == 10 and not closing:
            closing.append(asyncio.ensure_future(pictory_client.aclose()))

    run = pictory_client.projects.delete_many_stream(ids, concurrency=3, on_progress=on_progress)
    with pytest.raises(ClientClosedError):
        await _drain(run)
    await asyncio.gather(*closing)

    result = run.result
    assert len(ids) == result.total
    assert [] == result.failed
    assert result.cancelled
    assert result.not_started
    gone = {str(i) for i in ids if not pictory_emulator.has_project(i)}
    deleted = {str(i) for i in result.deleted}
    assert deleted <= gone <= deleted | {str(i) for i in result.cancelled}
    assert all(pictory_emulator.has_project(i) for i in result.not_started)


async def test_delete_many_on_a_closed_client_raises_and_sends_nothing(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A run started after ``aclose()`` stops at once with ClientClosedError."""
    await pictory_client.aclose()

    with pytest.raises(ClientClosedError):
        await pictory_client.projects.delete_many(_ids(pictory_emulator), concurrency=2)

    assert 0 == pictory_emulator.stats.count(method="DELETE")


@pytest.mark.pictory_emulator(projects=2, seed=6, faults={"latency": 0.05})
async def test_stopping_a_list_run_early_reports_the_rest_truthfully(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """The unread rest: a repeat of a deleted id is a duplicate, a bad id failed, not unstarted."""
    a, b = _ids(pictory_emulator)

    async with pictory_client.projects.delete_many_stream(
        [a, b, a, str(a), "../x", b"raw", "fresh"], concurrency=1
    ) as run:
        async for _item in run:
            break
    result = run.result

    assert [a] == result.deleted
    assert [a, str(a)] == result.skipped_because("duplicate")
    assert [InvalidProjectIdError, InvalidProjectIdError] == [
        type(item.error) for item in result.failed
    ]
    assert [b, "fresh"] == result.cancelled + result.not_started
    assert 7 == result.total


async def test_non_ascii_digits_do_not_dedupe_with_ascii_ones(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Fullwidth, Arabic-Indic and Devanagari digits are ids of their own."""
    ids = ["\uff11\uff12", "12", "\u0661\u0662", "\u0967\u0968", 12]

    result = await pictory_client.projects.delete_many(ids, concurrency=1)

    assert [12] == result.skipped_because("duplicate")
    assert ids[:4] == result.already_absent
    assert ("\uff11\uff12", 12, "\u0661\u0662", "012") == (
        dedupe_key("\uff11\uff12"),
        dedupe_key("12"),
        dedupe_key("\u0661\u0662"),
        dedupe_key("012"),
    )


async def test_a_dry_run_keeps_the_summaries_it_was_given(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``previewed`` holds each summary (name, saved date): no second listing needed."""
    old = pictory_client.projects.select(older_than=timedelta(days=30), now=pictory_emulator.now)

    preview = await pictory_client.projects.delete_many(old, dry_run=True)

    assert preview.previewed
    assert all(isinstance(s, ProjectSummary) for s in preview.previewed)
    assert [s.id for s in preview.previewed] == preview.skipped_because("dry_run")
    assert all(s.saved_date is not None for s in preview.previewed)
    ids = await pictory_client.projects.delete_many([1, 2, 2], dry_run=True)
    assert [1, 2] == ids.previewed


async def test_delete_many_keeps_no_result_per_id(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """The result of a delete keeps ids only; the stream still yields each DeleteResult."""
    ids = _ids(pictory_emulator)

    result = await pictory_client.projects.delete_many(ids[:5])
    async with pictory_client.projects.delete_many_stream(ids[5:8]) as run:
        values = [item.value async for item in run]

    assert {} == result.values
    assert 5 == len(result.deleted)
    assert {} == run.result.values
    assert [True, True, True] == [v is not None and v.success for v in values]


async def test_a_skip_reason_of_its_own_is_kept() -> None:
    """A result records any skip reason an operation gives, beside the built-in ones."""
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item=1, outcome=Outcome.SKIPPED, reason="archived"))
    result.add(ItemResult(item=2, outcome=Outcome.SKIPPED, reason="archived"))
    result.add(ItemResult(item=3, outcome=Outcome.SKIPPED, reason="duplicate"))

    assert [1, 2] == result.skipped_because("archived")
    assert [] == result.skipped_because("nothing")
    assert [1, 2, 3] == result.skipped


def test_the_failure_message_says_what_stopped_the_run() -> None:
    """Counts of failed, cancelled and unstarted items, the first failure, the stop reason."""
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item="p1", outcome=Outcome.FAILED, error=RuntimeError("boom")))
    result.add(ItemResult(item="p2", outcome=Outcome.CANCELLED))
    result.add(ItemResult(item="p3", outcome=Outcome.NOT_STARTED))
    result.interrupted = True

    interrupted = result.failure_message()
    result.error = OSError("disk full")

    assert (
        "1 of 3 items failed, 1 cancelled, 1 not started; first: 'p1': boom; "
        + ("the run was stopped early")
        == interrupted
    )
    assert result.failure_message().endswith("; stopped by OSError: disk full")
    assert result.failure_message() == str(BulkOperationError(result))


async def test_a_worker_cancelled_from_inside_stops_the_run() -> None:
    """An operation that raises CancelledError on its own stops the run; nothing is lost."""

    async def op(item: int | str) -> ItemResult[str]:
        if item == 2:
            raise asyncio.CancelledError
        await asyncio.sleep(0)
        return ItemResult(item=item, outcome=Outcome.DELETED)

    run = BulkRun(list(range(6)), op, concurrency=1)
    with pytest.raises(asyncio.CancelledError):
        await run.wait()

    assert [0, 1] == run.result.deleted
    assert [2] == run.result.cancelled
    assert [3, 4, 5] == run.result.not_started


async def test_a_stream_error_is_raised_on_leaving_the_block() -> None:
    """An error the loop never saw (the reader broke out first) is raised by the block."""

    def explode(progress: BulkProgress) -> None:
        if progress.done == 3:
            raise ValueError("callback broke")

    async def op(item: int | str) -> ItemResult[str]:
        await asyncio.sleep(0)
        return ItemResult(item=item, outcome=Outcome.DELETED)

    run = BulkRun(list(range(10)), op, concurrency=1, on_progress=explode)
    with pytest.raises(ValueError, match="callback broke"):
        await _first(run)
    assert 10 == run.result.total


PAGE = {
    "items": [
        {"id": "undated", "source": "url"},
        {"id": "future", "source": "url", "savedDate": "2999-01-01T00:00:00Z"},
        {"id": "old", "source": "script", "savedDate": "2001-01-01T00:00:00Z"},
        {"id": "nosource", "savedDate": "2001-01-01T00:00:00Z"},
    ],
    "pageKey": None,
}


async def test_select_honours_zero_and_empty_filters() -> None:
    """``older_than=timedelta(0)`` skips undated and future projects; ``source=[]`` matches none."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=PAGE))
    async with (
        httpx.AsyncClient(transport=transport) as http,
        AsyncPictory(api_key="pictai_k", http_client=http) as client,
    ):
        select = client.projects.select
        zero = [s.id async for s in select(older_than=timedelta(0))]
        tiny = [s.id async for s in select(older_than=timedelta(microseconds=1))]
        none = [s.id async for s in select(source=[])]
        no_set = [s.id async for s in select(source=set(), where=None)]
        falsy = [s.id async for s in select(where=lambda s: False)]
        empty_name = [s.id async for s in select(source="")]
        urls = [s.id async for s in select(source=("url",), older_than=timedelta(0))]
        every = [s.id async for s in select()]

    assert ["old", "nosource"] == zero
    assert ["old", "nosource"] == tiny
    assert ([], [], [], [], []) == (none, no_set, falsy, empty_name, urls)
    assert ["undated", "future", "old", "nosource"] == every


@pytest.mark.parametrize(
    "options",
    [
        {"source": [1]},
        {"now": datetime(2026, 1, 1)},
        {"now": "2026-01-01"},
        {"where": "yes"},
        {"older_than": 5},
    ],
)
async def test_select_rejects_bad_filters(
    pictory_client: AsyncPictory, options: dict[str, Any]
) -> None:
    """Filters of the wrong type are refused before any request."""
    with pytest.raises(InvalidInputError):
        async for _ in pictory_client.projects.select(**options):
            pass


async def test_id_subclasses_dedupe_by_value_whatever_their_hash() -> None:
    """A str or int subclass with a hostile ``__hash__``/``__eq__`` dedupes by its value."""

    class Sly(str):
        def __hash__(self) -> int:
            raise RuntimeError("no hash")

        def __eq__(self, other: object) -> bool:
            return True

    class Count(int):
        def __hash__(self) -> int:
            raise RuntimeError("no hash")

    async def op(item: int | str) -> ItemResult[str]:
        await asyncio.sleep(0)
        return ItemResult(item=item, outcome=Outcome.DELETED)

    result = await BulkRun([Sly("a"), "a", Sly("b"), Count(7), 7], op, concurrency=2).wait()

    assert ["7", "a", "b"] == sorted(map(str, result.deleted))
    assert ["a", "7"] == [str(i) for i in result.skipped_because("duplicate")]


@pytest.mark.pictory_emulator(projects=40, seed=6, transport="socket")
async def test_closing_the_default_transport_mid_run_misreports_nothing(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Over aiohttp and loopback: requests cut by ``aclose()`` are cancelled, never failed."""
    ids = _ids(pictory_emulator)
    closing: list[asyncio.Task[None]] = []

    def on_progress(progress: BulkProgress) -> None:
        if progress.done == 10 and not closing:
            closing.append(asyncio.ensure_future(pictory_client.aclose()))

    run = pictory_client.projects.delete_many_stream(ids, concurrency=8, on_progress=on_progress)
    with pytest.raises(ClientClosedError):
        await _drain(run)
    await asyncio.gather(*closing)

    result = run.result
    assert len(ids) == result.total
    assert [] == result.failed
    gone = {str(i) for i in ids if not pictory_emulator.has_project(i)}
    deleted = {str(i) for i in result.deleted}
    assert deleted <= gone <= deleted | {str(i) for i in result.cancelled}


async def test_get_many_on_a_closed_client_raises(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``get_many`` stops the same way as ``delete_many`` when the client is closed."""
    await pictory_client.aclose()

    run = pictory_client.projects.get_many_stream(_ids(pictory_emulator)[:5], concurrency=2)
    with pytest.raises(ClientClosedError):
        await _drain(run)

    assert 5 == run.result.total
    assert [] == run.result.failed
    assert 0 == pictory_emulator.stats.count(method="GET")
