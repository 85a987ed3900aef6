"""The code examples in README.md and docs/ run, against the emulator over loopback."""

from __future__ import annotations

import ast
import asyncio
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pictory_async.emulator import Emulator, serve

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
RUNNING_RENDERS = ("docs/backups.md",)
"""Pages whose examples show a job still running; elsewhere jobs finish when started."""


def _blocks() -> list[tuple[str, str]]:
    """``(code, "file:line")`` of every python block in the docs."""
    blocks = []
    for path in DOCS:
        text = path.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            blocks.append((match.group(1), f"{path.relative_to(ROOT)}:{line}"))
    return blocks


class _Server:
    """The emulator served on loopback from a thread of its own."""

    def __init__(self) -> None:
        # Renders finish at once, so an example that waits for one does not sleep.
        self.emulator = Emulator(projects=120, seed=7, render_time=(0.0, 0.0))
        self.base_url = ""
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with serve(self.emulator) as running:
            self.base_url = running.base_url
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> _Server:
        self._thread.start()
        assert self._ready.wait(10), "the emulator did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with _Server() as running:
        yield running


@pytest.mark.parametrize(("code", "name"), _blocks(), ids=[name for _, name in _blocks()])
def test_example_runs(
    server: _Server, code: str, name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The example runs to the end without raising, against a freshly reset emulator.

    It runs in a directory of its own (examples write reports, downloads and backups
    there) and whoever it asks with ``input()`` answers "yes".
    """
    server.emulator.reset()
    if not name.startswith(RUNNING_RENDERS):  # an example that waits for a job does not sleep
        server.emulator.set_render_duration(0.0)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("builtins.input", lambda prompt="": "yes")
    emulator = server.emulator
    folder = max(emulator.folders(), key=lambda f: sum(p.folder == f for p in emulator.projects()))
    monkeypatch.setenv("PICTORY_API_KEY", emulator.api_key)
    monkeypatch.setenv("PICTORY_BASE_URL", server.base_url)
    monkeypatch.setenv("PICTORY_FOLDER_ID", folder)
    exec(compile(code, name, "exec"), {"__name__": "__main__"})


def test_examples_found() -> None:
    """The collector finds the examples (a broken pattern would silently test nothing)."""
    names = [name for _, name in _blocks()]
    assert any(name.startswith("README.md") for name in names)
    assert any(name.startswith("docs/bulk.md") for name in names)
    assert 12 == sum(name.startswith("docs/use-cases.md") for name in names)


def _test_examples() -> dict[str, list[tuple[str, str]]]:
    """The examples that are pytest tests, by page (README.md or docs/*.md)."""
    pages: dict[str, list[tuple[str, str]]] = {}
    for code, name in _blocks():
        if "\ndef test_" in "\n" + code or "\nasync def test_" in "\n" + code:
            pages.setdefault(name.split(":")[0], []).append((code, name))
    return pages


def _run_pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        capture_output=True,
        text=True,
        cwd=directory,
        check=False,
        env={**os.environ, "PYTEST_ADDOPTS": "", "PYTEST_PLUGINS": ""},
    )


def test_the_readme_test_example_passes_as_copied(tmp_path: Path) -> None:
    """README's pytest example passes in a project of its own with no pytest configuration.

    pytest-asyncio's default (``strict``) mode runs only async tests that are marked, so
    an example without ``@pytest.mark.asyncio`` is skipped with a warning, not passed.
    """
    [(code, _)] = _test_examples()["README.md"]
    (tmp_path / "test_cleanup.py").write_text(code)

    run = _run_pytest(tmp_path)

    assert 0 == run.returncode, run.stdout[-3000:]
    assert re.search(r"^1 passed", run.stdout, re.MULTILINE), run.stdout[-3000:]
    assert "skipped" not in run.stdout, run.stdout[-3000:]
    assert "warning" not in run.stdout, run.stdout[-3000:]  # none from the tests themselves


def test_test_examples_pass_as_tests(tmp_path: Path) -> None:
    """The docs' pytest examples pass under the configuration docs/testing.md gives."""
    [config] = re.findall(
        r"^```toml\n(.*?)^```", (ROOT / "docs" / "testing.md").read_text(), re.M | re.S
    )
    (tmp_path / "pyproject.toml").write_text(config)
    suites = [
        example
        for page, examples in _test_examples().items()
        if page != "README.md"
        for example in examples
    ]
    assert len(suites) >= 5, "test-style examples not found"
    for number, (code, name) in enumerate(suites):
        (tmp_path / f"test_example_{number}.py").write_text(f"# {name}\n{code}")

    run = _run_pytest(tmp_path)

    assert 0 == run.returncode, run.stdout[-3000:]
    assert " passed" in run.stdout, run.stdout[-3000:]
    assert "skipped" not in run.stdout, run.stdout[-3000:]
    assert "warning" not in run.stdout + run.stderr, run.stdout[-3000:] + run.stderr


SHELL_BLOCK = re.compile(r"^```(?:console|text|sh|bash|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
VENV_PIP = re.compile(r"(?:^|&& )(?:\.venv/bin/python|python) -m pip install ")


def _shell_blocks() -> list[tuple[str, str, str]]:
    """``(text before the block, block, "file:line")`` of every shell block of the docs."""
    blocks = []
    for path in DOCS:
        text = path.read_text()
        for match in SHELL_BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            before = text[max(0, match.start() - 500) : match.start()]
            blocks.append((before, match.group(1), f"{path.relative_to(ROOT)}:{line}"))
    return blocks


def _extras() -> set[str]:
    """The extras pyproject.toml defines (read without tomllib, which 3.10 lacks)."""
    text = (ROOT / "pyproject.toml").read_text()
    section = text.split("[project.optional-dependencies]\n")[1].split("\n[")[0]
    return set(re.findall(r"^([A-Za-z][\w-]*) = \[", section, re.MULTILINE))


def test_every_install_line_works_from_a_clone_in_a_virtual_environment() -> None:
    """No line installs from PyPI what is not there, and pip always runs in a venv.

    Debian's and Ubuntu's system pip refuses to install (PEP 668), so every ``pip
    install`` runs as ``.venv/bin/python -m pip`` or as ``python -m pip`` in a venv the
    block activates or the text just before it names; the package itself comes from the
    clone (``-e .``, ``-e ".[extra]"``), with extras that exist.
    """
    extras = _extras()
    lines = [
        (before, block, name, line)
        for before, block, name in _shell_blocks()
        for line in block.splitlines()
        if "pip install" in line
    ]
    assert len(lines) >= 10, "install lines not found"
    for before, block, name, line in lines:
        command = line.split("#")[0]
        assert VENV_PIP.search(command), f"{name}: pip outside a venv: {line}"
        if "python -m pip" in command.replace(".venv/bin/python", ""):
            earlier = block.split(line)[0] + command.split("python -m pip")[0]
            activated = ". .venv/bin/activate" in earlier
            assert activated or "virtual environment" in before + line, f"{name}: {line}"
        assert "pictory-async" not in command, f"{name}: not on PyPI: {line}"
        for group in re.findall(r'-e "?\.\[([^\]]*)\]', command):
            assert set(group.split(",")) <= extras, f"{name}: unknown extra in {line}"


def _readme_commands() -> list[str]:
    [block] = [b for _, b, name in _shell_blocks() if name.startswith("README.md")][:1]
    return block.splitlines()


def test_ci_runs_the_readme_test_command() -> None:
    """``.ci/run`` runs README's second command as written, and Development repeats it."""
    readme = (ROOT / "README.md").read_text()
    command = _readme_commands()[1]

    assert "nox -s lint typecheck tests docs" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()
    assert 2 == readme.count(command)


def test_nox_sessions_run_on_the_interpreter_that_runs_nox() -> None:
    """No nox session asks for a Python version (a machine without it failed every one)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    pythons = [
        keyword.value
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "nox.session"
        for keyword in decorator.keywords
        if keyword.arg == "python"
    ]
    assert pythons, "no session found"
    for value in pythons:
        if isinstance(value, ast.Name):
            value = constants[value.id]
        assert "None" == ast.unparse(value)


def test_the_docs_site_build_is_ignored_by_git() -> None:
    """``mkdocs build`` writes ``site/``, which git ignores (it was left untracked)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert "site_dir" not in (ROOT / "mkdocs.yml").read_text()
    check = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", "site/index.html"], cwd=ROOT, check=False
    )
    assert 0 == check.returncode


def test_the_api_reference_lists_every_public_name() -> None:
    """Every name ``pictory_async`` exports has its entry in docs/reference.md."""
    import pictory_async

    reference = (ROOT / "docs" / "reference.md").read_text()
    listed = set(re.findall(r"^::: pictory_async\.(?:[\w.]+\.)?(\w+)$", reference, re.MULTILINE))
    public = {name for name in pictory_async.__all__ if not name.startswith("_")}
    assert set() == public - listed
