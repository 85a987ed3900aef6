"""Project backups on disk: the metadata as received, the media, and a manifest to check.

A backup is one directory per project::

    <dest>/<project dir>/
        project.json    the API's answer, byte for byte
        <id>-video.mp4  ... every asset downloaded (see ``_assets``)
        manifest.json   file, kind, size, sha256, source URL and time of each file,
                        and the validators the CDN gave (ETag, Last-Modified)

Files are written to a temporary name and renamed into place (with the mode the umask
gives); the manifest last, so a backup with a manifest is complete. A backup run again
keeps a file only when the CDN confirms, by a conditional request on the validators
recorded (``save_assets``, ``_conditional``), that it still serves those bytes.
``verify`` re-reads every file the manifest names and checks its size and SHA-256:
``backup_and_delete`` deletes a project only after that check passed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from ._assets import Asset, asset_filename, each_kind
from ._conditional import Validators
from ._download import Downloader
from ._exceptions import BackupError
from ._files import write_atomically
from ._redact import redact_url
from ._types import ProjectId

__all__ = ["MANIFEST", "PROJECT_JSON", "Backup", "BackupFile", "project_dirname"]

MANIFEST = "manifest.json"
PROJECT_JSON = "project.json"
FORMAT = "pictory-async-backup"
VERSION = 1


@attrs.frozen(kw_only=True)
class BackupFile:
    """One file of a backup, as its manifest records it.

    Attributes:
        name: The file's name in the project's directory.
        kind: ``project`` or the asset kind.
        size: Its size in bytes.
        sha256: The hex SHA-256 of its bytes.
        url: The URL it was downloaded from (``None`` for ``project.json``), in full:
            a signed URL keeps its query here. Its ``repr`` shows it as ``redact_url``
            does, so logging a ``BackupFile`` leaks none.
        saved_at: When it was downloaded.
        etag: The CDN's ``ETag`` for it, when it gave one.
        last_modified: The CDN's ``Last-Modified`` for it, when it gave one.
    """

    name: str
    kind: str
    size: int
    sha256: str
    url: str | None = attrs.field(repr=lambda url: repr(url if url is None else redact_url(url)))
    saved_at: datetime
    etag: str | None = None
    last_modified: str | None = None


@attrs.frozen(kw_only=True)
class Backup:
    """A project's backup on disk.

    Attributes:
        project_id: The project.
        directory: Its directory.
        files: ``project.json`` and every asset, as in ``manifest.json``.
        downloaded: How many assets this run downloaded (the others already matched).
    """

    project_id: ProjectId
    directory: Path
    files: tuple[BackupFile, ...]
    downloaded: int = 0


def project_dirname(project_id: ProjectId) -> str:
    """A directory name for one project's backup, safe and collision-free (as file names)."""
    return asset_filename(project_id, "txt").removesuffix("-txt.txt")


def sha256_of(path: Path) -> tuple[int, str]:
    """``(size, hex sha256)`` of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while block := file.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def matches(directory: Path, recorded: BackupFile) -> bool:
    """Whether the file on disk is the one a manifest recorded (size and SHA-256)."""
    try:
        return sha256_of(directory / recorded.name) == (recorded.size, recorded.sha256)
    except OSError:
        return False


def read_manifest(directory: Path) -> dict[str, BackupFile]:
    """The files an existing manifest records, by name (empty when there is none)."""
    try:
        data = json.loads((directory / MANIFEST).read_bytes())
        return {
            entry["name"]: BackupFile(
                name=entry["name"],
                kind=entry["kind"],
                size=int(entry["size"]),
                sha256=entry["sha256"],
                url=entry.get("url"),
                saved_at=datetime.fromisoformat(entry["saved_at"]),
                # absent from older manifests (and never trusted unless a string): then
                # nothing can be asked of the CDN, and the file is downloaded again
                etag=_text(entry.get("etag")),
                last_modified=_text(entry.get("last_modified")),
            )
            for entry in data["files"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def write_manifest(directory: Path, project_id: ProjectId, files: list[BackupFile]) -> None:
    """Write ``manifest.json`` (last: a backup with a manifest is complete)."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "project_id": project_id,
        "files": [
            {
                "name": item.name,
                "kind": item.kind,
                "size": item.size,
                "sha256": item.sha256,
                "url": item.url,
                "saved_at": item.saved_at.isoformat(),
                "etag": item.etag,
                "last_modified": item.last_modified,
            }
            for item in files
        ],
    }
    write_atomically(directory / MANIFEST, json.dumps(body, indent=2).encode() + b"\n")


