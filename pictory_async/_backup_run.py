"""Backing one project up: its metadata as received, its media, then the manifest.

The steps of ``Projects.backup``: the options and id are checked before anything is
fetched or written; the project is fetched afresh (with its body, byte for byte); the
project's directory is created and ``project.json`` written; its assets are saved,
kept where the CDN confirms them (``_backup.save_assets``); the manifest is written
last. Every failure on the way is a ``BackupError`` that names the file and the cause.
How the files, the manifest and the checks work is ``_backup``'s.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable
from os import PathLike
from pathlib import Path

from ._assets import check_kinds, select_assets
from ._backup import (
    PROJECT_JSON,
    Backup,
    BackupFile,
    now,
    project_dirname,
    read_manifest,
    save_assets,
    write_manifest,
)
from ._download import Downloader
from ._exceptions import AssetDownloadError, BackupError, InvalidInputError
from ._files import write_atomically
from ._models import Project
from ._options import resolve_count
from ._paths import project_path
from ._project_assets import prepare_dir
from ._types import ProjectId

__all__ = ["Fetch", "back_up", "backup_target"]

Fetch = Callable[[ProjectId], Awaitable[tuple[Project, bytes]]]
"""Fetches a project and the body it was read from."""


def backup_target(
    project: Project | ProjectId, kinds: Iterable[str] | None, concurrency: object
) -> ProjectId:
    """The id of the project to back up, with the options checked first.

    Raises:
        InvalidInputError: A bad ``concurrency``, an unknown kind, a project without id.
        InvalidProjectIdError: An unsafe id.
    """
    resolve_count(concurrency, name="concurrency", minimum=1)
    check_kinds(kinds)
    project_id = project.id if isinstance(project, Project) else project
    if project_id is None:
        raise InvalidInputError("the project has no id")
    project_path(project_id)  # validated before anything is written
    return project_id


async def back_up(
    fetch: Fetch,
    downloader: Downloader,
    project_id: ProjectId,
    dest_dir: str | PathLike[str],
    *,
    kinds: Iterable[str] | None,
    concurrency: int,
) -> tuple[Backup, Project]:
    """Back ``project_id`` up into ``dest_dir/<project>/``.

    Returns:
        The ``Backup``, every file checked, and the project as fetched for it.

    Raises:
        BackupError: The directory, ``project.json`` or an asset could not be written
            or downloaded; the manifest is not written.
        APIError: The project could not be fetched (``NotFoundError`` and the others).
    """
    fetched, body = await fetch(project_id)
    folder = Path(dest_dir) / project_dirname(project_id)
    try:
        directory = await asyncio.to_thread(prepare_dir, folder)
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
            saved_at=now(),
        )
    ]
    wanted = select_assets(fetched.assets, kinds)
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
