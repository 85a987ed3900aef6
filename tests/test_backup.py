"""Backups: metadata as received, media, a manifest; deleted only after a verified backup."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, FakeTime

from pictory_async import AsyncPictory, BackupError, Outcome, Project, ProjectId
from pictory_async._assets import ASSET_KINDS
from pictory_async._backup import MANIFEST, PROJECT_JSON, project_dirname, sha256_of
from pictory_async._converter import converter
from pictory_async.emulator import Emulator

LIGHT = ["thumbnail", "srt", "vtt", "txt"]  # every kind but the large video and audio


def _asset_kinds(emulator: Emulator, project_id: ProjectId) -> list[str]:
    """The kinds of media the API names for a project (``Project.assets``)."""
    return list(converter.structure(emulator.project_json(project_id), Project).assets)


def assert_verified(directory: Path) -> dict[str, Any]:
    """Every file the manifest names is on disk with its size and SHA-256."""
    manifest = json.loads((directory / MANIFEST).read_text())
    for entry in manifest["files"]:
        assert (entry["size"], entry["sha256"]) == sha256_of(directory / entry["name"])
    return manifest  # type: ignore[no-any-return]


@pytest.mark.pictory_emulator(projects=3, seed=21, transport="socket")
async def test_a_backup_holds_the_answer_the_media_and_a_manifest(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """``project.json`` is the API's answer byte for byte; each asset matches the CDN."""
    record = next(p for p in pictory_emulator.projects() if not p.in_progress)
    backup = await pictory_client.projects.backup(record.id, tmp_path)
    directory = tmp_path / project_dirname(record.id)
    assert directory == backup.directory
    manifest = assert_verified(directory)
    project = await pictory_client.projects.get(record.id)
    assert {"project", *project.assets} == {entry["kind"] for entry in manifest["files"]}
    for kind in project.assets:
        name = next(e["name"] for e in manifest["files"] if e["kind"] == kind)
        assert pictory_emulator.asset(record.id, kind) == (directory / name).read_bytes()
    stored = json.loads((directory / PROJECT_JSON).read_bytes())
    assert project.project_name == stored["projectName"]


@pytest.mark.pictory_emulator(projects=2, seed=21, transport="socket")
async def test_running_a_backup_again_downloads_only_what_changed(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A second run downloads nothing; a damaged file is downloaded again."""
    record = next(p for p in pictory_emulator.projects() if not p.in_progress)
    first = await pictory_client.projects.backup(record.id, tmp_path, kinds=LIGHT)
    again = await pictory_client.projects.backup(record.id, tmp_path, kinds=LIGHT)
    damaged = next(f for f in first.files if f.kind == "srt")
    (first.directory / damaged.name).write_bytes(b"not the subtitles")
    third = await pictory_client.projects.backup(record.id, tmp_path, kinds=LIGHT)
    assert (len(LIGHT), 0, 1) == (first.downloaded, again.downloaded, third.downloaded)
    assert_verified(third.directory)


async def test_a_missing_asset_fails_the_backup_and_nothing_is_deleted(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """A CDN 404 for one asset: ``BackupError`` naming it, and no DELETE is ever sent."""
    async with RawServer(lambda seen: response(404, b"<Error/>", [], "Not Found")) as cdn:

        def api(seen: Seen) -> bytes:
            body = json.dumps({"projectName": "p", "srtFile": cdn.url + "/p1.srt"}).encode()
            return response(200, body, [("Content-Type", "application/json")])

        async with (
            RawServer(api) as server,
            AsyncPictory(
                api_key=API_KEY, base_url=server.url, sleep=fake_time.sleep, clock=fake_time.clock
            ) as client,
        ):
            result = await client.projects.backup_and_delete(["p1"], tmp_path)
    [failure] = result.failed
    assert isinstance(failure.error, BackupError)
    assert ("srt", "p1") == (failure.error.file, failure.error.project_id)
    assert "404" in str(failure.error)
    assert ["GET"] == [seen.method for seen in server.seen]
    assert not (tmp_path / "p1" / MANIFEST).exists()


@pytest.mark.pictory_emulator(
    projects=300,
    seed=8,
    transport="socket",
    small_media=True,  # 4-8 KiB videos and audio: 300 projects write ~10 MB, not ~250
    faults={"media_truncate_rate": 0.1},
    client_options={"max_retries": 0},
)
async def test_backup_and_delete_deletes_exactly_the_verified_backups(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """10% of CDN downloads fail: only projects whose full backup verified are deleted."""
    ids = [record.id for record in pictory_emulator.projects()]
    expected = {  # every asset each project has (all six kinds occur), as the CDN serves it
        i: {
            kind: pictory_emulator.asset_sha256(i, kind)
            for kind in _asset_kinds(pictory_emulator, i)
        }
        for i in ids
    }
    result = await pictory_client.projects.backup_and_delete(ids, tmp_path, concurrency=20)
    assert len(ids) == result.total
    assert pictory_emulator.stats.truncated_downloads > 0
    assert result.failed  # some backups failed
    for item in result.failed:
        assert isinstance(item.error, BackupError)
        assert item.error.file in ASSET_KINDS
        assert pictory_emulator.has_project(item.item)  # not deleted
    backed_up: set[str] = set()
    for project_id in result.deleted:
        assert not pictory_emulator.has_project(project_id)
        manifest = assert_verified(tmp_path / project_dirname(project_id))
        assert project_id == manifest["project_id"]
        assets = {e["kind"]: e["sha256"] for e in manifest["files"] if e["kind"] != "project"}
        assert expected[project_id] == assets  # every asset it had, as the CDN served it
        sizes = [entry["size"] for entry in manifest["files"] if entry["kind"] != "project"]
        assert max(sizes) < 32 * 1024  # small_media (full size: audio 64+ KiB, video 256+ KiB)
        backed_up |= assets.keys()
    assert set(ASSET_KINDS) == backed_up
    assert len(ids) == len(result.deleted) + len(result.failed) + len(result.already_absent)


@pytest.mark.pictory_emulator(projects=5, seed=21, transport="socket")
async def test_a_dry_run_backs_up_and_deletes_nothing(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """``dry_run=True``: every id skipped, no directory written, every project kept."""
    ids = [record.id for record in pictory_emulator.projects()]
    result = await pictory_client.projects.backup_and_delete(ids, tmp_path, dry_run=True)
    assert (len(ids), len(ids)) == (len(result.skipped), result.counts[Outcome.SKIPPED])
    assert [] == os.listdir(tmp_path)
    assert all(pictory_emulator.has_project(i) for i in ids)
