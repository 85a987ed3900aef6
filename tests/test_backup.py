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


def api_serving(*bodies: dict[str, Any]) -> Any:
    """An API answering GETs with each project body in turn (the last one from then on)."""
    answers = list(bodies)

    def api(seen: Seen) -> bytes:
        if seen.method == "DELETE":
            return response(200, b'{"success": true}', [("Content-Type", "application/json")])
        body = answers.pop(0) if len(answers) > 1 else answers[0]
        return response(200, json.dumps(body).encode(), [("Content-Type", "application/json")])

    return api


def on(server: RawServer, fake_time: FakeTime) -> AsyncPictory:
    """A client of ``server`` on fake time."""
    return AsyncPictory(
        api_key=API_KEY, base_url=server.url, sleep=fake_time.sleep, clock=fake_time.clock
    )


@pytest.mark.parametrize(
    ("project", "kinds", "reason", "file"),
    [
        ({"step": "RENDER", "inProgress": True}, None, "still rendering", None),
        ({"step": "COMPLETE", "srtFile": "SRT"}, ["video"], "has no video", "video"),
    ],
    ids=["rendering", "kind-missing"],
)
async def test_a_backup_that_cannot_stand_in_for_the_project_deletes_nothing(
    tmp_path: Path,
    fake_time: FakeTime,
    project: dict[str, Any],
    kinds: list[str] | None,
    reason: str,
    file: str | None,
) -> None:
    """Still rendering, or without the kind asked for: ``failed`` with a reason, no DELETE."""
    async with RawServer(lambda seen: response(200, b"subtitles")) as cdn:
        body = {"projectName": "p", **project}
        if "srtFile" in body:
            body["srtFile"] = cdn.url + "/p1.srt"
        async with RawServer(api_serving(body)) as server, on(server, fake_time) as client:
            result = await client.projects.backup_and_delete(["p1"], tmp_path, kinds=kinds)
    [failure] = result.failed
    assert isinstance(failure.error, BackupError)
    assert (file, "p1") == (failure.error.file, failure.error.project_id)
    assert reason in str(failure.error)
    assert ["GET"] == [seen.method for seen in server.seen]


async def test_a_video_rendered_since_the_last_backup_is_downloaded_not_reused(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """The project now points at a new video: the old file does not stand in for it."""
    videos = {"/v1.mp4": b"first render" * 100, "/v2.mp4": b"second render" * 100}

    def serve(seen: Seen) -> bytes:  # the same ETag for both: only the path tells them apart
        if seen.headers.get("if-none-match") == '"1"':
            return response(304, b"", [("ETag", '"1"')], "Not Modified", content_length=False)
        return response(200, videos[seen.target.split("?")[0]], [("ETag", '"1"')])

    async with RawServer(serve) as cdn:
        first = {"projectName": "p", "videoURL": cdn.url + "/v1.mp4?sig=a"}
        second = {"projectName": "p", "videoURL": cdn.url + "/v2.mp4?sig=b"}
        async with (
            RawServer(api_serving(first, first, second)) as server,
            on(server, fake_time) as client,
        ):
            await client.projects.backup("p1", tmp_path)
            again = await client.projects.backup("p1", tmp_path)  # same video: kept
            result = await client.projects.backup_and_delete(["p1"], tmp_path)
    assert (["p1"], 0) == (result.deleted, again.downloaded)
    manifest = assert_verified(tmp_path / "p1")
    [video] = [entry for entry in manifest["files"] if entry["kind"] == "video"]
    assert videos["/v2.mp4"] == (tmp_path / "p1" / video["name"]).read_bytes()
    assert second["videoURL"] == video["url"]
    targets = [(seen.target, seen.headers.get("if-none-match")) for seen in cdn.seen]
    # asked again with its ETag while the URL's path was the same; a new path, plainly
    assert [("/v1.mp4?sig=a", None), ("/v1.mp4?sig=a", '"1"'), ("/v2.mp4?sig=b", None)] == targets


async def test_an_asset_url_that_is_not_http_is_a_backup_error(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """``videoURL: ftp://...`` from the API fails the backup (``BackupError``), not the caller."""
    body = {"projectName": "p", "videoURL": "ftp://cdn.example/v.mp4"}
    async with RawServer(api_serving(body)) as server, on(server, fake_time) as client:
        with pytest.raises(BackupError, match="not an http"):
            await client.projects.backup("p1", tmp_path)
        result = await client.projects.backup_and_delete(["p1"], tmp_path)
    assert isinstance(result.failed[0].error, BackupError)
    assert ["GET", "GET"] == [seen.method for seen in server.seen]


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
    rendering = {record.id for record in pictory_emulator.projects() if record.in_progress}
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
    assert rendering <= {item.item for item in result.failed}  # its video is not final
    for item in result.failed:
        assert isinstance(item.error, BackupError)
        assert item.error.file in ASSET_KINDS or item.item in rendering
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


def test_a_backup_files_repr_shows_no_signed_query() -> None:
    """repr(BackupFile) names its URL without the query; the field itself keeps it whole."""
    from datetime import datetime, timezone

    from pictory_async import BackupFile

    url = "https://cdn.example/v.mp4?X-Amz-Signature=s3cr3t"
    record = BackupFile(
        name="v.mp4",
        kind="video",
        size=1,
        sha256="0" * 64,
        url=url,
        saved_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    assert url == record.url
    assert "s3cr3t" not in repr(record)
    assert "https://cdn.example/v.mp4?…" in repr(record)
