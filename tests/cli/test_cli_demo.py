"""``pictory demo`` leaves nothing behind unless asked to keep its backups."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pictory_async._ratestore import FileRateStore
from pictory_async.cli import app, demo

SMALL = ["--projects", "60", "--latency-ms", "0", "--rate-limit", "5000", "--no-faults"]


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The directory ``tempfile`` creates its directories in, for this test alone."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_the_demo_removes_its_backups_and_journal_by_default(temp_root: Path) -> None:
    """Without ``--dest`` the backups go to a temporary directory, removed at the end."""
    result = CliRunner().invoke(
        app, ["demo", *SMALL], env={"PICTORY_API_KEY": None, "PICTORY_BASE_URL": None}
    )

    assert 0 == result.exit_code, result.output
    assert [] == list(temp_root.iterdir())
    assert "removed with the demo's temporary directory" in " ".join(result.stdout.split())


def test_the_demo_keeps_no_rate_file(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's client learns in memory: no rate store file is opened in the cache."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo opened the file rate store")

    monkeypatch.setattr(FileRateStore, "__init__", refuse)
    result = CliRunner().invoke(
        app, ["demo", *SMALL], env={"PICTORY_API_KEY": None, "PICTORY_BASE_URL": None}
    )

    assert 0 == result.exit_code, result.output


def test_the_demo_cleans_up_when_the_prune_fails(
    temp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error (or Ctrl-C) in the middle of the demo still removes its temporary directory."""
    seen: list[Path] = []

    async def failing(client: object, old: object, options: Any, confirm: object) -> int:
        seen.append(options.backup_to)
        options.backup_to.mkdir(parents=True)
        (options.backup_to / "partial").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "delete_flow", failing)
    options = demo.DemoOptions(projects=30, latency=0.0, rate_limit=5000.0, faults=False)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(demo.demo(options))

    assert [temp_root] == [path.parent.parent for path in seen]
    assert [] == list(temp_root.iterdir())


def test_the_demo_keeps_what_dest_asks_for(tmp_path: Path, temp_root: Path) -> None:
    """With ``--dest`` the backups and the journal stay, and the summary says where."""
    result = CliRunner().invoke(
        app,
        ["demo", *SMALL, "--dest", str(tmp_path / "kept")],
        env={"PICTORY_API_KEY": None, "PICTORY_BASE_URL": None},
    )

    assert 0 == result.exit_code, result.output
    assert list((tmp_path / "kept" / "backups").glob("*/manifest.json"))
    assert (tmp_path / "kept" / "prune.journal.jsonl").is_file()
    assert f"in {tmp_path / 'kept' / 'backups'}" in result.stdout
    assert [] == list(temp_root.iterdir())
