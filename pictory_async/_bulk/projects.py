"""The bulk operations on projects: what one item of each does, and the run around it.

``delete_many``, ``backup_and_delete`` and ``get_many`` each build a ``BulkRun`` whose
operation is one call of ``client.projects`` per item (``delete``; ``backup``, a check
of it on disk, then ``delete``; ``get``), sized to the client's connection pool. A
call the client was closed under counts as ``cancelled``, whatever the transport
raised. With a journal, an id an earlier run's request may have deleted is confirmed
(by a ``GET``, or by the ``delete``'s own 404) and reported as ``deleted``, not
``already_absent``. ``Projects`` (``client.projects``) holds the public methods and
their documentation; they delegate here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterable
from os import PathLike
from typing import Any, Protocol

from .._assets import check_kinds
from .._backup import Backup, verify
from .._exceptions import BackupError, NotFoundError
from .._journal import Journal
from .._models import DeleteResult, Project
from .._types import ProjectId
from .keys import dedupe_key
from .pool import Pool, concurrency_within, raise_if_closed
from .result import ItemResult, Outcome
from .run import BulkRun, Confirm, ProgressCallback

__all__ = ["IdSource", "ProjectCalls", "backup_and_delete", "delete_many", "get_many"]

IdSource = Iterable[Any] | AsyncIterable[Any]
"""Ids, ``ProjectSummary`` or ``Project`` objects, from a collection or a stream."""

BACKUP_FILES_AT_ONCE = 4  # files each project of a backup_and_delete downloads at once


class ProjectCalls(Protocol):
    """The calls of ``client.projects`` a bulk operation makes for each item."""

    @property
    def _client(self) -> Pool: ...

    async def get(self, project_id: ProjectId) -> Project: ...

    async def delete(self, project_id: ProjectId, *, missing_ok: bool = ...) -> DeleteResult: ...

    async def _backup(
        self,
        project: ProjectId,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None,
        concurrency: int,
    ) -> tuple[Backup, Project]: ...


def delete_many(
    projects: ProjectCalls,
    ids: IdSource,
    *,
    concurrency: int | None,
    dry_run: bool,
    missing_ok: bool,
    on_progress: ProgressCallback | None,
    journal: str | PathLike[str] | None,
) -> BulkRun[DeleteResult]:
    """The run of ``Projects.delete_many_stream``: one ``delete`` per item."""
    run_journal = _journal(journal, "delete")

    async def delete_one(project_id: ProjectId) -> ItemResult[DeleteResult]:
        # An earlier run's request may have deleted it: the delete's 404 confirms.
        sent_before = _sent_before(run_journal, project_id)
        try:
            result = await projects.delete(project_id, missing_ok=missing_ok or sent_before)
        except Exception as exc:
            raise_if_closed(projects._client, exc)
            raise
        return _deleted(project_id, result, sent_before=sent_before)

    return BulkRun(
        ids,
        delete_one,
        concurrency=concurrency_within(projects._client, concurrency),
        dry_run=dry_run,
        on_progress=on_progress,
        journal=run_journal,
        keep_values=False,  # a DeleteResult per id is what the stream is for
        confirm=_confirmer(projects),
    )


def backup_and_delete(
    projects: ProjectCalls,
    ids: IdSource,
    dest_dir: str | PathLike[str],
    *,
    kinds: Iterable[str] | None,
    concurrency: int | None,
    dry_run: bool,
    on_progress: ProgressCallback | None,
    journal: str | PathLike[str] | None,
) -> BulkRun[DeleteResult]:
    """The run of ``Projects.backup_and_delete_stream``: back up, verify, then delete."""
    requested = check_kinds(kinds)

    run_journal = _journal(journal, "backup_and_delete")
    deleting: set[ProjectId] = set()  # past their verified backup: a DELETE may go

    async def backup_then_delete(project_id: ProjectId) -> ItemResult[DeleteResult]:
        sent_before = _sent_before(run_journal, project_id)  # as in delete_many
        try:
            try:
                backup, project = await projects._backup(
                    project_id, dest_dir, kinds=kinds, concurrency=BACKUP_FILES_AT_ONCE
                )
            except NotFoundError:
                if sent_before:  # its backup was verified before that delete was sent
                    absent = DeleteResult(project_id=project_id, success=True, already_absent=True)
                    return _deleted(project_id, absent, sent_before=True)
                return ItemResult(item=project_id, outcome=Outcome.ALREADY_ABSENT)
            _check_complete(project_id, project, requested)
            expected = {"project", *(requested or project.assets)}
            await asyncio.to_thread(verify, backup.directory, project_id, expected)
            deleting.add(project_id)
            result = await projects.delete(project_id, missing_ok=True)
            deleting.discard(project_id)  # answered: only failures and cancels stay
        except Exception as exc:
            raise_if_closed(projects._client, exc)
            raise
        return _deleted(project_id, result, sent_before=sent_before)

    default = max(1, projects._client.max_connections // BACKUP_FILES_AT_ONCE)
    return BulkRun(
        ids,
        backup_then_delete,
        concurrency=concurrency_within(
            projects._client, concurrency if concurrency is not None else default
        ),
        dry_run=dry_run,
        on_progress=on_progress,
        journal=run_journal,
        keep_values=False,
        confirm=_confirmer(projects),
        sent=deleting.__contains__,
    )


def get_many(
    projects: ProjectCalls,
    ids: IdSource,
    *,
    concurrency: int | None,
    missing_ok: bool,
    on_progress: ProgressCallback | None,
) -> BulkRun[Project]:
    """The run of ``Projects.get_many_stream``: one ``get`` per item."""

    async def get_one(project_id: ProjectId) -> ItemResult[Project]:
        try:
            project = await projects.get(project_id)
        except NotFoundError:
            if not missing_ok:
                raise
            return ItemResult(item=project_id, outcome=Outcome.ALREADY_ABSENT)
        except Exception as exc:
            raise_if_closed(projects._client, exc)
            raise
        return ItemResult(item=project_id, outcome=Outcome.FETCHED, value=project)

    return BulkRun(
        ids,
        get_one,
        concurrency=concurrency_within(projects._client, concurrency),
        on_progress=on_progress,
    )


def _confirmer(projects: ProjectCalls) -> Confirm:
    """The run's ``confirm``: whether a GET finds the project gone (404) rather than there.

    Asked of each id an earlier run's journal says may have been deleted; raises when
    the GET cannot tell (the id then stays unconfirmed).
    """

    async def confirm_gone(project_id: ProjectId) -> bool:
        try:
            await projects.get(project_id)
        except NotFoundError:
            return True
        except Exception as exc:
            raise_if_closed(projects._client, exc)
            raise
        return False

    return confirm_gone


def _deleted(
    project_id: ProjectId, result: DeleteResult, *, sent_before: bool = False
) -> ItemResult[DeleteResult]:
    """A bulk item's outcome for a ``delete`` that returned ``result``.

    ``sent_before``: the run's journal says an earlier run's request for this id may have
    been applied. A project now found gone was deleted by it (or by someone else in
    between; either way it is gone): ``deleted``, not ``already_absent``. Whenever a
    404 stands in for a lost answer, the item's reason is ``confirmed_gone``.
    """
    if sent_before and result.already_absent:
        result = DeleteResult(
            project_id=project_id,
            success=True,
            message="Project deleted (an earlier run's request may have; confirmed gone)",
            inferred_from_retry=True,
        )
    outcome = Outcome.ALREADY_ABSENT if result.already_absent else Outcome.DELETED
    reason = "confirmed_gone" if result.inferred_from_retry else None
    return ItemResult(item=project_id, outcome=outcome, value=result, reason=reason)


def _sent_before(journal: Journal | None, project_id: ProjectId) -> bool:
    """Whether ``journal`` says a request for ``project_id`` may have been applied."""
    return journal is not None and journal.is_unconfirmed(dedupe_key(project_id))


def _journal(path: str | PathLike[str] | None, operation: str) -> Journal | None:
    """The run's journal for ``operation``, or None without a path."""
    return Journal(path, operation=operation) if path is not None else None


def _check_complete(project_id: ProjectId, project: Project, requested: list[str] | None) -> None:
    """Whether a backup of ``project`` can stand in for it: else ``BackupError``.

    A project still rendering has no final video yet, and a kind asked for that the
    project lacks was not backed up: deleting either would lose what was asked to keep.
    """
    if project.in_progress:
        raise BackupError(
            f"project {project_id!r} is still rendering: its video is not final, so it is "
            "not deleted",
            project_id=project_id,
        )
    missing = sorted(set(requested or ()) - set(project.assets))
    if missing:
        raise BackupError(
            f"project {project_id!r} has no {', '.join(missing)} to back up, so it is not deleted",
            project_id=project_id,
            file=missing[0],
        )
