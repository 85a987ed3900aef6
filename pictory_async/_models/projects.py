"""The project models: plain, frozen attrs classes with no I/O.

Wire names (camelCase, ``videoURL``, ...) live in the field metadata and are applied by
``_converter``; here every name is snake_case. Every field but a summary's ``id`` is
optional, because Pictory omits fields freely. ``raw`` keeps the payload exactly as
received, so a field Pictory adds tomorrow is already at hand.

``to_dict()`` turns a model into plain JSON data (for reports, logs, your own storage)
through the converter: snake_case keys by default, Pictory's keys with ``wire_names=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._converter import raw_field, unstructure, wire
from .._types import ProjectId

__all__ = [
    "DeleteBody",
    "DeleteResult",
    "Page",
    "PageBody",
    "Project",
    "ProjectSummary",
    "Scene",
    "ScriptTxtSceneSettings",
    "VisualFilter",
]


class _ToDict:
    """``to_dict`` for the models read from the API (their ``raw`` has Pictory's keys)."""

    __slots__ = ()

    def to_dict(self, *, wire_names: bool = False) -> dict[str, Any]:
        """This model as plain JSON data: ``json.dumps`` takes it as it is.

        Every field is present (``None`` where Pictory sent nothing), nested models are
        dicts, tuples lists, datetimes ISO 8601 strings in UTC with a ``Z``
        (``"2025-12-23T01:54:26.658Z"``).

        Args:
            wire_names: Pictory's keys (``projectName``, ``videoURL``, ...) instead of
                the snake_case names, and then also every key Pictory sent that this
                model does not know (from ``raw``), so the dict is the answer as
                received, with the known fields in their checked form. With snake_case
                names those unknown keys are left out: they have no snake_case name.

        Returns:
            A new dict; changing it does not change the model.
        """
        result: dict[str, Any] = unstructure(self, wire_names=wire_names)
        return result


@attrs.frozen(kw_only=True)
class ScriptTxtSceneSettings:
    """How scenes are generated from a script."""

    auto_highlight_keywords: bool | None = None
    max_lines: int | None = None
    auto_visual_selection: bool | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class VisualFilter:
    """Filters applied when visuals are picked."""

    libraries: tuple[Any, ...] = ()
    styles: tuple[Any, ...] = ()
    categories: tuple[Any, ...] = ()
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Scene:
    """One scene of a project's storyboard (present on some projects only)."""

    scene_id: str | int | None = None
    text: str | None = None
    keywords: tuple[Any, ...] = ()
    category: str | None = None
    sort_order: float | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Project(_ToDict):
    """A project as returned by ``GET /pictoryapis/v2/projects/{projectid}``.

    ``id`` is the id it was fetched with (the API does not echo it). Datetimes are
    aware and in UTC.
    """

    id: ProjectId | None = None
    project_name: str | None = None
    source: str | None = None
    step: str | None = None
    schema_version: str | None = None
    layout: str | None = None
    thumbnail: str | None = None
    video_url: str | None = attrs.field(default=None, metadata=wire("videoURL"))
    share_video_url: str | None = attrs.field(default=None, metadata=wire("shareVideoURL"))
    audio_url: str | None = attrs.field(default=None, metadata=wire("audioURL"))
    video_duration: float | None = None
    save_date: datetime | None = None
    generated_date: datetime | None = None
    srt_file: str | None = None
    vtt_file: str | None = None
    txt_file: str | None = None
    script_language: str | None = None
    voice_over_id: str | None = None
    audio_speed: float | None = None
    video_volume: float | None = None
    brand_id: str | None = None
    smart_template_id: str | None = None
    in_progress: bool | None = None
    script_txt_scene_settings: ScriptTxtSceneSettings | None = None
    visual_filter: VisualFilter | None = None
    scenes: tuple[Scene, ...] = ()
    project_type: str | None = None
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_rendered(self) -> bool:
        """Whether the render is finished and the video can be downloaded."""
        if self.in_progress:
            return False
        return self.step == "COMPLETE" or self.video_url is not None

    @property
    def assets(self) -> dict[str, str]:
        """The media URLs this project has, by kind (``video``, ``audio``, ``srt``, ...)."""
        urls = {
            "video": self.video_url,
            "audio": self.audio_url,
            "thumbnail": self.thumbnail,
            "srt": self.srt_file,
            "vtt": self.vtt_file,
            "txt": self.txt_file,
        }
        return {kind: url for kind, url in urls.items() if url}

    @property
    def share_url(self) -> str | None:
        """The link to watch the video on Pictory's site (``shareVideoURL``), to share.

        ``None`` when Pictory has not made one yet (no render), when it is empty, or when
        it is not an ``http(s)`` URL (a ``javascript:`` link is not one to hand out).
        """
        url = (self.share_video_url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else None


@attrs.frozen(kw_only=True)
class ProjectSummary(_ToDict):
    """One item of ``GET /pictoryapis/v2/projects`` (note ``savedDate`` there)."""

    id: ProjectId
    name: str | None = None
    source: str | None = None
    project_preview: str | None = None
    saved_date: datetime | None = None
    aspect_ratio: str | None = None
    schema_version: str | None = None
    type: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class DeleteResult:
    """The outcome of deleting one project.

    Attributes:
        project_id: The id that was deleted.
        success: ``True``: the project is gone.
        message: The API's message, or ours when there was no body to read it from.
        already_absent: ``True`` when the project did not exist (``missing_ok=True``).
        inferred_from_retry: ``True`` when an attempt's response was lost and the retry
            found the project gone: the lost attempt deleted it.
    """

    project_id: ProjectId
    success: bool
    message: str | None = None
    already_absent: bool = False
    inferred_from_retry: bool = False

    def to_dict(self) -> dict[str, Any]:
        """This result as plain JSON data (snake_case keys: it is ours, not Pictory's)."""
        result: dict[str, Any] = unstructure(self)
        return result


@attrs.frozen(kw_only=True)
class Page:
    """One page of the project list.

    Attributes:
        items: The summaries on this page.
        page_key: The key of the next page, ``None`` on the last one.
    """

    items: tuple[ProjectSummary, ...]
    page_key: str | None


@attrs.frozen(kw_only=True)
class DeleteBody:
    """The body of a ``DELETE`` answer: whether it says it worked, and its message."""

    success: bool | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class PageBody:
    """The body of a page of ``GET /pictoryapis/v2/projects``."""

    items: tuple[ProjectSummary, ...] = ()
    page_key: str | None = None
