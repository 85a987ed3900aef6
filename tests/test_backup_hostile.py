"""Backups of projects whose ids and names are hostile to filesystems, over loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pictory_async import AsyncPictory, Outcome
from pictory_async._backup import MANIFEST, sha256_of
from pictory_async.emulator import Emulator

# valid ids (the API may send them) that are awkward or reserved as file names
IDS = ["CON", "nul.txt", ".env", "a:b*c<d>e|f", "x" * 200, "Ünïcödé", "a.b.c", "A", "a"]
NAMES = ["../../etc/passwd", "/absolute", "C:\\Windows", "nul\x00byte", "..", "é" * 300]


def check_tree(root: Path, count: int) -> None:
    """``root/dest`` holds ``count`` project directories and nothing escaped them."""
    dest = root / "dest"
    assert ["dest"] == [path.name for path in root.iterdir()]
    directories = sorted(dest.iterdir())
    assert count == len(directories)  # "A" and "a" too: no two projects share one
    for directory in directories:
        assert directory.resolve().parent == dest.resolve()
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        assert manifest["files"]
        for entry in manifest["files"]:
            path = directory / entry["name"]
            assert path.resolve().parent == directory.resolve()
            assert (entry["size"], entry["sha256"]) == sha256_of(path)


@pytest.mark.pictory_emulator(projects=0, other_projects=0, seed=3, transport="socket")
async def test_hostile_ids_and_names_stay_inside_the_backup_directory(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Every file lands under ``dest``, one directory per project, none shared, all verified."""
    for index, project_id in enumerate(IDS):
        pictory_emulator.add_project(id=project_id, name=NAMES[index % len(NAMES)])
    dest = tmp_path / "dest"
    result = await pictory_client.projects.backup_and_delete(IDS, dest)
    assert {Outcome.DELETED: len(IDS)} == {k: v for k, v in result.counts.items() if v}
    check_tree(tmp_path, len(IDS))
    assert [] == pictory_emulator.projects()
