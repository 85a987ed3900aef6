"""What a project's assets are: their kinds, their file names, the selection of some.

No I/O: ``ASSET_KINDS`` (the kinds a project may have; ``MEDIA_KINDS`` are never
empty), ``asset_filename`` (a name safe on every filesystem: the project id and the
kind, reduced to characters that are safe everywhere, with a hash of the id when that
changed it, so no project name or id can escape the directory or collide),
``select_assets`` (the assets of some kinds, checked before anything is fetched),
``Asset`` (a file downloaded and checked) and ``each_kind``, which runs one fetch per
kind, a few at once. Downloading one is ``_download``'s.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Final, TypeVar

import attrs

from ._exceptions import InvalidInputError
from ._redact import redact_url
from ._types import ProjectId

__all__ = [
    "ASSET_KINDS",
    "DEFAULT_MAX_ASSET_BYTES",
    "MEDIA_KINDS",
    "Asset",
    "asset_filename",
    "check_kinds",
    "each_kind",
    "select_assets",
]

ASSET_KINDS: Final = ("video", "audio", "thumbnail", "srt", "vtt", "txt")
MEDIA_KINDS: Final = frozenset({"video", "audio", "thumbnail"})  # never empty
EXTENSIONS: Final = {
    "video": "mp4",
    "audio": "mp3",
    "thumbnail": "jpg",
    "srt": "srt",
    "vtt": "vtt",
    "txt": "txt",
}
DEFAULT_MAX_ASSET_BYTES = 20 * 1024**3
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)


@attrs.frozen(kw_only=True)
class Asset:
    """A media file downloaded and checked.

    Attributes:
        kind: ``video``, ``audio``, ``thumbnail``, ``srt``, ``vtt`` or ``txt``.
        path: Where it is on disk.
        size: Its size in bytes.
        sha256: The hex SHA-256 of its bytes, computed while streaming.
        url: The URL it was fetched from (after redirects), whole: a signed URL's query,
            a credential for the file, included, as the backup manifest keeps it. Its
            ``repr`` shows it as ``redact_url`` does, so logging an ``Asset`` leaks none.
        etag: The CDN's ``ETag`` for it, when it gave a well-formed one.
        last_modified: The CDN's ``Last-Modified`` for it, when it gave a valid one.
    """

    kind: str
    path: Path
    size: int
    sha256: str
    url: str = attrs.field(repr=lambda url: repr(redact_url(url)))
    etag: str | None = None
    last_modified: str | None = None


def asset_filename(project_id: ProjectId, kind: str) -> str:
    """A file name for one asset of one project, safe on every filesystem.

    ``<id>-<kind>.<ext>``, with the id reduced to ``[A-Za-z0-9._-]`` (at most 80
    characters, no leading or trailing dot) and a hash of the original id appended when
    that changed it or when it has capitals, so different ids never share a name, even
    on a filesystem that ignores case.
    """
    text = str.__str__(project_id) if isinstance(project_id, str) else str(int(project_id))
    # no leading dot (hidden) and no trailing one (Windows drops it: "a." would be "a")
    safe = _SAFE.sub("_", text)[:80].strip(".") or "project"
    if safe.split(".")[0].lower() in _RESERVED:  # CON, con.txt, ... on Windows
        safe = "_" + safe
    if safe != text or safe != safe.lower():
        # changed, or with capitals: "A" and "a" are one name on macOS and Windows
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        safe = f"{safe}~{digest}"
    return f"{safe}-{kind}.{EXTENSIONS[kind]}"


_T = TypeVar("_T")


async def each_kind(
    kinds: Iterable[str], concurrency: int, fetch: Callable[[str], Awaitable[_T]]
) -> dict[str, _T]:
    """``fetch(kind)`` for every kind, at most ``concurrency`` at once, by kind.

    Every fetch runs to its end; the first failure (in the order of ``kinds``) is raised
    only then, so no download is left running behind an error.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(kind: str) -> _T:
        async with gate:
            return await fetch(kind)

    order = list(kinds)
    results = await asyncio.gather(*(one(kind) for kind in order), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return dict(zip(order, results, strict=True))  # type: ignore[arg-type]  # no failure in it


def check_kinds(kinds: Iterable[str] | None) -> list[str] | None:
    """``kinds`` as a list (``None``: every kind), checked before anything is fetched.

    Raises:
        InvalidInputError: A kind is not one of ``ASSET_KINDS``.
    """
    if kinds is None:
        return None
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [kind for kind in wanted if kind not in ASSET_KINDS]
    if unknown:
        raise InvalidInputError(f"unknown asset kinds {unknown}; known: {list(ASSET_KINDS)}")
    return wanted


def select_assets(assets: Mapping[str, str], kinds: Iterable[str] | None) -> dict[str, str]:
    """The assets to download: all the project has, or those of ``kinds``.

    Raises:
        InvalidInputError: A kind is not one of ``ASSET_KINDS``.
    """
    wanted = check_kinds(kinds)
    if wanted is None:
        return dict(assets)
    return {kind: url for kind, url in assets.items() if kind in wanted}
