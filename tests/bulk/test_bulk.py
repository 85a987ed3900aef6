"""Bulk operations against the emulator, in process, on fake time."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pictory_async import (
    AsyncPictory,
    BulkOperationError,
    BulkProgress,
    InvalidInputError,
    InvalidProjectIdError,
    Outcome,
    PermissionDeniedError,
    ProjectSummary,
)
from pictory_async.emulator import Emulator, FakeClock

pytestmark = pytest.mark.pictory_emulator(projects=60, seed=3, page_size=7)


def _own_ids(emulator: Emulator) -> list[int | str]:
    return [record.id for record in emulator.projects()]


def _other_id(emulator: Emulator) -> int | str:
    other = emulator.accounts[1]
    return emulator.projects(other)[0].id


async def test_every_id_accounted_once_with_duplicates_and_failures(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Duplicates are skipped, failures recorded, the rest deleted: each id exactly once."""
    own = _own_ids(pictory_emulator)
    foreign = _other_id(pictory_emulator)
    ids: list[Any] = [*own, own[0], str(own[1]), foreign, 987654321, "bad/id"]

    result = await pictory_client.projects.delete_many(ids, concurrency=8)

    assert len(ids) == result.total
    assert sorted(map(str, own)) == sorted(map(str, result.deleted))
    assert [own[0], str(own[1])] == result.skipped_because("duplicate")
    assert [987654321] == result.already_absent
    failures = {item.item: type(item.error) for item in result.failed}
    assert {foreign: PermissionDeniedError, "bad/id": InvalidProjectIdError} == failures
    assert len(own) == pictory_emulator.stats.deletes_applied
    assert not any(pictory_emulator.has_project(i) for i in own)
    assert pictory_emulator.has_project(foreign)
    with pytest.raises(BulkOperationError, match="2 of 65 items failed"):
        result.raise_for_failures()


