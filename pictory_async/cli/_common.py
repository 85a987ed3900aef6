"""What every command shares: settings, the client, ids, durations, errors and exit codes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Coroutine, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import attrs
import typer

from .. import (
    ASSET_KINDS,
    DEFAULT_MAX_CONNECTIONS,
    MAX_PROJECT_ID_LENGTH,
    APIStatusError,
    AsyncPictory,
    InvalidInputError,
    PictoryError,
    Project,
    ProjectId,
    ProjectSummary,
    unstructure,
    validate_project_id,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "SOURCES",
    "Settings",
    "count_of",
    "describe",
    "dumps",
    "error",
    "jsonable",
    "open_client",
    "parse_age",
    "parse_kinds",
    "parse_seconds",
    "parse_sources",
    "printable",
    "project_id_of",
    "read_ids",
    "run",
    "saved_at",
]

EXIT_OK = 0
"""Everything asked for was done."""
EXIT_FAILED = 1
"""Some item (or the one item) failed; the API or the disk said no."""
EXIT_USAGE = 2
"""A bad option, id or file: nothing was sent (Click's own usage errors exit 2 too)."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (128 + SIGINT, as shells report it)."""


@attrs.frozen(kw_only=True)
class Settings:
    """The root options every command runs with.

    Attributes:
        api_key: From ``--api-key`` or ``PICTORY_API_KEY`` (never printed; not in repr).
        base_url: From ``--base-url`` or ``PICTORY_BASE_URL`` (default: Pictory's API).
        debug: Tracebacks and the library's debug log on stderr.
    """

    api_key: str | None = attrs.field(default=None, repr=False)
    base_url: str | None = None
    debug: bool = False


def open_client(settings: Settings, concurrency: int | None = None, **options: Any) -> AsyncPictory:
    """A client with the settings' key and base URL (and ``options`` for ``AsyncPictory``).

    A ``concurrency`` above the client's pool size widens the pool to it, so that every
    worker a command starts has a connection. The rate store is the file store unless
    ``PICTORY_RATE_STORE`` names one: a command starts from the rate the last one learned.
    """
    if concurrency is not None and concurrency > DEFAULT_MAX_CONNECTIONS:
        options["max_connections"] = concurrency
    if not os.environ.get("PICTORY_RATE_STORE", "").strip():
        options.setdefault("rate_store", "file")
    return AsyncPictory(api_key=settings.api_key, base_url=settings.base_url, **options)


def project_id_of(item: ProjectId | ProjectSummary) -> ProjectId:
    """The id of an item of a bulk command: an id, or a ``ProjectSummary`` (``prune``)."""
    return item.id if isinstance(item, ProjectSummary) else item


# -- parsing --------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")
_UNITS = {
    "s": "seconds",
    "sec": "seconds",
    "m": "minutes",
    "min": "minutes",
    "h": "hours",
    "d": "days",
    "w": "weeks",
}


def _duration(text: str | timedelta, bare: str) -> timedelta:
    if isinstance(text, timedelta):  # a default
        return text
    match = _DURATION.fullmatch(text.strip().lower())
    unit = _UNITS.get(match.group(2)) if match else None
    if match is None or (unit is None and match.group(2)):
        raise typer.BadParameter(f"{text!r} is not a duration such as 90d, 12h, 30m, 45s or 2w")
    try:
        return timedelta(**{unit or bare: float(match.group(1))})
    except OverflowError:
        raise typer.BadParameter(f"{text!r} is too long a duration") from None


def parse_age(text: str | timedelta) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``45s``, ``2w``; a bare number is days."""
    return _duration(text, "days")


def parse_seconds(text: str | timedelta) -> timedelta:
    """As ``parse_age``, but a bare number is seconds."""
    return _duration(text, "seconds")


SOURCES = ("script", "transcribe", "ppt", "url", "article")
"""The project sources Pictory's pages name (a filter passes any other as given)."""


def _split(values: Sequence[str] | None, option: str) -> list[str]:
    """Repeated and comma-separated values, each once, in order; an empty one is refused."""
    found: list[str] = []
    for value in values or ():
        for part in value.split(","):
            text = part.strip()
            if not text:
                where = f" in {printable(repr(value))}" if value.strip() else ""
                raise typer.BadParameter(f"an empty name{where}", param_hint=option)
            if text not in found:
                found.append(text)
    return found


def parse_kinds(values: Sequence[str] | None) -> list[str]:
    """``--kind`` values (repeated or comma-separated), each a known asset kind.

    Returns:
        The kinds, each once, in the order given (empty: every kind).

    Raises:
        typer.BadParameter: An unknown or empty kind (a usage error: nothing was sent).
    """
    kinds = _split(values, "--kind")
    unknown = [kind for kind in kinds if kind not in ASSET_KINDS]
    if unknown:
        names = ", ".join(printable(repr(kind)) for kind in unknown)
        raise typer.BadParameter(
            f"unknown asset kind {names}; choose from {', '.join(ASSET_KINDS)}",
            param_hint="--kind",
        )
    return kinds


def parse_sources(values: Sequence[str] | None) -> list[str]:
    """``--source`` values (repeated or comma-separated): ``SOURCES``, or any other name.

    Sources are not a closed set (Pictory may add one), so an unknown name is passed on;
    an empty one is refused, as it would select nothing.

    Raises:
        typer.BadParameter: An empty source.
    """
    return _split(values, "--source")


def _as_id(text: str) -> ProjectId:
    """``123`` is the v2 id 123; anything else is a string id, checked before any request."""
    value: ProjectId = text
    if text.isascii() and text.isdecimal():
        if len(text) > MAX_PROJECT_ID_LENGTH:  # before int(): Python refuses over 4,300 digits
            raise typer.BadParameter(f"project id is longer than {MAX_PROJECT_ID_LENGTH} digits")
        value = int(text)
    try:
        return validate_project_id(value)
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc)) from None


