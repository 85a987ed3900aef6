"""The ``pictory`` command line: projects from a shell, and ``pictory demo``.

Needs the ``cli`` extra (``pip install "pictory-async[cli]"``: Typer and Rich). Run it as
``pictory`` or ``python -m pictory_async``. ``pictory --help`` and ``--version`` import
Typer and the root app only: a command's module, the client, the emulator and any server
are imported when a command that uses them runs (see ``_app``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]

_EXTRA_MODULES = frozenset({"typer", "rich", "click"})
_HINT = 'error: the pictory command needs the cli extra: pip install "pictory-async[cli]"\n'


def main() -> int:
    """The ``pictory`` console script (installed with the package, usable with the extra).

    Returns:
        The exit code (2, with how to install it, when the ``cli`` extra is missing).
    """
    try:
        from ._app import main as run
    except ImportError as exc:
        if exc.name not in _EXTRA_MODULES:
            raise
        sys.stderr.write(_HINT)
        return 2
    return run()


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        from ._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
