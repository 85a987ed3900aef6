"""The command line is a user of the library: it imports only its public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pictory_async.cli

CLI = Path(pictory_async.cli.__file__).parent


def _private(name: str) -> bool:
    """``_x`` is private; ``__version__`` and other dunders are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_imports(source: str) -> list[str]:
    """Each import of a private module or name of the library (the CLI's own are fine)."""
    found: list[tuple[list[str], str]] = []  # (the module's parts below the package, name)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(
                (alias.name.split(".")[1:], "")
                for alias in node.names
                if alias.name.startswith("pictory_async.")
            )
        elif isinstance(node, ast.ImportFrom) and node.level != 1:  # 1: the CLI's own
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0:
                if not parts or parts[0] != "pictory_async":
                    continue
                parts = parts[1:]
            found.extend((parts, alias.name) for alias in node.names)
    return [
        ".".join(parts) + (f":{name}" if name else "")
        for parts, name in found
        if parts[:1] != ["cli"] and any(_private(part) for part in [*parts, name])
    ]


def test_the_cli_imports_no_private_name_of_the_library() -> None:
    """No ``from .._x import``, ``from .. import _x`` or ``pictory_async._x`` in cli/*.py."""
    offences = [
        f"{path.name}: {named}"
        for path in sorted(CLI.glob("*.py"))
        for named in _private_imports(path.read_text())
    ]
    assert [] == offences


def test_the_check_sees_each_kind_of_private_import() -> None:
    """A private module, a private name and an absolute private path are each flagged."""
    source = (
        "from .._bulk import BulkRun\n"
        "from .. import _models\n"
        "from ..emulator._wire import x\n"
        "import pictory_async._ids\n"
        "from pictory_async._redact import redact_url\n"
        "from .. import Project, __version__\n"
        "from ..emulator import Emulator\n"
        "from ._common import run\n"
        "from pictory_async.cli._common import run\n"
        "import httpx._urls\n"
    )
    expected = [
        "_bulk:BulkRun",
        ":_models",
        "emulator._wire:x",
        "_ids",
        "_redact:redact_url",
    ]
    assert expected == _private_imports(source)
