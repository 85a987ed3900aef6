"""``client.projects``: get, delete and list projects (and their bulk forms)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime, timedelta, timezone
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._assets import (
    DEFAULT_MAX_ASSET_BYTES,
    Asset,
    asset_filename,
    check_kinds,
    each_kind,
    select_assets,
)
from .._backup import (
    PROJECT_JSON,
    Backup,
    BackupError,
    BackupFile,
    project_dirname,
    read_manifest,
    save_assets,
    write_atomically,
    write_manifest,
)
from .._backup import now as backup_now
from .._bulk import BulkResult, BulkRun, ProgressCallback
from .._bulk import projects as bulk_projects
from .._bulk.projects import IdSource
from .._decode import decode_json, structure
from .._download import Downloader, unwritable
from .._exceptions import (
    APIError,
    AssetDownloadError,
    InvalidInputError,
    InvalidProjectIdError,
    NotFoundError,
    ResponseValidationError,
)
from .._failures import make_status_error
from .._ids import validate_project_id
from .._jobs import Job, started_job
from .._models import DeleteResult, Project, ProjectSummary
from .._paths import PROJECTS, project_path
from .._polling import poll_options
from .._render_wait import render_target, wait_for_render
from .._types import Duration, ProjectId

if TYPE_CHECKING:
    from .._client import AsyncPictory

__all__ = ["Page", "Projects"]

logger = logging.getLogger("pictory_async")

_NOT_FOUND = frozenset({404})


@attrs.frozen(kw_only=True)
class Page:
    """One page of the project list.

    Attributes:
        items: The summaries on this page.
        page_key: The key of the next page, ``None`` on the last one.
    """

    items: tuple[ProjectSummary, ...]
    page_key: str | None


@attrs.frozen(kw_only=True)
class _DeleteBody:
    success: bool | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class _PageBody:
    items: tuple[ProjectSummary, ...] = ()
    page_key: str | None = None


def _delete_body(payload: object) -> _DeleteBody | None:
    """The documented DELETE answer, read without the converter (this is the hot path).

    Returns ``None`` for anything else, which the converter then reads or explains.
    """
    if type(payload) is not dict:
        return None
    success = payload.get("success")
    message = payload.get("message")
    if (success is None or type(success) is bool) and (message is None or type(message) is str):
        return _DeleteBody(success=success, message=message)
    return None


def _prepare_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


class Projects:
    """Projects of the account the API key belongs to."""

    def __init__(self, client: AsyncPictory) -> None:
        self._client = client

    async def get(self, project_id: ProjectId) -> Project:
        """Fetch one project.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project.
            PermissionDeniedError: The project belongs to another account.
            ResponseValidationError: The API answered with something that is not a project.

        Returns:
            The ``Project`` (its ``id`` is the one asked for).
        """
        project, _ = await self._get_with_body(project_id)
        return project

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

    async def render(self, project: Project | ProjectId) -> Job:
        """Start rendering a project's video; returns the job to follow it by.

        Starting a render is not idempotent, so it is retried only after a 429 or a
        connection that never carried it (refused, connect timeout). After an ambiguous
        failure (a read timeout, a reset after sending, a 5xx) it is not retried: the
        error's ``may_have_been_applied`` is true, and a render may be running; look for
        it with ``client.jobs.list()`` before starting another.

        Args:
            project: A ``Project`` (with an id) or a project id.

        Returns:
            A ``Job`` with the new job's ``id``, status ``pending`` and the
            ``project_id``; follow it with ``client.projects.wait_for_render(job)``
            (the project with its new video) or ``client.jobs.wait(job)`` (the job).

        Raises:
            InvalidProjectIdError: The id is unsafe (or the ``Project`` has none);
                nothing was sent.
            NotFoundError: No such project.
            PermissionDeniedError: The project belongs to another account.
            ConflictError: A render of this project is already running.
            APIError: The request failed; see ``may_have_been_applied``.
            ResponseValidationError: The answer has no job id.
        """
        project_id = project.id if isinstance(project, Project) else project
        if project_id is None:
            raise InvalidProjectIdError("this Project has no id to render it by")
        path = project_path(project_id) + "/render"
        response = (await self._client._request("POST", path, idempotent=False)).response
        return started_job(decode_json(response), validate_project_id(project_id), response)

    async def _get_with_body(self, project_id: ProjectId) -> tuple[Project, bytes]:
        """The project and the body it was read from, byte for byte (for backups)."""
        path = project_path(project_id)
        response = (await self._client._request("GET", path)).response
        project = structure(decode_json(response), Project, response)
        if project.id is None:
            project = attrs.evolve(project, id=project_id, raw=project.raw)
        return project, response.content

    async def delete(self, project_id: ProjectId, *, missing_ok: bool = False) -> DeleteResult:
        """Delete one project, for good.

        When an attempt may have reached the API without its answer reaching us (a read
        timeout, a reset after sending, a 408 or 5xx) and a retry then gets 404, the
        project is gone and the lost attempt most likely deleted it: that is reported as
        a success with ``inferred_from_retry=True``, not a failure. (Someone else may have
        deleted it in between; either way it no longer exists.) A 404 after failures that
        prove nothing was sent (refused, connect or pool timeout) stays a 404.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.
            missing_ok: Report a project that does not exist as ``already_absent``
                instead of raising ``NotFoundError``.

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project, and ``missing_ok`` is false.
            PermissionDeniedError: The project belongs to another account.
            APIError: The delete failed; ``may_have_been_applied`` says whether an
                attempt may still have deleted it (a GET could not tell).

        Returns:
            The ``DeleteResult`` (``already_absent`` or ``inferred_from_retry`` say how
            it ended when it was not a plain success).
        """
        path = project_path(project_id)
        failure: APIError | None = None
        try:
            reply = await self._client._request("DELETE", path, ok_statuses=_NOT_FOUND)
        except APIError as exc:
            if not exc.may_have_been_applied:
                raise
            failure = exc
        if failure is not None:
            # An attempt may have deleted it before the API kept failing: ask.
            if await self._is_gone(project_id):
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project deleted (an attempt's answer was lost; confirmed gone)",
                    inferred_from_retry=True,
                )
            raise failure
        response = reply.response
        if response.status_code == 404:
            if reply.lost_attempt:
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project deleted (an earlier attempt's response was lost)",
                    inferred_from_retry=True,
                )
            if missing_ok:
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project not found",
                    already_absent=True,
                )
            raise make_status_error(response, attempts=reply.attempts)
        if not response.content.strip():  # a 204, or a 200 with nothing to say
            return DeleteResult(project_id=project_id, success=True, message=None)
        payload = decode_json(response)
        body = _delete_body(payload) or structure(payload, _DeleteBody, response)
        if body.success is False:
            raise ResponseValidationError(
                f"the API reported the delete as failed: {body.message or 'no message'}",
                response=response,
                body=payload,
            )
        return DeleteResult(project_id=project_id, success=True, message=body.message)

    async def _is_gone(self, project_id: ProjectId) -> bool:
        """Whether a GET says the project does not exist (``False`` if it cannot tell)."""
        try:
            await self._client.with_options(max_retries=1).projects.get(project_id)
        except NotFoundError:
            return True
        except APIError:
            return False
        return False

    async def list_pages(
        self, *, folder: str | None = None, page_key: str | None = None
    ) -> AsyncIterator[Page]:
        """Walk the project list page by page, fetching each page when it is asked for.

        Args:
            folder: Only projects in this folder (by folder id).
            page_key: Start at this page (a ``Page.page_key`` from an earlier walk).

        Yields:
            Each ``Page``, fetched when the previous one has been consumed.

        Raises:
            InvalidInputError: ``folder`` is empty or not a string.
            ResponseValidationError: A page is malformed, or the API handed back the same
                page key twice (which would loop forever).
        """
        params: dict[str, str] = {}
        if folder is not None:
            if not isinstance(folder, str) or not folder.strip():
                raise InvalidInputError("folder must be a non-empty string")
            params["folder"] = folder
        seen: set[str] = {page_key} if page_key else set()
        while True:
            if page_key is not None:
                params["pagekey"] = page_key
            response = (await self._client._request("GET", PROJECTS, params=params)).response
            body = structure(decode_json(response), _PageBody, response)
            yield Page(items=body.items, page_key=body.page_key)
            if not body.page_key:
                return
            if body.page_key in seen:
                raise ResponseValidationError(
                    "the API returned a page key it had returned before; stopping to avoid "
                    "an endless loop",
                    response=response,
                )
            seen.add(body.page_key)
            page_key = body.page_key

    async def list(self, *, folder: str | None = None) -> AsyncIterator[ProjectSummary]:
        """Every project, as summaries, across all pages (fetched lazily).

        Args:
            folder: Only projects in this folder (by folder id).

        Yields:
            Each ``ProjectSummary``, page after page.

        Raises:
            InvalidInputError: ``folder`` is empty or not a string.
            ResponseValidationError: A page is malformed.
        """
        async for page in self.list_pages(folder=folder):
            for summary in page.items:
                yield summary

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
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError(f"concurrency must be an int >= 1, got {concurrency!r}")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InvalidInputError(f"max_bytes must be an int >= 1, got {max_bytes!r}")
        check_kinds(kinds)  # unknown kinds fail before anything is fetched
        if not isinstance(project, Project):
            project = await self.get(project)
        project_id = project.id if project.id is not None else "project"
        assets = select_assets(project.assets, kinds)
        try:
            root = await asyncio.to_thread(_prepare_dir, Path(dest_dir))
        except OSError as exc:  # not a directory, read-only, ...: no file can be downloaded
            if not assets:
                return {}  # nothing to download, so nothing failed
            kind, url = next(iter(assets.items()))
            raise unwritable(kind, url, dest_dir, exc) from exc
        return await self._download_into(root, project_id, assets, concurrency, max_bytes)

    async def _download_into(
        self,
        root: Path,
        project_id: ProjectId,
        assets: dict[str, str],
        concurrency: int,
        max_bytes: int = DEFAULT_MAX_ASSET_BYTES,
    ) -> dict[str, Asset]:
        """Download ``assets`` into ``root``; the first failure is raised after all end."""
        downloader = Downloader(self._client._pipeline, max_bytes=max_bytes)

        def one(kind: str) -> Awaitable[Asset]:
            return downloader.download(assets[kind], kind, root / asset_filename(project_id, kind))

        return await each_kind(assets, concurrency, one)

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
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError(f"concurrency must be an int >= 1, got {concurrency!r}")
        check_kinds(kinds)
        project_id = project.id if isinstance(project, Project) else project
        if project_id is None:
            raise InvalidInputError("the project has no id")
        project_path(project_id)  # validated before anything is written
        fetched, body = await self._get_with_body(project_id)
        folder = Path(dest_dir) / project_dirname(project_id)
        try:
            directory = await asyncio.to_thread(_prepare_dir, folder)
            existing = await asyncio.to_thread(read_manifest, directory)
            await asyncio.to_thread(write_atomically, directory / PROJECT_JSON, body)
        except OSError as exc:
            raise BackupError(
                f"{folder}: cannot write the backup ({exc.strerror or exc})",
                project_id=project_id,
                file=PROJECT_JSON,
            ) from None
        files = [
            BackupFile(
                name=PROJECT_JSON,
                kind="project",
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                url=None,
                saved_at=backup_now(),
            )
        ]
        wanted = select_assets(fetched.assets, kinds)
        downloader = Downloader(self._client._pipeline, max_bytes=DEFAULT_MAX_ASSET_BYTES)
        try:
            assets, downloaded = await save_assets(
                downloader, directory, project_id, wanted, existing, concurrency
            )
        except AssetDownloadError as exc:
            raise BackupError(
                f"{exc.kind} of project {project_id!r}: {exc.message}",
                project_id=project_id,
                file=exc.kind,
            ) from None
        except OSError as exc:
            raise BackupError(
                f"project {project_id!r}: cannot write to {directory} ({exc.strerror or exc})",
                project_id=project_id,
            ) from None
        files.extend(assets)
        await asyncio.to_thread(write_manifest, directory, project_id, files)
        backup = Backup(
            project_id=project_id, directory=directory, files=tuple(files), downloaded=downloaded
        )
        return backup, fetched

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
        if older_than is not None and (
            not isinstance(older_than, timedelta) or older_than < timedelta(0)
        ):
            raise InvalidInputError("older_than must be a timedelta >= 0")
        sources: frozenset[str] | None = None
        if source is not None:
            sources = frozenset([source] if isinstance(source, str) else source)
            if not all(isinstance(s, str) for s in sources):
                raise InvalidInputError("source must be a string or an iterable of strings")
        if now is not None and (not isinstance(now, datetime) or now.tzinfo is None):
            raise InvalidInputError("now must be an aware datetime")
        if where is not None and not callable(where):
            raise InvalidInputError("where must be a callable taking a ProjectSummary")
        cutoff = None
        if older_than is not None:
            cutoff = (now if now is not None else datetime.now(timezone.utc)) - older_than
        async for summary in self.list(folder=folder):
            if cutoff is not None and (summary.saved_date is None or summary.saved_date >= cutoff):
                continue
            if sources is not None and summary.source not in sources:
                continue
            if where is not None and not where(summary):
                continue
            yield summary

    # -- bulk ----------------------------------------------------------------------

    def delete_many_stream(
        self,
        ids: IdSource,
        *,
        concurrency: int | None = None,
        dry_run: bool = False,
        missing_ok: bool = True,
        on_progress: ProgressCallback | None = None,
        journal: str | PathLike[str] | None = None,
    ) -> BulkRun[DeleteResult]:
        """Delete many projects, yielding each outcome as it completes.

        Arguments, accounting and errors as ``delete_many``; an error that stops the
        run is raised by the loop, or on leaving the block (see ``BulkRun``). Each
        item carries its ``DeleteResult`` in ``value``; ``run.result`` keeps ids only.

        Returns:
            The ``BulkRun``: ``async with run: async for item in run: ...``; its
            ``result`` is complete after the block, however the block was left.
        """
        return bulk_projects.delete_many(
            self,
            ids,
            concurrency=concurrency,
            dry_run=dry_run,
            missing_ok=missing_ok,
            on_progress=on_progress,
            journal=journal,
        )

    async def delete_many(
        self,
        ids: IdSource,
        *,
        concurrency: int | None = None,
        dry_run: bool = False,
        missing_ok: bool = True,
        on_progress: ProgressCallback | None = None,
        journal: str | PathLike[str] | None = None,
    ) -> BulkResult[DeleteResult]:
        """Delete many projects concurrently; every id ends in exactly one outcome.

        Args:
            ids: Ids (or summaries, or projects) from any iterable or async iterable,
                e.g. ``client.projects.select(...)``. Read lazily, one item at a time;
                the result keeps a few bytes per id.
            concurrency: Requests at once (default and ceiling: the client's
                ``max_connections``).
            dry_run: Send nothing; every valid id is ``skipped`` (reason ``dry_run``).
            missing_ok: A project that does not exist is ``already_absent`` rather
                than ``failed``.
            on_progress: Called with a ``BulkProgress`` after each item.
            journal: A JSONL file recording outcomes as they happen (with the time and,
                when the input gave summaries, the project's name); run again with the
                same file after a crash or a cancellation and what is done is skipped
                (reason ``journal``), not redone. It is checked and locked before
                anything is sent; one journal serves one run at a time.

        Returns:
            The ``BulkResult`` (ids by outcome; no ``DeleteResult`` per id, to keep
            memory small: use ``delete_many_stream`` for those). Call
            ``raise_for_failures()`` to turn failures into an exception.

        Raises:
            InvalidInputError: Bad arguments, or a journal that is not one, is of
                another operation, or is in use by another run (before any request).
            OSError: The journal cannot be created or written. Mid-run, the run stops
                first: what was in flight is ``cancelled``, the rest ``not_started``.
            AuthenticationError: The API refused the key. The run stops at the first
                401 (a 403 stays one failed project): in-flight requests are
                ``cancelled``, the rest ``not_started``.
            ClientClosedError: The client was closed during the run; in-flight requests
                are ``cancelled`` (they may have been applied), the rest ``not_started``.
            CancelledError: The call was cancelled. The run is accounted for and the
                journal flushed before this propagates; use ``delete_many_stream`` to
                keep the partial result (``run.result``).
        """
        return await self.delete_many_stream(
            ids,
            concurrency=concurrency,
            dry_run=dry_run,
            missing_ok=missing_ok,
            on_progress=on_progress,
            journal=journal,
        ).wait()

    def backup_and_delete_stream(
        self,
        ids: IdSource,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None = None,
        concurrency: int | None = None,
        dry_run: bool = False,
        on_progress: ProgressCallback | None = None,
        journal: str | PathLike[str] | None = None,
    ) -> BulkRun[DeleteResult]:
        """Back up, verify, then delete many projects, yielding each outcome as it ends.

        Arguments, accounting and errors as ``backup_and_delete``; the stream as in
        ``delete_many_stream``.

        Returns:
            The ``BulkRun``.
        """
        return bulk_projects.backup_and_delete(
            self,
            ids,
            dest_dir,
            kinds=kinds,
            concurrency=concurrency,
            dry_run=dry_run,
            on_progress=on_progress,
            journal=journal,
        )

    async def backup_and_delete(
        self,
        ids: IdSource,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None = None,
        concurrency: int | None = None,
        dry_run: bool = False,
        on_progress: ProgressCallback | None = None,
        journal: str | PathLike[str] | None = None,
    ) -> BulkResult[DeleteResult]:
        """Back each project up, check the backup on disk, and only then delete it.

        A project is deleted only after its backup (``backup``) is complete and every
        file its manifest names was read back and matched. When any part fails, the
        project is not deleted: it is ``failed`` with a ``BackupError`` that names the
        file and the cause; so is a project still rendering, or one that lacks a kind
        given in ``kinds``. Accounting, dry runs, journal and cancellation work as in
        ``delete_many``. A project's own failure is never raised, it is its item's
        error: a ``BackupError`` for its backup (a failed download, a full disk, an
        unwritable ``dest_dir``; no message holds a signed URL's query) or the API's
        error for its delete.

        Args:
            ids: Ids (or summaries, or projects) from any iterable or async iterable.
            dest_dir: Where each project's backup directory goes.
            kinds: Only these asset kinds; default: every asset each project has.
            concurrency: Projects at once (default: a quarter of ``max_connections``,
                as each downloads up to four files at once).
            dry_run: Back up and delete nothing; every valid id is ``skipped``.
            on_progress: Called with a ``BulkProgress`` after each item.
            journal: A JSONL file recording outcomes, to resume without redoing.

        Returns:
            The ``BulkResult``.

        Raises:
            InvalidInputError: Bad arguments (an unknown kind) or journal, as
                ``delete_many``, before any request.
            OSError: The journal cannot be created or written (as ``delete_many``).
            AuthenticationError: The key was refused; the run stopped (as ``delete_many``).
            ClientClosedError: The client was closed under the run.
        """
        return await self.backup_and_delete_stream(
            ids,
            dest_dir,
            kinds=kinds,
            concurrency=concurrency,
            dry_run=dry_run,
            on_progress=on_progress,
            journal=journal,
        ).wait()

    def get_many_stream(
        self,
        ids: IdSource,
        *,
        concurrency: int | None = None,
        missing_ok: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> BulkRun[Project]:
        """Fetch many projects, yielding each outcome as it completes.

        Arguments as ``get_many``; the stream as in ``delete_many_stream``. Each item
        carries its ``Project`` in ``value``.

        Returns:
            The ``BulkRun``.
        """
        return bulk_projects.get_many(
            self, ids, concurrency=concurrency, missing_ok=missing_ok, on_progress=on_progress
        )

    async def get_many(
        self,
        ids: IdSource,
        *,
        concurrency: int | None = None,
        missing_ok: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> BulkResult[Project]:
        """Fetch many projects concurrently.

        Args:
            ids: Ids (or summaries) from any iterable or async iterable.
            concurrency: Requests at once (default: the client's ``max_connections``).
            missing_ok: A project that does not exist is ``already_absent`` rather
                than ``failed``.
            on_progress: Called with a ``BulkProgress`` after each item.

        Returns:
            The ``BulkResult``; ``result.values`` maps each id to its ``Project``.
        """
        return await self.get_many_stream(
            ids, concurrency=concurrency, missing_ok=missing_ok, on_progress=on_progress
        ).wait()
