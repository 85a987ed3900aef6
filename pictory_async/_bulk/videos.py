"""``create_many``: one video per item, never two, on the bulk engine.

Each item's operation starts its render with one POST (``videos.render``, or
``videos.from_template`` for a template), journals the job's id at once (a
``started`` line, before any wait), then with ``wait`` waits for the job through the
client's pipeline and with ``download_to`` downloads its files. The journal is what
makes a second run safe:

- a key done (``created``) is skipped (reason ``journal``);
- a key with a job id is followed: the run waits for (and downloads) that job, and
  sends no POST for it;
- a key whose POST may have been applied without a job id coming back (its answer was
  lost, or the run stopped while it was in flight) is ``unknown``, and not sent again
  unless ``retry_unknown`` (which may make a second video and spend its minutes);
- a key whose job ended ``failed`` made no video, and is sent again.

``Videos`` (``client.videos``) holds the public methods and their documentation; they
delegate here.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from os import PathLike
from typing import Any, Protocol, TypeVar

import attrs

from .._assets import Asset
from .._exceptions import (
    APIError,
    AuthenticationError,
    ClientClosedError,
    InvalidInputError,
    JobFailedError,
    JobOutcomeUnknownError,
    NotFoundError,
)
from .._journal import JOB_FAILED, STARTED, Journal
from .._models.account import Quota
from .._models.results import Video, VideoJob
from .._models.videos import TemplateVideoRequest, VideoRequest
from .._types import ProjectId
from .plan import plan_of, quota_plan
from .pool import Pool, concurrency_within, raise_if_closed
from .result import BulkResult, ItemResult, Outcome
from .run import BulkRun, ProgressCallback, StopRunError
from .video_items import VideoItem, VideoItems, VideoPayload

__all__ = [
    "DEFAULT_CONCURRENCY",
    "OPERATION",
    "CreatedVideo",
    "StartedCallback",
    "VideoCalls",
    "create_many",
]

StartedCallback = Callable[[ItemResult["CreatedVideo"]], object]
"""Called when an item's job started (its id journaled) or was found in the journal."""
T = TypeVar("T")
OPERATION = "create_videos"
"""The operation a ``create_many`` journal records (its header says so)."""
DEFAULT_CONCURRENCY = 4
"""Videos made at once by default."""


@attrs.frozen(kw_only=True)
class CreatedVideo:
    """What ``create_many`` made of one item (``ItemResult.value``).

    Attributes:
        job_id: The render job.
        video: The finished ``Video`` (with ``wait=True``), else ``None``.
        files: The downloaded files by kind (with ``download_to``).
        followed: The job was started by an earlier run (its journal): this run waited
            for it instead of starting another.
    """

    job_id: str
    video: Video | None = None
    files: Mapping[str, Asset] = attrs.field(factory=dict)
    followed: bool = False


class VideoCalls(Protocol):
    """The calls of ``client.videos`` (and of the client) ``create_many`` makes."""

    @property
    def _client(self) -> Pool: ...

    async def render(self, request: VideoRequest | Mapping[str, Any]) -> VideoJob: ...

    async def from_template(
        self, request: TemplateVideoRequest | Mapping[str, Any]
    ) -> VideoJob: ...

    async def download(
        self, video: Video, dest_dir: str | PathLike[str], *, kinds: Iterable[str] | None = ...
    ) -> dict[str, Asset]: ...

    async def _wait_video(
        self, job: VideoJob, *, timeout: float, poll_interval: float
    ) -> Video: ...

    async def _quota(self) -> Quota: ...


