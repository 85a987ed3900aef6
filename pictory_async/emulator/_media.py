"""Deterministic media files for the emulator's CDN: same seed, key and render, same bytes.

Each render of a project gives its rendered kinds (video, subtitles, transcript) new
bytes under the same URLs, as Pictory's CDN does; audio and thumbnail stay.
"""

from __future__ import annotations

import functools
import hashlib
import random
from typing import NamedTuple

__all__ = [
    "ASSET_KINDS",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "MediaFile",
    "asset_bytes",
    "asset_sha256",
    "subtitles",
]

ASSET_KINDS = ("video", "audio", "thumbnail", "srt", "vtt", "txt")
"""Kinds of media a project can have, as the client names them."""

RENDERED_KINDS = frozenset({"video", "srt", "vtt", "txt"})
"""Kinds that exist only once a render has finished."""

EXTENSIONS = {
    "video": "mp4",
    "audio": "mp3",
    "thumbnail": "jpg",
    "srt": "srt",
    "vtt": "vtt",
    "txt": "txt",
}

CONTENT_TYPES = {
    "video": b"video/mp4",
    "audio": b"audio/mpeg",
    "thumbnail": b"image/jpeg",
    "srt": b"application/x-subrip",
    "vtt": b"text/vtt; charset=utf-8",
    "txt": b"text/plain; charset=utf-8",
}

_SIZES = {"video": (256 * 1024, 1024 * 1024), "audio": (64 * 1024, 256 * 1024)}
_THUMBNAIL_SIZE = (4 * 1024, 32 * 1024)
_SMALL_SIZES = {"video": (4 * 1024, 8 * 1024), "audio": (4 * 1024, 8 * 1024)}
_SMALL_THUMBNAIL_SIZE = (1024, 4 * 1024)
_TEXT_SIZE = (2 * 1024, 8 * 1024)
_MAGIC = {
    "video": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "audio": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "thumbnail": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
}
_WORDS = (
    "video", "audio", "story", "brand", "launch", "team", "quarter", "growth", "customer",
    "product", "market", "idea", "design", "future", "journey", "welcome", "update", "summary",
    "insight", "moment", "vision", "simple", "clear", "bright", "together", "learn", "build",
    "share", "create", "review", "plan", "focus", "result", "success",
)  # fmt: skip


def _sentences(rng: random.Random, script: tuple[str, ...], size: int) -> list[str]:
    lines = [line for line in script if line]
    total = sum(len(line) + 1 for line in lines)
    while total < size:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
        line = " ".join(words).capitalize() + "."
        lines.append(line)
        total += len(line) + 1
    return lines


def _timestamp(seconds: float, sep: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def _subtitles(lines: list[str], kind: str) -> str:
    return subtitles(
        [(index * 3.0, index * 3.0 + 2.8, line) for index, line in enumerate(lines)], kind
    )


def subtitles(cues: list[tuple[float, float, str]], kind: str) -> str:
    """``(start, end, text)`` cues as the text of an ``srt`` or a ``vtt`` file."""
    sep = "," if kind == "srt" else "."
    parts = []
    for index, (start, end, line) in enumerate(cues):
        number = f"{index + 1}\n" if kind == "srt" else ""
        parts.append(f"{number}{_timestamp(start, sep)} --> {_timestamp(end, sep)}\n{line}\n")
    body = "\n".join(parts)
    return "WEBVTT\n\n" + body if kind == "vtt" else body


class MediaFile(NamedTuple):
    """What decides the bytes of one media file.

    Attributes:
        seed: The emulator's seed.
        asset_key: The project's asset key (part of its CDN URLs).
        kind: One of ``ASSET_KINDS``.
        script: Lines of text that subtitles and transcripts start with.
        small: Videos and audio of 4-8 KiB and thumbnails of 1-4 KiB (instead of up to
            1 MiB, 256 KiB and 32 KiB), for tests that back up hundreds of projects.
        render: Renders finished since the project was made: each gives the rendered
            kinds new bytes (0: the bytes it was made with).
    """

    seed: int
    asset_key: str
    kind: str
    script: tuple[str, ...] = ()
    small: bool = False
    render: int = 0


@functools.lru_cache(maxsize=32)
def asset_bytes(file: MediaFile) -> bytes:
    """The content of one media file.

    Raises:
        ValueError: An unknown kind.
    """
    seed, asset_key, kind, script, small, render = file
    if kind not in EXTENSIONS:
        raise ValueError(f"unknown asset kind {kind!r}")
    version = f":{render}" if render and kind in RENDERED_KINDS else ""
    rng = random.Random(f"asset:{seed}:{asset_key}:{kind}{version}")
    if kind in ("srt", "vtt", "txt"):
        lines = _sentences(rng, script, rng.randint(*_TEXT_SIZE))
        text = "\n".join(lines) + "\n" if kind == "txt" else _subtitles(lines, kind)
        return text.encode()
    sizes, thumbnail = (_SMALL_SIZES, _SMALL_THUMBNAIL_SIZE) if small else (_SIZES, _THUMBNAIL_SIZE)
    low, high = sizes.get(kind, thumbnail)
    size = rng.randint(low, high)
    magic = _MAGIC[kind]
    tail = b"\xff\xd9" if kind == "thumbnail" else b""
    return magic + rng.randbytes(size - len(magic) - len(tail)) + tail


@functools.lru_cache(maxsize=256)
def asset_sha256(file: MediaFile) -> str:
    """The hex SHA-256 of :func:`asset_bytes` of the same file."""
    return hashlib.sha256(asset_bytes(file)).hexdigest()
