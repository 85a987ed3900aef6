"""The checks between a backup and a delete: ``verify`` and ``backup_and_delete``'s use of it.

Each test here stands for one guard; it fails when that guard is removed (see "Mutation
testing" in docs/testing.md): a file changed on disk after its download, a manifest
without a kind, a file of the same size with other bytes, a name leaving the directory.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from _support import API_KEY, FakeTime

from pictory_async import AsyncPictory, BackupError, BulkResult, DeleteResult, _backup_run
from pictory_async._assets import asset_filename
from pictory_async._backup import (
    MANIFEST,
    PROJECT_JSON,
    BackupFile,
    matches,
    now,
    project_dirname,
    read_manifest,
    sha256_of,
    verify,
    write_manifest,
)
from pictory_async._files import write_atomically
from pictory_async.emulator import Emulator, FakeClock

VIDEO = bytes(range(256)) * 64  # 16 KiB
SRT = b"1\n00:00:00,000 --> 00:00:02,000\nHello\n"
CDN = "https://cdn.example"
SAVED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def flip_first_byte(path: Path) -> None:
    """Change a file's first byte in place: same size, other bytes."""
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    path.write_bytes(bytes(data))


KINDS = ["video", "srt"]
ON_THE_EMULATOR = pytest.mark.pictory_emulator(projects=0, other_projects=0, small_media=True)


@pytest.fixture
def emulator(pictory_emulator: Emulator) -> Emulator:
    """The emulator with one finished project, ``p1``, that has a video and subtitles."""
    pictory_emulator.add_project(id="p1")
    assert {"videoURL", "srtFile"} <= set(pictory_emulator.project_json("p1"))
    return pictory_emulator


async def backup_and_delete(
    client: AsyncPictory,
    dest: Path,
    on_request: Callable[[httpx.Request], None] | None = None,
) -> BulkResult[DeleteResult]:
    """``backup_and_delete(["p1"], dest, kinds=KINDS)``, with ``on_request`` as an event hook."""
    if on_request is not None:

        async def hook(request: httpx.Request) -> None:
            on_request(request)

        client.http_client.event_hooks["request"].append(hook)
    return await client.projects.backup_and_delete(["p1"], dest, kinds=KINDS)


def only_failure(result: BulkResult[DeleteResult]) -> BackupError:
    """The ``BackupError`` of the one item, which failed."""
    [failure] = result.failed
    assert ([], []) == (result.deleted, result.already_absent)
    assert isinstance(failure.error, BackupError)
    assert "p1" == failure.error.project_id
    return failure.error


# -- backup_and_delete: verify stands between the download and the delete -------------


@ON_THE_EMULATOR
async def test_backup_and_delete_deletes_a_project_whose_backup_verifies(
    pictory_client: AsyncPictory, emulator: Emulator, tmp_path: Path
) -> None:
    """The baseline of the tests below: an intact backup, and the project is deleted."""
    served = {kind: emulator.asset("p1", kind) for kind in KINDS}
    result = await backup_and_delete(pictory_client, tmp_path)
    assert ["p1"] == result.deleted
    assert not emulator.has_project("p1")
    directory = tmp_path / project_dirname("p1")
    for kind in KINDS:
        assert served[kind] == (directory / asset_filename("p1", kind)).read_bytes()


@ON_THE_EMULATOR
@pytest.mark.parametrize(
    "change",
    [flip_first_byte, lambda path: path.write_bytes(path.read_bytes()[:-1])],
    ids=["same-size", "shorter"],
)
async def test_a_file_changed_on_disk_before_the_delete_keeps_the_project(
    pictory_client: AsyncPictory,
    emulator: Emulator,
    tmp_path: Path,
    change: Callable[[Path], None],
) -> None:
    """``project.json`` changes while the video downloads: failed, no DELETE sent."""
    project_json = tmp_path / project_dirname("p1") / PROJECT_JSON

    def on_request(request: httpx.Request) -> None:
        if "/video/" in request.url.path:
            change(project_json)  # written before any download; recorded as it was

    error = only_failure(await backup_and_delete(pictory_client, tmp_path, on_request))
    assert PROJECT_JSON == error.file
    assert "manifest says" in str(error)
    assert emulator.has_project("p1")


