"""The root Typer application: the version, the global options, and lazily loaded commands.

``pictory --help`` and ``pictory --version`` import Typer and this module, nothing of the
commands or of the client: each top-level command is one entry of ``COMMANDS`` (its name,
where it is defined, the line ``pictory --help`` shows), and its module is imported only
when that command runs (``_Commands.resolve_command``). Until then ``--help`` lists a
stand-in that carries the name and the line.

To add a command group (``pictory videos ...``):

1. Write ``cli/videos.py`` with ``app = typer.Typer(help="...", no_args_is_help=True)`` and
   its commands, each with its worker (see ``cli/jobs.py``); a one-command entry such as
   ``demo`` is a plain function instead of an app.
2. Add its entry to ``COMMANDS``: ``"videos": ("videos:app", "Create videos ...")``, the
   line being the first line of the app's help (or the function's docstring); one module
   may hold several entries (``"voices": ("lookups:voices", ...)``).
   ``tests/test_lazy_imports.py`` checks each line against the command it stands for.

Keep such a module light at import (``pictory videos --help`` imports it): Rich, the
emulator and the display are imported by the workers when they run.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["COMMANDS", "app", "main"]

COMMANDS: dict[str, tuple[str, str]] = {  # name: ("module:attribute", its line in --help)
    "demo": (
        "demo:command",
        "See the main job end to end against a local emulator: no key, no network.",
    ),
    "projects": ("projects:app", "List, inspect, download, back up and delete projects."),
    "jobs": ("jobs:app", "Follow render jobs: get, wait, list."),
    "videos": (
        "videos:app",
        "Make videos from a script, URL, payload, template or spreadsheet; preview, render.",
    ),
    "transcribe": (
        "transcribe:command",
        "Transcribe a video or audio file; wait for it and write its subtitles and text.",
    ),
    "templates": ("lookups:templates_app", "The account's video templates."),
    "voices": ("lookups:voices_app", "The AI voice-over voices."),
    "brands": ("lookups:brands_app", "The account's video brands."),
    "quota": (
        "lookups:quota_command",
        "The account's allowances: video, transcription and voice-over minutes, AI credits.",
    ),
    "credits": (
        "lookups:credits_command",
        "The AI credit ledger of a month: credits spent and added, newest first.",
    ),
}


class _StandIn(TyperCommand):
    """A command not imported yet: its name and its line in ``pictory --help``."""


def load(name: str) -> Any:
    """The click command ``name`` of ``COMMANDS`` (its module imported now).

    Args:
        name: A key of ``COMMANDS``.

    Returns:
        A click command: a group for a Typer app, a command for a function.
    """
    module, _, attribute = COMMANDS[name][0].partition(":")
    target = getattr(importlib.import_module(f".{module}", __package__), attribute)
    if isinstance(target, typer.Typer):
        return typer.main.get_group(target)
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class _Commands(TyperGroup):
    """The root group: lists every command of ``COMMANDS``, imports the one that runs."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        for name, (_, line) in COMMANDS.items():
            self.commands[name] = _StandIn(name, help=line)

    # click's types: ``Any``, as Typer 0.20+ vendors click and older Typer does not
    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """The command ``args`` names, its module imported if it runs now."""
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _StandIn):
            command = self.commands[name] = load(name)
        return name, command, rest


app = typer.Typer(
    cls=_Commands,
    name="pictory",
    help=(
        "Pictory from the shell: make videos, transcribe, follow jobs, look up templates, "
        "voices and brands, manage and back up projects. Try: pictory demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never print locals: they hold the API key
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"pictory-async {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="PICTORY_API_KEY",
            help="Your API key (pictai_...); prefer the environment variable.",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="PICTORY_BASE_URL",
            help="The API's origin (e.g. an emulator's).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Tracebacks and the request log on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Pictory from the shell."""
    from ._common import Settings  # a command runs: the client comes with it

    ctx.obj = Settings(api_key=api_key or None, base_url=base_url or None, debug=debug)


def main() -> int:
    """The ``pictory`` console script.

    Returns:
        The exit code.
    """
    try:
        app(prog_name="pictory")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
