"""``create_many`` against the emulator over loopback: the acceptance run of issue 24.

The emulator counts every job it made (``jobs_created()``), including those whose
answer it dropped, so these tests check the client's report against what was really
made: one video per row at most, every row accounted for in every run, and each
answer lost reported as such and never sent again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from pictory_async import AsyncPictory, InvalidInputError, Outcome
from pictory_async._bulk.minutes import estimate_minutes
from pictory_async._bulk.result import BulkProgress, BulkResult
from pictory_async._bulk.video_items import VideoItems
from pictory_async._bulk.videos import CreatedVideo
from pictory_async._payload import video_body
from pictory_async._video_rows import read_rows
from pictory_async.emulator import Emulator

SOCKET = pytest.mark.pictory_emulator(transport="socket", seed=24, projects=0)
ROWS = 300


def spreadsheet(path: Path, count: int) -> Path:
    """A CSV of ``count`` rows, each its own video (``Video 007``)."""
    lines = ["name,script"]
    lines += [
        f"Video {n:03d},Video number {n} is about cats. They sleep a lot." for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def names_by_key(path: Path) -> dict[object, str]:
    """Each row's key (as create_many computes it) to its video's name."""
    items = VideoItems()
    return {items.read(row).key: str(row.name) for row in read_rows(path)}


def accounted(result: BulkResult[CreatedVideo]) -> list[object]:
    """Every key the result holds, over all its outcomes."""
    return [key for outcome in Outcome for key in result.ids(outcome)]


def job_ids(result: BulkResult[CreatedVideo]) -> dict[object, str]:
    """Key to job id, for the items made."""
    return {key: result.values[key].job_id for key in result.ids(Outcome.CREATED)}


@SOCKET
async def test_300_rows_with_faults_a_ctrl_c_and_a_resume_make_each_video_once(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """5% 5xx, 1% lost answers, a cancel midway, a resume: no row ever made twice."""
    emulator = pictory_emulator
    emulator.set_faults(create_error_rate=0.05, drop_after_create_rate=0.01)
    emulator.set_render_duration(20)  # each render spans a few polls
    path = spreadsheet(tmp_path / "videos.csv", ROWS)
    names = names_by_key(path)
    journal = tmp_path / "journal.jsonl"
    halfway = asyncio.Event()

    def progress(state: BulkProgress) -> None:
        if state.done >= ROWS // 2:
            halfway.set()

    run = pictory_client.videos.create_many_stream(
        read_rows(path), journal=journal, concurrency=8, poll_interval=5, on_progress=progress
    )
    task = asyncio.create_task(run.wait())
    stop = asyncio.create_task(halfway.wait())
    await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    task.cancel()  # Ctrl-C
    with pytest.raises(asyncio.CancelledError):
        await task
    first = run.result
    made_before_resume = len(emulator.jobs_created())
    resumed = await pictory_client.videos.create_many(
        read_rows(path), journal=journal, concurrency=8, poll_interval=5
    )

    made = emulator.jobs_created()
    by_job = {job.id: str((job.request or {})["videoName"]) for job in made}
    per_name = Counter(by_job.values())
    lost = {by_job[job.id] for job in made if job.answer_lost}
    created = {**job_ids(first), **job_ids(resumed)}
    unknown_names = {names[key] for key in resumed.unknown}
    # Never a video made twice, and each created row's job is its own video.
    assert set() == {name for name, count in per_name.items() if count > 1}
    assert len(created) == len(set(created.values()))
    assert all(by_job[job_id] == names[key] for key, job_id in created.items())
    # Every row accounted for exactly once, in each run.
    for result in (first, resumed):
        keys = accounted(result)
        assert ROWS == len(keys)
        assert set(names) == set(keys)
    assert first.interrupted
    assert first.counts[Outcome.NOT_STARTED] > 0
    # The lost answers were reported (may have been applied), and not sent again.
    assert lost
    assert lost <= {names[key] for key in first.unknown} | {names[k] for k in first.cancelled}
    assert lost <= unknown_names
    assert all(per_name[name] == 1 for name in lost)
    # Every job made is a row created, or a row reported unknown: none unaccounted.
    assert set(by_job.values()) == {names[key] for key in created} | (
        unknown_names & set(by_job.values())
    )
    assert made_before_resume < len(made)
    assert emulator.stats.jobs_created


@SOCKET
async def test_videos_are_downloaded_and_a_second_run_downloads_nothing_again(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """download_to: each video's file in place; a second run downloads nothing again."""
    path = spreadsheet(tmp_path / "videos.csv", 3)
    journal, out = tmp_path / "journal.jsonl", tmp_path / "out"

    result = await pictory_client.videos.create_many(
        read_rows(path), journal=journal, download_to=out, download_kinds=["video"], poll_interval=1
    )
    again = await pictory_client.videos.create_many(
        read_rows(path), journal=journal, download_to=out, poll_interval=1
    )

    files = sorted(p.name for p in out.iterdir())
    assert [
        f"{video.job_id}-video.mp4" for video in sorted(result.created, key=lambda v: v.job_id)
    ] == files
    assert all(video.files["video"].path.stat().st_size > 0 for video in result.created)
    assert 3 == len(again.skipped_because("journal"))
    assert 3 == len(pictory_emulator.jobs_created())


