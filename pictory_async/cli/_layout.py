"""Layouts that never cut a value: a project's fields, and projects side by side.

An id or a URL (a share link, a video) is what a user copies, so it is printed whole at
every width: a value is never cut with ``…`` nor folded into a column. Each line is
printed with Rich's ``soft_wrap``, so a line wider than the terminal is wrapped by the
terminal itself and copies as one piece. A value that does not fit beside its label goes
on a line of its own; a comparison that does not fit as a table is printed a field at a
time. Every value is shown ``printable`` (control characters as escapes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from .. import unstructure
from ._common import printable

if TYPE_CHECKING:
    from rich.console import Console

    from .. import Comparison

__all__ = ["print_comparison", "print_fields", "print_table", "text_of"]

GAP = "  "
"""Between a label and its value, and between the columns of a comparison."""
INDENT = "    "
"""Before a value printed under its label, and before each project in a field's block."""
MIN_WRAPPED = 12
"""The least width left for a table's wrapping column (a name) before blocks are used."""


def text_of(value: Any) -> str:
    """A value as one printable line: ``-`` for none, a date in ISO 8601 UTC (``Z``)."""
    if value is None:
        return "-"
    return printable(unstructure(value) if isinstance(value, datetime) else value)


def _line(console: Console, text: str) -> None:
    console.print(text, soft_wrap=True)


def print_fields(console: Console, rows: Sequence[tuple[str, Any]]) -> None:
    """A label and its value a line each, the values aligned; none is ever cut.

    A value too wide to sit beside its label within the console's width is printed
    whole on the next line, indented.
    """
    _pairs(console, [(printable(label), text_of(value)) for label, value in rows], "")


def _pairs(console: Console, pairs: Sequence[tuple[str, str]], indent: str) -> None:
    if not pairs:
        return
    width = max(cell_len(label) for label, _ in pairs) + len(GAP)
    for label, text in pairs:
        padded = label + " " * (width - cell_len(label))
        if cell_len(indent) + width + cell_len(text) <= console.width:
            _line(console, indent + padded + text)
        else:
            _line(console, indent + label)
            _line(console, indent + INDENT + text)


def print_comparison(console: Console, comparison: Comparison) -> None:
    """Projects side by side, ``*`` before a field that differs; never a cut value.

    A table (a row per field, a column per project) when every cell fits whole in the
    console's width; otherwise a block per field with a line per project (its id, then
    its value, or the value on the next line when both do not fit).
    """
    differing = set(comparison.differing)
    ids = [
        f"#{n}" if pid is None else printable(pid) for n, pid in enumerate(comparison.project_ids)
    ]
    marks = ["*" if field in differing else " " for field in comparison.fields]
    rows = [
        [mark, field, *(text_of(value) for value in comparison.values[field])]
        for mark, field in zip(marks, comparison.fields, strict=True)
    ]
    table = [[" ", "field", *ids], *rows]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(table[0]))]
    if sum(widths) + len(GAP) * (len(widths) - 1) <= console.width:
        for row in table:
            cells = [
                cell + " " * (width - cell_len(cell))
                for cell, width in zip(row, widths, strict=True)
            ]
            _line(console, GAP.join(cells).rstrip())
        return
    for row in rows:
        _line(console, f"{row[0]} {row[1]}")
        _pairs(console, list(zip(ids, row[2:], strict=True)), INDENT)


def print_table(
    console: Console,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    wrap: int | None = None,
) -> None:
    """Rows under a header; every cell whole, but the ``wrap`` column's may wrap at spaces.

    When the columns that do not wrap leave less than ``MIN_WRAPPED`` characters for the
    one that does, each row is a block instead: its first cell (the id) on a line, the
    others on the next, indented. Cells are shown ``printable``.
    """
    from rich.table import Column, Table

    header = [printable(cell) for cell in header]
    cells = [[printable(cell) for cell in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    fixed = sum(width for i, width in enumerate(widths) if i != wrap)
    needed = fixed + len(GAP) * (len(widths) - 1) + (0 if wrap is None else MIN_WRAPPED)
    if needed <= console.width:
        table = Table(
            *(
                Column(name, overflow="fold")
                if i == wrap
                else Column(name, no_wrap=True, min_width=widths[i], overflow="ignore")
                for i, name in enumerate(header)
            ),
            box=None,
            pad_edge=False,
        )
        for row in cells:
            table.add_row(*row)
        console.print(table)
        return
    for row in [header, *cells]:
        _line(console, row[0])
        rest = [cell for cell in row[1:] if cell]
        if rest:
            _line(console, INDENT + " · ".join(rest))
