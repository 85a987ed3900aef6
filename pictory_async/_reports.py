"""Reports on projects: rows written as JSON, JSON Lines or CSV, and comparisons.

A report has one flat row per project; a comparison puts projects' settings side by
side.

The rows are plain JSON data (``Project.to_dict`` underneath), so they go to a file, a
log or a spreadsheet as they are. Files are written to a temporary name and renamed
into place, so a report on disk is always complete. CSV cells that a spreadsheet would
run as a formula (a project name such as ``=HYPERLINK(...)``) are written as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import attrs

from ._bulk import BulkResult
from ._converter import iso_datetime, unstructure
from ._exceptions import InvalidInputError
from ._files import write_atomically
from ._models import Project, ProjectSummary, ScriptTxtSceneSettings, VisualFilter
from ._types import ProjectId

__all__ = [
    "COMPARED_FIELDS",
    "Comparison",
    "ReportFormat",
    "compare_projects",
    "project_report",
    "report_format",
    "write_report",
]

ReportFormat = Literal["json", "jsonl", "csv"]
"""The formats ``write_report`` writes."""

COMPARED_FIELDS: tuple[str, ...] = (
    "project_name",
    "source",
    "layout",
    "schema_version",
    "video_duration",
    "audio_speed",
    "video_volume",
    "script_language",
    "voice_over_id",
    "brand_id",
    "smart_template_id",
    "script_txt_scene_settings.max_lines",
    "script_txt_scene_settings.auto_highlight_keywords",
    "script_txt_scene_settings.auto_visual_selection",
)
"""The settings ``compare_projects`` compares unless told otherwise."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMATS: tuple[ReportFormat, ...] = ("json", "jsonl", "csv")
_NESTED: dict[str, type[Any]] = {
    "script_txt_scene_settings": ScriptTxtSceneSettings,
    "visual_filter": VisualFilter,
}
_PROPERTIES = frozenset({"share_url", "is_rendered"})