@ON_THE_EMULATOR
async def test_a_media_file_changed_after_the_manifest_keeps_the_project(
    pictory_client: AsyncPictory,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The video changes (same size) after its download and manifest: failed, no DELETE."""

    def write_then_change(directory: Path, project_id: str, files: list[BackupFile]) -> None:
        write_manifest(directory, project_id, files)
        flip_first_byte(directory / asset_filename("p1", "video"))

    monkeypatch.setattr(_backup_run, "write_manifest", write_then_change)
    error = only_failure(await backup_and_delete(pictory_client, tmp_path))
    assert asset_filename("p1", "video") == error.file
    assert emulator.has_project("p1")


@ON_THE_EMULATOR
@pytest.mark.parametrize("dropped", ["srt", "video", "project"])
async def test_a_manifest_that_lacks_a_kind_keeps_the_project(
    pictory_client: AsyncPictory,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dropped: str,
) -> None:
    """A file on disk but not in the manifest: the backup lacks its kind, no DELETE."""

    def write_without(directory: Path, project_id: str, files: list[BackupFile]) -> None:
        write_manifest(directory, project_id, [f for f in files if f.kind != dropped])

    monkeypatch.setattr(_backup_run, "write_manifest", write_without)
    error = only_failure(await backup_and_delete(pictory_client, tmp_path))
    assert dropped == error.file
    assert f"lacks ['{dropped}']" in str(error)
    assert emulator.has_project("p1")


# -- verify, on a backup made by hand ---------------------------------------------------


def entry(directory: Path, name: str, kind: str, data: bytes) -> BackupFile:
    """Write ``data`` as ``directory/name`` and describe it as a manifest would."""
    (directory / name).write_bytes(data)
    return BackupFile(
        name=name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        url=None if kind == "project" else f"{CDN}/{name}?sig=abc",
        saved_at=SAVED,
    )


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    """A complete backup of ``p1`` (metadata, video, subtitles), as ``backup`` writes it."""
    directory = tmp_path / "dest" / "p1"
    directory.mkdir(parents=True)
    files = [
        entry(directory, PROJECT_JSON, "project", b'{"projectName": "p"}'),
        entry(directory, "p1-video.mp4", "video", VIDEO),
        entry(directory, "p1-srt.srt", "srt", SRT),
    ]
    write_manifest(directory, "p1", files)
    return directory


ALL_KINDS = {"project", "video", "srt"}


def rewrite_manifest(directory: Path, edit: Callable[[list[dict[str, Any]]], object]) -> None:
    """Apply ``edit`` to the manifest's list of files, in place."""
    manifest = json.loads((directory / MANIFEST).read_bytes())
    edit(manifest["files"])
    (directory / MANIFEST).write_text(json.dumps(manifest))


def test_verify_accepts_a_complete_backup(backup_dir: Path) -> None:
    """Every kind present and every file as recorded: no error, for any subset of kinds."""
    verify(backup_dir, "p1", ALL_KINDS)
    verify(backup_dir, "p1", {"project"})
    verify(backup_dir, "p1", set())


@pytest.mark.parametrize(
    ("expected", "file", "lacks"),
    [
        (ALL_KINDS | {"vtt"}, "vtt", "['vtt']"),
        (ALL_KINDS | {"txt", "audio"}, "audio", "['audio', 'txt']"),  # the first, sorted
    ],
)
def test_verify_refuses_a_manifest_without_a_kind(
    backup_dir: Path, expected: set[str], file: str, lacks: str
) -> None:
    """A kind expected but absent from the manifest is a ``BackupError`` naming it."""
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", expected)
    assert (file, "p1") == (info.value.file, info.value.project_id)
    assert f"the manifest lacks {lacks}" in str(info.value)
    assert str(backup_dir) in str(info.value)


def test_verify_refuses_a_manifest_whose_kind_was_dropped(backup_dir: Path) -> None:
    """The subtitles still on disk, their manifest entry gone: the backup lacks ``srt``."""
    rewrite_manifest(backup_dir, lambda files: files.pop(2))
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", ALL_KINDS)
    assert "srt" == info.value.file


def test_verify_refuses_a_same_size_file_with_other_bytes(backup_dir: Path) -> None:
    """Same size, one byte different: the SHA-256 differs, and that is a ``BackupError``."""
    flip_first_byte(backup_dir / "p1-video.mp4")
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", ALL_KINDS)
    assert ("p1-video.mp4", "p1") == (info.value.file, info.value.project_id)
    recorded = hashlib.sha256(VIDEO).hexdigest()
    found = sha256_of(backup_dir / "p1-video.mp4")[1]
    expected = (
        f"p1-video.mp4: on disk {len(VIDEO)} bytes sha256 {found[:12]}..., manifest says "
        f"{len(VIDEO)} bytes sha256 {recorded[:12]}..."
    )
    assert expected == str(info.value)


def test_verify_refuses_a_manifest_whose_hash_is_not_the_files(backup_dir: Path) -> None:
    """The file is intact but the manifest records another SHA-256 of the same size."""
    rewrite_manifest(backup_dir, lambda files: files[1].update(sha256="0" * 64))
    with pytest.raises(BackupError, match=r"p1-video\.mp4: on disk"):
        verify(backup_dir, "p1", ALL_KINDS)


@pytest.mark.parametrize("size", [len(VIDEO) - 1, len(VIDEO) + 1])
def test_verify_refuses_a_file_of_another_size(backup_dir: Path, size: int) -> None:
    """The manifest's size is not the file's (the SHA-256 is): a ``BackupError``."""
    rewrite_manifest(backup_dir, lambda files: files[1].update(size=size))
    with pytest.raises(BackupError, match=f"manifest says {size} bytes"):
        verify(backup_dir, "p1", ALL_KINDS)


def test_verify_refuses_a_file_that_is_gone(backup_dir: Path) -> None:
    """A file the manifest names is missing: ``BackupError`` naming it, not ``OSError``."""
    (backup_dir / "p1-srt.srt").unlink()
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", ALL_KINDS)
    assert ("p1-srt.srt", "p1") == (info.value.file, info.value.project_id)
    expected = f"p1-srt.srt: cannot be read back ({os.strerror(errno.ENOENT)})"
    assert expected == str(info.value)  # the cause, without the full path again
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda directory: (directory / MANIFEST).unlink(),
        lambda directory: (directory / MANIFEST).write_text("{not json"),
        lambda directory: (directory / MANIFEST).write_text('{"files": []}'),
        lambda directory: (directory / MANIFEST).write_text('{"files": [{"name": "x"}]}'),
    ],
    ids=["none", "not-json", "empty", "incomplete-entry"],
)
def test_verify_refuses_a_backup_without_a_readable_manifest(
    backup_dir: Path, damage: Callable[[Path], None]
) -> None:
    """No manifest, or none that can be read: a ``BackupError``, even with no kind expected."""
    damage(backup_dir)
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", set())
    assert (None, "p1") == (info.value.file, info.value.project_id)
    assert f"{backup_dir}: no readable manifest.json" == str(info.value)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A copy of the backup's video outside the project's directory (next to it)."""
    path = tmp_path / "dest" / "x"
    path.write_bytes(VIDEO)
    return path


def name_outside(backup_dir: Path, outside: Path, how: str) -> str:
    """A manifest name for ``outside`` as seen from ``backup_dir``."""
    if how == "dotdot":
        return "../x"
    if how == "absolute":
        return str(outside)
    if how == "nested-dotdot":
        (backup_dir / "sub").mkdir()
        return "sub/../../x"
    if how == "subdirectory":
        (backup_dir / "sub").mkdir()
        (backup_dir / "sub" / "x").write_bytes(VIDEO)
        return "sub/x"
    assert "symlink" == how
    (backup_dir / "link.mp4").symlink_to(outside)
    return "link.mp4"


@pytest.mark.parametrize("how", ["dotdot", "absolute", "nested-dotdot", "subdirectory", "symlink"])
def test_verify_refuses_a_name_that_leaves_the_directory(
    backup_dir: Path, outside: Path, how: str
) -> None:
    """``../x``, ``/abs/x``, ``sub/x`` or a symlink out: refused, though the bytes match."""
    name = name_outside(backup_dir, outside, how)
    (backup_dir / "p1-video.mp4").unlink()  # only the file outside holds the video now
    rewrite_manifest(backup_dir, lambda files: files[1].update(name=name))
    with pytest.raises(BackupError) as info:
        verify(backup_dir, "p1", ALL_KINDS)
    assert f"unsafe name in manifest: {name!r}" == str(info.value)
    assert "p1" == info.value.project_id


# -- the manifest and the files, read and written ----------------------------------------


def test_a_manifest_reads_back_as_written(backup_dir: Path) -> None:
    """Every field of every entry survives ``write_manifest`` then ``read_manifest``."""
    recorded = read_manifest(backup_dir)
    assert [PROJECT_JSON, "p1-video.mp4", "p1-srt.srt"] == list(recorded)
    video = recorded["p1-video.mp4"]
    expected = BackupFile(
        name="p1-video.mp4",
        kind="video",
        size=len(VIDEO),
        sha256=hashlib.sha256(VIDEO).hexdigest(),
        url=f"{CDN}/p1-video.mp4?sig=abc",
        saved_at=SAVED,
    )
    assert expected == video
    assert recorded[PROJECT_JSON].url is None
    manifest = json.loads((backup_dir / MANIFEST).read_bytes())
    assert ("pictory-async-backup", 1, "p1") == (
        manifest["format"],
        manifest["version"],
        manifest["project_id"],
    )
    assert (backup_dir / MANIFEST).read_bytes().endswith(b"}\n")


def test_a_manifest_entry_without_a_url_reads_as_none(backup_dir: Path) -> None:
    """An entry may omit ``url`` (the metadata has none): read as ``None``."""
    rewrite_manifest(backup_dir, lambda files: files[1].pop("url"))
    assert None is read_manifest(backup_dir)["p1-video.mp4"].url


def test_a_missing_manifest_reads_as_empty(tmp_path: Path) -> None:
    """No manifest: no files recorded (a first backup)."""
    assert {} == read_manifest(tmp_path)


def test_sha256_of_reads_a_file_in_blocks(tmp_path: Path) -> None:
    """Size and SHA-256 of a file larger than one block (and of an empty one)."""
    data = os.urandom(1024 * 1024 * 2 + 5)
    (tmp_path / "big").write_bytes(data)
    (tmp_path / "empty").write_bytes(b"")
    assert (len(data), hashlib.sha256(data).hexdigest()) == sha256_of(tmp_path / "big")
    assert (0, hashlib.sha256(b"").hexdigest()) == sha256_of(tmp_path / "empty")


def test_matches_tells_the_recorded_file_from_another(backup_dir: Path) -> None:
    """Same bytes: a match; other bytes, another size, or no file: no match."""
    recorded = read_manifest(backup_dir)["p1-video.mp4"]
    assert matches(backup_dir, recorded)
    flip_first_byte(backup_dir / "p1-video.mp4")
    assert not matches(backup_dir, recorded)
    (backup_dir / "p1-video.mp4").write_bytes(VIDEO + b"!")
    assert not matches(backup_dir, recorded)
    (backup_dir / "p1-video.mp4").unlink()
    assert not matches(backup_dir, recorded)


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    """The new bytes under the name, and nothing else in the directory."""
    (tmp_path / "f").write_bytes(b"old")
    write_atomically(tmp_path / "f", b"new")
    assert (b"new", ["f"]) == ((tmp_path / "f").read_bytes(), os.listdir(tmp_path))


def test_write_atomically_leaves_nothing_when_the_rename_fails(tmp_path: Path) -> None:
    """A rename that fails (onto a directory) keeps the old entry and removes the temporary."""
    (tmp_path / "d").mkdir()
    with pytest.raises(OSError):
        write_atomically(tmp_path / "d", b"data")
    assert ["d"] == os.listdir(tmp_path)


def test_write_atomically_writes_a_hidden_temporary_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary is ``.<name>.*.part`` in the same directory: one filesystem, one rename."""
    renames: list[tuple[Path, Path]] = []
    rename = os.replace

    def spy(source: str, target: Path) -> None:
        renames.append((Path(source), target))
        rename(source, target)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(tmp_path / "f.json", b"{}")
    [(source, target)] = renames
    assert (tmp_path, tmp_path / "f.json") == (source.parent, target)
    assert source.name.startswith(".f.json.")
    assert source.name.endswith(".part")


