"""``client.jobs``: jobs: get one, wait for one (typed by the handle), list them, clean one."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, TypedDict, cast, overload

import httpx

from .._decode import decode_json
from .._exceptions import (
    InvalidInputError,
    JobFailedError,
    JobOutcomeUnknownError,
    JobTimeoutError,
    ResponseValidationError,
)
from .._job_results import result_of
from .._jobs import job_from_body, job_page_from_body, validate_job_id
from .._models import Job, JobPage, JobStatus
from .._models.results import (
    Highlights,
    HighlightsJob,
    JobHandle,
    Storyboard,
    StoryboardJob,
    Transcription,
    TranscriptionJob,
    Video,
    VideoJob,
)
from .._paths import JOBS, job_path
from .._polling import check_on_poll, poll_options, poll_until
from .._types import NOT_GIVEN, Duration, NotGiven
from .._watch import check_watcher
from ._base import Resource

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from typing_extensions import Unpack

    from .._call_options import RequestOptions
    from .._watch import Watcher

__all__ = ["DEFAULT_POLL_INTERVAL", "WEBHOOK_POLL_INTERVAL", "Jobs", "WaitOptions"]

DEFAULT_POLL_INTERVAL = 15.0
"""Seconds between polls by default: Pictory advises 10-30 s."""

WEBHOOK_POLL_INTERVAL = 300.0
"""Seconds between polls by default when a webhook receiver may end the wait first."""


class WaitOptions(TypedDict, total=False):
    """The per-call options of a wait, given to each poll (``timeout`` is the wait's own)."""

    max_retries: int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str | int | float]


