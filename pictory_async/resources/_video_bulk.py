"""``Videos``'s bulk forms: many videos from many requests or file rows (``_bulk.videos``).

Thin delegations: each method checks its options before anything is sent and hands
the resource (its ``render``, ``from_template``, ``download``, and the waits and quota
below: the ``VideoCalls`` protocol) to ``_bulk.videos``, which runs them on the bulk
engine, accounting for every item exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from os import PathLike
from typing import TYPE_CHECKING, Any, cast

from .._assets import check_kinds
from .._bulk import BulkResult, BulkRun, ProgressCallback
from .._bulk import videos as bulk_videos
from .._bulk.videos import CreatedVideo, StartedCallback, VideoCalls
from .._exceptions import InvalidInputError
from .._models.account import Quota
from .._models.results import Video, VideoJob
from .._polling import poll_options
from .._types import Duration
from .account import Account
from .jobs import DEFAULT_POLL_INTERVAL, Jobs

if TYPE_CHECKING:
    from ._base import Client

__all__ = ["VideoBulk"]


class VideoBulk:
    """The bulk methods of ``Videos`` (mixed in)."""

    _client: Client

    def create_many_stream(
        self,
        requests: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int | None = None,
        journal: str | PathLike[str] | None = None,
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        download_kinds: Iterable[str] | None = None,
        dry_run: bool = False,
        retry_unknown: bool = False,
        timeout: Duration = 1800.0,
        poll_interval: Duration = DEFAULT_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
        on_started: StartedCallback | None = None,
    ) -> BulkRun[CreatedVideo]:
        """Make many videos, yielding each item's outcome as it ends.

        Arguments, accounting and errors as ``create_many``; an error that stops the
        run is raised by the loop, or on leaving the block (see ``BulkRun``).

        Returns:
            The ``BulkRun``: ``async with run: async for item in run: ...``; its
            ``result`` is complete after the block, however the block was left.
        """
        limit, interval = poll_options(timeout, poll_interval)
        for name, flag in (("wait", wait), ("dry_run", dry_run), ("retry_unknown", retry_unknown)):
            if not isinstance(flag, bool):
                raise InvalidInputError(f"{name} must be True or False, not {flag!r}")
        if download_to is not None:
            check_kinds(download_kinds)
        return bulk_videos.create_many(
            cast("VideoCalls", self),
            requests,
            concurrency=concurrency,
            journal=journal,
            wait=wait,
            download_to=download_to,
            download_kinds=download_kinds,
            dry_run=dry_run,
            retry_unknown=retry_unknown,
            timeout=limit,
            poll_interval=interval,
            on_progress=on_progress,
            on_started=on_started,
        )

    async def create_many(
        self,
        requests: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int | None = None,
        journal: str | PathLike[str] | None = None,
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        download_kinds: Iterable[str] | None = None,
        dry_run: bool = False,
        retry_unknown: bool = False,
        timeout: Duration = 1800.0,
        poll_interval: Duration = DEFAULT_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
        on_started: StartedCallback | None = None,
    ) -> BulkResult[CreatedVideo]:
        """Make many videos concurrently; every item ends in exactly one outcome.

        Each item's render is started with one POST; its job id is journaled at once,
        before any wait, so no item is ever sent twice, in this run or a later one
        with the same journal. Outcomes: ``created`` (the video is done; with
        ``wait=False``, its job started), ``failed``, ``unknown`` (its POST may have
        started a job whose id never came back), ``cancelled``, ``not_started``,
        ``skipped`` (dry run, a repeated ``key``, or done by an earlier run).

        Args:
            requests: What to make, from any iterable or async iterable: the rows of
                ``read_rows(path)`` (a CSV or JSON Lines file), or ``VideoRequest``,
                ``TemplateVideoRequest``, mappings of Pictory's JSON, or scripts (made
                into requests as ``create`` does). Read lazily, one at a time. A bad
                one is a ``failed`` item whose error names its line (or position);
                nothing is sent for it, and the run goes on.
            concurrency: Videos made at once (default 4; at most the client's
                ``max_connections``).
            journal: A JSONL file recording each item as it goes (the job id as soon
                as the API names it). Run again with the same file and the same input
                after a crash, a cancellation or failures: items made are skipped,
                jobs started are followed (waited for and downloaded, not sent again),
                failed items are sent again. An item is known again by its ``key``
                column, else by a digest of its request: rows may be added, removed or
                reordered between runs, but a changed row is a new video.
            wait: Wait for each render (``True``), or count an item ``created`` once
                its job started (``False``).
            download_to: A directory to download each finished video's files into
                (``<project or job id>-<kind>.<ext>``, as ``download``); needs ``wait``.
            download_kinds: Only these kinds (``video``, ``thumbnail``, ``srt``, ...);
                default: all the video has.
            dry_run: Read and check every item, send nothing that creates anything,
                and read the account's quota: ``result.plan`` is a ``VideoPlan`` (rows
                fine and bad, the minutes needed, an estimate from each script's
                length at narration pace, beside the minutes left). Every fine item is
                ``skipped`` (reason ``dry_run``), every bad one ``failed``.
            retry_unknown: Send again the items an earlier run's journal left
                ``unknown`` (a POST whose answer was lost). Such a POST may have
                started a render: sending it again may make a second video and spend
                its minutes. Default: they stay ``unknown`` and are not sent.
            timeout: How long to wait for each render, in seconds or a ``timedelta``.
            poll_interval: Seconds between polls of each render (Pictory advises
                10-30); every poll goes through the client's rate control.
            on_progress: Called with a ``BulkProgress`` after each item.
            on_started: Called as soon as an item's job started and its id was
                journaled (or a job of an earlier run is followed), with an
                ``ItemResult`` (reason ``started``; ``value`` the ``CreatedVideo`` with
                its ``job_id``; ``input`` the ``VideoItem``): a progress display's
                "rendering". The item's own outcome comes later. What it raises stops
                the run.

        Returns:
            The ``BulkResult``: keys by outcome, ``values`` maps each key to its
            ``CreatedVideo`` (job id, ``Video``, downloaded files), ``failed`` holds
            each failure with its error. Call ``raise_for_failures()`` to raise
            unless every item was made.

        Raises:
            InvalidInputError: Bad arguments, or a journal that is not one, is of
                another operation, or is in use by another run (before any request).
            OSError: The journal cannot be created or written, or the file of
                ``read_rows`` cannot be read (before any request). Mid-run, the run
                stops: what was in flight is ``cancelled``, the rest ``not_started``.
            AuthenticationError: The API refused the key; the run stopped.
            ClientClosedError: The client was closed during the run.
            CancelledError: The call was cancelled. Every item read is accounted for
                and the journal flushed first; a render started is left running, and
                a later run with the journal follows it.
        """
        return await self.create_many_stream(
            requests,
            concurrency=concurrency,
            journal=journal,
            wait=wait,
            download_to=download_to,
            download_kinds=download_kinds,
            dry_run=dry_run,
            retry_unknown=retry_unknown,
            timeout=timeout,
            poll_interval=poll_interval,
            on_progress=on_progress,
            on_started=on_started,
        ).wait()

    async def _wait_video(self, job: VideoJob, *, timeout: float, poll_interval: float) -> Video:
        """Wait for a render through the client's pipeline (``jobs.wait``)."""
        return await Jobs(self._client).wait(job, timeout=timeout, poll_interval=poll_interval)

    async def _quota(self) -> Quota:
        """The account's quota (``account.quota``)."""
        return await Account(self._client).quota()
