"""Project backups on disk: the metadata as received, the media, and a manifest to check.

A backup is one directory per project::

    <dest>/<project dir>/
        project.json    the API's answer, byte for byte
        <id>-video.mp4  ... every asset downloaded (see ``_assets``)
        manifest.json   file, kind, size, sha256, source URL and time of each file

Files are written to a temporary name and renamed into place; the manifest last, so a
backup with a manifest is complete. ``verify`` re-reads every file the manifest names
and checks its size and SHA-256: ``backup_and_delete`` deletes a project only after
that check passed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from ._assets import asset_filename
from ._exceptions import PictoryError
from ._types import ProjectId

__all__ = ["MANIFEST", "PROJECT_JSON", "Backup", "BackupError", "BackupFile", "project_dirname"]

MANIFEST = "manifest.json"
PROJECT_JSON = "project.json"
FORMAT = "pictory-async-backup"
VERSION = 1


class BackupError(PictoryError):
    """A backup is incomplete or does not match its manifest; nothing was deleted.

    Attributes:
        project_id: The project.
        file: The file (or asset kind) at fault, when one is.
    """

    def __init__(self, message: str, *, project_id: ProjectId, file: str | None = None) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.file = file


@attrs.frozen(kw_only=True)
class BackupFile:
    """One file of a backup, as its manifest records it."""

    name: str
    kind: str
    size: int
    sha256: str
    url: str | None
    saved_at: datetime


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


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsynced, then renamed."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


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
            )
            for entry in data["files"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


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
            }
            for item in files
        ],
    }
    write_atomically(directory / MANIFEST, json.dumps(body, indent=2).encode() + b"\n")


def verify(directory: Path, project_id: ProjectId, expected_kinds: set[str]) -> None:
    """Re-read every file the manifest names and check it.

    Raises:
        BackupError: No manifest, a missing kind, or a file whose size or SHA-256 differs.
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
