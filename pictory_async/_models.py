"""The models the API returns: plain, frozen attrs classes with no I/O.

Wire names (camelCase, ``videoURL``, ...) live in the field metadata and are applied by
``_converter``; here every name is snake_case. Every field but a summary's ``id`` is
optional, because Pictory omits fields freely. ``raw`` keeps the payload exactly as
received, so a field Pictory adds tomorrow is already at hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._types import ProjectId

__all__ = [
    "DeleteResult",
    "Project",
    "ProjectSummary",
    "Scene",
    "ScriptTxtSceneSettings",
    "VisualFilter",
]

"""Kinds of downloadable media a project can have, in ``Project.assets`` order."""


def _wire(name: str) -> dict[str, str]:
    return {"wire": name}


def _raw() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, hash=False)


@attrs.frozen(kw_only=True)
class ScriptTxtSceneSettings:
    """How scenes are generated from a script."""

    auto_highlight_keywords: bool | None = None
    max_lines: int | None = None
    auto_visual_selection: bool | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class VisualFilter:
    """Filters applied when visuals are picked."""

    libraries: tuple[Any, ...] = ()
    styles: tuple[Any, ...] = ()
    categories: tuple[Any, ...] = ()
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Scene:
    """One scene of a project's storyboard (present on some projects only)."""

    scene_id: str | int | None = None
    text: str | None = None
    keywords: tuple[Any, ...] = ()
    category: str | None = None
    sort_order: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Project:
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
    video_url: str | None = attrs.field(default=None, metadata=_wire("videoURL"))
    share_video_url: str | None = attrs.field(default=None, metadata=_wire("shareVideoURL"))
    audio_url: str | None = attrs.field(default=None, metadata=_wire("audioURL"))
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
    raw: Mapping[str, Any] = _raw()

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


@attrs.frozen(kw_only=True)
class ProjectSummary:
    """One item of ``GET /pictoryapis/v2/projects`` (note ``savedDate`` there)."""

    id: ProjectId
    name: str | None = None
    source: str | None = None
    project_preview: str | None = None
    saved_date: datetime | None = None
    aspect_ratio: str | None = None
    schema_version: str | None = None
    type: str | None = None
    raw: Mapping[str, Any] = _raw()


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
