"""A backup keeps an earlier file only when the CDN confirms it still serves those bytes.

A project rendered again under the same URL (only a signature changes) must not be
deleted with its previous render as its backup: the file is asked for again with the
validators the CDN gave (a conditional request), and only a ``304`` that confirms them
lets the file on disk stand in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, FakeTime

from pictory_async import AsyncPictory, BackupError, DeleteResult, ProjectId
from pictory_async._backup import MANIFEST, project_dirname, sha256_of
from pictory_async.emulator import Emulator

V1 = b"\x00\x00\x00\x18ftypmp42" + b"first render " * 400
V2 = b"\x00\x00\x00\x18ftypmp42" + b"second render " * 400
DAY1 = "Sun, 01 Feb 2026 10:00:00 GMT"
DAY2 = "Mon, 02 Feb 2026 10:00:00 GMT"
JSON = [("Content-Type", "application/json")]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(directory: Path) -> dict[str, Any]:
    """The manifest, every file it names checked against the disk."""
    manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text())
    for entry in manifest["files"]:
        assert (entry["size"], entry["sha256"]) == sha256_of(directory / entry["name"])
    return manifest


@attrs.define
class Cdn:
    """One video on a scripted CDN: its bytes and validators now, and how it answers.

    ``answer`` picks the behaviour towards a conditional request: ``honest`` (RFC 9110),
    ``ignores`` (always 200), ``always-304`` (even unasked, with the current ETag),
    ``other-etag`` (304 naming another ETag than asked), ``412``.
    """

    body: bytes = V1
    etag: str | None = None
    last_modified: str | None = None
    answer: str = "honest"

    def validators(self) -> list[tuple[str, str]]:
        pairs = [("ETag", self.etag)] if self.etag else []
        return pairs + ([("Last-Modified", self.last_modified)] if self.last_modified else [])

    def __call__(self, seen: Seen) -> bytes:
        """Answer one request for the video."""
        asked = seen.headers.get("if-none-match") or seen.headers.get("if-modified-since")
        not_modified = response(304, b"", self.validators(), "Not Modified", content_length=False)
        if self.answer == "always-304":
            return not_modified
        if asked and self.answer == "412":
            return response(412, b"", self.validators(), "Precondition Failed")
        if asked and self.answer == "other-etag":
            return response(304, b"", [("ETag", '"another"')], "Not Modified", content_length=False)
        if asked and self.answer == "honest":
            if_none_match = seen.headers.get("if-none-match")
            if if_none_match is not None and if_none_match == self.etag:
                return not_modified
            if (
                if_none_match is None
                and seen.headers.get("if-modified-since") == self.last_modified
            ):
                return not_modified
        return response(200, self.body, [("Content-Type", "video/mp4"), *self.validators()])


def _api(cdn_url: str, deleted: list[str]) -> Callable[[Seen], bytes]:
    """An API whose project ``p1`` has its video on the CDN, signed anew on each GET."""
    signatures = iter(range(1, 1000))

    def api(seen: Seen) -> bytes:
        if seen.method == "DELETE":
            deleted.append(seen.target)
            return response(200, b'{"success": true}', JSON)
        body = {"projectName": "p", "videoURL": f"{cdn_url}/p1/video.mp4?sig={next(signatures)}"}
        return response(200, json.dumps(body).encode(), JSON)

    return api


@attrs.frozen
class Run:
    """What the CDN saw on the second run, what was deleted, and whether the file stayed."""

    seen: list[Seen]
    deleted: list[str]
    result: Any
    kept: bool


async def _two_backups(
    tmp_path: Path, fake_time: FakeTime, cdn: Cdn, day2: Callable[[Cdn], None]
) -> Run:
    """Back ``p1`` up, change the CDN with ``day2``, then ``backup_and_delete`` it."""
    deleted: list[str] = []
    async with (
        RawServer(cdn) as server,
        RawServer(_api(server.url, deleted)) as api,
        AsyncPictory(
            api_key=API_KEY, base_url=api.url, sleep=fake_time.sleep, clock=fake_time.clock
        ) as client,
    ):
        await client.projects.backup("p1", tmp_path)
        inode = (tmp_path / "p1" / "p1-video.mp4").stat().st_ino
        day2(cdn)
        server.seen.clear()
        result = await client.projects.backup_and_delete(["p1"], tmp_path)
    kept = inode == (tmp_path / "p1" / "p1-video.mp4").stat().st_ino  # a download renames
    return Run(server.seen, deleted, result, kept)


def _conditions(seen: Seen) -> dict[str, str]:
    return {name: value for name, value in seen.headers.items() if name.startswith("if-")}


def _rendered_again(cdn: Cdn) -> None:
    cdn.body = V2
    cdn.etag = '"v2"' if cdn.etag is not None else None
    cdn.last_modified = DAY2 if cdn.last_modified is not None else None


def _unchanged(cdn: Cdn) -> None:
    pass


@pytest.mark.parametrize(
    ("cdn", "day2", "asked", "kept"),
    [
        # a strong ETag: If-None-Match; the 304 keeps the file, a 200 replaces it
        (Cdn(etag='"v1"', last_modified=DAY1), _unchanged, {"if-none-match": '"v1"'}, True),
        (Cdn(etag='"v1"', last_modified=DAY1), _rendered_again, {"if-none-match": '"v1"'}, False),
        # only a date: If-Modified-Since
        (Cdn(last_modified=DAY1), _unchanged, {"if-modified-since": DAY1}, True),
        (Cdn(last_modified=DAY1), _rendered_again, {"if-modified-since": DAY1}, False),
        # a weak ETag is no proof of the same bytes: the date asks
        (Cdn(etag='W/"v1"', last_modified=DAY1), _unchanged, {"if-modified-since": DAY1}, True),
        # a weak ETag alone, or nothing at all: nothing to ask with, downloaded again
        (Cdn(etag='W/"v1"'), _rendered_again, {}, False),
        (Cdn(), _rendered_again, {}, False),
        (Cdn(), _unchanged, {}, False),
        # a CDN that ignores the condition: its 200 is downloaded (same bytes, checked)
        (Cdn(etag='"v1"', answer="ignores"), _unchanged, {"if-none-match": '"v1"'}, False),
        # a 304 for another ETag than asked, or a 412: proves nothing, asked again plainly
        (Cdn(etag='"v1"', answer="other-etag"), _rendered_again, {"if-none-match": '"v1"'}, False),
        (Cdn(etag='"v1"', answer="412"), _rendered_again, {"if-none-match": '"v1"'}, False),
        (Cdn(etag='"v1"', answer="412"), _unchanged, {"if-none-match": '"v1"'}, False),
    ],
    ids=[
        "etag-same",
        "etag-new",
        "date-same",
        "date-new",
        "weak-and-date-same",
        "weak-only",
        "no-validators-new",
        "no-validators-same",
        "ignores-conditions",
        "304-other-etag",
        "412-new",
        "412-same-etag",
    ],
)
async def test_a_file_stands_in_only_when_the_cdn_confirms_it(
    tmp_path: Path,
    fake_time: FakeTime,
    cdn: Cdn,
    day2: Callable[[Cdn], None],
    asked: dict[str, str],
    kept: bool,
) -> None:
    """The project is deleted only with a backup of the bytes the CDN serves at that time."""
    cdn = attrs.evolve(cdn)  # day2 changes it; the parameter serves every run in the process
    run = await _two_backups(tmp_path, fake_time, cdn, day2)
    assert (["p1"], ["/pictoryapis/v2/projects/p1"]) == (run.result.deleted, run.deleted)
    manifest = _manifest(tmp_path / "p1")
    [video] = [entry for entry in manifest["files"] if entry["kind"] == "video"]
    assert cdn.body == (tmp_path / "p1" / video["name"]).read_bytes()
    assert (cdn.etag, cdn.last_modified) == (video["etag"], video["last_modified"])
    assert kept == run.kept
    # asked once with the validators; when the answer proved nothing, once more plainly
    fallback: list[dict[str, str]] = [{}] if cdn.answer in ("other-etag", "412") else []
    assert [asked, *fallback] == [_conditions(seen) for seen in run.seen]
    assert all("authorization" not in seen.headers for seen in run.seen)
    assert video["url"].endswith("?sig=2")  # the project's URL now, even when kept


async def test_a_304_nobody_asked_for_never_stands_in(tmp_path: Path, fake_time: FakeTime) -> None:
    """No validators were given: a 304 to the plain request is an error, and nothing is deleted."""
    cdn = Cdn()  # day 1: a 200 without ETag or date

    def day2(cdn: Cdn) -> None:
        cdn.answer, cdn.body = "always-304", V2

    run = await _two_backups(tmp_path, fake_time, cdn, day2)
    [failure] = run.result.failed
    assert isinstance(failure.error, BackupError)
    assert ("video", [], True) == (failure.error.file, run.deleted, run.kept)
    assert all({} == _conditions(seen) for seen in run.seen)


@pytest.mark.parametrize("answer", ["honest", "always-304"])
async def test_a_file_changed_on_disk_is_never_confirmed_by_a_304(
    tmp_path: Path, fake_time: FakeTime, answer: str
) -> None:
    """A local file that no longer matches its manifest is asked for plainly, never kept."""
    cdn = Cdn(etag='"v1"', last_modified=DAY1)
    name = "p1-video.mp4"

    def damaged(cdn: Cdn) -> None:
        (tmp_path / "p1" / name).write_bytes(V2)
        cdn.answer = answer

    run = await _two_backups(tmp_path, fake_time, cdn, damaged)
    assert all({} == _conditions(seen) for seen in run.seen)
    if answer == "honest":  # downloaded again
        assert (["p1"], V1) == (run.result.deleted, (tmp_path / "p1" / name).read_bytes())
    else:  # a 304 to a plain request is no file: failed, not deleted
        assert ([], ["p1"]) == (run.deleted, [item.item for item in run.result.failed])


async def test_a_manifest_from_before_validators_downloads_again(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """An older manifest (no ``etag``, ``last_modified``) still reads; its files are fetched."""
    cdn = Cdn(etag='"v1"', last_modified=DAY1)

    def older_manifest(cdn: Cdn) -> None:
        path = tmp_path / "p1" / MANIFEST
        manifest = json.loads(path.read_text())
        for entry in manifest["files"]:
            del entry["etag"], entry["last_modified"]
        path.write_text(json.dumps(manifest))

    run = await _two_backups(tmp_path, fake_time, cdn, older_manifest)
    assert (["p1"], [{}], False) == (
        run.result.deleted,
        [_conditions(s) for s in run.seen],
        run.kept,
    )
    [video] = [e for e in _manifest(tmp_path / "p1")["files"] if e["kind"] == "video"]
    assert '"v1"' == video["etag"]


async def test_a_tampered_manifest_sends_only_plain_conditions(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Validators edited in the manifest never reach a header as written, nor crash a backup."""
    cdn = Cdn(last_modified=DAY1)

    def tampered(cdn: Cdn) -> None:
        path = tmp_path / "p1" / MANIFEST
        manifest = json.loads(path.read_text())
        for entry in manifest["files"]:
            entry["etag"], entry["last_modified"] = '"\u00e9"', DAY1 + "\r\nX-Evil: 1"
        path.write_text(json.dumps(manifest))

    run = await _two_backups(tmp_path, fake_time, cdn, tampered)
    assert ["p1"] == run.result.deleted
    assert [{"if-modified-since": DAY1}] == [_conditions(seen) for seen in run.seen]
    assert "x-evil" not in run.seen[0].headers


