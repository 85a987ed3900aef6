"""The pages on Pictory's flows keep their promise: a full feature table, short examples."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "docs" / "features.md"
FLOW_PAGES = ["videos.md", "transcription.md", "lookups.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
MAX_LINES = 10
FLOWS = {
    "Text to video",
    "Blog or article to video",
    "Video from a template",
    "Transcription with subtitles",
    "Storyboard preview, change an element, render",
}
"""The flows of Pictory's examples that the issue names: each must have its row."""


def _rows() -> list[list[str]]:
    """The cells of each body row of the feature table."""
    lines = [line for line in FEATURES.read_text().splitlines() if line.startswith("|")]
    return [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in lines[2:]  # after the header and its |---| line
    ]


def test_every_row_of_the_feature_table_has_its_three_cells_filled() -> None:
    """Each of Pictory's flows says what the library does and what the command line does."""
    rows = _rows()

    assert len(rows) >= 25
    for row in rows:
        assert 3 == len(row), row
        assert all(row), row
    named = {re.match(r"\*\*(.+?)\*\*", row[0]).group(1) for row in rows}  # type: ignore[union-attr]
    assert set() == FLOWS - named


def _examples() -> list[tuple[str, str]]:
    """``(code, "page:line")`` of the script examples of the flow pages (not the tests)."""
    found = []
    for page in FLOW_PAGES:
        text = (ROOT / "docs" / page).read_text()
        for match in BLOCK.finditer(text):
            if "def test_" not in match.group(1):
                line = text.count("\n", 0, match.start()) + 2
                found.append((match.group(1), f"{page}:{line}"))
    return found


def _logic_lines(code: str) -> int:
    """Lines of the statements inside ``async with AsyncPictory() as client:``."""
    [block] = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.AsyncWith) and "AsyncPictory(" in ast.unparse(node.items[0])
    ]
    return sum(
        (statement.end_lineno or statement.lineno) - statement.lineno + 1
        for statement in block.body
    )


@pytest.mark.parametrize(("code", "name"), _examples(), ids=[name for _, name in _examples()])
def test_each_flow_takes_at_most_ten_lines(code: str, name: str) -> None:
    """An example's logic (imports and the asyncio.run scaffolding aside) fits in ten lines."""
    assert _logic_lines(code) <= MAX_LINES, name
