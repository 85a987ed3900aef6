"""Rows of a spreadsheet (CSV) or a JSON Lines file as video requests, each row on its own.

``read_rows(path)`` streams the file (CSV for ``.csv``, JSON Lines for ``.jsonl`` and
``.ndjson``) and yields one ``VideoRow`` per row, in order, each with the line number
the row starts on. A row names its fields by column (CSV header) or by key (JSON)::

    key, script | url | template, name, voice, brand, brand_id, aspect_ratio,
    language, music, save_project, webhook, variables, var.<NAME>

A ``script`` or ``url`` row becomes the request ``client.videos.create`` makes of it
(``_script.script_request``: the same defaults and rules); a ``template`` row becomes a
``TemplateVideoRequest`` (``variables`` as a JSON object, or one ``var.<NAME>`` column
per variable). Either request then meets the documented rules of its body
(``_payload``) here, so a dry run finds every bad row before anything is sent.

A bad row is never raised: its ``VideoRow`` carries an ``InvalidInputError`` whose
message starts with ``line N:``. A UTF-8 byte-order mark, blank lines, Windows line
ends, bytes that are not UTF-8 (that row's error), a field or line over the size caps
(that row's error, the rest read on), and columns this reader does not know (kept out
of the request, listed in ``Rows.unknown_columns``) are all taken in stride. Pure but
for reading the file; the file is read again on each iteration, never held whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, cast

import attrs

from ._exceptions import InvalidInputError
from ._logs import logger
from ._models.videos import TemplateVideoRequest, VideoRequest
from ._payload import template_body, video_body
from ._script import script_request
from ._types import NOT_GIVEN, NotGiven

__all__ = ["COLUMNS", "MAX_LINE_BYTES", "Rows", "VideoRow", "read_rows", "row_request"]

COLUMNS = (
    "key",
    "script",
    "url",
    "template",
    "name",
    "voice",
    "brand",
    "brand_id",
    "aspect_ratio",
    "language",
    "music",
    "save_project",
    "webhook",
    "variables",
)
"""The columns a row may have (besides one ``var.<NAME>`` per template variable)."""
VARIABLE_PREFIX = "var."
MAX_LINE_BYTES = 1 << 20
"""The longest row read (1 MiB): a longer one is that row's error, and reading goes on."""
_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n"})
_SCRIPT_ONLY = COLUMNS[COLUMNS.index("name") : COLUMNS.index("webhook")]
"""The columns of a script or url row that a template row has no place for."""


@attrs.frozen(kw_only=True)
class VideoRow:
    """One row of the file.

    Attributes:
        line: The line the row starts on (1 is the first line of the file).
        request: The request the row asks for, or ``None`` when the row is bad.
        key: The row's ``key`` column, when it gives one: the row's identity across
            runs (else its request's content is).
        error: Why the row is bad (its message starts with ``line N:``), or ``None``.
        name: The video's name, when the row gives one (for reports).
        body: The request's JSON as it will be sent, checked (Pictory's names).
    """

    line: int
    request: VideoRequest | TemplateVideoRequest | None = None
    key: str | None = None
    error: InvalidInputError | None = None
    name: str | None = None
    body: Mapping[str, Any] | None = attrs.field(default=None, repr=False)


class Rows(Collection[VideoRow]):
    """The rows of one file, read anew (streamed) on each iteration.

    ``len()`` reads the file through once to count them (a progress bar's total).

    Attributes:
        path: The file.
        format: ``"csv"`` or ``"jsonl"``.
        unknown_columns: Columns seen so far that no field reads (ignored).
    """

    def __init__(self, path: Path, format: str) -> None:
        self.path = path
        self.format = format
        self.unknown_columns: set[str] = set()
        self._count: int | None = None

    def __iter__(self) -> Iterator[VideoRow]:
        cells = _csv_cells(self.path) if self.format == "csv" else _jsonl_cells(self.path)
        for line, fields, error in cells:
            if error is not None:
                yield VideoRow(line=line, error=InvalidInputError(f"line {line}: {error}"))
                continue
            unknown = set(_unknown(fields)) - self.unknown_columns
            if unknown:
                self.unknown_columns.update(unknown)
                logger.warning(
                    "%s line %d: ignoring column(s) no field reads: %s",
                    self.path.name,
                    line,
                    ", ".join(sorted(unknown)),
                )
            yield row_request(fields, line=line)

    def __len__(self) -> int:
        if self._count is None:
            cells = _csv_cells(self.path) if self.format == "csv" else _jsonl_cells(self.path)
            self._count = sum(1 for _ in cells)
        return self._count

    def __contains__(self, item: object) -> bool:
        return any(row == item for row in self)

    def __repr__(self) -> str:
        return f"Rows({str(self.path)!r}, format={self.format!r})"