def create_many(
    videos: VideoCalls,
    requests: Iterable[Any] | AsyncIterable[Any],
    *,
    concurrency: int | None,
    journal: str | PathLike[str] | None,
    wait: bool,
    download_to: str | PathLike[str] | None,
    download_kinds: Iterable[str] | None,
    dry_run: bool,
    retry_unknown: bool,
    timeout: float,
    poll_interval: float,
    on_progress: ProgressCallback | None,
    on_started: StartedCallback | None = None,
) -> BulkRun[CreatedVideo]:
    """The run of ``Videos.create_many_stream`` (arguments checked by the caller)."""
    if isinstance(requests, (str, bytes, Mapping)) or not isinstance(
        requests, (Iterable, AsyncIterable)
    ):
        raise InvalidInputError(
            "requests must be an iterable or async iterable of requests, scripts or rows "
            "(read_rows(path)); for one video, use client.videos.create"
        )
    if download_to is not None and not wait:
        raise InvalidInputError("download_to needs wait=True: a video is downloaded when done")
    kinds = list(download_kinds) if download_kinds is not None else None
    follow = _Follow(
        download_to=download_to, kinds=kinds, timeout=timeout, poll_interval=poll_interval
    )
    run_journal = Journal(journal, operation=OPERATION) if journal is not None else None
    posting: set[ProjectId] = set()  # POST sent, answer not in (or lost)
    started: dict[ProjectId, str] = {}  # job ids this run learned

    async def create_one(payload: VideoPayload) -> ItemResult[CreatedVideo]:
        key, request, item = payload
        job_id = run_journal.job_of(key) if run_journal is not None else None
        followed = job_id is not None
        if job_id is None:
            if run_journal is not None and run_journal.is_unconfirmed(key) and not retry_unknown:
                return ItemResult(item=key, outcome=Outcome.UNKNOWN, reason="journal")
            answer = await _start(videos, key, request, item.template, posting)
            if isinstance(answer, APIError):  # lost: a job may have started
                return ItemResult(item=key, outcome=Outcome.UNKNOWN, error=answer)
            job_id = answer
            started[key] = job_id
            posting.discard(key)
            _journal_started(run_journal, key, job_id)
        if on_started is not None:
            _tell_started(on_started, key, CreatedVideo(job_id=job_id, followed=followed), item)
        if not wait:
            created = CreatedVideo(job_id=job_id, followed=followed)
            return ItemResult(item=key, outcome=Outcome.CREATED, value=created)
        job = CreatedVideo(job_id=job_id, followed=followed)
        return await _finish(videos, key, job, follow, run.draining)

    def stopped(key: ProjectId) -> ItemResult[CreatedVideo]:
        job_id = started.get(key) or (run_journal.job_of(key) if run_journal else None)
        if job_id is None:
            return ItemResult(item=key, outcome=Outcome.CANCELLED)
        value = CreatedVideo(job_id=job_id, followed=key not in started)
        return ItemResult(item=key, outcome=Outcome.CANCELLED, value=value, reason=STARTED)

    prepare = None
    plan = None
    if dry_run:
        found: list[Quota | BaseException] = []

        async def read_quota() -> None:
            try:
                found.append(await videos._quota())
            except Exception as exc:
                raise_if_closed(videos._client, exc)
                found.append(exc)

        prepare = read_quota

        def plan(result: BulkResult[CreatedVideo]) -> object:
            return plan_of(result, quota_plan(found[0] if found else None))

    run = BulkRun(
        requests,
        create_one,
        concurrency=concurrency_within(videos._client, concurrency, DEFAULT_CONCURRENCY),
        dry_run=dry_run,
        on_progress=on_progress,
        journal=run_journal,
        keep_values=True,
        sent=lambda key: key in posting or key in started,
        reader=VideoItems(),
        stopped=stopped,
        prepare=prepare,
        plan=plan,
    )
    return run


async def _start(
    videos: VideoCalls,
    key: ProjectId,
    request: VideoRequest | TemplateVideoRequest | Mapping[str, Any],
    template: bool,
    posting: set[ProjectId],
) -> str | APIError:
    """Send the item's POST once: the job's id, or the error that lost its answer.

    Raises:
        APIError: The API refused it (nothing was made).
    """
    posting.add(key)
    try:
        if template:
            job = await videos.from_template(request)  # type: ignore[arg-type]
        else:
            job = await videos.render(request)  # type: ignore[arg-type]
    except APIError as exc:
        raise_if_closed(videos._client, exc)
        if exc.may_have_been_applied:
            return exc  # the key stays in posting: journaled as may have been applied
        posting.discard(key)
        raise
    except Exception as exc:
        raise_if_closed(videos._client, exc)
        raise
    return job.id


