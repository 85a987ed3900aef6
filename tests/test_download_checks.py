"""What a downloaded file must show before it is kept, and the mode it is kept with."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, FakeTime

from pictory_async import AsyncPictory, BackupError
from pictory_async import _files as files_module
from pictory_async._exceptions import AssetDownloadError

SRT = b"".join(
    b"%d\n00:00:%02d,000 --> 00:00:%02d,900\nLine %d\n\n" % (i, i, i, i) for i in range(40)
)
FIELDS = {"video": "videoURL", "srt": "srtFile", "vtt": "vttFile", "txt": "txtFile"}
JSON = [("Content-Type", "application/json")]


def _client(api: RawServer, fake_time: FakeTime) -> AsyncPictory:
    return AsyncPictory(
        api_key=API_KEY,
        base_url=api.url,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        max_retries=0,
    )


def _api(cdn: RawServer, kind: str, deleted: list[str]) -> Callable[[Seen], bytes]:
    """An API whose project ``p1`` has one asset, of ``kind``, on ``cdn``."""

    def api(seen: Seen) -> bytes:
        if seen.method == "DELETE":
            deleted.append(seen.target)
            return response(200, b'{"success": true}', JSON)
        body = {"projectName": "p", FIELDS[kind]: f"{cdn.url}/p1.{kind}"}
        return response(200, json.dumps(body).encode(), JSON)

    return api


def _until_close(
    headers: list[tuple[str, str]], body: bytes
) -> Callable[[Seen], AsyncIterator[bytes | None]]:
    """A CDN that sends ``body`` without a length, then closes: a cut, or the end?"""

    async def answer(seen: Seen) -> AsyncIterator[bytes | None]:
        yield response(200, body, [*headers, ("Connection", "close")], content_length=False)
        yield None

    return answer


@pytest.mark.parametrize("kind", ["srt", "vtt", "txt", "video"])
async def test_a_body_ended_by_closing_is_refused_for_every_kind(
    tmp_path: Path, fake_time: FakeTime, kind: str
) -> None:
    """No length, no chunking, no checksum: a cut subtitle is no backup; nothing deleted."""
    deleted: list[str] = []
    async with (
        RawServer(_until_close([], SRT[: len(SRT) // 3])) as cdn,  # a third got through
        RawServer(_api(cdn, kind, deleted)) as api,
        _client(api, fake_time) as client,
    ):
        with pytest.raises(AssetDownloadError, match="cannot be told from the end"):
            await client.projects.download_assets("p1", tmp_path / "plain")
        result = await client.projects.backup_and_delete(["p1"], tmp_path / "backups")
    [failure] = result.failed
    assert isinstance(failure.error, BackupError)
    assert (kind, []) == (failure.error.file, deleted)
    assert [] == os.listdir(tmp_path / "plain")


async def test_a_body_ended_by_closing_with_the_cdn_checksum_is_whole(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Its SHA-256 announced (``x-amz-checksum-sha256``), a closed body can be checked."""
    checksum = base64.b64encode(hashlib.sha256(SRT).digest()).decode()
    deleted: list[str] = []
    handler = _until_close([("x-amz-checksum-sha256", checksum)], SRT)
    async with (
        RawServer(handler) as cdn,
        RawServer(_api(cdn, "srt", deleted)) as api,
        _client(api, fake_time) as client,
    ):
        assets = await client.projects.download_assets("p1", tmp_path)
    assert SRT == assets["srt"].path.read_bytes()


@pytest.mark.parametrize(
    "answer",
    [
        response(200, SRT),
        response(200, b""),  # subtitles may be empty, when the length says so
        response(
            200,
            b"%x\r\n%s\r\n0\r\n\r\n" % (len(SRT), SRT),
            [("Transfer-Encoding", "chunked")],
            content_length=False,
        ),
    ],
    ids=["length", "empty", "chunked"],
)
async def test_a_subtitle_whose_end_is_marked_is_kept(
    tmp_path: Path, fake_time: FakeTime, answer: bytes
) -> None:
    """A length or a last chunk marks the end: the subtitle is whole and kept."""
    deleted: list[str] = []
    async with (
        RawServer(lambda seen: answer) as cdn,
        RawServer(_api(cdn, "srt", deleted)) as api,
        _client(api, fake_time) as client,
    ):
        result = await client.projects.backup_and_delete(["p1"], tmp_path)
    assert ["p1"] == result.deleted


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test that sets it."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
@pytest.mark.parametrize("proc", [True, False], ids=["proc", "no-proc"])
async def test_files_get_the_mode_the_umask_gives(
    tmp_path: Path,
    fake_time: FakeTime,
    monkeypatch: pytest.MonkeyPatch,
    mask: int,
    proc: bool,
) -> None:
    """Media, ``project.json`` and the manifest: ``0o666 & ~umask``, as ``open()`` gives."""
    if not proc:  # a platform without /proc: read by setting it (and setting it back)
        monkeypatch.setattr(files_module, "_PROC_STATUS", str(tmp_path / "no-such-file"))
    os.umask(mask)
    deleted: list[str] = []
    async with (
        RawServer(lambda seen: response(200, SRT)) as cdn,
        RawServer(_api(cdn, "srt", deleted)) as api,
        _client(api, fake_time) as client,
    ):
        backup = await client.projects.backup("p1", tmp_path / "backups")
        plain = await client.projects.download_assets("p1", tmp_path / "plain")
    paths = [backup.directory / item.name for item in backup.files]
    paths += [backup.directory / "manifest.json", plain["srt"].path]
    assert [0o666 & ~mask] * 4 == [stat.S_IMODE(path.stat().st_mode) for path in paths]
    assert mask == os.umask(mask)  # read, not changed