def read_rows(path: str | PathLike[str], *, format: str | None = None) -> Rows:
    """The rows of a CSV or JSON Lines file, each a ``VideoRow`` (never raised for a bad row).

    Args:
        path: The file: ``.csv``, or ``.jsonl``/``.ndjson`` (one JSON object a line).
        format: ``"csv"`` or ``"jsonl"``, for a file whose suffix says neither.

    Returns:
        The ``Rows``: iterate them (again and again; the file is streamed each time).

    Raises:
        InvalidInputError: The format cannot be told from the suffix, or is unknown.
        OSError: The file cannot be opened (raised when iteration starts).
    """
    file = Path(path)
    if format is None:
        suffix = file.suffix.lower()
        format = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
        if format is None:
            raise InvalidInputError(
                f"cannot tell the format of {str(file)!r} from its suffix: name it .csv or "
                ".jsonl, or pass format='csv' or 'jsonl'"
            )
    if format not in ("csv", "jsonl"):
        raise InvalidInputError(f"format must be 'csv' or 'jsonl', not {format!r}")
    return Rows(file, format)


# -- reading cells -------------------------------------------------------------------

_Cells = Iterator[tuple[int, Mapping[str, Any], "str | None"]]
"""(line, fields, error): a row's fields by column, or why they could not be read."""