class Jobs(Resource):
    """The account's jobs: renders, storyboards, transcriptions, highlights.

    A call that starts one returns its handle; ``wait`` returns the handle's result.
    """

    async def _fetch(
        self, job_id: str, options: Mapping[str, object] | None
    ) -> tuple[Job, httpx.Response]:
        response = (await self._client._request("GET", job_path(job_id), options=options)).response
        return job_from_body(decode_json(response), job_id, response), response

    async def get(self, job_id: str | Job | JobHandle, **options: Unpack[RequestOptions]) -> Job:
        """Fetch a job's state. A failed job is returned as data (``status`` ``failed``).

        Args:
            job_id: The id, a ``Job``, or the handle a call returned (``VideoJob``, ...).
            **options: Per-call options.

        Returns:
            The ``Job``; ``status`` may be ``UNKNOWN`` for a state this version does not
            know.

        Raises:
            InvalidInputError: An unsafe id; nothing was sent.
            NotFoundError: No such job (the API's ``JOB_NOT_FOUND``, code 5000).
            ResponseValidationError: The body is not a job.
        """
        the_id = validate_job_id(job_id)
        job, _ = await self._fetch(the_id, options)
        return job

    @overload
    async def wait(
        self,
        job_id: StoryboardJob,
        *,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        webhook: Watcher | None = ...,
        **options: Unpack[WaitOptions],
    ) -> Storyboard: ...

    @overload
    async def wait(
        self,
        job_id: VideoJob,
        *,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        webhook: Watcher | None = ...,
        **options: Unpack[WaitOptions],
    ) -> Video: ...

    @overload
    async def wait(
        self,
        job_id: TranscriptionJob,
        *,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        webhook: Watcher | None = ...,
        **options: Unpack[WaitOptions],
    ) -> Transcription: ...

    @overload
    async def wait(
        self,
        job_id: HighlightsJob,
        *,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        webhook: Watcher | None = ...,
        **options: Unpack[WaitOptions],
    ) -> Highlights: ...

    @overload
    async def wait(
        self,
        job_id: str | Job,
        *,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        webhook: Watcher | None = ...,
        **options: Unpack[WaitOptions],
    ) -> Job: ...

    async def wait(
        self,
        job_id: str | Job | JobHandle,
        *,
        timeout: Duration = 1800.0,
        poll_interval: Duration | NotGiven = NOT_GIVEN,
        on_poll: Callable[[Job], object] | None = None,
        webhook: Watcher | None = None,
        **options: Unpack[WaitOptions],
    ) -> Job | Storyboard | Video | Transcription | Highlights:
        """Poll a job until it is finished; for a handle, return its result.

        Polls go through the client's pipeline (shared rate control and cool-down), ±10%
        jittered so that many waits spread out; Pictory advises polling every 10-30 s.
        No poll starts after the deadline, and one is made at it; the poll under way
        there may take a tenth of ``timeout`` (at most 5 s) more. Cancelling the call
        stops it; nothing keeps running.

        With ``webhook``, a ``WebhookReceiver`` (``pictory_async.webhooks``), the wait
        ends on whichever comes first: the outcome the receiver confirmed through the
        API for this job, or a poll. Polls are then slow (every 5 minutes unless
        ``poll_interval`` says otherwise), so a lost webhook costs latency, not a hung
        wait; the result is read from the confirming answer exactly as from a poll's.

        Args:
            job_id: The job: an id or ``Job`` (the completed ``Job`` is returned), or the
                handle a call returned (its result is).
            timeout: The deadline, in seconds or a ``timedelta``.
            poll_interval: Seconds between polls (or a ``timedelta``), at least 1;
                by default ``DEFAULT_POLL_INTERVAL`` (15 s), or
                ``WEBHOOK_POLL_INTERVAL`` (300 s) with ``webhook``.
            on_poll: Called with the ``Job`` each poll reads, the last one included,
                before it is judged (a progress display needs no loop of its own); a
                plain function, not awaited. What it raises stops the wait and
                propagates.
            webhook: A receiver whose confirmed outcome for this job ends the wait
                early (the first poll is made at once all the same).
            **options: Per-call options of each poll (``max_retries``, ``extra_headers``,
                ``extra_query``).

        Returns:
            For a ``StoryboardJob`` its ``Storyboard``, a ``VideoJob`` its ``Video``, a
            ``TranscriptionJob`` its ``Transcription``, a ``HighlightsJob`` its
            ``Highlights``; for an id or a ``Job``, the ``completed`` ``Job``.

        Raises:
            JobFailedError: The job ended ``failed``; it carries the code and message.
            JobOutcomeUnknownError: The job was ``cleaned`` before the wait saw it end
                (its outcome went with its data): not a success.
            JobTimeoutError: The deadline passed first; it carries the last state seen.
            InvalidInputError: A bad id, timeout, interval or ``on_poll`` (before any
                request).
            NotFoundError: No such job (unknown, or gone before the first poll).
            ResponseValidationError: A completed job's data does not fit its handle's
                result (a render without a video URL, ...).
        """
        the_id = validate_job_id(job_id)
        if poll_interval is NOT_GIVEN:
            poll_interval = DEFAULT_POLL_INTERVAL if webhook is None else WEBHOOK_POLL_INTERVAL
        limit, interval = poll_options(timeout, poll_interval)
        check_on_poll(on_poll)
        check_watcher(webhook)
        given = job_id.project_id if isinstance(job_id, (Job, JobHandle)) else None
        request_options = cast("RequestOptions", options)
        answers: list[httpx.Response] = []

        def finished(job: Job) -> bool:
            if job.status is JobStatus.FAILED:
                raise JobFailedError(job)
            if job.status is JobStatus.CLEANED:
                project_id = job.project_id if job.project_id is not None else given
                raise JobOutcomeUnknownError(job, project_id=project_id)
            return job.is_finished

        def expired(last: Job | None, waited: float) -> JobTimeoutError:
            if last is None:  # no poll answered in time
                message = f"job {the_id!r}: no answer within {waited:.0f} s"
            else:
                message = (
                    f"job {last.id!r} not finished after {waited:.0f} s "
                    f"(status {last.status.value!r}"
                    + (f", {last.progress:g}%" if last.progress is not None else "")
                    + ")"
                )
            return JobTimeoutError(
                message, job_id=the_id if last is None else last.id, last=last, waited=waited
            )

        watching = contextlib.nullcontext(None) if webhook is None else webhook.watch(the_id)
        with watching as watch:

            async def poll() -> Job:
                handed = None if watch is None else watch.take()  # a confirmed webhook's
                job, response = handed or await self._fetch(the_id, request_options)
                answers[:] = [response]
                return job

            job = await poll_until(
                self._client,
                poll,
                finished,
                timeout=limit,
                interval=interval,
                expired=expired,
                on_poll=on_poll,
                sleep=None
                if watch is None
                else functools.partial(watch.sleep, self._client._sleep),
            )
        if isinstance(job_id, JobHandle):
            return result_of(job_id, job, answers[0])
        return job

    async def list_pages(
        self, *, page_key: str | None = None, **options: Unpack[RequestOptions]
    ) -> AsyncGenerator[JobPage, None]:
        """Walk the job list page by page (newest first), fetching each when asked for.

        Args:
            page_key: Start at this page (a ``JobPage.next_page_key`` from an earlier walk).
            **options: Per-call options of each page's request.

        Yields:
            Each ``JobPage``.

        Raises:
            InvalidInputError: ``page_key`` is not a non-empty string.
            ResponseValidationError: A page is malformed, or the API handed back the same
                page key twice (which would loop forever).
        """
        if page_key is not None and (not isinstance(page_key, str) or not page_key):
            raise InvalidInputError("page_key must be a non-empty string")
        seen: set[str] = {page_key} if page_key else set()
        while True:
            params = {"nextPageKey": page_key} if page_key is not None else None
            response = (
                await self._client._request("GET", JOBS, params=params, options=options)
            ).response
            page = job_page_from_body(decode_json(response), response)
            yield page
            if page.next_page_key is None:
                return
            if page.next_page_key in seen:
                raise ResponseValidationError(
                    "the API returned a page key it had returned before; stopping to avoid "
                    "an endless loop",
                    response=response,
                )
            seen.add(page.next_page_key)
            page_key = page.next_page_key

    async def list(self, **options: Unpack[RequestOptions]) -> AsyncIterator[Job]:
        """Every job of the account, newest first, across all pages (fetched lazily).

        Args:
            **options: Per-call options of each page's request.

        Yields:
            Each ``Job``.

        Raises:
            ResponseValidationError: A page is malformed.
        """
        async for page in self.list_pages(**options):
            for job in page.items:
                yield job

    async def clean(self, job_id: str | Job | JobHandle, **options: Unpack[RequestOptions]) -> None:
        """Delete a finished job's data (``DELETE /pictoryapis/v1/jobs/{id}/clean``).

        Idempotent: cleaning a cleaned job succeeds, so it is retried like any DELETE.

        Args:
            job_id: The job (an id, a ``Job`` or a handle).
            **options: Per-call options.

        Raises:
            InvalidInputError: An unsafe id; nothing was sent.
            NotFoundError: No such job.
            BadRequestError: The job is still running (only finished jobs are cleaned).
            ResponseValidationError: The API reported the clean as failed.
        """
        path = job_path(job_id) + "/clean"
        response = (await self._client._request("DELETE", path, options=options)).response
        if not response.content.strip():
            return
        payload = decode_json(response)
        if isinstance(payload, dict) and payload.get("success") is False:
            raise ResponseValidationError(
                "the API reported the clean as failed", response=response, body=payload
            )