Reportable = Project | ProjectSummary | Mapping[str, Any]
"""What a report row can be made from (a mapping is taken as a ready row)."""


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A mapping as plain JSON data (string keys, JSON values)."""
    plain: dict[str, Any] = unstructure(dict(row))
    return plain


def project_report(project: Project | ProjectSummary) -> dict[str, Any]:
    """One flat row about a project, as plain JSON data (no nesting: a CSV row as is).

    A ``Project`` gives its status, settings, dates and media links (the fields of
    Pictory's "export a project report" example, and ``share_url``); a
    ``ProjectSummary`` (from ``client.projects.list()``) what a list item has.

    Raises:
        InvalidInputError: ``project`` is neither.
    """
    if isinstance(project, ProjectSummary):
        return _plain(
            {
                "id": project.id,
                "name": project.name,
                "source": project.source,
                "saved_date": project.saved_date,
                "aspect_ratio": project.aspect_ratio,
                "schema_version": project.schema_version,
                "type": project.type,
                "project_preview": project.project_preview,
            }
        )
    if not isinstance(project, Project):
        raise InvalidInputError(
            f"a report row is made from a Project or a ProjectSummary, not {type(project).__name__}"
        )
    scenes = project.script_txt_scene_settings or ScriptTxtSceneSettings()
    row = {
        "id": project.id,
        "name": project.project_name,
        "source": project.source,
        "step": project.step,
        "in_progress": project.in_progress,
        "rendered": project.is_rendered,
        "schema_version": project.schema_version,
        "layout": project.layout,
        "video_duration": project.video_duration,
        "video_volume": project.video_volume,
        "audio_speed": project.audio_speed,
        "script_language": project.script_language,
        "voice_over_id": project.voice_over_id,
        "brand_id": project.brand_id,
        "smart_template_id": project.smart_template_id,
        "max_lines": scenes.max_lines,
        "auto_highlight_keywords": scenes.auto_highlight_keywords,
        "auto_visual_selection": scenes.auto_visual_selection,
        "generated_date": project.generated_date,
        "save_date": project.save_date,
        "share_url": project.share_url,
        "video_url": project.video_url,
        "audio_url": project.audio_url,
        "thumbnail": project.thumbnail,
        "srt_file": project.srt_file,
        "vtt_file": project.vtt_file,
        "txt_file": project.txt_file,
    }
    return _plain(row)


def _rows(items: Iterable[Reportable] | BulkResult[Project]) -> list[dict[str, Any]]:
    if isinstance(items, BulkResult):
        items = list(items.values.values())
    elif isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise InvalidInputError(
            f"items must be an iterable of projects or rows, not {type(items).__name__}"
        )
    rows = []
    for item in items:
        if isinstance(item, (Project, ProjectSummary)):
            rows.append(project_report(item))
        elif isinstance(item, Mapping):
            rows.append(_plain(item))
        else:
            raise InvalidInputError(
                f"a report row is made from a Project, a ProjectSummary or a mapping, "
                f"not {type(item).__name__}"
            )
    return rows


def report_format(path: str | PathLike[str], format: str | None = None) -> ReportFormat:
    """The format ``write_report`` would write ``path`` in: ``format``, or from the suffix.

    Check a report's file name and format up front, before gathering its rows.

    Raises:
        InvalidInputError: An unknown format, or a suffix that names none.
    """
    path = Path(path)
    if format is None:
        suffix = path.suffix.lower().lstrip(".")
        format = {"ndjson": "jsonl"}.get(suffix, suffix)
        if format not in _FORMATS:
            raise InvalidInputError(
                f"cannot tell the report format from {path.name!r}; pass format= one of "
                f"{list(_FORMATS)}"
            )
    for known in _FORMATS:
        if format == known:
            return known
    raise InvalidInputError(f"format must be one of {list(_FORMATS)}, not {format!r}")


def csv_cell(value: Any) -> str:
    """One CSV cell: text a spreadsheet shows as text, never runs as a formula.

    A string that starts with ``= + - @``, a tab or a carriage return gets a leading
    ``'`` (OWASP's advice against CSV injection). Numbers are left as they are (``-1``
    stays a number); ``None`` is an empty cell, booleans ``true``/``false``, lists and
    dicts their JSON.
    """
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _encode(text: str) -> bytes:
    # A lone surrogate (JSON allows "\ud800") cannot be UTF-8: it is written as its
    # escape, which JSON reads back as the same string.
    return text.encode("utf-8", "backslashreplace")


def _render(rows: list[dict[str, Any]], format: ReportFormat) -> bytes:
    if format == "json":
        return _encode(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    if format == "jsonl":
        return _encode("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(name)) for name in columns])
    return _encode(buffer.getvalue())


def write_report(
    items: Iterable[Reportable] | BulkResult[Project],
    path: str | PathLike[str],
    *,
    format: ReportFormat | None = None,
) -> int:
    """Write a report with one row per project to ``path``, atomically.

    It writes synchronously (a few milliseconds for a thousand rows); in a busy service,
    run it with ``await asyncio.to_thread(write_report, ...)``.

    Args:
        items: ``Project`` or ``ProjectSummary`` objects (one ``project_report`` row
            each), ready rows (mappings), or the ``BulkResult`` of ``get_many``.
        path: The file; it is written to a temporary file beside it, then renamed, so
            it is never half-written. Its directory must exist.
        format: ``"json"`` (an array of rows), ``"jsonl"`` (a row per line) or
            ``"csv"`` (a header of every column any row has; formula-safe cells);
            default: from the file's suffix.

    Returns:
        The number of rows written.

    Raises:
        InvalidInputError: An unknown format, or an item that is not a project or a
            row (nothing is written).
        OSError: The file cannot be written.
    """
    target = Path(path)
    chosen = report_format(target, format)
    rows = _rows(items)
    write_atomically(target, _render(rows, chosen))
    return len(rows)


# -- comparison ---------------------------------------------------------------------


def _check_field(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidInputError(f"a field name must be a string, not {type(name).__name__}")
    head, _, rest = name.partition(".")
    names = {field.name for field in attrs.fields(Project)} - {"raw"}
    if not rest and (head in names or head in _PROPERTIES):
        return name
    nested = _NESTED.get(head)
    if nested is not None and rest in {f.name for f in attrs.fields(nested)} - {"raw"}:
        return name
    raise InvalidInputError(
        f"unknown project field {name!r}; use a Project attribute, or e.g. "
        "'script_txt_scene_settings.max_lines'"
    )


def _value_of(project: Project, field: str) -> Any:
    value: Any = project
    for part in field.split("."):
        value = getattr(value, part) if value is not None else None
    return value


def _cell(value: Any, width: int = 32) -> str:
    if value is None:
        return "-"
    text = iso_datetime(value) if isinstance(value, datetime) else str(value)
    text = " ".join(text.split())  # a newline in a name does not break the table
    return text if len(text) <= width else text[: width - 1] + "…"


@attrs.frozen(kw_only=True)
class Comparison:
    """Settings of several projects side by side (``compare_projects``).

    Attributes:
        project_ids: The projects, in the order compared (``None`` for one without id).
        fields: The fields compared.
        values: Each field's value in each project, in ``project_ids`` order.
    """

    project_ids: tuple[ProjectId | None, ...]
    fields: tuple[str, ...]
    values: Mapping[str, tuple[Any, ...]]

    @property
    def differing(self) -> tuple[str, ...]:
        """The fields whose value is not the same in every project."""
        return tuple(
            field
            for field in self.fields
            if any(value != self.values[field][0] for value in self.values[field][1:])
        )

    @property
    def same(self) -> tuple[str, ...]:
        """The fields every project has the same value in."""
        differing = set(self.differing)
        return tuple(field for field in self.fields if field not in differing)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON data: ids, values by field, differing fields."""
        return _plain(
            {
                "project_ids": self.project_ids,
                "values": dict(self.values),
                "differing": self.differing,
            }
        )

    def __str__(self) -> str:
        """A text table: a row per field (``*`` where they differ), a column per project."""
        differing = set(self.differing)
        header = [" ", "field"] + [
            _cell(f"#{n}" if pid is None else pid, 20) for n, pid in enumerate(self.project_ids)
        ]
        body = [
            ["*" if field in differing else "", field]
            + [_cell(value) for value in self.values[field]]
            for field in self.fields
        ]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        return "\n".join(
            " ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [header, *body]
        )