def _lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        text = line.strip()
        if text and not text.startswith("#"):
            yield text


def read_ids(args: Sequence[str], ids_from: str | None, stdin: IO[str]) -> list[ProjectId]:
    """Project ids from the arguments, ``-`` (stdin) and ``--ids-from FILE`` (``-``: stdin).

    One id per line in a file or on stdin; blank lines and ``#`` comments are ignored.

    Raises:
        typer.BadParameter: An id is unsafe, or the file cannot be read (nothing was sent).
    """
    texts: list[str] = []
    read_stdin = False
    for arg in args:
        if arg == "-":
            read_stdin = True
        else:
            texts.append(arg)
    if ids_from == "-":
        read_stdin = True
    elif ids_from is not None:
        try:
            with Path(ids_from).open(encoding="utf-8") as stream:
                texts.extend(_lines(stream))
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise typer.BadParameter(f"cannot read {ids_from}: {reason}") from None
    if read_stdin:
        texts.extend(_lines(stdin))
    return [_as_id(text) for text in texts]


# -- output ---------------------------------------------------------------------------

_VISIBLE = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))},
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    **{code: f"\\u{code:04x}" for code in (*range(0x2028, 0x202F), *range(0x2066, 0x206A))},
}
"""C0, DEL, C1, line separators and bidi overrides, each as its escape (``\\x1b``)."""


def printable(value: object) -> str:
    r"""``value`` as text that cannot steer the terminal: one line, every control shown.

    Server text (a project name, Pictory's error message) may hold escape sequences that
    set the title, write the clipboard, move the cursor over earlier lines, or reorder
    what is shown (bidi overrides). Each such character reads as its escape (``\x1b``,
    ``\n``, ``\u202e``); everything else is kept. JSON output needs none of this.
    """
    return str(value).translate(_VISIBLE)


def jsonable(value: object) -> dict[str, Any]:
    """An attrs model as a dict of JSON values, without its ``raw`` wire mapping.

    The library's own conversion (``Project.to_dict``): dates in UTC with ``Z``, enums as
    their values, a NaN or infinity as ``null``, so every line is strict JSON.
    """
    result: dict[str, Any] = unstructure(value)
    return result


def dumps(value: object) -> str:
    """One line of strict JSON (non-ASCII kept as is), through the library's ``jsonable``.

    So a date reads the same in every command's ``--json`` (ISO 8601, UTC, ``Z``), a
    NaN is ``null``, and no caller formats one of its own.
    """
    return json.dumps(unstructure(value), ensure_ascii=False, allow_nan=False)


# -- errors and running ---------------------------------------------------------------


def count_of(count: int, noun: str = "project") -> str:
    """``1 project``, ``2,867 projects``."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def saved_at(summary: ProjectSummary | Project) -> str:
    """When a project was last saved, ``2024-05-01 12:30`` (UTC), or ``-``."""
    saved = summary.saved_date if isinstance(summary, ProjectSummary) else summary.save_date
    return saved.strftime("%Y-%m-%d %H:%M") if saved is not None else "-"


def describe(exc: BaseException) -> str:
    """One line for a failure: the HTTP status and Pictory's message, or what went wrong."""
    if isinstance(exc, APIStatusError):
        text = str(exc)
        status = str(exc.status_code)
        return f"HTTP {text}" if text.startswith(status) else f"HTTP {status}: {text}"
    if isinstance(exc, PictoryError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def error(message: str) -> None:
    """Print ``error: message`` on stderr (its control characters shown as escapes)."""
    typer.echo(f"error: {printable(message)}", err=True)


@contextlib.contextmanager
def _debug_log(enabled: bool) -> Iterator[None]:
    """The library's debug log on stderr while a command runs (it never holds the key)."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("pictory_async")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run(settings: Settings, main: Callable[[], Coroutine[Any, Any, int]]) -> None:
    """Run a command's coroutine and exit with its code; an error is one line on stderr.

    ``InvalidInputError`` (a bad key, URL or id: nothing was sent) exits 2; any other
    failure exits 1, Ctrl-C outside a bulk run 130. ``--debug`` adds the traceback.

    Raises:
        typer.Exit: Always, with the exit code.
    """
    code: int
    with _debug_log(settings.debug):
        try:
            code = asyncio.run(main())
        except KeyboardInterrupt:
            error("interrupted")
            code = EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader (`| head`) had enough: leave quietly
            _silence_stdout()
            code = EXIT_OK
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except Exception as exc:
            if settings.debug:
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            if isinstance(exc, (PictoryError, OSError)):
                error(describe(exc))
            else:
                error(f"unexpected {describe(exc)} (run with --debug for the traceback)")
            code = EXIT_USAGE if isinstance(exc, InvalidInputError) else EXIT_FAILED
    raise typer.Exit(code)
