"""``client.jobs``: render jobs: get one, wait for one, list them, clean one."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from .._decode import decode_json
from .._exceptions import (
    InvalidInputError,
    JobFailedError,
    JobOutcomeUnknownError,
    JobTimeoutError,
    ResponseValidationError,
)
from .._jobs import job_from_body, job_page_from_body, validate_job_id
from .._models import Job, JobPage, JobStatus
from .._paths import JOBS, job_path
from .._polling import poll_options, poll_until
from .._types import Duration
from ._base import Client

__all__ = ["Jobs"]


class Jobs:
    """Render jobs of the account the API key belongs to (``client.projects.render`` starts one)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def get(self, job_id: str | Job) -> Job:
        """Fetch a job's state. A failed job is returned as data (``status`` ``failed``).

        Args:
            job_id: The id ``projects.render`` returned (or that ``Job``).

        Returns:
            The ``Job``; ``status`` may be ``UNKNOWN`` for a state this version does not
            know.

        Raises:
            InvalidInputError: An unsafe id; nothing was sent.
            NotFoundError: No such job (the API's ``JOB_NOT_FOUND``, code 5000).
            ResponseValidationError: The body is not a job.
        """
        the_id = validate_job_id(job_id)
        response = (await self._client._request("GET", job_path(the_id))).response
        return job_from_body(decode_json(response), the_id, response)

    async def wait(
        self,
        job_id: str | Job,
        *,
        timeout: Duration = 1800.0,
        poll_interval: Duration = 15.0,
    ) -> Job:
        """Poll a job until it is finished.

        Polls go through the client's pipeline (shared rate control and cool-down), ±10%
        jittered so that many waits spread out; Pictory advises polling every 10-30 s.
        No poll starts after the deadline, and one is made at it; the poll under way
        there may take a tenth of ``timeout`` (at most 5 s) more. Cancelling the call
        stops it; nothing keeps running.

        Args:
            job_id: The job.
            timeout: The deadline, in seconds or a ``timedelta``.
            poll_interval: Seconds between polls (or a ``timedelta``), at least 1.

        Returns:
            The ``completed`` ``Job``, with its media URLs.

        Raises:
            JobFailedError: The job ended ``failed``; it carries the code and message.
            JobOutcomeUnknownError: The job was ``cleaned`` before the wait saw it end
                (its outcome went with its data): not a success.
            JobTimeoutError: The deadline passed first; it carries the last state seen.
            InvalidInputError: A bad id, timeout or interval (before any request).
            NotFoundError: No such job (unknown, or gone before the first poll).
        """
        the_id = validate_job_id(job_id)
        limit, interval = poll_options(timeout, poll_interval)
        given = job_id.project_id if isinstance(job_id, Job) else None

        def finished(job: Job) -> bool:
            if job.status is JobStatus.FAILED:
                raise JobFailedError(job)
            if job.status is JobStatus.CLEANED:
                project_id = job.project_id if job.project_id is not None else given
                raise JobOutcomeUnknownError(job, project_id=project_id)
            return job.is_finished

        def expired(last: Job | None, waited: float) -> JobTimeoutError:
            if last is None:  # no poll answered in time
                message = f"render job {the_id!r}: no answer within {waited:.0f} s"
            else:
                message = (
                    f"render job {last.id!r} not finished after {waited:.0f} s "
                    f"(status {last.status.value!r}"
                    + (f", {last.progress:g}%" if last.progress is not None else "")
                    + ")"
                )
            return JobTimeoutError(
                message, job_id=the_id if last is None else last.id, last=last, waited=waited
            )

        return await poll_until(
            self._client,
            lambda: self.get(job_id),
            finished,
            timeout=limit,
            interval=interval,
            expired=expired,
        )

    async def list_pages(self, *, page_key: str | None = None) -> AsyncGenerator[JobPage, None]:
        """Walk the job list page by page (newest first), fetching each when asked for.

        Args:
            page_key: Start at this page (a ``JobPage.next_page_key`` from an earlier walk).

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
            response = (await self._client._request("GET", JOBS, params=params)).response
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

    async def list(self) -> AsyncIterator[Job]:
        """Every job of the account, newest first, across all pages (fetched lazily).

        Yields:
            Each ``Job``.

        Raises:
            ResponseValidationError: A page is malformed.
        """
        async for page in self.list_pages():
            for job in page.items:
                yield job

    async def clean(self, job_id: str | Job) -> None:
        """Delete a finished job's data (``DELETE /pictoryapis/v1/jobs/{id}/clean``).

        Idempotent: cleaning a cleaned job succeeds, so it is retried like any DELETE.

        Args:
            job_id: The job.

        Raises:
            InvalidInputError: An unsafe id; nothing was sent.
            NotFoundError: No such job.
            BadRequestError: The job is still running (only finished jobs are cleaned).
            ResponseValidationError: The API reported the clean as failed.
        """
        path = job_path(job_id) + "/clean"
        response = (await self._client._request("DELETE", path)).response
        if not response.content.strip():
            return
        payload = decode_json(response)
        if isinstance(payload, dict) and payload.get("success") is False:
            raise ResponseValidationError(
                "the API reported the clean as failed", response=response, body=payload
            )