async def test_the_conditional_request_follows_redirects_and_retries_as_downloads_do(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Each hop of a redirect carries the condition and no key; a 503 is retried; 304 keeps."""
    state = {"fail": 0}

    def cdn(seen: Seen) -> bytes:
        if seen.target.startswith("/p1/video.mp4"):
            return response(302, b"", [("Location", "/real/video.mp4")], "Found")
        if seen.headers.get("if-none-match") == '"v1"':
            state["fail"] += 1
            if state["fail"] == 1:
                return response(503, b"busy", [], "Service Unavailable")
            return response(304, b"", [("ETag", '"v1"')], "Not Modified", content_length=False)
        return response(200, V1, [("ETag", '"v1"')])

    deleted: list[str] = []
    async with (
        RawServer(cdn) as server,
        RawServer(_api(server.url, deleted)) as api,
        AsyncPictory(
            api_key=API_KEY, base_url=api.url, sleep=fake_time.sleep, clock=fake_time.clock
        ) as client,
    ):
        await client.projects.backup("p1", tmp_path)
        server.seen.clear()
        again = await client.projects.backup("p1", tmp_path)
    assert 0 == again.downloaded
    assert ["/p1/video.mp4?sig=2", "/real/video.mp4"] * 2 == [s.target for s in server.seen]
    assert all('"v1"' == seen.headers.get("if-none-match") for seen in server.seen)
    assert all("authorization" not in seen.headers for seen in server.seen)
    assert fake_time.waits  # the 503 was waited out, on the client's clock


def _served(emulator: Emulator, project_id: ProjectId) -> dict[str, str]:
    return {kind: info["url"] for kind, info in emulator.assets(project_id).items()}


@pytest.mark.pictory_emulator(projects=3, seed=12, transport="socket", in_progress_share=0.0)
async def test_a_render_under_the_same_url_is_downloaded_again_before_the_delete(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """The emulator's render keeps the video's URL: the backup holds the new render, not the old."""
    project_id = pictory_emulator.projects()[0].id
    url = pictory_emulator.asset_url(project_id, "video")
    await pictory_client.projects.backup(project_id, tmp_path)
    old = pictory_emulator.asset(project_id, "video")
    pictory_emulator.set_render_duration(0)
    pictory_emulator.start_render(project_id)
    new = pictory_emulator.asset(project_id, "video")
    assert (url, True) == (pictory_emulator.asset_url(project_id, "video"), old != new)
    result = await pictory_client.projects.backup_and_delete([project_id], tmp_path)
    assert [project_id] == result.deleted
    directory = tmp_path / project_dirname(project_id)
    [video] = [e for e in _manifest(directory)["files"] if e["kind"] == "video"]
    assert new == (directory / video["name"]).read_bytes()


@pytest.mark.pictory_emulator(
    projects=30, seed=13, transport="socket", small_media=True, in_progress_share=0.0
)
async def test_backup_and_delete_after_a_third_were_rendered_again_keeps_what_the_cdn_serves(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    pictory_cdn: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every project deleted has a backup equal, byte for byte, to the CDN's at deletion."""
    ids = [record.id for record in pictory_emulator.projects()]
    urls = {project_id: _served(pictory_emulator, project_id) for project_id in ids}
    for project_id in ids:
        await pictory_client.projects.backup(project_id, tmp_path)
    files = [path for path in tmp_path.glob("*/*") if path.suffix != ".json"]  # noqa: ASYNC240
    inodes = {path: path.stat().st_ino for path in files}
    again = ids[::3]
    pictory_emulator.set_render_duration(0)
    for project_id in again:
        pictory_emulator.start_render(project_id)

    at_deletion: dict[ProjectId, dict[str, str]] = {}
    delete = pictory_client.projects.delete

    async def delete_seeing_the_cdn(project_id: ProjectId, *, missing_ok: bool = False) -> Any:
        served = {}
        for kind, url in urls[project_id].items():
            answer = await pictory_cdn.get(url)
            if answer.status_code == 200:
                served[kind] = _sha(answer.content)
        at_deletion[project_id] = served
        result: DeleteResult = await delete(project_id, missing_ok=missing_ok)
        return result

    monkeypatch.setattr(pictory_client.projects, "delete", delete_seeing_the_cdn)
    result = await pictory_client.projects.backup_and_delete(ids, tmp_path)

    assert sorted(map(str, ids)) == sorted(map(str, result.deleted))
    for project_id in ids:
        manifest = _manifest(tmp_path / project_dirname(project_id))
        backed_up = {e["kind"]: e["sha256"] for e in manifest["files"] if e["kind"] != "project"}
        assert at_deletion[project_id] == backed_up  # the CDN's bytes at deletion, all kinds
    replaced = {path for path, inode in inodes.items() if path.stat().st_ino != inode}
    rendered = {"video", "srt", "vtt", "txt"}
    expected = {
        path
        for path in inodes
        if path.parent.name in {project_dirname(i) for i in again}
        and path.stem.rsplit("-", 1)[-1] in rendered
    }
    assert expected == replaced  # re-rendered files downloaded; the others kept (304)
    assert len(again) * len(rendered) == len(replaced)