@SOCKET
async def test_a_dry_run_estimates_the_minutes_the_emulator_then_charges(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """The dry run's estimate is what the emulator's renders spend, and it checks the quota."""
    scripts = [" ".join(["word"] * words) for words in (3, 140, 151, 400, 1000)]
    path = tmp_path / "videos.csv"
    path.write_text("script,name\n" + "".join(f"{s},V{n}\n" for n, s in enumerate(scripts)))
    pictory_emulator.set_quota(video_minutes={"used": 590, "limit": 600})
    estimates = [estimate_minutes(video_body(row.request)) for row in read_rows(path)]  # type: ignore[arg-type]

    plan = (await pictory_client.videos.create_many(read_rows(path), dry_run=True)).plan
    pictory_emulator.set_quota(video_minutes={"used": 0, "limit": 600})
    await pictory_client.videos.create_many(read_rows(path), concurrency=1, poll_interval=1)

    assert 0 < len(pictory_emulator.jobs_created())
    assert sum(estimates) == plan.minutes_needed
    assert (10, False) == (plan.minutes_left, plan.fits)
    assert sum(estimates) == pictory_emulator.quota()["videoMinutes"]["used"]
    assert [1, 1, 2, 3, 7] == estimates


@SOCKET
async def test_bad_options_are_refused_before_any_request(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A poll interval under a second or an unknown kind: refused, no job made."""
    path = spreadsheet(tmp_path / "videos.csv", 2)

    with pytest.raises(InvalidInputError, match="poll_interval"):
        await pictory_client.videos.create_many(read_rows(path), poll_interval=0.5)
    with pytest.raises(InvalidInputError):
        await pictory_client.videos.create_many(
            read_rows(path), download_to=tmp_path, download_kinds=["gif"]
        )
    with pytest.raises(InvalidInputError, match="retry_unknown"):
        await pictory_client.videos.create_many(read_rows(path), retry_unknown="yes")  # type: ignore[arg-type]

    assert [] == pictory_emulator.jobs_created()


@SOCKET
async def test_a_graceful_stop_leaves_no_row_in_doubt_and_the_resume_follows(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """``drain`` (a first Ctrl-C): every row stopped has its job id; the resume sends none."""
    pictory_emulator.set_render_duration(60)
    path = spreadsheet(tmp_path / "videos.csv", 40)
    journal = tmp_path / "journal.jsonl"
    started: list[object] = []
    enough = asyncio.Event()

    def on_started(event: object) -> None:
        started.append(event)
        if len(started) == 12:
            enough.set()

    run = pictory_client.videos.create_many_stream(
        read_rows(path), journal=journal, concurrency=6, poll_interval=5, on_started=on_started
    )
    task = asyncio.create_task(run.wait())
    await enough.wait()
    run.drain()
    drained = await task
    made_then = {job.id for job in pictory_emulator.jobs_created()}
    resumed = await pictory_client.videos.create_many(
        read_rows(path), journal=journal, concurrency=6, poll_interval=5
    )

    cancelled = [drained.values[key] for key in drained.cancelled]
    assert drained.interrupted
    assert [] == drained.unknown
    assert cancelled
    assert made_then == {video.job_id for video in [*drained.created, *cancelled]}
    assert len(cancelled) == sum(video.followed for video in resumed.created)
    assert 40 == resumed.counts[Outcome.CREATED] + len(resumed.skipped_because("journal"))
    assert 40 == len(pictory_emulator.jobs_created())
