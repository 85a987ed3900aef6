"""The in-memory store: project records, per-account indexes, and keyset pagination."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from datetime import datetime
from typing import Any, TypeAlias

import attrs

__all__ = ["PageCursor", "ProjectRecord", "Store", "decode_page_key", "encode_page_key"]

PageCursor: TypeAlias = tuple[int, str]
"""A position in a listing: ``(-saved_ms, str(id))``, newest first."""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@attrs.define(kw_only=True, eq=False)
class ProjectRecord:
    """One stored project, as the emulator keeps it (snake_case; the wire names come later).

    ``saved``, ``id`` and ``account`` must not change once the record is in a store: they
    are its place in the listings.

    Attributes:
        id: An int for v2 and older projects, a string for v3 ones.
        account: The name of the account that owns it.
        name: ``projectName`` / ``name``.
        source: ``script``, ``transcribe``, ``url``, ...
        folder: The folder id it is in, or None.
        schema_version: ``v2``, ``v3``, or None for older projects (key left out).
        layout: ``16:9``, ``9:16`` or ``1:1``.
        aspect_ratio: The list's ``aspectRatio`` (``sixteen-nine``, ...), None to leave out.
        saved: ``saveDate`` / ``savedDate``, aware UTC.
        generated: ``generatedDate``, when a render finished.
        step: ``STORYBOARD``, ``EDIT``, ``RENDER`` or ``COMPLETE``.
        render_done_at: Emulator clock reading at which a running render finishes; None
            when no render is running.
        render_job: The id of the job of the running render, when the API started it.
        video_duration: Seconds, once rendered.
        script_language: ``scriptLanguage``.
        voice_over_id: ``voiceOverId``.
        audio_speed: ``audioSpeed``.
        video_volume: ``videoVolume``.
        brand_id: ``brandId``.
        smart_template_id: ``smartTemplateId``.
        scene_settings: ``scriptTxtSceneSettings``.
        visual_filter: ``visualFilter``.
        scenes: ``scenes[]`` in wire form, or None to leave the key out.
        project_type: ``projectType``, or None to leave it out.
        asset_key: The key of its media files on the CDN.
        share_token: The last part of its ``shareVideoURL``.
        renders: Renders finished since it was made: the version of its rendered media
            (the CDN serves new bytes, with new validators, after each).
        extra: More keys for the get-by-id body, added last (they may override).
    """

    id: int | str
    account: str
    name: str
    source: str = "script"
    folder: str | None = None
    schema_version: str | None = "v3"
    layout: str = "16:9"
    aspect_ratio: str | None = "sixteen-nine"
    saved: datetime
    generated: datetime | None = None
    step: str = "STORYBOARD"
    render_done_at: float | None = None
    render_job: str | None = None
    video_duration: float | None = None
    script_language: str = "en"
    voice_over_id: str | None = None
    audio_speed: int = 100
    video_volume: int = 50
    brand_id: str | None = None
    smart_template_id: str | None = None
    scene_settings: dict[str, Any] = attrs.field(factory=dict)
    visual_filter: dict[str, Any] = attrs.field(
        factory=lambda: {"libraries": [], "styles": [], "categories": []}
    )
    scenes: list[dict[str, Any]] | None = None
    project_type: str | None = None
    asset_key: str
    share_token: str
    renders: int = 0
    extra: dict[str, Any] = attrs.field(factory=dict)
    cache_generation: int = attrs.field(default=-1, init=False, repr=False)
    cached_body: bytes = attrs.field(default=b"", init=False, repr=False)
    cached_item: bytes = attrs.field(default=b"", init=False, repr=False)

    @property
    def key(self) -> str:
        """The id as it appears in a URL path."""
        return str(self.id)

    @property
    def cursor(self) -> PageCursor:
        """The record's place in a listing, newest first."""
        return (-_ms(self.saved), str(self.id))

    @property
    def in_progress(self) -> bool:
        """Whether a render is running."""
        return self.render_done_at is not None

    @property
    def script(self) -> tuple[str, ...]:
        """The scene texts, which subtitles and transcripts start with."""
        return tuple(str(scene.get("text", "")) for scene in self.scenes or ())

    def invalidate(self) -> None:
        """Forget the cached wire bodies (after a change)."""
        self.cache_generation = -1


