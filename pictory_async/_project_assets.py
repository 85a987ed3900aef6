"""Downloading a project's media files into a directory, a few at once, each checked.

The steps of ``Projects.download_assets`` between the project (fetched by the resource)
and the files on disk: the options are checked before anything is fetched, the
directory is created, and one ``Downloader.download`` runs per kind (``each_kind``),
the first failure raised after all ended. How one file is fetched, checked and renamed
into place is ``_download``'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from os import PathLike
from pathlib import Path

from ._assets import Asset, asset_filename, check_kinds, each_kind, select_assets
from ._download import Downloader
from ._download_errors import unwritable
from ._models import Project
from ._options import resolve_count
from ._types import ProjectId

__all__ = ["check_download", "download_assets_into", "download_project_assets", "prepare_dir"]


def check_download(kinds: Iterable[str] | None, concurrency: object, max_bytes: object) -> None:
    """The options of a download, checked before anything is fetched.

    Raises:
        InvalidInputError: An unknown kind, or a bad ``concurrency`` or ``max_bytes``.
    """
    resolve_count(concurrency, name="concurrency", minimum=1)
    resolve_count(max_bytes, name="max_bytes", minimum=1)
    check_kinds(kinds)


def prepare_dir(folder: Path) -> Path:
    """``folder``, created with its parents if missing, as an absolute path."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


async def download_project_assets(
    downloader: Downloader,
    project: Project,
    dest_dir: str | PathLike[str],
    *,
    kinds: Iterable[str] | None,
    concurrency: int,
) -> dict[str, Asset]:
    """Download ``project``'s assets of ``kinds`` into ``dest_dir`` (created if missing).

    Returns:
        The downloaded ``Asset`` of each kind.

    Raises:
        AssetDownloadError: A file could not be downloaded or written, ``dest_dir``
            included (the others that finished are on disk).
    """
    project_id: ProjectId = project.id if project.id is not None else "project"
    return await download_assets_into(
        downloader, project_id, project.assets, dest_dir, kinds=kinds, concurrency=concurrency
    )


async def download_assets_into(
    downloader: Downloader,
    owner: ProjectId,
    urls: Mapping[str, str],
    dest_dir: str | PathLike[str],
    *,
    kinds: Iterable[str] | None,
    concurrency: int,
) -> dict[str, Asset]:
    """Download media ``urls`` (by kind) into ``dest_dir`` as ``<owner>-<kind>.<ext>``.

    ``owner`` is a project's id, or a video's (its project's, else its job's).

    Returns:
        The downloaded ``Asset`` of each kind.

    Raises:
        AssetDownloadError: As ``download_project_assets``.
    """
    assets = select_assets(urls, kinds)
    try:
        root = await asyncio.to_thread(prepare_dir, Path(dest_dir))
    except OSError as exc:  # not a directory, read-only, ...: no file can be downloaded
        if not assets:
            return {}  # nothing to download, so nothing failed
        kind, url = next(iter(assets.items()))
        raise unwritable(kind, url, dest_dir, exc) from exc

    def one(kind: str) -> Awaitable[Asset]:
        return downloader.download(assets[kind], kind, root / asset_filename(owner, kind))

    return await each_kind(assets, concurrency, one)
