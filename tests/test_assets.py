"""Media downloads: through the one pipeline, never with the key, atomic, resumed, safe names."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, FakeTime
from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import AiohttpTransport, AsyncPictory, InvalidInputError
from pictory_async._assets import Asset, asset_filename
from pictory_async._backup import project_dirname
from pictory_async._exceptions import AssetDownloadError
from pictory_async.emulator import Emulator, Faults, serve

MEDIA = bytes(range(256)) * 400  # 100 KiB


def project_body(media_url: str, **extra: str) -> bytes:
    """A project whose video is at ``media_url``."""
    import json

    return json.dumps({"projectName": "p", "videoURL": media_url, **extra}).encode()


def api_and_cdn(cdn: RawServer) -> Any:
    """An API answering every GET with a project whose video is on ``cdn``."""
    return lambda seen: response(
        200, project_body(cdn.url + "/media/v.mp4"), [("Content-Type", "application/json")]
    )


def media(body: bytes = MEDIA, status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    """A CDN answer with ranges and an ETag."""
    pairs = [("Accept-Ranges", "bytes"), ("ETag", '"v1"'), *(headers or {}).items()]
    return response(status, body, pairs, "OK" if status == 200 else "Partial Content")


def client(api: RawServer, fake_time: FakeTime, **options: Any) -> AsyncPictory:
    """A default client (aiohttp transport) for ``api``, on fake time."""
    return AsyncPictory(
        api_key=API_KEY, base_url=api.url, sleep=fake_time.sleep, clock=fake_time.clock, **options
    )


def listing(folder: Path) -> list[str]:
    """The names in ``folder``, hidden temporary files included."""
    return sorted(path.name for path in folder.iterdir())


async def test_download_writes_checked_files_and_never_sends_the_key(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """A video is downloaded, hashed and named; the CDN never sees ``Authorization``."""
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time) as pictory,
    ):
        assets = await pictory.projects.download_assets("p1", tmp_path)
    video = assets["video"]
    assert (MEDIA, hashlib.sha256(MEDIA).hexdigest(), len(MEDIA)) == (
        video.path.read_bytes(),
        video.sha256,
        video.size,
    )
    assert ["p1-video.mp4"] == listing(tmp_path)
    assert all("authorization" not in seen.headers for seen in cdn.seen)
    assert API_KEY == api.seen[0].headers["authorization"]


async def test_a_redirect_to_a_third_host_carries_no_key(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """CDN -> third host: every hop is followed without ``Authorization``."""
    async with RawServer(lambda seen: media()) as third:
        hop = response(302, b"", [("Location", third.url + "/real.mp4")], "Found")
        async with (
            RawServer(lambda seen: hop) as cdn,
            RawServer(api_and_cdn(cdn)) as api,
            client(api, fake_time) as pictory,
        ):
            assets = await pictory.projects.download_assets("p1", tmp_path)
    assert MEDIA == assets["video"].path.read_bytes()
    assert [("GET", "/media/v.mp4")] == [(s.method, s.target) for s in cdn.seen]
    assert [("GET", "/real.mp4")] == [(s.method, s.target) for s in third.seen]
    for seen in [*cdn.seen, *third.seen]:
        assert "authorization" not in seen.headers
        assert API_KEY not in str(seen.headers)


async def test_a_cut_download_is_resumed_with_a_range(tmp_path: Path, fake_time: FakeTime) -> None:
    """A body cut half-way is retried from where it stopped, and lands whole."""
    half = len(MEDIA) // 2

    def answer(seen: Seen) -> Any:
        if "range" not in seen.headers:

            async def cut() -> AsyncIterator[bytes | None]:
                head = media()
                yield head[: len(head) - len(MEDIA) + half]  # headers and half the body
                yield None

            return cut()
        assert f"bytes={half}-" == seen.headers["range"]
        assert '"v1"' == seen.headers["if-range"]
        rest = MEDIA[half:]
        return media(
            rest, 206, headers={"Content-Range": f"bytes {half}-{len(MEDIA) - 1}/{len(MEDIA)}"}
        )

    async with (
        RawServer(answer) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time) as pictory,
    ):
        assets = await pictory.projects.download_assets("p1", tmp_path)
    assert MEDIA == assets["video"].path.read_bytes()
    assert hashlib.sha256(MEDIA).hexdigest() == assets["video"].sha256
    assert 2 == len(cdn.seen)
    assert ["p1-video.mp4"] == listing(tmp_path)


async def test_a_resumed_download_of_another_size_is_refused(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """The resumed range names another total than the first answer: refused, no file."""
    half = len(MEDIA) // 2

    def answer(seen: Seen) -> Any:
        if "range" not in seen.headers:

            async def cut() -> AsyncIterator[bytes | None]:
                head = media()
                yield head[: len(head) - len(MEDIA) + half]
                yield None

            return cut()
        rest = MEDIA[half:]  # the right bytes, but the range claims a bigger file
        total = 2 * len(MEDIA)
        return media(rest, 206, headers={"Content-Range": f"bytes {half}-{len(MEDIA) - 1}/{total}"})

    async with (
        RawServer(answer) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match=f"got {len(MEDIA)} bytes") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert "video" == info.value.kind
    assert [] == listing(tmp_path)


async def test_a_cut_that_never_completes_leaves_no_file(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Every attempt cut: a typed error after the retries, and nothing on disk at all."""

    def answer(seen: Seen) -> Any:
        async def cut() -> AsyncIterator[bytes | None]:
            yield media()[:200]
            yield None

        return cut()

    async with (
        RawServer(answer) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time, max_retries=2) as pictory,
    ):
        with pytest.raises(AssetDownloadError) as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert ("video", 3) == (info.value.kind, len(cdn.seen))
    assert [] == listing(tmp_path)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (media(headers={"x-amz-checksum-sha256": "AAAA" * 11}), "does not match"),
        (response(404, b"<Error>NoSuchKey</Error>", [], "Not Found"), "404"),
    ],
)
async def test_a_bad_file_is_refused_and_not_kept(
    tmp_path: Path, fake_time: FakeTime, answer: bytes, message: str
) -> None:
    """A checksum mismatch or a CDN 404 is ``AssetDownloadError``; no file is left."""
    async with (
        RawServer(lambda seen: answer) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match=message):
            await pictory.projects.download_assets("p1", tmp_path)
    assert [] == listing(tmp_path)