def _tell_started(
    on_started: StartedCallback, key: ProjectId, job: CreatedVideo, item: VideoItem
) -> None:
    """Tell the caller a job started (or was found in the journal); what it raises stops."""
    event: ItemResult[CreatedVideo] = ItemResult(
        item=key, outcome=Outcome.CREATED, value=job, reason=STARTED, input=item
    )
    try:
        on_started(event)
    except Exception as exc:
        stopped = ItemResult(item=key, outcome=Outcome.CANCELLED, value=job, reason=STARTED)
        raise StopRunError(stopped, exc) from None


def _journal_started(journal: Journal | None, key: ProjectId, job_id: str) -> None:
    """Write the ``started`` line now; a journal that cannot take it stops the run."""
    if journal is None:
        return
    try:
        journal.record(key, STARTED, job_id=job_id)
    except OSError as exc:  # the job exists and the journal does not say so: stop
        value = CreatedVideo(job_id=job_id)
        result: ItemResult[CreatedVideo] = ItemResult(
            item=key, outcome=Outcome.CANCELLED, value=value, reason=STARTED
        )
        raise StopRunError(result, exc) from None


@attrs.frozen(kw_only=True)
class _Follow:
    """How a started job is followed: its wait, and where its files go."""

    download_to: str | PathLike[str] | None
    kinds: list[str] | None
    timeout: float
    poll_interval: float


async def _finish(
    videos: VideoCalls,
    key: ProjectId,
    started: CreatedVideo,
    follow: _Follow,
    draining: asyncio.Event,
) -> ItemResult[CreatedVideo]:
    """Wait for the item's job (and download its files): its outcome.

    A failure after the job started carries the job in ``value``; the journal keeps its
    id, so a later run follows it (a download that failed is tried again then). So
    does a run drained while it waits: the wait ends there (``cancelled``, reason
    ``started``), the render goes on, and the next run follows it.
    """
    job = VideoJob(id=started.job_id)
    try:
        waited = videos._wait_video(job, timeout=follow.timeout, poll_interval=follow.poll_interval)
        video = await _unless(waited, draining)
        if video is None:
            return ItemResult(item=key, outcome=Outcome.CANCELLED, value=started, reason=STARTED)
        files = {}
        if follow.download_to is not None:
            files = await videos.download(video, follow.download_to, kinds=follow.kinds)
    except JobFailedError as exc:  # the job's own failure: no video, may be sent again
        return ItemResult(
            item=key, outcome=Outcome.FAILED, value=started, error=exc, reason=JOB_FAILED
        )
    except (AuthenticationError, ClientClosedError):
        raise  # the run stops
    except Exception as exc:
        raise_if_closed(videos._client, exc)
        # A job cleaned or gone before it was seen done: a video may exist.
        unknown = isinstance(exc, (JobOutcomeUnknownError, NotFoundError))
        outcome = Outcome.UNKNOWN if unknown else Outcome.FAILED
        return ItemResult(item=key, outcome=outcome, value=started, error=exc)
    created = attrs.evolve(started, video=video, files=files)
    return ItemResult(item=key, outcome=Outcome.CREATED, value=created)


async def _unless(awaitable: Awaitable[T], stop: asyncio.Event) -> T | None:
    """What ``awaitable`` gives, or ``None`` when ``stop`` is set first (it is cancelled)."""
    if stop.is_set():
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # never started: nothing was sent
        return None
    task = asyncio.ensure_future(awaitable)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not task.done():
            task.cancel()
            task.add_done_callback(_retrieve)
    return task.result() if task.done() and not task.cancelled() else None


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Read a cancelled wait's end, so that nothing warns of an exception never read."""
    if not task.cancelled():
        task.exception()
