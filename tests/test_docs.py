"""The code examples in README.md and docs/ run, against the emulator over loopback."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pictory_async.emulator import Emulator, serve

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


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


def test_test_examples_pass_as_tests(tmp_path: Path) -> None:
    """Examples that are pytest tests (using the plugin's fixtures) pass when run by pytest."""
    import subprocess
    import sys

    suites = [
        (code, name)
        for code, name in _blocks()
        if "\ndef test_" in "\n" + code or ("\nasync def test_" in "\n" + code)
    ]
    assert suites, "no test-style examples found"
    for number, (code, name) in enumerate(suites):
        (tmp_path / f"test_example_{number}.py").write_text(f"# {name}\n{code}")
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert 0 == run.returncode, run.stdout[-3000:]
    assert " passed" in run.stdout