def cut_half(body: bytes, etag: str | None) -> Any:
    """An answer with ranges (and ``etag``) whose body is cut half-way."""
    pairs = [("Accept-Ranges", "bytes")] + ([("ETag", etag)] if etag else [])
    head = response(200, body, pairs)

    async def cut() -> AsyncIterator[bytes | None]:
        yield head[: len(head) - len(body) // 2]
        yield None

    return cut()


async def fetch(
    answer: Any, tmp_path: Path, fake_time: FakeTime, seen: list[Seen] | None = None, **options: Any
) -> dict[str, Asset]:
    """``download_assets`` of a project whose video is on a CDN answering ``answer``.

    The CDN's requests are added to ``seen``, when given.
    """
    async with (
        RawServer(answer) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        client(api, fake_time, **options) as pictory,
    ):
        try:
            return await pictory.projects.download_assets("p1", tmp_path)
        finally:
            if seen is not None:
                seen.extend(cdn.seen)


async def test_the_rest_of_another_version_is_not_glued_on(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """A CDN that ignores ``If-Range`` sends the rest of a new version: start over, whole."""
    new = bytes(reversed(MEDIA))  # same size, other bytes
    half = len(MEDIA) // 2

    requests: list[Seen] = []

    def answer(seen: Seen) -> Any:
        requests.append(seen)
        if len(requests) == 1:
            return cut_half(MEDIA, '"v1"')
        if "range" in seen.headers:  # answered from the new version, If-Range ignored
            pairs = [("ETag", '"v2"'), ("Content-Range", f"bytes {half}-{len(new) - 1}/{len(new)}")]
            return response(206, new[half:], pairs, "Partial Content")
        return response(200, new, [("Accept-Ranges", "bytes"), ("ETag", '"v2"')])

    assets = await fetch(answer, tmp_path, fake_time)
    assert new == assets["video"].path.read_bytes()  # not MEDIA[:half] + new[half:]
    assert ["range" in seen.headers for seen in requests] == [False, True, False]


@pytest.mark.parametrize("etag", [None, 'W/"v1"'])
async def test_a_file_without_a_strong_etag_is_fetched_again_not_resumed(
    tmp_path: Path, fake_time: FakeTime, etag: str | None
) -> None:
    """Without a strong ETag nothing ties a range to the same file: a cut starts over."""
    answers = iter([cut_half(MEDIA, etag), response(200, MEDIA, [("Accept-Ranges", "bytes")])])
    requests: list[Seen] = []
    assets = await fetch(lambda seen: next(answers), tmp_path, fake_time, requests)
    assert MEDIA == assets["video"].path.read_bytes()
    assert [None, None] == [seen.headers.get("range") for seen in requests]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (response(204, b"", [], "No Content"), "answered 204"),
        (response(202, b"", [], "Accepted"), "answered 202"),
        (media(b""), "empty file"),
        (media(b"<html>Sign in</html>", headers={"Content-Type": "text/html"}), "HTML page"),
    ],
    ids=["204", "202", "empty", "html"],
)
async def test_an_answer_without_the_file_is_no_download(
    tmp_path: Path, fake_time: FakeTime, answer: bytes, message: str
) -> None:
    """A 204, a 202, an empty video or an HTML page is ``AssetDownloadError``, not a file."""
    with pytest.raises(AssetDownloadError, match=message):
        await fetch(lambda seen: answer, tmp_path, fake_time, max_retries=0)
    assert [] == listing(tmp_path)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (0.5, {"connect": 0.5, "read": 0.5, "write": 0.5, "pool": 0.5}),
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
    ],
)
async def test_a_download_is_bounded_by_the_client_timeout_per_read(
    tmp_path: Path, fake_time: FakeTime, timeout: float | None, expected: dict[str, Any]
) -> None:
    """``timeout=`` bounds each phase of a download (not the whole file); ``None`` none."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_and_cdn(cdn)) as api,
        httpx.AsyncClient(transport=AiohttpTransport(), event_hooks={"request": [record]}) as http,
        client(api, fake_time, http_client=http, timeout=timeout) as pictory,
    ):
        await pictory.projects.download_assets("p1", tmp_path)
    [download] = [request for request in sent if str(request.url).startswith(cdn.url)]
    assert expected == download.extensions["timeout"]  # not httpx's default of 5 s


@pytest.mark.parametrize("url", ["ftp://cdn.example/v.mp4", "file:///etc/passwd", "http://"])
async def test_an_asset_url_from_the_api_that_is_not_http_is_a_download_error(
    tmp_path: Path, fake_time: FakeTime, url: str
) -> None:
    """Not the caller's mistake (``InvalidInputError``): ``AssetDownloadError``, nothing sent."""
    body = response(200, project_body(url), [("Content-Type", "application/json")])
    async with RawServer(lambda seen: body) as api, client(api, fake_time) as pictory:
        with pytest.raises(AssetDownloadError, match="not an http") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert ("video", 1) == (info.value.kind, len(api.seen))
    assert [] == listing(tmp_path)


