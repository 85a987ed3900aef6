"""Fixtures for the command line: an emulator on loopback, and a runner pointed at it.

The emulator serves from a thread (``pictory_async.cli.demo.serving``, as ``pictory
demo`` does), because each command runs its own event loop with ``asyncio.run``; the
command reaches it over real sockets with ``PICTORY_API_KEY`` and ``PICTORY_BASE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner, Result

from pictory_async.cli import app
from pictory_async.cli.demo import serving
from pictory_async.emulator import Emulator, RunningEmulator

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped output is 120 columns wide, whatever ``COLUMNS`` the test run exports."""
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(autouse=True)
def _rate_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's commands keep their learned rate (the CLI's file store) in a cache of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("PICTORY_RATE_STORE", raising=False)


@pytest.fixture
def emulator() -> Emulator:
    """40 projects (about 30 older than 90 days), no render in progress, small pages."""
    return Emulator(projects=40, seed=11, page_size=10, in_progress_share=0.0)


@pytest.fixture
def server(emulator: Emulator) -> Iterator[RunningEmulator]:
    """The emulator on 127.0.0.1, served from a thread."""
    with serving(emulator) as running:
        yield running


@pytest.fixture
def invoke(server: RunningEmulator) -> Invoke:
    """Run ``pictory ARGS...`` against the emulator; ``input=`` feeds stdin.

    Output is 120 columns wide; pass ``COLUMNS="60"`` to print narrower.
    """
    runner = CliRunner()
    env = {"PICTORY_API_KEY": server.api_key, "PICTORY_BASE_URL": server.base_url}

    def run(*args: str, input: str | None = None, **extra_env: str) -> Result:
        return runner.invoke(app, list(args), input=input, env={**env, **extra_env})

    return run


def old_ids(emulator: Emulator, days: int = 90) -> list[int | str]:
    """Ids of the main account's projects saved more than ``days`` ago."""
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    return [record.id for record in emulator.projects() if record.saved < cutoff]
