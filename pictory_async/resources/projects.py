"""``client.projects``: the project endpoints: get, delete, list and render.

Each method builds its request (a checked path from ``_paths``), sends it through the
client's one door (``_request``), and reads the answer (``_decode``, ``_models``). The
workflows over these endpoints (render waits, downloads, backups, selection) are
delegated by ``ProjectWorkflows``; the bulk forms by ``_bulk.projects``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from os import PathLike

import attrs

from .._bulk import BulkResult, BulkRun, ProgressCallback
from .._bulk import projects as bulk_projects
from .._bulk.projects import IdSource
from .._decode import decode_json, structure
from .._exceptions import (
    APIError,
    InvalidInputError,
    InvalidProjectIdError,
    NotFoundError,
    ResponseValidationError,
)
from .._failures import make_status_error
from .._ids import validate_project_id
from .._jobs import Job, started_job
from .._models import DeleteBody, DeleteResult, Page, PageBody, Project, ProjectSummary
from .._paths import PROJECTS, project_path
from .._types import ProjectId
from ._base import Client
from ._project_workflows import ProjectWorkflows

__all__ = ["Projects"]

_NOT_FOUND = frozenset({404})


def _delete_body(payload: object) -> DeleteBody | None:
    """The documented DELETE answer, read without the converter (this is the hot path).

    Returns ``None`` for anything else, which the converter then reads or explains.
    """
    if type(payload) is not dict:
        return None
    success = payload.get("success")
    message = payload.get("message")
    if (success is None or type(success) is bool) and (message is None or type(message) is str):
        return DeleteBody(success=success, message=message)
    return None


class Projects(ProjectWorkflows):
    """Projects of the account the API key belongs to."""

    def __init__(self, client: Client) -> None:
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
        body = _delete_body(payload) or structure(payload, DeleteBody, response)
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
            await Projects(self._client.with_options(max_retries=1)).get(project_id)
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
            body = structure(decode_json(response), PageBody, response)
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