async def test_a_video_whose_end_cannot_be_told_from_a_cut_is_refused(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """No ``Content-Length``, not chunked, ended by closing: maybe cut, so not a download."""

    async def until_close(seen: Seen) -> AsyncIterator[bytes | None]:
        yield response(200, MEDIA[:1000], content_length=False)
        yield None

    with pytest.raises(AssetDownloadError, match="cannot be told from the end"):
        await fetch(until_close, tmp_path, fake_time, max_retries=0)
    assert [] == listing(tmp_path)


async def test_a_chunked_video_is_whole_when_its_last_chunk_came(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Chunked, without ``Content-Length``: the zero-length chunk marks the end."""
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (MEDIA[:500], MEDIA[500:]))
    pairs = [("Transfer-Encoding", "chunked")]
    answer = response(200, body + b"0\r\n\r\n", pairs, content_length=False)
    assets = await fetch(lambda seen: answer, tmp_path, fake_time)
    assert MEDIA == assets["video"].path.read_bytes()


async def test_a_redirect_loop_ends(tmp_path: Path, fake_time: FakeTime) -> None:
    """A CDN that redirects to itself forever is an error, not a hang."""
    async with RawServer(lambda seen: b"") as cdn:
        loop = response(302, b"", [("Location", cdn.url + "/media/v.mp4")], "Found")
        cdn.handler = lambda seen: loop
        async with RawServer(api_and_cdn(cdn)) as api, client(api, fake_time) as pictory:
            with pytest.raises(AssetDownloadError, match="redirects"):
                await pictory.projects.download_assets("p1", tmp_path)


async def test_unknown_kinds_fail_before_any_request(tmp_path: Path) -> None:
    """``kinds=["movie"]`` is an ``InvalidInputError`` and nothing is sent."""
    async with AsyncPictory(api_key=API_KEY, base_url="http://127.0.0.1:9") as pictory:
        with pytest.raises(InvalidInputError, match="movie"):
            await pictory.projects.download_assets("p1", tmp_path, kinds=["movie"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"concurrency": 0}, "concurrency must be an int >= 1, got 0"),
        ({"concurrency": True}, "concurrency must be an int >= 1, got True"),
        ({"max_bytes": 0}, "max_bytes must be an int >= 1, got 0"),
        ({"max_bytes": 1.5}, "max_bytes must be an int >= 1, got 1.5"),
    ],
)
async def test_bad_counts_fail_before_any_request(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    """A ``concurrency`` or ``max_bytes`` that is no int >= 1 is refused, nothing sent."""
    async with AsyncPictory(api_key=API_KEY, base_url="http://127.0.0.1:9") as pictory:
        with pytest.raises(InvalidInputError) as caught:
            await pictory.projects.download_assets("p1", tmp_path, **options)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="concurrency must be an int >= 1"):
            await pictory.projects.backup("p1", tmp_path, concurrency=0)

    assert message == str(caught.value)


@pytest.mark.parametrize(
    "project_id",
    ["../../etc/passwd", "/abs/path", "a\x00b", "CON", "con.txt", "x" * 300, "é", ".hidden", ""],
)
def test_file_names_stay_plain(project_id: str) -> None:
    """Whatever the id holds, the name is one plain path component."""
    name = asset_filename(project_id, "video")
    assert "/" not in name
    assert "\\" not in name
    assert "\x00" not in name
    assert not name.startswith(".")
    assert len(name) <= 120
    assert name.split("-")[0].split(".")[0].lower() not in {"con", "nul"}
    assert Path(name).name == name


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_different_ids_never_share_a_name(first: str, second: str) -> None:
    """Two different ids give two names that differ even where case is ignored."""
    if first != second:
        assert asset_filename(first, "srt").lower() != asset_filename(second, "srt").lower()


def test_a_trailing_dot_never_ends_a_backup_directory_name() -> None:
    """Windows drops a trailing dot: ``a.`` would be the directory of ``a``."""
    names = {
        project_dirname(project_id).lower() for project_id in ("a", "a.", "a..", "x" * 79 + ".b")
    }
    assert 4 == len(names)
    assert not any(name.endswith(".") for name in names)


def test_ids_that_differ_in_case_only_get_different_names() -> None:
    """``A`` and ``a`` would be one file on macOS and Windows: the names differ more."""
    names = {asset_filename(project_id, "video").lower() for project_id in ("ab", "Ab", "AB")}
    assert 3 == len(names)
    assert "ab-video.mp4" in names  # a lower-case id keeps its plain name


@pytest.mark.pictory_emulator(projects=6, seed=11, transport="socket")
async def test_every_asset_of_an_emulated_project(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Against the emulator's CDN over loopback: each file matches the emulator's bytes."""
    project = next(p for p in pictory_emulator.projects() if not p.in_progress)
    assets = await pictory_client.projects.download_assets(project.id, tmp_path)
    assert set(assets) == set((await pictory_client.projects.get(project.id)).assets)
    for kind, asset in assets.items():
        assert pictory_emulator.asset(project.id, kind) == asset.path.read_bytes()
    assert all(
        "authorization" not in {name.lower() for name in request.headers}
        for request in pictory_emulator.stats.cdn_requests
    )


@pytest.mark.pictory_emulator(
    projects=4,
    seed=5,
    transport="socket",
    faults={"media_truncate_rate": 0.5},
    client_options={"max_retries": 8},
)
async def test_emulated_cut_downloads_are_completed(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """With half the CDN downloads cut off, every file still lands whole."""
    for project in pictory_emulator.projects():
        if project.in_progress:
            continue
        # one file at a time: the emulator's seeded cuts then fall the same way every run
        assets = await pictory_client.projects.download_assets(
            project.id, tmp_path / "x", concurrency=1
        )
        for kind, asset in assets.items():
            assert pictory_emulator.asset(project.id, kind) == asset.path.read_bytes()
    assert pictory_emulator.stats.truncated_downloads > 0


@pytest.mark.pictory_emulator(projects=4, seed=21, transport="socket")
async def test_a_cdn_redirect_to_a_third_host_never_carries_the_key(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """The CDN hands every download to a mirror on a third host: no key reaches either.

    The mirror is a second emulator with the same seed (so the same media), served on
    its own ports; both record every header their CDN saw.
    """
    mirror = Emulator(projects=4, seed=21)
    async with serve(mirror) as running:
        pictory_emulator.set_faults(media_redirect=running.cdn_base_url)
        project = next(p for p in pictory_emulator.projects() if not p.in_progress)
        assets = await pictory_client.projects.download_assets(project.id, tmp_path)
    for kind, asset in assets.items():
        assert pictory_emulator.asset(project.id, kind) == asset.path.read_bytes()
        assert asset.url.startswith(running.cdn_base_url)
    redirected = pictory_emulator.stats.cdn_requests
    served = mirror.stats.cdn_requests
    assert len(assets) == len(redirected) == len(served)
    for request in [*redirected, *served]:
        names = {name.lower() for name in request.headers}
        assert "authorization" not in names
        assert pictory_emulator.api_key not in " ".join(request.headers.values())


def test_the_redirect_fault_takes_an_origin_only() -> None:
    """``media_redirect`` is an http(s) origin; a path, query or credentials are refused."""
    for bad in ("ftp://x", "http://", "http://h/p", "http://h?q=1", "http://u:p@h", 5):
        with pytest.raises(ValueError, match="origin"):
            Faults(media_redirect=bad)  # type: ignore[arg-type]
    assert "http://h:1" == Faults(media_redirect="http://h:1").media_redirect