def test_write_atomically_reports_the_rename_failure_when_the_temporary_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temporary already removed when cleaning up does not hide why the write failed."""

    def fail(source: str, target: Path) -> None:
        os.unlink(source)
        raise PermissionError(errno.EACCES, "refused")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError, match="refused"):
        write_atomically(tmp_path / "f", b"data")
    assert [] == os.listdir(tmp_path)


def test_manifest_times_are_utc() -> None:
    """``now`` is an aware UTC time (a manifest written anywhere reads the same)."""
    before = datetime.now(timezone.utc)
    stamp = now()
    assert timezone.utc == stamp.tzinfo
    assert timedelta(0) <= stamp - before < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("project_id", "expected"),
    [("p1", "p1"), (12, "12"), ("../up", "_up~")],
)
def test_a_project_directory_is_named_after_its_id(project_id: str | int, expected: str) -> None:
    """The file name rules of assets, without the kind suffix; an unsafe id gets a hash."""
    assert project_dirname(project_id).startswith(expected)
    assert "-txt" not in project_dirname(project_id)
    assert "/" not in project_dirname(project_id)


# -- backing up again: what stands in, what is downloaded ---------------------------------


@ON_THE_EMULATOR
async def test_backing_up_again_counts_what_was_downloaded(
    pictory_client: AsyncPictory,
    emulator: Emulator,
    pictory_clock: FakeClock,
    tmp_path: Path,
) -> None:
    """Once, again (the CDN confirms: kept), after a render (new bytes: downloaded)."""
    first = await pictory_client.projects.backup("p1", tmp_path, kinds=["video"])
    again = await pictory_client.projects.backup("p1", tmp_path, kinds=["video"])
    emulator.start_render("p1")
    pictory_clock.advance(emulator.render_duration + 1)
    rendered = await pictory_client.projects.backup("p1", tmp_path, kinds=["video"])
    assert (1, 0, 1) == (first.downloaded, again.downloaded, rendered.downloaded)
    video = rendered.directory / asset_filename("p1", "video")
    assert emulator.asset("p1", "video") == video.read_bytes()


@ON_THE_EMULATOR
@pytest.mark.parametrize(("field", "value"), [("etag", 5), ("last_modified", ["Mon"])])
async def test_validators_of_another_type_in_a_manifest_are_no_validators(
    pictory_client: AsyncPictory, emulator: Emulator, tmp_path: Path, field: str, value: object
) -> None:
    """A manifest whose ETag or date is no string: read as absent, the file downloaded again."""
    first = await pictory_client.projects.backup("p1", tmp_path, kinds=["video"])
    rewrite_manifest(first.directory, lambda files: files[1].update({"etag": None, field: value}))
    entry = read_manifest(first.directory)[asset_filename("p1", "video")]
    assert None is getattr(entry, field)
    again = await pictory_client.projects.backup("p1", tmp_path, kinds=["video"])
    assert 1 == again.downloaded


class Trickle(httpx.AsyncByteStream):
    """A body that arrives in small pieces, one turn of the event loop each."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 256):
            await asyncio.sleep(0)
            yield self.body[start : start + 256]


async def test_a_failed_asset_is_raised_only_after_the_other_downloads_end(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """The subtitles fail at once while the video streams: the error waits for the video."""
    video_started = asyncio.Event()
    release = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host != "cdn.example":
            body = {"projectName": "p", "videoURL": f"{CDN}/v.mp4", "srtFile": f"{CDN}/s.srt"}
            return httpx.Response(200, json=body)
        if request.url.path == "/v.mp4":
            video_started.set()
            await release.wait()
            headers = {"Content-Length": str(len(VIDEO))}
            return httpx.Response(200, headers=headers, stream=Trickle(VIDEO))
        await video_started.wait()
        release.set()
        return httpx.Response(404)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncPictory(
            api_key=API_KEY, http_client=http, sleep=fake_time.sleep, clock=fake_time.clock
        ) as client,
    ):
        with pytest.raises(BackupError) as info:
            await client.projects.backup("p1", tmp_path)
        directory = tmp_path / project_dirname("p1")
        leftovers = sorted(os.listdir(directory))
    assert "srt" == info.value.file
    assert sorted([PROJECT_JSON, asset_filename("p1", "video")]) == leftovers  # no .part
    assert VIDEO == (directory / asset_filename("p1", "video")).read_bytes()
