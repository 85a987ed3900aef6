"""The root Typer application: the version, the global options, and the sub-apps.

Each group of commands is a Typer app in its own module, with its commands and their
workers: ``projects`` (``cli/projects.py``), ``jobs`` (``cli/jobs.py``); ``demo`` is one
command (``cli/demo.py``). A new group is one more module with a ``typer.Typer()``,
added here with ``app.add_typer``. Workers import Rich, the emulator and the display
when they run, so ``pictory --help`` stays light.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from ._common import Settings
from .demo import command as demo
from .jobs import app as jobs
from .projects import app as projects

__all__ = ["app", "main"]

app = typer.Typer(
    name="pictory",
    help="Pictory from the shell: list, back up and prune projects. Try: pictory demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never print locals: they hold the API key
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(projects, name="projects")
app.add_typer(jobs, name="jobs")
app.command("demo")(demo)


def _version(value: bool) -> None:
    if value:
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
