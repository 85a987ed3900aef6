"""The ``pictory`` command line: projects from a shell, and ``pictory demo``.

Needs the ``cli`` extra (``pip install "pictory-async[cli]"``: Typer and Rich). Run it as
``pictory`` or ``python -m pictory_async``. ``pictory --help`` imports only Typer and
this package's client: the emulator and any server are imported by the commands that
use them.
"""

from ._app import app, main

__all__ = ["app", "main"]
