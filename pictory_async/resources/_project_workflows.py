"""The workflows of ``client.projects`` built on its endpoints, as thin delegations.

Waiting for a render (``_render_wait``), downloading a project's files
(``_project_assets``), backing a project up (``_backup_run``) and selecting projects
(``_select``) each live in a module of their own; this mixin gives ``Projects`` their
public methods and documents them, so ``projects.py`` keeps the endpoints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING

from .._assets import DEFAULT_MAX_ASSET_BYTES, Asset
from .._backup import Backup
from .._backup_run import back_up, backup_target
from .._download import Downloader
from .._models import Job, Project, ProjectSummary
from .._polling import poll_options
from .._project_assets import check_download, download_project_assets
from .._render_wait import render_target, wait_for_render
from .._select import selection
from .._types import Duration, ProjectId
from ._base import Client

__all__ = ["ProjectWorkflows"]


class ProjectWorkflows:
    """``Projects``'s methods that are workflows over its endpoints."""

    _client: Client

    if TYPE_CHECKING:  # the endpoints, as ``Projects`` defines them

        async def get(self, project_id: ProjectId) -> Project: ...

        async def _get_with_body(self, project_id: ProjectId) -> tuple[Project, bytes]: ...

        def list(self, *, folder: str | None = None) -> AsyncIterator[ProjectSummary]: ...

    async def wait_for_render(
        self,
        project: ProjectId | Project | Job,
        *,
        job: Job | str | None = None,
        timeout: Duration = 1800.0,
        poll_interval: Duration = 15.0,
    ) -> Project:
        """Poll until a render is finished; return the project with the new video.

        Give the render's job (what ``render()`` returned: ``wait_for_render(job)``, or
        ``wait_for_render(project_id, job=job)``) and the wait follows it, so a failed
        render is told from the video of an earlier one: the job's end decides, then
        the project is read. Without a job the wait reads the project, and when it
        sees it rendering it looks for that render's job in the job list (the first
        page) and follows it. If none is listed, the project is all there is: a render
        that fails and leaves the earlier video in place then reads as done, and a
        project not rendering at the first poll is returned as it is (see
        ``docs/backups.md``, "Wait for a render").

        Polls go through the client's pipeline, so many concurrent waits share its rate
        control and cool-down; the interval is jittered by ±10% so that they spread
        out. Pictory advises polling every 10-30 s: faster polling may be rate limited.
        No poll starts after the deadline, and one is made at it; the poll under way
        there may take a tenth of ``timeout`` (at most 5 s) more. Cancelling the call
        stops it; nothing keeps running.

        Args:
            project: A project id or ``Project``, or the ``Job`` ``render()`` returned.
            job: The render's ``Job`` or job id, when ``project`` is the project.
            timeout: The deadline, in seconds or a ``timedelta``.
            poll_interval: Seconds between polls (or a ``timedelta``), at least 1.

        Returns:
            The rendered ``Project``.

        Raises:
            RenderFailedError: The render's job ended ``failed`` (a ``JobFailedError``).
            JobOutcomeUnknownError: The render's job was ``cleaned`` before the wait saw
                it end: it may have completed or failed.
            RenderTimeoutError: The deadline passed first; it carries the last states
                seen (``last``: the project, ``job``: the job).
            InvalidInputError: A bad id, timeout or interval, a ``Job`` naming no
                project or another one (all before any request), or a job id whose job
                names another project (at its first poll).
            NotFoundError: No such project, or no such job (unknown, or gone before
                the first poll).
        """
        project_id, job_id = render_target(project, job)
        limit, interval = poll_options(timeout, poll_interval)
        return await wait_for_render(
            self, self._client.jobs, project_id, job_id, timeout=limit, interval=interval
        )

    # -- assets --------------------------------------------------------------------

    async def download_assets(
        self,
        project: Project | ProjectId,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None = None,
        concurrency: int = 4,
        max_bytes: int = DEFAULT_MAX_ASSET_BYTES,
    ) -> dict[str, Asset]:
        """Download a project's media files into ``dest_dir``, each checked on disk.

        Files are streamed through the client's pipeline without the API key (also
        across redirects), written to a temporary file and renamed into place only once
        their size (and the CDN's SHA-256, when it sends one) matches; a download cut
        mid-way is resumed where the CDN allows ranges. Names are
        ``<id>-<kind>.<ext>``, made safe (see ``asset_filename``).

        Args:
            project: A ``Project``, or an id to fetch it by.
            dest_dir: The directory (created if missing).
            kinds: Only these kinds (``video``, ``audio``, ``thumbnail``, ``srt``,
                ``vtt``, ``txt``); default: every asset the project has.
            concurrency: Files downloaded at once.
            max_bytes: Largest file accepted.

        Returns:
            The downloaded ``Asset`` of each kind.

        Raises:
            InvalidInputError: An unknown kind, or a bad ``concurrency`` or ``max_bytes``.
            NotFoundError: Given an id, no such project (other API errors as ``get``).
            AssetDownloadError: A file could not be downloaded or written: an error
                answer or a failed connection after the retries, a file that did not
                check out, a URL or redirect that cannot be followed, a ``dest_dir``
                that cannot be created or written, a full disk (the ``OSError`` is its
                ``__cause__``). The others that finished are on disk; no partial file
                keeps a final name. It shows the URL without its query (``redact_url``).
            ClientClosedError: The client was closed during the call.
        """
        check_download(kinds, concurrency, max_bytes)  # before anything is fetched
        if not isinstance(project, Project):
            project = await self.get(project)
        downloader = Downloader(self._client._pipeline, max_bytes=max_bytes)
        return await download_project_assets(
            downloader, project, dest_dir, kinds=kinds, concurrency=concurrency
        )

    async def backup(
        self,
        project: Project | ProjectId,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None = None,
        concurrency: int = 4,
    ) -> Backup:
        """Back a project up into ``dest_dir/<project>/``: metadata, media, manifest.

        ``project.json`` is the API's answer byte for byte; each asset is downloaded as
        ``download_assets`` does; ``manifest.json`` (written last) records each file's
        name, kind, size, SHA-256, source URL, time and the CDN's validators. Run again,
        it keeps a file only when the CDN confirms (a conditional request answered
        ``304``) that it still serves the bytes recorded, and downloads the others.

        Args:
            project: A ``Project`` or an id (the metadata is always fetched afresh).
            dest_dir: Where the project's directory goes (created if missing).
            kinds: Only these asset kinds; default: every asset the project has.
            concurrency: Files downloaded at once.

        Returns:
            The ``Backup``, every file checked.

        Raises:
            InvalidInputError: An unknown kind, a bad ``concurrency`` or project id.
            NotFoundError: No such project (other API errors as ``get``).
            BackupError: An asset could not be downloaded or written, a full disk or a
                directory that cannot be written included (it names which and why,
                with the URL shown without its query); the manifest is not written.
            ClientClosedError: The client was closed during the call.
        """
        backup, _ = await self._backup(project, dest_dir, kinds=kinds, concurrency=concurrency)
        return backup

    async def _backup(
        self,
        project: Project | ProjectId,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None,
        concurrency: int,
    ) -> tuple[Backup, Project]:
        """``backup``, and the project as fetched for it."""
        project_id = backup_target(project, kinds, concurrency)
        downloader = Downloader(self._client._pipeline, max_bytes=DEFAULT_MAX_ASSET_BYTES)
        return await back_up(
            self._get_with_body,
            downloader,
            project_id,
            dest_dir,
            kinds=kinds,
            concurrency=concurrency,
        )

    # -- selection ---------------------------------------------------------------

    async def select(
        self,
        *,
        older_than: timedelta | None = None,
        source: str | Iterable[str] | None = None,
        folder: str | None = None,
        where: Callable[[ProjectSummary], bool] | None = None,
        now: datetime | None = None,
    ) -> AsyncIterator[ProjectSummary]:
        """Stream the summaries that match every given filter, page by page.

        Feed it straight to ``delete_many`` for "delete old projects", "delete by
        source" or "delete a folder"; nothing is materialised.

        Args:
            older_than: Last saved longer ago than this (``timedelta(0)``: saved before
                ``now``). A project without a saved date never matches (unknown age is not
                old enough to delete), nor does one saved in the future.
            source: One source (``"url"``) or several; an empty list matches nothing.
            folder: Only projects in this folder (filtered by the API).
            where: Any other test of a summary.
            now: The time "older than" counts from (default: now, UTC).

        Every filter given applies, even an empty or zero one; ``None`` means "any".

        Yields:
            Each matching ``ProjectSummary``.

        Raises:
            InvalidInputError: A filter is invalid (raised when iteration starts).
        """
        matches = selection(older_than=older_than, source=source, where=where, now=now)
        async for summary in self.list(folder=folder):
            if matches(summary):
                yield summary
