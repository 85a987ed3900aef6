"""``Projects``'s bulk forms: many projects at once, on the bulk engine (``_bulk``).

Thin delegations: each method checks nothing itself and hands the resource (its
``get``/``delete``/``backup``, the ``ProjectCalls`` protocol) to ``_bulk.projects``,
which runs them with bounded concurrency, accounting for every item exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from typing import cast

from .._bulk import BulkResult, BulkRun, ProgressCallback
from .._bulk import projects as bulk_projects
from .._bulk.projects import IdSource, ProjectCalls
from .._models import DeleteResult, Project

__all__ = ["ProjectBulk"]


class ProjectBulk:
    """The bulk methods of ``Projects`` (mixed in)."""

    @property
    def _calls(self) -> ProjectCalls:
        """This resource, as the bulk engine calls it (``Projects`` has every method)."""
        return cast("ProjectCalls", self)

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
            self._calls,
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
            self._calls,
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
            self._calls,
            ids,
            concurrency=concurrency,
            missing_ok=missing_ok,
            on_progress=on_progress,
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
