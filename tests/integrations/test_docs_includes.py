"""The code the docs show but tests/test_docs.py does not run is run here instead.

tests/test_docs.py runs every ``python`` block of the docs. The FastAPI and aiohttp pages
also show the example apps, in ``py`` blocks included from ``docs/examples/`` (running
them there would start servers); those files are what this package's tests serve.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INCLUDE = re.compile(r"\A--8<--\n(\S+)\n--8<--\n\Z")
TESTED = {"docs/examples/fastapi_app.py", "docs/examples/aiohttp_app.py"}


def _py_blocks() -> list[tuple[str, str]]:
    return [
        (path.name, match.group(2))
        for path in sorted((ROOT / "docs").glob("*.md"))
        for match in FENCE.finditer(path.read_text())
        if match.group(1) in ("py", "python3", "py3")
    ]


def test_py_blocks_only_include_tested_examples() -> None:
    """Every ``py`` block (not run by test_docs) includes one of the tested example apps."""
    included = []
    for name, code in _py_blocks():
        match = INCLUDE.match(code)
        assert match is not None, f"{name}: a py block that is not an include:\n{code[:200]}"
        included.append(match.group(1))

    assert TESTED == set(included)
    assert all((ROOT / path).is_file() for path in included)
