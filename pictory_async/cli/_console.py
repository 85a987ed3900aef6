"""The Rich console every command prints with: text is shown as it is, never interpreted.

A project name or an error message comes from the server, a path from the user: printed
with Rich's defaults, ``Budget [/2024]`` would be a markup error, ``[bold]Q3[/bold]`` a
style, ``:fire:`` an emoji, and an escape sequence would reach the terminal. On this
console every string (printed, or a table cell) is literal text on one line, its control
characters shown as escapes (``printable``). Style what the command itself says with
``style=`` or a ``rich.text.Text``, never with markup.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console
from rich.text import Text

from ._common import printable

__all__ = ["SafeConsole", "make_console"]


class SafeConsole(Console):
    """A Rich console that renders every string as literal, printable text."""

    def render_str(self, text: str, **options: Any) -> Text:
        """``text`` as it is: no markup, no emoji codes, control characters escaped."""
        options.update(markup=False, emoji=False)
        return super().render_str(printable(text), **options)


def make_console(*, stderr: bool = False) -> Console:
    """A ``SafeConsole`` without highlighting: the terminal's width, else ``COLUMNS``, else 120.

    Args:
        stderr: Print to stderr (progress, notes) instead of stdout (results).
    """
    console = SafeConsole(stderr=stderr, highlight=False)
    columns = os.environ.get("COLUMNS", "")
    if not console.is_terminal and not (columns.isdigit() and int(columns) > 0):
        # a pipe or a file, and nobody said how wide: not Rich's 80, which cuts names
        console = SafeConsole(stderr=stderr, highlight=False, width=120)
    return console
