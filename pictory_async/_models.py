"""The models the API returns: plain, frozen attrs classes with no I/O.

Wire names (camelCase, ``videoURL``, ...) live in the field metadata and are applied by
``_converter``; here every name is snake_case. Every field but a summary's ``id`` is
optional, because Pictory omits fields freely. ``raw`` keeps the payload exactly as
received, so a field Pictory adds tomorrow is already at hand.

``to_dict()`` turns a model into plain JSON data (for reports, logs, your own storage):
snake_case keys by default, Pictory's keys with ``wire_names=True``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

import attrs

from ._converter import camel_case
from ._types import ProjectId

__all__ = [
    "DeleteResult",
    "Project",
    "ProjectSummary",
    "Scene",
    "ScriptTxtSceneSettings",
    "VisualFilter",
]


def _wire(name: str) -> dict[str, str]:
    return {"wire": name}


def _raw() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, hash=False)


def iso_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the millisecond as Pictory writes it (or finer).

    A naive datetime is taken to be UTC, as the converter does when it reads one.
    """
    moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    moment = moment.astimezone(timezone.utc)
    timespec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def _scalar(value: Any) -> Any:
    """``value`` as a plain JSON scalar, or ``_CONTAINER`` when it has items to walk."""
    if value is None or type(value) in (bool, str, int):
        return value
    if isinstance(value, enum.Enum):
        converted = _scalar(value.value)
        return str(value.value) if converted is _CONTAINER else converted
    if isinstance(value, int):
        return int.__int__(value)  # a subclass of int as a plain int
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Mapping, list, tuple)):
        return _CONTAINER
    if attrs.has(type(value)):
        return _CONTAINER
    return str(value)


_CONTAINER: Any = object()


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dicts with string keys, lists, str, int, float, bool.

    Datetimes become ISO 8601 strings (UTC, ``Z``), enums their value, tuples lists,
    attrs models their fields, subclasses of ``str``/``int`` plain ones, a NaN or an
    infinity ``None`` (JSON has none), anything else its ``str()``. The walk is not
    recursive, so any depth the JSON decoder accepted is fine.

    Raises:
        ValueError: A container holds itself (a circular reference).
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    open_: set[int] = set()  # the containers being walked: the path from the root
    while stack:
        item, parent, key = stack.pop()
        if parent is None:  # every child of this container is done
            open_.discard(item)
            continue
        converted = _scalar(item)
        if converted is not _CONTAINER:
            parent[key] = converted
            continue
        if id(item) in open_:
            raise ValueError("circular reference: a container holds itself")
        open_.add(id(item))
        stack.append((id(item), None, None))
        if attrs.has(type(item)):
            item = {
                field.name: getattr(item, field.name)
                for field in attrs.fields(type(item))
                if field.name != "raw"
            }
        if isinstance(item, Mapping):
            out: dict[str, Any] = {}
            for name, child in item.items():
                if type(name) is not str:
                    plain = _scalar(name)
                    name = str(name) if plain is _CONTAINER else str(plain)
                out[name] = None
                stack.append((child, out, name))
            parent[key] = out
        else:
            items: list[Any] = [None] * len(item)
            stack.extend((child, items, index) for index, child in enumerate(item))
            parent[key] = items
    return root[0]


def _wire_name(field: attrs.Attribute[Any]) -> str:
    wire = field.metadata.get("wire")
    return wire if isinstance(wire, str) else camel_case(field.name)


def model_dict(model: Any, *, wire_names: bool = False) -> dict[str, Any]:
    """The fields of an attrs model as plain JSON data (see ``Project.to_dict``)."""
    out: dict[str, Any] = {}
    for field in attrs.fields(type(model)):
        if field.name == "raw":
            continue
        value = getattr(model, field.name)
        if attrs.has(type(value)):
            value = model_dict(value, wire_names=wire_names)
        elif isinstance(value, tuple) and any(attrs.has(type(item)) for item in value):
            value = [
                model_dict(item, wire_names=wire_names) if attrs.has(type(item)) else item
                for item in value
            ]
        out[_wire_name(field) if wire_names else field.name] = jsonable(value)
    raw = getattr(model, "raw", None)
    if wire_names and isinstance(raw, Mapping):
        extra = {key: item for key, item in raw.items() if key not in out}
        out.update(jsonable(extra))
    return out


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

    @property
    def share_url(self) -> str | None:
        """The link to watch the video on Pictory's site (``shareVideoURL``), to share.

        ``None`` when Pictory has not made one yet (no render), when it is empty, or when
        it is not an ``http(s)`` URL (a ``javascript:`` link is not one to hand out).
        """
        url = (self.share_video_url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else None

    def to_dict(self, *, wire_names: bool = False) -> dict[str, Any]:
        """This project as plain JSON data: ``json.dumps`` takes it as it is.

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
        return model_dict(self, wire_names=wire_names)


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

    def to_dict(self, *, wire_names: bool = False) -> dict[str, Any]:
        """This summary as plain JSON data: ``json.dumps`` takes it as it is.

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
        return model_dict(self, wire_names=wire_names)


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
        return model_dict(self)