def verify(directory: Path, project_id: ProjectId, expected_kinds: set[str]) -> None:
    """Re-read every file the manifest names and check it.

    Raises:
        BackupError: No manifest, a missing kind, a name that leaves the directory (a
            path, or a symbolic link), or a file whose size or SHA-256 differs.
    """
    recorded = read_manifest(directory)
    if not recorded:
        raise BackupError(f"{directory}: no readable {MANIFEST}", project_id=project_id)
    missing = expected_kinds - {item.kind for item in recorded.values()}
    if missing:
        raise BackupError(
            f"{directory}: the manifest lacks {sorted(missing)}",
            project_id=project_id,
            file=sorted(missing)[0],
        )
    for item in recorded.values():
        path = directory / item.name
        if path.parent != directory or path.is_symlink():  # a link may point anywhere
            raise BackupError(f"unsafe name in manifest: {item.name!r}", project_id=project_id)
        try:
            size, digest = sha256_of(path)
        except OSError as exc:
            raise BackupError(
                f"{item.name}: cannot be read back ({exc.strerror or exc})",
                project_id=project_id,
                file=item.name,
            ) from None
        if (size, digest) != (item.size, item.sha256):
            raise BackupError(
                f"{item.name}: on disk {size} bytes sha256 {digest[:12]}..., manifest says "
                f"{item.size} bytes sha256 {item.sha256[:12]}...",
                project_id=project_id,
                file=item.name,
            )


def now() -> datetime:
    """The time recorded in manifests (UTC)."""
    return datetime.now(timezone.utc)


def without_query(url: str) -> str:
    """``url`` without its query and fragment (a signed CDN URL changes its query)."""
    return url.split("#", 1)[0].split("?", 1)[0]


def stand_in(directory: Path, prior: BackupFile | None, url: str) -> Validators | None:
    """The validators to ask the CDN with, if the file ``prior`` records may stand in.

    Only a file of the same path (query aside: a new signature is the same file, a new
    path a new one) that is still on disk as recorded, and whose validators can ask
    the CDN anything; ``None`` means: download it again.
    """
    if prior is None or prior.url is None or without_query(prior.url) != without_query(url):
        return None
    validators = Validators(etag=prior.etag, last_modified=prior.last_modified, size=prior.size)
    if validators.condition() is None:
        return None  # an older manifest, or a CDN that gave nothing to ask with
    if (directory / prior.name).is_symlink() or not matches(directory, prior):
        return None  # changed on disk: a 304 would confirm the CDN's file, not this one
    return validators


def _recorded(asset: Asset, url: str) -> BackupFile:
    return BackupFile(
        name=asset.path.name,
        kind=asset.kind,
        size=asset.size,
        sha256=asset.sha256,
        url=url,  # the project's URL (a redirect may have led on)
        saved_at=now(),
        etag=asset.etag,
        last_modified=asset.last_modified,
    )


async def save_assets(
    downloader: Downloader,
    directory: Path,
    project_id: ProjectId,
    wanted: dict[str, str],
    existing: dict[str, BackupFile],
    concurrency: int,
) -> tuple[list[BackupFile], int]:
    """Download the assets ``wanted`` into ``directory``, keeping those the CDN confirms.

    An asset the manifest ``existing`` records under the same path is asked for with a
    conditional request; a ``304`` that confirms its validators keeps the file, any
    other answer downloads it again. The first failure is raised after all end.

    Returns:
        The manifest entry of each asset, in the order of ``wanted``, and how many
        were downloaded.

    Raises:
        AssetDownloadError: An asset failed for good.
        OSError: The directory could not be written.
    """

    async def one(kind: str) -> tuple[BackupFile, bool]:
        url = wanted[kind]
        path = directory / asset_filename(project_id, kind)
        prior = existing.get(path.name)
        unless = await asyncio.to_thread(stand_in, directory, prior, url)
        if prior is None or unless is None:
            return _recorded(await downloader.download(url, kind, path), url), True
        asset = await downloader.download(url, kind, path, unless=unless)
        if asset is None:  # the CDN confirmed it: the same file, at the project's URL now
            return attrs.evolve(prior, url=url), False
        return _recorded(asset, url), True

    saved = (await each_kind(wanted, concurrency, one)).values()
    return [file for file, _ in saved], sum(fresh for _, fresh in saved)
