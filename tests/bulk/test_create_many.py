"""``create_many`` (``_bulk/videos.py``) over a fake ``client.videos``: never a video twice.

The run needs only the calls named by ``VideoCalls``, so these tests run it without
HTTP: the fake counts every POST (each one a job, whatever became of its answer), and
can lose an answer, fail a job, or hold every wait until a test lets it go.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from pictory_async import (
    APIConnectionError,
    BadRequestError,
    InvalidInputError,
    Job,
    JobFailedError,
    JobStatus,
    JobTimeoutError,
    Outcome,
)
from pictory_async._bulk import videos as bulk_videos
from pictory_async._bulk.result import BulkResult, ItemResult
from pictory_async._bulk.run import BulkRun
from pictory_async._bulk.videos import CreatedVideo
from pictory_async._models.account import Quota, QuotaUsage
from pictory_async._models.results import Video, VideoJob
from pictory_async._models.videos import TemplateVideoRequest, VideoRequest, VideoScene
from pictory_async._video_rows import VideoRow

from .test_operations import Pool

URL = "https://api.pictory.ai/pictoryapis/v2/video/storyboard/render"


def request(name: str, story: str = "Cats sleep a lot.") -> VideoRequest:
    """A render request named ``name``."""
    return VideoRequest(video_name=name, scenes=[VideoScene(story=story)])


def row(line: int, name: str, key: str | None = None) -> VideoRow:
    """A file row asking for the video ``name``."""
    return VideoRow(line=line, request=request(name), key=key, name=name)


@attrs.define
class FakeVideos:
    """``client.videos`` as create_many calls it: every POST makes a job."""

    _client: Pool = attrs.field(factory=Pool)
    posts: list[str] = attrs.field(factory=list)  # the name of each POST's video
    jobs: dict[str, str] = attrs.field(factory=dict)  # job id -> video name
    lose: set[str] = attrs.field(factory=set)  # the job is made, the answer lost
    refuse: set[str] = attrs.field(factory=set)  # a 400: nothing made
    fail_jobs: set[str] = attrs.field(factory=set)  # the job ends failed
    time_out: set[str] = attrs.field(factory=set)  # the wait times out (once)
    gate: asyncio.Event | None = None  # every wait holds until it is set
    post_gate: asyncio.Event | None = None  # every POST holds (sent, unanswered) until set
    waits: list[str] = attrs.field(factory=list)
    quota: Quota | Exception = attrs.field(
        factory=lambda: Quota(video_minutes=QuotaUsage(used=590, limit=600))
    )

    async def render(self, body: VideoRequest | Mapping[str, Any]) -> VideoJob:
        """Start a render: a job, unless refused; its answer lost when asked."""
        name = body.video_name if isinstance(body, VideoRequest) else body["videoName"]
        return await self._post(str(name))

    async def from_template(self, body: TemplateVideoRequest | Mapping[str, Any]) -> VideoJob:
        """Start a template's render."""
        assert isinstance(body, TemplateVideoRequest)
        return await self._post(f"template {body.template_id}")

    async def _post(self, name: str) -> VideoJob:
        await asyncio.sleep(0)
        if self.post_gate is not None:
            self.posts.append(f"sending {name}")
            await self.post_gate.wait()
            self.posts.remove(f"sending {name}")
        if name in self.refuse:
            response = httpx.Response(400, request=httpx.Request("POST", URL))
            raise BadRequestError("bad", response=response, body=None)
        self.posts.append(name)
        job_id = f"job-{len(self.jobs) + 1}"
        self.jobs[job_id] = name
        if name in self.lose:
            error = APIConnectionError("reset", request=httpx.Request("POST", URL))
            error.may_have_been_applied = True
            raise error
        return VideoJob(id=job_id)

    async def _wait_video(self, job: VideoJob, *, timeout: float, poll_interval: float) -> Video:
        """The job's video, once the gate (if any) opens."""
        self.waits.append(job.id)
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)
        name = self.jobs[job.id]
        if name in self.fail_jobs:
            raise JobFailedError(Job(id=job.id, status=JobStatus.FAILED, error_message="no"))
        if name in self.time_out:
            self.time_out.discard(name)
            raise JobTimeoutError("slow", job_id=job.id, last=None, waited=timeout)
        return Video(job_id=job.id, video_url=f"https://cdn.example/{job.id}.mp4")

    async def download(
        self, video: Video, dest_dir: object, *, kinds: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """Nothing is downloaded here (the emulator tests download)."""
        return {}

    async def _quota(self) -> Quota:
        """The account's quota, or the error reading it."""
        if isinstance(self.quota, Exception):
            raise self.quota
        return self.quota


def start(fake: FakeVideos, requests: Iterable[Any], **options: Any) -> BulkRun[CreatedVideo]:
    """The run of ``create_many_stream`` over ``fake``."""
    settings: dict[str, Any] = {
        "concurrency": 4,
        "journal": None,
        "wait": True,
        "download_to": None,
        "download_kinds": None,
        "dry_run": False,
        "retry_unknown": False,
        "timeout": 60.0,
        "poll_interval": 1.0,
        "on_progress": None,
    }
    settings.update(options)
    return bulk_videos.create_many(fake, requests, **settings)


async def create(
    fake: FakeVideos, requests: Iterable[Any], **options: Any
) -> BulkResult[CreatedVideo]:
    """The result of ``create_many`` over ``fake``."""
    return await start(fake, requests, **options).wait()


def lines(journal: Path) -> list[dict[str, Any]]:
    """The journal's outcome lines (header left out)."""
    return [json.loads(line) for line in journal.read_text().splitlines()[1:] if line]


NAMES = ["A", "B", "C", "D", "E", "F"]


async def test_each_request_is_created_once_its_job_journaled_before_its_wait(
    tmp_path: Path,
) -> None:
    """The ``started`` line with the job id comes before the item's ``created`` line."""
    fake, journal = FakeVideos(), tmp_path / "j.jsonl"

    result = await create(fake, [request(n) for n in NAMES], journal=journal)

    entries = lines(journal)
    started = {e["id"]: i for i, e in enumerate(entries) if e["outcome"] == "started"}
    created = {e["id"]: i for i, e in enumerate(entries) if e["outcome"] == "created"}
    assert NAMES == sorted(fake.posts)
    assert len(NAMES) == len(result.ids(Outcome.CREATED))
    assert set(started) == set(created)
    assert all(started[key] < created[key] for key in created)
    assert {e["job_id"] for e in entries if e["outcome"] == "created"} == set(fake.jobs)
    assert sorted(fake.jobs) == sorted(v.job_id for v in result.created)


async def test_a_second_run_with_the_journal_sends_nothing(tmp_path: Path) -> None:
    """Everything made is skipped (reason ``journal``): not one more POST."""
    fake, journal = FakeVideos(), tmp_path / "j.jsonl"
    await create(fake, [request(n) for n in NAMES], journal=journal)

    again = await create(fake, [request(n) for n in NAMES], journal=journal)

    assert len(NAMES) == len(fake.posts)
    assert len(NAMES) == len(again.skipped_because("journal"))


async def test_rows_added_removed_and_reordered_keep_their_identity(tmp_path: Path) -> None:
    """A key is the request's digest: a new order and a new row send only the new row."""
    fake, journal = FakeVideos(), tmp_path / "j.jsonl"
    await create(fake, [row(2, "A"), row(3, "B"), row(4, "C")], journal=journal)

    again = await create(fake, [row(2, "New"), row(3, "C"), row(4, "A")], journal=journal)

    assert ["A", "B", "C", "New"] == sorted(fake.posts)
    assert 1 == again.counts[Outcome.CREATED]
    assert 2 == len(again.skipped_because("journal"))


async def test_identical_rows_are_distinct_videos_and_a_repeated_key_is_one(
    tmp_path: Path,
) -> None:
    """Two identical rows make two videos; two rows with one ``key`` make one."""
    fake, journal = FakeVideos(), tmp_path / "j.jsonl"
    rows = [row(2, "A"), row(3, "A"), row(4, "K", key="k1"), row(5, "Other", key="k1")]

    result = await create(fake, rows, journal=journal)
    again = await create(fake, rows, journal=journal)

    assert Counter({"A": 2, "K": 1}) == Counter(fake.posts)
    assert ["key:k1"] == result.skipped_because("duplicate")
    assert 3 == len(again.skipped_because("journal"))


async def test_a_lost_answer_is_unknown_and_not_sent_again_unless_asked(tmp_path: Path) -> None:
    """The POST whose answer was lost is ``unknown``; a resume leaves it; retry_unknown sends."""
    fake, journal = FakeVideos(lose={"B"}), tmp_path / "j.jsonl"
    requests = [request(n) for n in NAMES]

    first = await create(fake, requests, journal=journal)
    fake.lose.clear()
    resumed = await create(fake, requests, journal=journal)
    posts_after_resume = list(fake.posts)
    retried = await create(fake, requests, journal=journal, retry_unknown=True)

    (lost,) = first.unknown
    (entry,) = [e for e in lines(journal) if e["outcome"] == "unknown" and "error" in e]
    assert entry["may_have_been_applied"] is True
    assert [lost] == resumed.unknown
    assert len(NAMES) == len(posts_after_resume)  # B's POST was not sent again
    assert [lost] == retried.ids(Outcome.CREATED)
    assert 2 == fake.posts.count("B")  # what retry_unknown may cost: a second video
    assert not first.ok
    assert not resumed.ok


async def test_a_refused_post_failed_and_is_sent_again_on_resume(tmp_path: Path) -> None:
    """A 400 made nothing: ``failed``, and the next run sends it again."""
    fake, journal = FakeVideos(refuse={"C"}), tmp_path / "j.jsonl"

    first = await create(fake, [request(n) for n in NAMES], journal=journal)
    fake.refuse.clear()
    again = await create(fake, [request(n) for n in NAMES], journal=journal)

    assert isinstance(first.failed[0].error, BadRequestError)
    assert 1 == again.counts[Outcome.CREATED]
    assert 1 == fake.posts.count("C")


async def test_a_job_that_failed_made_no_video_and_is_sent_again(tmp_path: Path) -> None:
    """A job ended ``failed`` (reason ``job_failed``): the next run starts another."""
    fake, journal = FakeVideos(fail_jobs={"B"}), tmp_path / "j.jsonl"

    first = await create(fake, [request(n) for n in NAMES], journal=journal)
    fake.fail_jobs.clear()
    again = await create(fake, [request(n) for n in NAMES], journal=journal)

    (failure,) = first.failed
    assert "job_failed" == failure.reason
    assert failure.value is not None
    assert 2 == fake.posts.count("B")
    assert 1 == again.counts[Outcome.CREATED]


async def test_a_wait_that_failed_leaves_the_job_to_follow(tmp_path: Path) -> None:
    """A render still running when its wait gave up is followed next time, not sent again."""
    fake, journal = FakeVideos(time_out={"D"}), tmp_path / "j.jsonl"

    first = await create(fake, [request(n) for n in NAMES], journal=journal)
    again = await create(fake, [request(n) for n in NAMES], journal=journal)

    (failure,) = first.failed
    assert isinstance(failure.error, JobTimeoutError)
    assert 1 == fake.posts.count("D")
    (followed,) = again.created
    assert followed.followed
    assert failure.value is not None
    assert failure.value.job_id == followed.job_id


async def wait_for(condition: Any) -> None:
    """Let the run go on until ``condition()`` holds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the run never got there")


@pytest.mark.parametrize("times", [1, 2])
async def test_cancelled_while_rendering_then_resumed_follows_the_jobs(
    tmp_path: Path, times: int
) -> None:
    """Ctrl-C during the waits (once or twice): each item once; the resume sends no POST."""
    fake, journal = FakeVideos(gate=asyncio.Event()), tmp_path / "j.jsonl"
    requests = [request(n) for n in NAMES]
    run = start(fake, requests, journal=journal, concurrency=2)
    task = asyncio.create_task(run.wait())
    await wait_for(lambda: len(fake.waits) == 2)

    for _ in range(times):
        task.cancel()
        await asyncio.sleep(0)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fake.gate is not None
    fake.gate.set()
    resumed = await create(fake, requests, journal=journal)

    counts = run.result.counts
    cancelled = [run.result.values[key] for key in run.result.cancelled]
    assert 2 == counts[Outcome.CANCELLED]
    assert len(NAMES) - 2 == counts[Outcome.NOT_STARTED]
    assert {"job-1", "job-2"} == {video.job_id for video in cancelled}
    assert len(NAMES) == len(fake.posts)  # 2 before the cancel, 4 on resume
    assert 2 == sum(video.followed for video in resumed.created)
    assert len(NAMES) == resumed.counts[Outcome.CREATED]


async def test_the_stream_shows_the_job_of_an_item_cancelled_while_rendering(
    tmp_path: Path,
) -> None:
    """Leaving the stream early: the item in flight is cancelled with its job id in value."""
    fake, journal = FakeVideos(gate=asyncio.Event()), tmp_path / "j.jsonl"
    seen: list[ItemResult[CreatedVideo]] = []
    run = start(fake, [request(n) for n in NAMES], journal=journal, concurrency=1)

    async with run:
        await wait_for(lambda: len(fake.waits) == 1)
    journal_entries = lines(journal)
    run2 = start(fake, [request(n) for n in NAMES], journal=journal, concurrency=1)
    async with run2:
        assert fake.gate is not None
        fake.gate.set()
        seen.extend([item async for item in run2])

    cancelled = [e for e in journal_entries if e["outcome"] == "cancelled"]
    assert 1 == len(cancelled)
    assert "job-1" == cancelled[0]["job_id"]
    assert seen[0].value is not None
    assert seen[0].value.followed
    assert 1 == len([name for name in fake.posts if name == "A"])


async def test_a_journal_that_cannot_take_the_started_line_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No job may run unjournaled: the run stops, the item says which job it started."""
    from pictory_async import _journal

    real = _journal.Journal._append

    def append(fd: int, data: bytes) -> None:
        if b'"started"' in data:
            raise OSError(28, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(_journal.Journal, "_append", staticmethod(append))
    fake = FakeVideos()
    run = start(fake, [request(n) for n in NAMES], journal=tmp_path / "j.jsonl", concurrency=1)

    with pytest.raises(OSError, match="No space left"):
        await run.wait()

    counts = run.result.counts
    assert ["A"] == fake.posts  # nothing sent after the journal failed
    assert 1 == counts[Outcome.CANCELLED]
    assert len(NAMES) - 1 == counts[Outcome.NOT_STARTED]
    assert len(NAMES) == run.result.total


async def test_an_unwritable_journal_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    """A journal under a file, of another operation or no journal: refused, nothing sent."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    deletes = tmp_path / "deletes.jsonl"
    deletes.write_text('{"format": "pictory-async-journal", "version": 1, "operation": "delete"}\n')
    fake = FakeVideos()

    with pytest.raises(NotADirectoryError):
        await create(fake, [request("A")], journal=blocker / "j.jsonl")
    with pytest.raises(InvalidInputError, match="of 'delete', not of 'create_videos'"):
        await create(fake, [request("A")], journal=deletes)
    spreadsheet = tmp_path / "videos.csv"  # given as the journal by mistake
    spreadsheet.write_text("name,script\nA,Cats.\n")
    with pytest.raises(InvalidInputError, match="not a pictory-async journal"):
        await create(fake, [request("A")], journal=spreadsheet)
    assert [] == fake.posts
    assert "name,script\nA,Cats.\n" == spreadsheet.read_text()  # left as it was


def journal_with(path: Path, *entries: str) -> Path:
    """A create_videos journal holding ``entries`` (raw lines, the last maybe torn)."""
    header = '{"format": "pictory-async-journal", "version": 1, "operation": "create_videos"}\n'
    path.write_text(header + "".join(entries))
    return path


async def test_a_torn_line_after_a_started_one_still_follows_its_job(tmp_path: Path) -> None:
    """A crash tore the line after ``started``: the job is followed, no POST is sent."""
    fake = FakeVideos()
    fake.jobs["job-earlier"] = "K"
    journal = journal_with(
        tmp_path / "j.jsonl",
        '{"id": "key:k1", "outcome": "started", "job_id": "job-earlier", "at": "x"}\n',
        '{"id": "key:k1", "outcome": "crea',
    )

    result = await create(fake, [row(2, "K", key="k1")], journal=journal)

    assert [] == fake.posts
    (video,) = result.created
    assert "job-earlier" == video.job_id
    assert video.followed


async def test_a_started_line_torn_before_its_job_id_is_unknown(tmp_path: Path) -> None:
    """A crash tore the ``started`` line itself: a job may exist, so nothing is sent."""
    fake = FakeVideos()
    journal = journal_with(tmp_path / "j.jsonl", '{"id": "key:k1", "outcome": "started", "jo')

    result = await create(fake, [row(2, "K", key="k1"), row(3, "L", key="k2")], journal=journal)

    assert ["L"] == fake.posts
    assert ["key:k1"] == result.unknown


async def test_wait_false_counts_a_row_created_once_its_job_is_known(tmp_path: Path) -> None:
    """No wait: ``created`` with the job id; a resume sends nothing."""
    fake, journal = FakeVideos(gate=asyncio.Event()), tmp_path / "j.jsonl"

    result = await create(fake, [request(n) for n in NAMES], journal=journal, wait=False)
    again = await create(fake, [request(n) for n in NAMES], journal=journal, wait=False)

    assert [] == fake.waits
    assert sorted(fake.jobs) == sorted(v.job_id for v in result.created)
    assert len(NAMES) == len(again.skipped_because("journal"))


async def test_on_started_hears_each_job_as_it_starts() -> None:
    """The callback gets the key, the job id and the row, before the item ends."""
    fake = FakeVideos()
    heard: list[ItemResult[CreatedVideo]] = []

    result = await create(fake, [row(2, "A"), row(3, "B")], on_started=heard.append)

    first = heard[0]
    assert 2 == len(heard)
    assert first.value is not None
    assert first.value.job_id in fake.jobs
    assert "started" == first.reason
    assert first.input is not None
    assert first.input.line in (2, 3)  # type: ignore[attr-defined]
    assert 2 == result.counts[Outcome.CREATED]


async def test_on_started_raising_stops_the_run_with_that_job_cancelled() -> None:
    """What the callback raises stops the run; its item is cancelled, with its job."""
    fake = FakeVideos()

    def listen(event: ItemResult[CreatedVideo]) -> None:
        raise RuntimeError("display gone")

    run = start(fake, [row(2, "A"), row(3, "B"), row(4, "C")], on_started=listen, concurrency=1)

    with pytest.raises(RuntimeError, match="display gone"):
        await run.wait()

    (key,) = run.result.cancelled
    assert ["A"] == fake.posts
    assert "job-1" == run.result.values[key].job_id
    assert 2 == run.result.counts[Outcome.NOT_STARTED]


async def test_a_bad_item_is_failed_with_its_place_and_the_rest_are_made() -> None:
    """A bad row or request fails alone, named by its line or position; nothing sent for it."""
    fake = FakeVideos()
    bad_row = VideoRow(line=7, error=InvalidInputError("line 7: the script is empty"))

    result = await create(fake, [request("A"), bad_row, 42, "   ", request("B")])

    messages = sorted(str(item.error) for item in result.failed)
    assert ["A", "B"] == sorted(fake.posts)
    assert 3 == len(messages)
    assert messages[0].startswith("item 3: expected a script")
    assert messages[1].startswith("item 4: the script is empty")
    assert messages[2].startswith("line 7: ")
    assert ["item:3", "item:4", "line:7"] == sorted(str(i.item) for i in result.failed)


async def test_a_dry_run_plans_and_sends_nothing(tmp_path: Path) -> None:
    """Rows fine and bad, minutes needed against minutes left; no POST, no journal file."""
    fake = FakeVideos()
    long_story = " ".join(["word"] * 400)  # 160 s at 2.5 words a second: 3 minutes
    bad = VideoRow(line=9, error=InvalidInputError("line 9: no script"))
    requests = [request("A"), request("Long", long_story), bad, "  "]

    result = await create(fake, requests, dry_run=True, journal=tmp_path / "j.jsonl")

    plan = result.plan
    assert [] == fake.posts
    assert not (tmp_path / "j.jsonl").exists()
    assert (2, 2) == (plan.rows_ok, plan.rows_bad)
    assert 4 == plan.minutes_needed
    assert 10 == plan.minutes_left
    assert plan.fits is True


async def test_a_dry_run_says_when_the_minutes_do_not_fit_or_are_unknown() -> None:
    """Over the minutes left: ``fits`` is False; a quota that cannot be read: None."""
    story = " ".join(["word"] * 1600)  # 640 s: 11 minutes
    over = await create(FakeVideos(), [request("A", story)], dry_run=True)
    unknown_fake = FakeVideos(quota=RuntimeError("quota down"))
    unknown = await create(unknown_fake, [request("A")], dry_run=True)

    assert (11, 10.0, False) == (over.plan.minutes_needed, over.plan.minutes_left, over.plan.fits)
    assert unknown.plan.fits is None
    assert "quota down" in unknown.plan.quota_error


async def test_a_dry_run_with_a_journal_counts_what_is_done(tmp_path: Path) -> None:
    """Rows an earlier run made need no minutes: counted in ``rows_done``."""
    fake, journal = FakeVideos(), tmp_path / "j.jsonl"
    await create(fake, [request("A"), request("B")], journal=journal)

    result = await create(fake, [request(n) for n in "ABC"], journal=journal, dry_run=True)

    assert (1, 2, 1) == (result.plan.rows_ok, result.plan.rows_done, result.plan.minutes_needed)
    assert 2 == len(fake.posts)


async def test_bad_arguments_are_refused_before_anything_is_sent() -> None:
    """A script for many, a download without wait: InvalidInputError, nothing sent."""
    fake = FakeVideos()

    with pytest.raises(InvalidInputError, match="iterable"):
        start(fake, "Cats sleep a lot.")
    with pytest.raises(InvalidInputError, match="download_to needs wait"):
        start(fake, [request("A")], wait=False, download_to="out")
    assert [] == fake.posts


async def test_a_template_row_goes_to_the_template_endpoint() -> None:
    """A TemplateVideoRequest is rendered with from_template."""
    fake = FakeVideos()

    result = await create(fake, [TemplateVideoRequest(template_id="t1", variables={"A": "b"})])

    assert ["template t1"] == fake.posts
    assert 1 == result.counts[Outcome.CREATED]


async def test_drain_lets_the_posts_in_flight_answer_and_leaves_the_renders_to_follow(
    tmp_path: Path,
) -> None:
    """A first Ctrl-C (``drain``): no new row; a POST in flight gets its job id journaled."""
    fake = FakeVideos(gate=asyncio.Event(), post_gate=asyncio.Event())
    journal = tmp_path / "j.jsonl"
    requests = [request(n) for n in NAMES]
    run = start(fake, requests, journal=journal, concurrency=2)
    task = asyncio.create_task(run.wait())
    await wait_for(lambda: len(fake.posts) == 2)  # two POSTs sent, unanswered

    run.drain()
    assert fake.post_gate is not None
    fake.post_gate.set()
    result = await task
    assert fake.gate is not None
    fake.gate.set()
    resumed = await create(fake, requests, journal=journal)

    assert ["A", "B"] == sorted(fake.posts[:2])
    assert 2 == result.counts[Outcome.CANCELLED]
    assert len(NAMES) - 2 == result.counts[Outcome.NOT_STARTED]
    assert [] == result.unknown  # every job id came back before the run stopped
    assert result.interrupted
    assert {"job-1", "job-2"} == {result.values[key].job_id for key in result.cancelled}
    assert len(NAMES) == len(fake.posts)
    assert 2 == sum(video.followed for video in resumed.created)


async def test_an_async_stream_of_scripts_is_read_one_at_a_time() -> None:
    """Scripts from an async generator: each made into create's request and created."""
    fake = FakeVideos()

    async def scripts() -> Any:
        for name in NAMES[:3]:
            yield f"{name} is a video."

    result = await create(fake, scripts())

    assert ["A is a video.", "B is a video.", "C is a video."] == sorted(fake.posts)
    assert 3 == result.counts[Outcome.CREATED]
