"""Printing benchmark results as Markdown tables (what docs/performance.md quotes)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a titled Markdown table and flush, so long runs show progress."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    sys.stdout.flush()
