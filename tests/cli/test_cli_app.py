"""The root of ``pictory``: key and URL handling, errors, --debug, start-up imports, the demo."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pictory_async import __version__
from pictory_async.cli import _options, app, demo
from pictory_async.cli._common import Settings
from pictory_async.emulator import Emulator, RunningEmulator

from .conftest import Invoke

WRONG_KEY = "pictai_wrong-key-0123456789abcdef"


def test_a_refused_key_is_one_line_with_the_status(invoke: Invoke) -> None:
    """401: exit 1, ``error: HTTP 401 ...`` alone on stderr, no traceback, no key."""
    result = invoke("projects", "list", PICTORY_API_KEY=WRONG_KEY)
    assert 1 == result.exit_code
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: HTTP 401")
    assert WRONG_KEY not in result.output


def test_debug_adds_the_traceback_and_the_request_log_but_never_the_key(
    server: RunningEmulator,
) -> None:
    """--debug: a traceback and request lines on stderr; the key (from --api-key) nowhere."""
    result = CliRunner().invoke(
        app,
        ["--api-key", WRONG_KEY, "--base-url", server.base_url, "--debug", "projects", "list"],
        env={"PICTORY_API_KEY": None, "PICTORY_BASE_URL": None},
    )
    assert 1 == result.exit_code
    assert "Traceback (most recent call last)" in result.stderr
    assert "GET /pictoryapis/v2/projects" in result.stderr
    assert WRONG_KEY not in result.stderr + result.stdout
    assert WRONG_KEY[-12:] not in result.stderr


def test_no_key_is_a_usage_error(server: RunningEmulator) -> None:
    """No --api-key and no PICTORY_API_KEY: exit 2 with how to give one."""
    result = CliRunner().invoke(
        app,
        ["--base-url", server.base_url, "projects", "list"],
        env={"PICTORY_API_KEY": None},
    )
    assert 2 == result.exit_code
    assert "PICTORY_API_KEY" in result.stderr


def test_a_bad_base_url_is_a_usage_error(invoke: Invoke) -> None:
    """A base URL that is no URL: exit 2, nothing sent."""
    result = invoke("projects", "list", PICTORY_BASE_URL="ftp://example")
    assert 2 == result.exit_code
    assert result.stderr.startswith("error: ")


def test_help_never_shows_the_key_from_the_environment() -> None:
    """--help names PICTORY_API_KEY, never its value."""
    result = CliRunner().invoke(app, ["--help"], env={"PICTORY_API_KEY": WRONG_KEY})
    assert 0 == result.exit_code
    assert "PICTORY_API_KEY" in result.stdout
    assert WRONG_KEY not in result.stdout


def test_version() -> None:
    """--version prints the package version."""
    result = CliRunner().invoke(app, ["--version"])
    assert f"pictory-async {__version__}\n" == result.stdout


def test_an_unexpected_error_is_one_line_without_debug(
    invoke: Invoke, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect (not a PictoryError) is still one line, pointing at --debug."""

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("pictory_async.cli.projects._print_project", broken)
    result = invoke("projects", "get", str(emulator.projects()[0].id))
    assert 1 == result.exit_code
    assert [
        "error: unexpected KeyError: 'boom' (run with --debug for the traceback)"
    ] == result.stderr.splitlines()


def test_help_imports_no_emulator_server_or_command_module() -> None:
    """``pictory --help`` in a fresh interpreter: no uvicorn, emulator, or workers' Rich modules."""
    code = (
        "import sys\n"
        "from pictory_async.cli import main\n"
        "sys.argv = ['pictory', '--help']\n"
        "code = main()\n"
        "print(repr(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    modules = set(ast.literal_eval(done.stdout.splitlines()[-1]))
    assert "Usage: pictory" in done.stdout
    forbidden = {
        "uvicorn",
        "httptools",
        "uvloop",
        "aiohttp.web",
        "pictory_async.emulator",
        # the command signatures are the help; what their workers run with is not
        "pictory_async.cli._bulkrun",
        "pictory_async.cli._console",
        "pictory_async.cli._display",
        "pictory_async.cli._layout",
        "pictory_async.cli._summary",
    }
    assert set() == forbidden & modules


def test_python_dash_m_runs_the_cli() -> None:
    """``python -m pictory_async --help`` is the same command."""
    done = subprocess.run(
        [sys.executable, "-m", "pictory_async", "projects", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert 0 == done.returncode
    assert "prune" in done.stdout


def test_demo_end_to_end(tmp_path: Path) -> None:
    """``pictory demo`` small and fast: lists, backs up and prunes, says where the backups are."""
    result = CliRunner().invoke(
        app,
        [
            "demo",
            "--projects",
            "120",
            "--latency-ms",
            "0",
            "--rate-limit",
            "5000",
            "--no-faults",
            "--dest",
            str(tmp_path),
        ],
        env={"PICTORY_API_KEY": None, "PICTORY_BASE_URL": None},
    )
    assert 0 == result.exit_code, result.output
    match = re.search(r"Deleted (\d+) of (\d+) projects", result.stdout)
    assert match is not None, result.stdout
    assert match.group(1) == match.group(2)
    backed_up = list((tmp_path / "backups").glob("*/manifest.json"))
    assert int(match.group(1)) == len(backed_up)
    assert f"in {tmp_path / 'backups'}" in result.stdout
    assert (tmp_path / "prune.journal.jsonl").is_file()


def _documented_commands() -> list[list[str]]:
    """Every ``pictory ...`` command in docs/cli.md and README.md, split into arguments."""
    root = Path(__file__).resolve().parents[2]
    commands: list[list[str]] = []
    for path in (root / "docs" / "cli.md", root / "README.md"):
        for line in path.read_text().splitlines():
            text = line.removeprefix("$ ").strip()
            commands.extend(
                shlex.split(part)[1:]
                for part in re.split(r"\s*\|\s*", text)
                if part.startswith("pictory ")
            )
    return commands


@pytest.mark.parametrize("args", _documented_commands(), ids=" ".join)
def test_documented_commands_parse(
    args: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each command the docs show is accepted as written (options, values, ids)."""
    ran: list[Settings] = []
    for module in (_options, demo):  # where the commands hand their worker to run
        monkeypatch.setattr(module, "run", lambda settings, main: ran.append(settings))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old-ids.txt").write_text("1349707\n")
    result = CliRunner().invoke(app, args, input="1349707\n")
    assert 0 == result.exit_code, result.output
    assert 1 == len(ran)


def test_without_the_cli_extra_the_script_says_how_to_install_it() -> None:
    """No Typer: exit 2 with the pip command, no traceback."""
    code = (
        "import sys\n"
        "sys.modules['typer'] = None\n"
        "from pictory_async.cli import main\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert 2 == done.returncode
    assert 'pip install "pictory-async[cli]"' in done.stderr
    assert "Traceback" not in done.stderr