def _csv_cells(path: Path) -> _Cells:
    """Each CSV record as ``{column: text}`` (blank lines skipped), with its first line."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as file:
        reader = csv.reader(file)
        header: list[str] | None = None
        ended = 0  # the line the previous record ended on
        while True:
            start = ended + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a field over csv's size cap, a stray NUL, ...
                ended = reader.line_num
                yield start, {}, f"unreadable CSV: {exc}"
                continue
            ended = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            if header is None:
                header = [_column(cell) for cell in record]
                continue
            if any(_not_utf8(cell) for cell in record):
                yield start, {}, "not UTF-8 text"
                continue
            if len(record) > len(header):
                extra = [cell for cell in record[len(header) :] if cell.strip()]
                if extra:
                    yield start, {}, f"{len(record)} cells, but the header names {len(header)}"
                    continue
            yield (
                start,
                {name: cell for name, cell in zip(header, record, strict=False) if name},
                None,
            )


def _jsonl_cells(path: Path) -> _Cells:
    """Each JSON Lines object (blank lines skipped), read a capped line at a time."""
    with path.open("rb") as file:
        number = 0
        while True:
            line = file.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of it
                    line = file.readline(MAX_LINE_BYTES)
                yield number, {}, f"longer than {MAX_LINE_BYTES:,} bytes"
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                fields = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, {}, "not UTF-8 text"
                continue
            except ValueError as exc:
                yield number, {}, f"not JSON: {exc}"
                continue
            if not isinstance(fields, dict):
                yield number, {}, f"a row must be a JSON object, not {type(fields).__name__}"
                continue
            yield number, {_column(str(key)): value for key, value in fields.items()}, None


def _column(name: str) -> str:
    """A column's name: known ones in any case; a variable's name as written."""
    name = name.strip()
    if name[: len(VARIABLE_PREFIX)].lower() == VARIABLE_PREFIX:
        return VARIABLE_PREFIX + name[len(VARIABLE_PREFIX) :]
    return name.lower()


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unknown(fields: Mapping[str, Any]) -> list[str]:
    return [name for name in fields if name not in COLUMNS and not name.startswith(VARIABLE_PREFIX)]


# -- a row as a request ----------------------------------------------------------------


def row_request(fields: Mapping[str, Any], *, line: int) -> VideoRow:
    """The ``VideoRow`` of one row's fields (a bad row carries its error).

    Args:
        fields: Column name (lower case) to value: text from a CSV, any JSON value from
            a JSON Lines row; an empty text or ``null`` is a column left empty.
        line: The line the row starts on.

    Returns:
        The row, with its request or its error.
    """
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    key = given.get("key")
    name = given.get("name")
    try:
        if key is not None:
            key = _text(given, "key").strip() or None  # " k1 " is the row "k1"
        request, body = _request(given)
    except InvalidInputError as exc:
        return VideoRow(
            line=line,
            key=key if isinstance(key, str) else None,
            name=name if isinstance(name, str) else None,
            error=InvalidInputError(f"line {line}: {exc}"),
        )
    return VideoRow(line=line, request=request, key=key, name=_name_of(request), body=body)


def _name_of(request: VideoRequest | TemplateVideoRequest) -> str | None:
    return request.video_name if isinstance(request, VideoRequest) else None


def _request(
    given: Mapping[str, Any],
) -> tuple[VideoRequest | TemplateVideoRequest, dict[str, Any]]:
    sources = [name for name in ("script", "url", "template") if name in given]
    if len(sources) != 1:
        raise InvalidInputError(
            "a row needs exactly one of script, url and template"
            + (f" (it has {', '.join(sources)})" if sources else "")
        )
    if sources[0] == "template":
        return _template_request(given)
    if "variables" in given or any(name.startswith(VARIABLE_PREFIX) for name in given):
        raise InvalidInputError("variables apply to a template row")
    text = _text(given, sources[0])
    if sources[0] == "url" and not text.strip().lower().startswith(("http://", "https://")):
        raise InvalidInputError(f"url must start with http:// or https://, not {text[:40]!r}")
    voice: str | NotGiven | None = NOT_GIVEN
    if "voice" in given:
        voice = _text(given, "voice")
        voice = None if voice.strip().lower() == "none" else voice.strip()
    brand: str | int | None = _text(given, "brand") if "brand" in given else None
    brand_id = _brand_id(given)
    if brand is not None and brand_id is not None:
        raise InvalidInputError("give brand (a name) or brand_id, not both")
    music: bool | str = True
    if "music" in given:
        value = given["music"]
        music = value if isinstance(value, bool) else _flag_or_url(_text(given, "music"))
    request = script_request(
        text,
        video_name=_text(given, "name") if "name" in given else None,
        voice=voice,
        brand=brand if brand is not None else brand_id if isinstance(brand_id, int) else None,
        aspect_ratio=_text(given, "aspect_ratio") if "aspect_ratio" in given else None,
        language=_text(given, "language") if "language" in given else None,
        music=music,
        save_project=_flag(given, "save_project"),
        webhook=_text(given, "webhook") if "webhook" in given else None,
    )
    request = cast("VideoRequest", request)  # a script's request, always
    if isinstance(brand_id, str):  # an id that is not a number: sent as it is
        request = attrs.evolve(request, brand_id=brand_id)
    return request, video_body(request)  # the documented rules, as videos.render checks them


def _template_request(given: Mapping[str, Any]) -> tuple[TemplateVideoRequest, dict[str, Any]]:
    refused = [name for name in _SCRIPT_ONLY if name in given]
    if refused:
        raise InvalidInputError(
            f"{', '.join(refused)} apply to a script or url row; a template row takes "
            "variables (or var.<NAME> columns) and webhook"
        )
    variables: dict[str, str] = {}
    if "variables" in given:
        value = given["variables"]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise InvalidInputError("variables must be a JSON object") from None
        if not isinstance(value, dict):
            raise InvalidInputError("variables must be a JSON object")
        for name, text in value.items():
            if not isinstance(text, str):
                raise InvalidInputError(f"variables.{name} must be text")
            variables[str(name)] = text
    for column in given:
        if column.startswith(VARIABLE_PREFIX) and len(column) > len(VARIABLE_PREFIX):
            variables[column[len(VARIABLE_PREFIX) :]] = _text(given, column)
    request = TemplateVideoRequest(
        template_id=_text(given, "template").strip(),
        variables=variables or None,
        webhook=_text(given, "webhook") if "webhook" in given else None,
    )
    return request, template_body(request)


def _text(given: Mapping[str, Any], name: str) -> str:
    value = given[name]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInputError(f"{name} must be text, not {type(value).__name__}")
    return value if isinstance(value, str) else str(value)


def _brand_id(given: Mapping[str, Any]) -> str | int | None:
    if "brand_id" not in given:
        return None
    text = _text(given, "brand_id").strip()
    return int(text) if text.isascii() and text.isdecimal() else text


def _flag(given: Mapping[str, Any], name: str) -> bool | None:
    if name not in given:
        return None
    value = given[name]
    if isinstance(value, bool):
        return value
    folded = _text(given, name).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidInputError(f"{name} must be true or false, not {folded[:20]!r}")


def _flag_or_url(text: str) -> bool | str:
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE or folded == "none":
        return False
    if folded.startswith(("http://", "https://")):
        return text.strip()
    raise InvalidInputError(f"music must be true, false or a track's URL, not {text[:40]!r}")
