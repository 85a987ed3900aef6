"""Lazy imports: what ``import pictory_async`` and ``pictory --help`` load, and what they do not.

Each start-up check runs in a fresh interpreter, which prints its ``sys.modules`` last.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pictory_async
from pictory_async.cli import _app

# what only a command, a server or a transport needs: never loaded by the import alone
HEAVY = frozenset(
    {
        "aiohttp",
        "typer",
        "rich",
        "click",
        "uvicorn",
        "pictory_async.emulator",
        "pictory_async.cli",
        "httpx._main",  # httpx's own command line (Click, Rich, Pygments)
    }
)
# what ``pictory --help`` and ``--version`` need not load
NOT_FOR_HELP = frozenset(
    {
        "aiohttp",
        "uvicorn",
        "httpx",
        "pictory_async._client",
        "pictory_async.emulator",
        *(f"pictory_async.cli.{module.partition(':')[0]}" for module, _ in _app.COMMANDS.values()),
        "pictory_async.cli._common",
    }
)


def _modules_after(code: str) -> tuple[set[str], str]:
    """The modules a fresh interpreter holds after running ``code``, and what it printed."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PICTORY_LOG", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    *printed, last = done.stdout.splitlines()
    return set(json.loads(last)), "\n".join(printed)


def test_importing_the_package_loads_no_transport_cli_or_emulator() -> None:
    """``import pictory_async`` leaves aiohttp, Typer, Rich, Click, the CLI and the emulator out."""
    modules, _ = _modules_after("import pictory_async")

    assert set() == HEAVY & modules


def test_touching_the_client_class_loads_no_transport_or_httpx_cli() -> None:
    """``pictory_async.AsyncPictory`` loads httpx but not aiohttp, nor httpx's own CLI."""
    modules, _ = _modules_after("import pictory_async\npictory_async.AsyncPictory")

    assert set() == HEAVY & modules
    assert "httpx" in modules


def test_building_a_client_loads_aiohttp_its_default_transport() -> None:
    """``AsyncPictory(api_key=...)`` builds an ``AiohttpTransport``: aiohttp loads then."""
    modules, _ = _modules_after("import pictory_async\npictory_async.AsyncPictory(api_key='k')")

    assert "aiohttp" in modules
    assert "httpx._main" not in modules


def test_httpx_main_still_runs_httpx_command_line() -> None:
    """After the client, ``httpx.main()`` runs the real CLI; ``import httpx._main`` is real."""
    code = (
        "import sys\n"
        "import pictory_async\n"
        "pictory_async.AsyncPictory\n"
        "import httpx\n"
        "sys.argv = ['httpx', '--help']\n"
        "try:\n"
        "    httpx.main()\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code)\n"
        "import httpx._main\n"
        "print(httpx._main.main is httpx.main, callable(httpx._main.print_help))\n"
    )
    modules, printed = _modules_after(code)

    assert "httpx._main" in modules
    assert "Usage: httpx <URL> [OPTIONS]" in printed
    assert ["exit 0", "False True"] == printed.splitlines()[-2:]


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_no_command_client_or_transport(flag: str) -> None:
    """``pictory --help``/``--version``: no command module, client, httpx, aiohttp or emulator."""
    code = (
        "import sys\n"
        "from pictory_async.cli import main\n"
        f"sys.argv = ['pictory', {flag!r}]\n"
        "main()\n"
    )
    modules, printed = _modules_after(code)

    assert "pictory" in printed  # the help's usage line, or the version
    assert set() == NOT_FOR_HELP & modules


def _type_checking_imports() -> dict[str, str]:
    """``{name: module}`` of the ``if TYPE_CHECKING:`` block of ``pictory_async/__init__.py``."""
    tree = ast.parse(Path(pictory_async.__file__).read_text())
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and "TYPE_CHECKING" == node.test.id
    ]
    return {
        alias.name: str(node.module)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_table_all_and_the_typed_imports_agree() -> None:
    """``_EXPORTS``, ``__all__`` and the ``TYPE_CHECKING`` imports name the same modules."""
    table = pictory_async._EXPORTS

    assert sorted(pictory_async.__all__) == sorted(table)
    assert _type_checking_imports() == table


@pytest.mark.parametrize("name", pictory_async.__all__)
def test_every_public_name_is_its_defining_modules_object(name: str) -> None:
    """Each name of ``__all__`` is the very object its module defines, by both import forms."""
    module = importlib.import_module(f"pictory_async.{_type_checking_imports()[name]}")
    namespace: dict[str, object] = {}
    exec(f"from pictory_async import {name}", namespace)  # the import statement's path

    assert getattr(module, name) is getattr(pictory_async, name)
    assert getattr(module, name) is namespace[name]


def test_dir_lists_every_public_name() -> None:
    """``dir(pictory_async)`` offers every name of ``__all__``, loaded or not."""
    assert set() == set(pictory_async.__all__) - set(dir(pictory_async))


def test_an_unknown_name_is_the_usual_attribute_error() -> None:
    """A name the package does not export: ``AttributeError`` worded as Python words it."""
    with pytest.raises(AttributeError) as raised:
        pictory_async.AsyncPictroy  # noqa: B018

    assert "module 'pictory_async' has no attribute 'AsyncPictroy'" == str(raised.value)
    assert hasattr(pictory_async, "AsyncPictory")


@pytest.mark.parametrize("name", list(_app.COMMANDS))
def test_each_commands_help_line_is_its_own(name: str) -> None:
    """The line ``pictory --help`` shows before a command loads is the command's own help."""
    line = _app.COMMANDS[name][1]
    command = _app.load(name)

    assert line == (command.help or "").splitlines()[0]
