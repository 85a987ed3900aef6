"""The options and arguments several commands share, and how a command starts its work.

Each shared option is an ``Annotated`` alias defined once here, so ``--json`` or
``--older-than`` reads and helps the same in every command that takes it. A command
checks its input (a bad value is a usage error, exit 2, before anything is sent), then
hands its worker coroutine to ``call``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Annotated, Any, Concatenate, ParamSpec

import attrs
import typer

from .. import ASSET_KINDS
from ._common import (
    SOURCES,
    Settings,
    parse_age,
    parse_kinds,
    parse_seconds,
    parse_sources,
    read_ids,
    run,
)

__all__ = [
    "POLL_INTERVAL",
    "WAIT_TIMEOUT",
    "ConcurrencyOption",
    "FolderOption",
    "IdsArgument",
    "IdsFromOption",
    "JsonOption",
    "KindOption",
    "OlderOption",
    "PollOption",
    "Polling",
    "ProjectArgument",
    "SourceOption",
    "TimeoutOption",
    "call",
    "ids_of",
    "one_id",
    "settings_of",
]

P = ParamSpec("P")

WAIT_TIMEOUT = timedelta(minutes=30)
"""How long ``wait`` commands wait by default."""
POLL_INTERVAL = timedelta(seconds=15)
"""Between polls by default: Pictory advises polling every 10-30 s."""


@attrs.frozen(kw_only=True)
class Polling:
    """How a ``wait`` polls (``--timeout``, ``--poll-interval``).

    Attributes:
        timeout: Give up after this long.
        interval: Between polls.
    """

    timeout: timedelta
    interval: timedelta


JsonOption = Annotated[bool, typer.Option("--json", help="JSON lines on stdout, nothing else.")]
TimeoutOption = Annotated[
    timedelta,
    typer.Option(parser=parse_seconds, metavar="DURATION", help="Give up after: 30m, 600."),
]
PollOption = Annotated[
    timedelta,
    typer.Option(parser=parse_seconds, metavar="DURATION", help="Between polls (>= 1 s)."),
]
ProjectArgument = Annotated[str, typer.Argument(metavar="ID", help="The project id.")]
FolderOption = Annotated[
    str | None,
    typer.Option("--folder", help="Only projects in this folder (its id).", show_default=False),
]
OlderOption = Annotated[
    timedelta | None,
    typer.Option(
        "--older-than",
        parser=parse_age,
        metavar="AGE",
        help="Only projects last saved longer ago than this: 90d, 12h, 2w.",
        show_default=False,
    ),
]


def _repeatable(
    name: str, parse: Callable[[Sequence[str] | None], list[str]], only: str, names: Sequence[str]
) -> Any:
    """A filter given repeated or comma-separated (``--kind video,srt --kind txt``)."""
    help = f"Only {only} (repeatable, or comma-separated): {', '.join(names)}."
    return typer.Option(name, metavar=name.removeprefix("--").upper(), callback=parse, help=help)


SourceOption = Annotated[
    list[str] | None, _repeatable("--source", parse_sources, "projects of this source", SOURCES)
]
IdsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Project ids; - reads them from stdin, one a line.", show_default=False),
]
IdsFromOption = Annotated[
    str | None,
    typer.Option(
        "--ids-from", metavar="FILE", help="Read ids from FILE (- for stdin), one a line."
    ),
]
KindOption = Annotated[
    list[str] | None, _repeatable("--kind", parse_kinds, "this asset kind", ASSET_KINDS)
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option("--concurrency", min=1, help="Projects at once.", show_default=False),
]


def settings_of(ctx: typer.Context) -> Settings:
    """The root options (``--api-key``, ``--base-url``, ``--debug``) a command runs with."""
    settings = ctx.find_object(Settings)
    return settings if settings is not None else Settings()


def ids_of(ids: list[str] | None, ids_from: str | None) -> list[int | str]:
    """The project ids of the arguments and ``--ids-from``; none is a usage error."""
    found = read_ids(ids or [], ids_from, sys.stdin)
    if not found:
        raise typer.BadParameter("give at least one project id (or - to read them from stdin)")
    return found


def one_id(text: str) -> int | str:
    """A project id argument, checked before anything is sent."""
    return read_ids([text], None, sys.stdin)[0]


def call(
    ctx: typer.Context,
    worker: Callable[Concatenate[Settings, P], Coroutine[Any, Any, int]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> None:
    """Run ``worker(settings, *args, **kwargs)`` with the root options; exit with its code.

    Raises:
        typer.Exit: Always, with the worker's exit code (``run``).
    """
    settings = settings_of(ctx)
    run(settings, lambda: worker(settings, *args, **kwargs))
