"""``pictory quota``, ``credits`` and the catalogue lists: ``templates``, ``voices``, ``brands``.

Each is one read of the account, answered at once (no job): a table, or JSON lines with
``--json`` (one object per item; ``quota`` is one object). Each command with its worker:
the command checks its options (a bad one exits 2 before anything is sent), the worker
is a coroutine that returns the exit code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Annotated

import typer

from ._common import EXIT_OK, Settings, count_of, dumps, jsonable, open_client
from ._options import JsonOption, call

__all__ = [
    "brands_app",
    "credits_command",
    "list_brands",
    "list_credits",
    "list_templates",
    "list_voices",
    "quota_command",
    "show_quota",
    "templates_app",
    "voices_app",
]

templates_app = typer.Typer(help="The account's video templates.", no_args_is_help=True)
voices_app = typer.Typer(help="The AI voice-over voices.", no_args_is_help=True)
brands_app = typer.Typer(help="The account's video brands.", no_args_is_help=True)

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def _month(text: str | None) -> tuple[int, int] | None:
    """``--month 2026-05`` as ``(2026, 5)``; a bad one is a usage error."""
    if text is None:
        return None
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise typer.BadParameter(f"{text!r} is not a month such as 2026-05", param_hint="--month")
    return int(match.group(1)), int(match.group(2))


def quota_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """The account's allowances: video, transcription and voice-over minutes, AI credits."""
    call(ctx, show_quota, json_output=json_output)


def credits_command(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            metavar="YYYY-MM",
            help="This month's ledger (Pictory keeps 12 months). Default: the current one.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """The AI credit ledger of a month: credits spent and added, newest first."""
    call(ctx, list_credits, month=_month(month), json_output=json_output)


@templates_app.command("list")
def _templates(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List the templates (the ID is what --template and from-template take)."""
    call(ctx, list_templates, json_output=json_output)


@voices_app.command("list")
def _voices(
    ctx: typer.Context,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="LANG",
            help="Only voices of this language: en, en-GB (a prefix, any case).",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List the AI voices (the name is what --voice and a voice-over's speaker take)."""
    if language is not None and not language.strip():
        raise typer.BadParameter("an empty language", param_hint="--language")
    call(ctx, list_voices, language=language, json_output=json_output)


@brands_app.command("list")
def _brands(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List the brands (the name or ID is what --brand takes)."""
    call(ctx, list_brands, json_output=json_output)


# -- workers ----------------------------------------------------------------------------


def _json_lines(items: Iterable[object]) -> int:
    for item in items:
        sys.stdout.write(dumps(jsonable(item)) + "\n")
    return EXIT_OK


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str, wrap: int) -> int:
    from ._console import make_console
    from ._layout import print_table

    console = make_console()
    print_table(console, header, rows, wrap=wrap)
    console.print(count_of(len(rows), noun))
    return EXIT_OK


def _text(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.10g}"


_ALLOWANCES = (
    ("video_minutes", "Video minutes"),
    ("transcription_minutes", "Transcription minutes"),
    ("eleven_labs_voice_over_minutes", "ElevenLabs voice-over minutes"),
    ("ai_credits", "AI credits"),
)


async def show_quota(settings: Settings, *, json_output: bool) -> int:
    """``quota``: each allowance used, its limit and what is left; or one JSON object."""
    async with open_client(settings) as client:
        quota = await client.account.quota()
    if json_output:
        return _json_lines([quota])
    from ._console import make_console
    from ._layout import print_table

    rows = []
    for field, label in _ALLOWANCES:
        usage = getattr(quota, field)
        if usage is None:
            continue
        left = None
        if usage.used is not None and usage.limit is not None:
            left = max(0.0, usage.limit - usage.used)
        rows.append([label, _number(usage.used), _number(usage.limit), _number(left)])
    console = make_console()
    if not rows:
        console.print("The API sent no allowance.")
        return EXIT_OK
    print_table(console, ["Allowance", "Used", "Limit", "Left"], rows)
    return EXIT_OK


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


async def list_credits(
    settings: Settings, *, month: tuple[int, int] | None, json_output: bool
) -> int:
    """``credits``: a month's AI credit transactions, as a table or JSON lines."""
    year, number = month if month is not None else (None, None)
    async with open_client(settings) as client:
        entries = await client.account.ai_credits(year=year, month=number)
    if json_output:
        return _json_lines(entries)
    rows = [
        [
            _when(entry.transaction_date),
            _text(entry.type),
            _number(entry.amount),
            _text(entry.source),
            _text(entry.description),
        ]
        for entry in entries
    ]
    return _table(
        ["Date (UTC)", "Type", "Credits", "Source", "Description"], rows, "transaction", 4
    )


async def list_templates(settings: Settings, *, json_output: bool) -> int:
    """``templates list``: id, name, language, state and variables of each template."""
    async with open_client(settings) as client:
        templates = await client.templates.list()
    if json_output:
        return _json_lines(templates)
    rows = []
    for template in templates:
        state = "deprecated" if template.deprecated else None
        if state is None and template.published is not None:
            state = "published" if template.published else "draft"
        variables = ", ".join(str(name) for name in template.variables)
        rows.append(
            [
                str(template.id),
                _text(template.name),
                _text(template.language),
                _text(state),
                variables or "-",
            ]
        )
    return _table(["ID", "Name", "Language", "State", "Variables"], rows, "template", 4)


async def list_voices(settings: Settings, *, language: str | None, json_output: bool) -> int:
    """``voices list``: each voice's name, id, language, gender, accent and provider."""
    async with open_client(settings) as client:
        voices = list(await client.voices.list())
    if language is not None:
        wanted = language.strip().lower()
        voices = [voice for voice in voices if (voice.language or "").lower().startswith(wanted)]
    if json_output:
        return _json_lines(voices)
    rows = [
        [
            voice.name,
            *map(
                _text,
                (
                    voice.id,
                    voice.language,
                    voice.gender,
                    voice.accent,
                    voice.service,
                    voice.category,
                ),
            ),
        ]
        for voice in voices
    ]
    header = ["Name", "ID", "Language", "Gender", "Accent", "Service", "Category"]
    return _table(header, rows, "voice", 4)


async def list_brands(settings: Settings, *, json_output: bool) -> int:
    """``brands list``: each brand's id and name."""
    async with open_client(settings) as client:
        brands = await client.brands.list()
    if json_output:
        return _json_lines(brands)
    rows = [[str(brand.id), _text(brand.name)] for brand in brands]
    return _table(["ID", "Name"], rows, "brand", 1)
