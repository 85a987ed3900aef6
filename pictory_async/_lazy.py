"""Importing a module of the package on first use, without httpx's command line.

``import httpx`` also imports httpx's own ``httpx`` command (``httpx._main``, with Click,
Rich and Pygments) whenever those are installed, as they are with our ``cli`` extra:
~60 ms of a cold start, for a command no library user runs (encode/httpx#3547). While
``import_module`` runs, ``httpx._main`` is a stand-in whose ``main`` imports the real
module when called; the stand-in is gone afterwards, so ``httpx.main()`` works as before
and ``import httpx._main`` finds the real module. When httpx is imported already, this is
plain ``importlib.import_module``.
"""

from __future__ import annotations

import importlib
import sys
import types

__all__ = ["import_module"]

_HTTPX_CLI = "httpx._main"


def _httpx_main(*args: object, **kwargs: object) -> object:
    """``httpx.main``, imported when called (the ``httpx`` command runs it)."""
    return importlib.import_module(_HTTPX_CLI).main(*args, **kwargs)


def import_module(name: str, package: str) -> types.ModuleType:
    """``importlib.import_module(name, package)``; httpx, if imported now, defers its CLI.

    Args:
        name: The module, relative to ``package`` when it starts with a dot.
        package: The package ``name`` is relative to.

    Returns:
        The module.
    """
    if "httpx" in sys.modules or _HTTPX_CLI in sys.modules:
        return importlib.import_module(name, package)
    stand_in = types.ModuleType(_HTTPX_CLI)
    vars(stand_in)["main"] = _httpx_main
    sys.modules[_HTTPX_CLI] = stand_in
    try:
        return importlib.import_module(name, package)
    finally:
        if sys.modules.get(_HTTPX_CLI) is stand_in:
            del sys.modules[_HTTPX_CLI]