def encode_page_key(cursor: PageCursor) -> str:
    """An opaque ``pageKey`` for the listing position after ``cursor``."""
    raw = json.dumps({"s": cursor[0], "k": cursor[1]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_page_key(page_key: str) -> PageCursor:
    """Read a ``pageKey`` made by :func:`encode_page_key`.

    Raises:
        ValueError: The key was not made by this emulator.
    """
    try:
        raw = base64.urlsafe_b64decode(page_key + "=" * (-len(page_key) % 4))
        data = json.loads(raw)
        saved, key = data["s"], data["k"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"invalid page key {page_key!r}") from exc
    if not isinstance(saved, int) or isinstance(saved, bool) or not isinstance(key, str):
        raise ValueError(f"invalid page key {page_key!r}")
    return (saved, key)


class Store:
    """Projects by id, plus one sorted index per account and per (account, folder).

    Deleting leaves a stale entry in the indexes (skipped when listing, swept up when
    they pile up), so a delete costs O(1) and a page O(log n + page size).
    """

    def __init__(self) -> None:
        """Start empty."""
        self.by_id: dict[str, ProjectRecord] = {}
        self.by_asset: dict[str, ProjectRecord] = {}
        self._indexes: dict[tuple[str, str | None], list[PageCursor]] = {}
        self._stale = 0

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, record: ProjectRecord) -> None:
        """Store a new project.

        Raises:
            ValueError: A project with the same id, or the same asset key, exists.
        """
        if record.key in self.by_id:
            raise ValueError(f"a project with id {record.id!r} already exists")
        if record.asset_key in self.by_asset:
            raise ValueError(f"a project with asset key {record.asset_key!r} already exists")
        self.by_id[record.key] = record
        self.by_asset[record.asset_key] = record
        cursor = record.cursor
        for folder in (None, record.folder) if record.folder is not None else (None,):
            index = self._indexes.setdefault((record.account, folder), [])
            at = bisect.bisect_left(index, cursor)
            if at == len(index) or index[at] != cursor:
                index.insert(at, cursor)

    def remove(self, key: str) -> ProjectRecord | None:
        """Remove and return the project with id ``key``, if there is one."""
        record = self.by_id.pop(key, None)
        if record is None:
            return None
        del self.by_asset[record.asset_key]
        self._stale += 1
        if self._stale > 1000 and self._stale > len(self.by_id):
            self._sweep()
        return record

    def _live(self, cursor: PageCursor, account: str, folder: str | None) -> ProjectRecord | None:
        record = self.by_id.get(cursor[1])
        if record is None or record.account != account or record.cursor != cursor:
            return None
        if folder is not None and record.folder != folder:
            return None
        return record

    def _sweep(self) -> None:
        for (account, folder), index in self._indexes.items():
            index[:] = [c for c in index if self._live(c, account, folder) is not None]
        self._stale = 0

    def page(
        self, account: str, folder: str | None, after: PageCursor | None, size: int
    ) -> tuple[list[ProjectRecord], PageCursor | None]:
        """One page of an account's projects, newest first.

        Returns:
            The records, and the cursor to continue from, or None on the last page. Like
            a key-value store's scan, a full page may be followed by an empty last one.
        """
        index = self._indexes.get((account, folder), [])
        at = 0 if after is None else bisect.bisect_right(index, after)
        records: list[ProjectRecord] = []
        while at < len(index) and len(records) < size:
            record = self._live(index[at], account, folder)
            if record is not None:
                records.append(record)
            at += 1
        more = at < len(index) and bool(records)
        return records, (records[-1].cursor if more else None)

    def projects(self, account: str | None = None) -> list[ProjectRecord]:
        """All live projects (of one account, if given), newest first."""
        records = [r for r in self.by_id.values() if account is None or r.account == account]
        records.sort(key=lambda r: r.cursor)
        return records