def compare_projects(
    projects: Iterable[Project] | BulkResult[Project],
    fields: Sequence[str] | None = None,
) -> Comparison:
    """Put projects' settings side by side and tell which differ.

    Args:
        projects: The projects, e.g. ``await client.projects.get_many(ids)`` (its
            fetched projects, in the order they arrived) or a list in the order you
            want the columns.
        fields: ``Project`` attributes to compare, a nested one with a dot
            (``"script_txt_scene_settings.max_lines"``); default ``COMPARED_FIELDS``,
            the settings of Pictory's "compare project settings" example.

    Returns:
        The ``Comparison`` (``differing`` names the fields that differ; ``str()`` of it
        is a table).

    Raises:
        InvalidInputError: An unknown field, or an item that is not a ``Project``.
    """
    names = tuple(_check_field(name) for name in (COMPARED_FIELDS if fields is None else fields))
    if isinstance(projects, BulkResult):
        items = list(projects.values.values())
    elif isinstance(projects, (str, bytes, Mapping)) or not isinstance(projects, Iterable):
        raise InvalidInputError(
            f"projects must be an iterable of Project, not {type(projects).__name__}"
        )
    else:
        items = list(projects)
    for item in items:
        if not isinstance(item, Project):
            raise InvalidInputError(f"can only compare Project objects, not {type(item).__name__}")
    return Comparison(
        project_ids=tuple(item.id for item in items),
        fields=names,
        values={name: tuple(_value_of(item, name) for item in items) for name in names},
    )