async def test_dry_run_sends_no_delete(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A dry run skips every id as ``dry_run`` and the emulator sees no DELETE."""
    own = _own_ids(pictory_emulator)

    result = await pictory_client.projects.delete_many(own, dry_run=True)

    assert own == result.skipped_because("dry_run")
    assert 0 == pictory_emulator.stats.count(method="DELETE")
    assert 0 == pictory_emulator.stats.deletes_applied
    assert result.ok


async def test_missing_ok_false_makes_absent_ids_failures(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """With ``missing_ok=False`` an unknown id is a failure, not ``already_absent``."""
    result = await pictory_client.projects.delete_many([123456789], missing_ok=False)

    assert [] == result.already_absent
    assert [123456789] == [item.item for item in result.failed]


async def test_progress_reports_every_item(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``on_progress`` counts up to the total, with counts by outcome."""
    own = _own_ids(pictory_emulator)[:10]
    seen: list[BulkProgress] = []

    await pictory_client.projects.delete_many(own, concurrency=3, on_progress=seen.append)

    assert list(range(1, 11)) == [progress.done for progress in seen]
    assert {10} == {progress.total for progress in seen}
    assert 10 == seen[-1].counts[Outcome.DELETED]


@pytest.mark.pictory_emulator(projects=60, seed=3, faults={"latency": 0.05})
async def test_breaking_out_of_a_stream_accounts_for_the_rest(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Leaving a stream early: finished stay finished, the others are not_started/cancelled."""
    own = _own_ids(pictory_emulator)

    async with pictory_client.projects.delete_many_stream(own, concurrency=4) as run:
        async for _item in run:
            if run.result.counts[Outcome.DELETED] >= 10:
                break
    result = run.result

    assert len(own) == result.total
    assert result.interrupted
    assert not result.ok
    deleted = set(result.deleted)
    assert len(deleted) >= 10
    for project_id in result.not_started:
        assert pictory_emulator.has_project(project_id)
    for project_id in deleted:
        assert not pictory_emulator.has_project(project_id)
    assert pictory_emulator.stats.deletes_applied >= len(deleted)
    assert pictory_emulator.stats.deletes_applied <= len(deleted) + len(result.cancelled)


@pytest.mark.pictory_emulator(projects=60, seed=3, faults={"latency": 0.05})
async def test_cancelling_delete_many_cancels_and_accounts(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Cancelling ``delete_many`` raises CancelledError; the stream form keeps the result."""
    own = _own_ids(pictory_emulator)
    progress: list[int] = []

    def on_progress(p: BulkProgress) -> None:
        progress.append(p.done)
        if p.done == 15:
            task.cancel()

    task = asyncio.ensure_future(
        pictory_client.projects.delete_many(own, concurrency=4, on_progress=on_progress)
    )
    with pytest.raises(asyncio.CancelledError):
        await task

    assert len(own) == progress[-1]  # the final accounting reported every id
    remaining = sum(pictory_emulator.has_project(i) for i in own)
    assert len(own) - pictory_emulator.stats.deletes_applied == remaining
    assert remaining > 0


async def test_a_crashed_run_resumed_from_its_journal_redoes_nothing(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """After a crash mid-run, the same journal skips what was done: no DELETE is repeated."""
    own = _own_ids(pictory_emulator)
    journal = tmp_path / "deletes.jsonl"

    def crash(progress: BulkProgress) -> None:
        if progress.done == 20:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        await pictory_client.projects.delete_many(
            own, concurrency=4, journal=journal, on_progress=crash
        )
    applied_first = pictory_emulator.stats.deletes_applied
    deletes_first = pictory_emulator.stats.count(method="DELETE")
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    recorded = {entry["id"] for entry in lines if entry.get("outcome") == "deleted"}
    assert applied_first == len(recorded)

    result = await pictory_client.projects.delete_many(own, concurrency=4, journal=journal)

    assert sorted(map(str, recorded)) == sorted(map(str, result.skipped_because("journal")))
    assert len(own) - len(recorded) == len(result.deleted)
    assert [] == result.already_absent  # nothing done before was sent again
    assert len(own) - deletes_first == pictory_emulator.stats.count(method="DELETE") - deletes_first
    assert not any(pictory_emulator.has_project(i) for i in own)


def test_a_journal_of_another_operation_is_refused(tmp_path: Path) -> None:
    """A journal written by another kind of operation is refused, not misread."""
    from pictory_async._journal import Journal

    path = tmp_path / "j.jsonl"
    path.write_text('{"format": "pictory-async-journal", "version": 1, "operation": "x"}\n')

    with pytest.raises(InvalidInputError, match="journal of 'x'"):
        Journal(path, operation="delete").open()


@pytest.mark.pictory_emulator(
    projects=60,
    seed=3,
    faults={"rate_limit": 10, "burst": 10, "retry_after": "seconds", "latency": 0.02},
)
async def test_a_429_pauses_every_worker(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """One shared cool-down: 429s stay few, every delete succeeds, no retry storm."""
    own = _own_ids(pictory_emulator)[:40]

    result = await pictory_client.projects.delete_many(own, concurrency=10)

    assert len(own) == len(result.deleted)
    limited = pictory_emulator.stats.rate_limited
    events = pictory_client.throttle.throttle_events
    assert 1 <= events <= 3
    # Only requests already in flight when a 429 arrived can be refused too.
    assert limited <= events * 10
    assert len(own) + limited == pictory_emulator.stats.count(method="DELETE")


@pytest.mark.pictory_emulator(projects=30, seed=3, faults={"retry_after": "seconds"})
async def test_after_a_429_no_worker_sends_before_the_deadline(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A scripted 429 with Retry-After stops all workers until its deadline has passed."""
    own = _own_ids(pictory_emulator)
    pictory_emulator.fail_next(429, times=1, method="DELETE")
    sent_at: list[float] = []
    throttle = pictory_client._shared.throttle  # the private one: its entry points
    original_ready, original_acquire = throttle.ready, throttle.acquire

    def recording_ready() -> float | None:
        ticket = original_ready()
        if ticket is not None:
            sent_at.append(pictory_clock.time())
        return ticket

    async def recording_acquire() -> float:
        ticket = await original_acquire()
        sent_at.append(pictory_clock.time())
        return ticket

    throttle.ready = recording_ready  # type: ignore[method-assign]
    throttle.acquire = recording_acquire  # type: ignore[method-assign]

    result = await pictory_client.projects.delete_many(own, concurrency=5)

    assert len(own) == len(result.deleted)
    assert 1 == pictory_emulator.stats.rate_limited
    assert any(delay >= 1 for delay in pictory_clock.sleeps)
    pause = max(pictory_clock.sleeps)
    gap = [b - a for a, b in itertools.pairwise(sent_at)]
    assert max(gap) >= pause * 0.99  # one pause for everyone, not one per worker


async def test_select_filters_by_age_source_folder_and_predicate(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``select`` yields exactly the summaries matching every filter."""
    records = pictory_emulator.projects()
    now = pictory_emulator.now
    folder = next(r.folder for r in records if r.folder)
    cutoff = now - timedelta(days=90)

    old = [s async for s in pictory_client.projects.select(older_than=timedelta(days=90), now=now)]
    by_source = [s async for s in pictory_client.projects.select(source=["url", "script"])]
    in_folder = [s async for s in pictory_client.projects.select(folder=folder)]
    picky = [
        s
        async for s in pictory_client.projects.select(
            where=lambda s: isinstance(s.id, int), source="script"
        )
    ]

    assert sorted(str(r.id) for r in records if r.saved < cutoff) == sorted(str(s.id) for s in old)
    assert sorted(str(r.id) for r in records if r.source in ("url", "script")) == sorted(
        str(s.id) for s in by_source
    )
    assert sorted(str(r.id) for r in records if r.folder == folder) == sorted(
        str(s.id) for s in in_folder
    )
    assert sorted(
        str(r.id) for r in records if isinstance(r.id, int) and r.source == "script"
    ) == sorted(str(s.id) for s in picky)
    assert all(isinstance(s, ProjectSummary) for s in old)


async def test_select_feeds_delete_many_without_materialising(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``delete_many(select(...))`` deletes what matches and leaves the rest."""
    records = pictory_emulator.projects()
    expected = {str(r.id) for r in records if r.source == "url"}

    result = await pictory_client.projects.delete_many(pictory_client.projects.select(source="url"))

    assert expected == {str(i) for i in result.deleted}
    assert None is result.expected_total  # a stream has no length
    left = {str(r.id) for r in pictory_emulator.projects()}
    assert expected.isdisjoint(left)
    assert len(records) - len(expected) == len(left)


async def test_select_rejects_bad_filters(pictory_client: AsyncPictory) -> None:
    """Invalid filters raise ``InvalidInputError`` before any request."""
    with pytest.raises(InvalidInputError):
        async for _ in pictory_client.projects.select(older_than=timedelta(days=-1)):
            pass


async def test_get_many_fetches_and_reports_absent(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``get_many`` maps ids to projects; unknown ids are ``already_absent``."""
    own = _own_ids(pictory_emulator)[:12]

    result = await pictory_client.projects.get_many([*own, 55555555], concurrency=5)

    assert set(map(str, own)) == {str(i) for i in result.values}
    assert [55555555] == result.already_absent
    assert {str(i) for i in own} == {str(p.id) for p in result.fetched}
    names = {str(r.id): r.name for r in pictory_emulator.projects()}
    assert all(names[str(p.id)] == p.project_name for p in result.fetched)


@pytest.mark.parametrize("bad", ["abc", b"abc", 5, None])
async def test_bulk_rejects_non_iterables(pictory_client: AsyncPictory, bad: Any) -> None:
    """A string, bytes or a non-iterable is refused up front."""
    with pytest.raises(InvalidInputError):
        await pictory_client.projects.delete_many(bad)


async def test_bulk_rejects_bad_concurrency(pictory_client: AsyncPictory) -> None:
    """``concurrency`` must be a positive int."""
    with pytest.raises(InvalidInputError):
        await pictory_client.projects.delete_many([1], concurrency=0)


async def test_concurrency_above_the_pool_is_capped(
    pictory_client: AsyncPictory, caplog: pytest.LogCaptureFixture
) -> None:
    """Asking for more workers than connections warns and uses the pool size."""
    run = pictory_client.projects.delete_many_stream([1], concurrency=10_000)
    async with run:
        async for _ in run:
            pass
    assert "above the pool's max_connections" in caplog.text
