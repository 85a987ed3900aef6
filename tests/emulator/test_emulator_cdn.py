"""The emulator's CDN: real, deterministic bytes on another origin, with no API key."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from pictory_async.emulator import ASSET_KINDS, Emulator, FakeClock
from pictory_async.emulator._media import MediaFile, asset_bytes

from .support import PROJECTS, Conn

SIZES = {
    "video": (256 * 1024, 1024 * 1024),
    "audio": (64 * 1024, 256 * 1024),
    "thumbnail": (4 * 1024, 32 * 1024),
    "srt": (2 * 1024, 16 * 1024),
    "vtt": (2 * 1024, 16 * 1024),
    "txt": (2 * 1024, 16 * 1024),
}
TYPES = {
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "thumbnail": "image/jpeg",
    "srt": "application/x-subrip",
    "vtt": "text/vtt; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def _rendered(emulator: Emulator) -> int | str:
    return emulator.add_project(id="media-1", in_progress=False).id


async def test_every_media_url_serves_its_bytes(conn: Conn) -> None:
    """Each URL of a project serves bytes whose SHA-256 the emulator tells tests."""
    project_id = _rendered(conn.emulator)
    body = (await conn.api.get(f"{PROJECTS}/{project_id}")).json()
    urls = {
        "video": body["videoURL"],
        "audio": body["audioURL"],
        "thumbnail": body["thumbnail"],
        "srt": body["srtFile"],
        "vtt": body["vttFile"],
        "txt": body["txtFile"],
    }

    for kind, url in urls.items():
        response = await conn.anon.get(url)
        assert 200 == response.status_code
        assert TYPES[kind] == response.headers["content-type"]
        digest = hashlib.sha256(response.content).hexdigest()
        assert conn.emulator.asset_sha256(project_id, kind) == digest
        assert f'"{digest}"' == response.headers["etag"]
        low, high = SIZES[kind]
        assert low <= len(response.content) <= high


async def test_cdn_records_headers_and_no_key_arrives_there(conn: Conn) -> None:
    """The CDN keeps the headers it saw: none carry the key when the client sends none."""
    project_id = _rendered(conn.emulator)
    url = conn.emulator.asset_url(project_id, "thumbnail")

    await conn.anon.get(url, headers={"X-Probe": "1"})
    clean = conn.emulator.stats.cdn_authorization_seen
    await conn.api.get(url)

    seen = list(conn.emulator.stats.cdn_requests)
    assert 2 == len(seen)
    assert "1" == seen[0].headers["x-probe"]
    assert "authorization" not in seen[0].headers
    assert conn.emulator.api_key == seen[1].headers["authorization"]
    assert (False, True) == (clean, conn.emulator.stats.cdn_authorization_seen)


async def test_media_is_not_served_on_the_api_host(conn: Conn) -> None:
    """A media path on the API's origin is 404: the CDN is another host."""
    project_id = _rendered(conn.emulator)
    path = conn.emulator.asset_url(project_id, "video").split("/", 3)[3]

    response = await conn.anon.get("/" + path)

    assert 404 == response.status_code


async def test_media_of_deleted_or_unrendered_projects_is_missing(conn: Conn) -> None:
    """Deleted projects lose their files; an unrendered one has audio but no video yet."""
    gone = _rendered(conn.emulator)
    video = conn.emulator.asset_url(gone, "video")
    conn.emulator.add_project(id="busy", in_progress=True, render_seconds=60)
    await conn.api.delete(f"{PROJECTS}/{gone}")

    deleted = await conn.anon.get(video)
    busy_video = await conn.anon.get(conn.emulator.asset_url("busy", "video"))
    busy_audio = await conn.anon.get(conn.emulator.asset_url("busy", "audio"))
    bogus = await conn.anon.get(conn.emulator.cdn_base_url + "/media/nope/video/x.mp4")

    assert (404, 404, 200, 404) == (
        deleted.status_code,
        busy_video.status_code,
        busy_audio.status_code,
        bogus.status_code,
    )
    assert "<Code>NoSuchKey</Code>" in deleted.text


@pytest.mark.parametrize(
    ("header", "part", "content_range"),
    [
        ("bytes=10-19", slice(10, 20), "bytes 10-19/{size}"),
        ("bytes=-5", slice(-5, None), "bytes {last5}-{last}/{size}"),
        ("bytes=100-", slice(100, None), "bytes 100-{last}/{size}"),
    ],
)
async def test_range_requests_get_206(
    conn: Conn, header: str, part: slice, content_range: str
) -> None:
    """Single byte ranges are honoured, for resumable downloads."""
    project_id = _rendered(conn.emulator)
    content = conn.emulator.asset(project_id, "audio")
    size = len(content)

    response = await conn.anon.get(
        conn.emulator.asset_url(project_id, "audio"), headers={"Range": header}
    )

    assert 206 == response.status_code
    assert content[part] == response.content
    expected = content_range.format(size=size, last=size - 1, last5=size - 5)
    assert expected == response.headers["content-range"]


@pytest.mark.parametrize(
    "header", ["bytes=999999999-", "bytes=5-2", "items=0-1", "bytes=-0", "bytes=a-"]
)
async def test_unsatisfiable_ranges_get_416(conn: Conn, header: str) -> None:
    """A range that cannot be served is 416 with the full size."""
    project_id = _rendered(conn.emulator)
    size = len(conn.emulator.asset(project_id, "txt"))

    response = await conn.anon.get(
        conn.emulator.asset_url(project_id, "txt"), headers={"Range": header}
    )

    assert 416 == response.status_code
    assert f"bytes */{size}" == response.headers["content-range"]


async def test_head_gives_the_length_without_the_body(conn: Conn) -> None:
    """HEAD tells the size; POST is not allowed on the CDN."""
    project_id = _rendered(conn.emulator)
    url = conn.emulator.asset_url(project_id, "video")

    head = await conn.anon.head(url)
    post = await conn.anon.post(url)

    assert str(len(conn.emulator.asset(project_id, "video"))) == head.headers["content-length"]
    assert b"" == head.content
    assert 405 == post.status_code


async def test_truncated_download_breaks_off_halfway(conn: Conn) -> None:
    """With ``media_truncate_rate=1`` the connection closes after half the body."""
    project_id = _rendered(conn.emulator)
    conn.emulator.set_faults(media_truncate_rate=1.0)

    with pytest.raises(httpx.RemoteProtocolError):
        await conn.anon.get(conn.emulator.asset_url(project_id, "audio"))

    assert 1 == conn.emulator.stats.truncated_downloads


async def test_throttled_download_sleeps_between_chunks(conn: Conn, clock: FakeClock) -> None:
    """At N bytes/s a download takes about size/N seconds of injected sleep."""
    project_id = _rendered(conn.emulator)
    conn.emulator.set_faults(media_bytes_per_second=200_000)
    size = len(conn.emulator.asset(project_id, "video"))

    response = await conn.anon.get(conn.emulator.asset_url(project_id, "video"))

    assert conn.emulator.asset(project_id, "video") == response.content
    assert 0 < size / 200_000 - sum(clock.sleeps) < 0.2
    assert all(delay == clock.sleeps[0] for delay in clock.sleeps)


async def test_share_page_links_the_video(conn: Conn) -> None:
    """``shareVideoURL`` is an HTML page with the video; a wrong token is 404."""
    project_id = _rendered(conn.emulator)
    share = (await conn.api.get(f"{PROJECTS}/{project_id}")).json()["shareVideoURL"]

    page = await conn.anon.get(share)
    wrong = await conn.anon.get(share + "x")
    head = await conn.anon.head(share)

    assert (200, 404, 200) == (page.status_code, wrong.status_code, head.status_code)
    assert "text/html; charset=utf-8" == page.headers["content-type"]
    assert conn.emulator.asset_url(project_id, "video") in page.text


def test_media_bytes_are_deterministic_and_look_like_their_kind() -> None:
    """Same seed and key, same bytes; files start like real MP4, MP3, JPEG, SRT, VTT."""
    emulator = Emulator(projects=0, seed=4)
    other = Emulator(projects=0, seed=4)
    for e in (emulator, other):
        e.add_project(id="m", in_progress=False, asset_key="k", scenes=[{"text": "Hello."}])

    files = {kind: emulator.asset("m", kind) for kind in ASSET_KINDS}

    assert files == {kind: other.asset("m", kind) for kind in ASSET_KINDS}
    assert b"ftyp" == files["video"][4:8]
    assert files["audio"].startswith(b"ID3")
    assert files["thumbnail"].startswith(b"\xff\xd8\xff")
    assert files["thumbnail"].endswith(b"\xff\xd9")
    assert files["srt"].startswith(b"1\n00:00:00,000 --> 00:00:02,800\nHello.\n")
    assert files["vtt"].startswith(b"WEBVTT\n\n00:00:00.000 --> 00:00:02.800\nHello.\n")
    assert files["txt"].startswith(b"Hello.\n")
    with pytest.raises(ValueError, match="unknown asset kind"):
        asset_bytes(MediaFile(4, "k", "gif"))


def test_small_media_are_a_few_kib_and_as_deterministic() -> None:
    """``small_media=True``: every kind still served, videos and audio of 4-8 KiB."""
    full, small = Emulator(projects=3, seed=4), Emulator(projects=3, seed=4, small_media=True)
    for record in small.projects():
        for kind in ASSET_KINDS:
            data = small.asset(record.id, kind)
            assert data == small.asset(record.id, kind)
            assert hashlib.sha256(data).hexdigest() == small.asset_sha256(record.id, kind)
            if kind in ("video", "audio"):
                assert 4 * 1024 <= len(data) <= 8 * 1024
                assert len(full.asset(record.id, kind)) >= 64 * 1024


async def _render_again(conn: Conn, project_id: int | str) -> None:
    """Render the project again through the API, at once (same URLs)."""
    conn.emulator.set_render_duration(0)
    rendered = await conn.api.post(f"{PROJECTS}/{project_id}/render")
    assert rendered.status_code < 300


async def test_each_render_serves_new_bytes_and_validators_under_the_same_url(
    conn: Conn,
) -> None:
    """Video, subtitles and transcript change with a render; audio and thumbnail stay."""
    project_id = _rendered(conn.emulator)
    urls = {kind: conn.emulator.asset_url(project_id, kind) for kind in ASSET_KINDS}
    before = {kind: await conn.anon.get(url) for kind, url in urls.items()}
    await _render_again(conn, project_id)
    await _render_again(conn, project_id)  # twice in the same second: still new dates
    after = {kind: await conn.anon.get(url) for kind, url in urls.items()}

    assert urls == {kind: conn.emulator.asset_url(project_id, kind) for kind in ASSET_KINDS}
    changed = {kind for kind in ASSET_KINDS if before[kind].content != after[kind].content}
    assert {"video", "srt", "vtt", "txt"} == changed
    for kind in ASSET_KINDS:
        old, new = before[kind].headers, after[kind].headers
        same = kind not in changed
        assert same == (old["etag"] == new["etag"])
        assert same == (old["last-modified"] == new["last-modified"])
        assert conn.emulator.asset(project_id, kind) == after[kind].content
        digest = hashlib.sha256(after[kind].content).hexdigest()
        assert conn.emulator.asset_sha256(project_id, kind) == digest


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"If-None-Match": "{etag}"}, 304),
        ({"If-None-Match": "W/{etag}"}, 304),  # If-None-Match compares weakly
        ({"If-None-Match": '"other", {etag}'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": "{modified}"}, 304),
        ({"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        # If-None-Match decides when present: the date is then ignored
        ({"If-None-Match": '"other"', "If-Modified-Since": "{modified}"}, 200),
        ({"If-None-Match": "{etag}", "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 304),
    ],
)
async def test_conditional_requests_get_304_when_the_file_is_unchanged(
    conn: Conn, conditions: dict[str, str], expected: int
) -> None:
    """``If-None-Match`` and ``If-Modified-Since`` are honoured; a 304 repeats the validators."""
    project_id = _rendered(conn.emulator)
    url = conn.emulator.asset_url(project_id, "video")
    first = await conn.anon.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    headers = {k: v.format(etag=etag, modified=modified) for k, v in conditions.items()}

    answer = await conn.anon.get(url, headers=headers)
    head = await conn.anon.head(url, headers=headers)

    assert (expected, expected) == (answer.status_code, head.status_code)
    assert (etag, modified) == (answer.headers["etag"], answer.headers["last-modified"])
    assert (b"" if expected == 304 else first.content) == answer.content


async def test_a_conditional_request_after_a_render_gets_the_new_file(conn: Conn) -> None:
    """The old ETag or the old date no longer match: 200 with the new render."""
    project_id = _rendered(conn.emulator)
    url = conn.emulator.asset_url(project_id, "srt")
    first = await conn.anon.get(url)
    await _render_again(conn, project_id)

    by_etag = await conn.anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    by_date = await conn.anon.get(
        url, headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert (200, 200) == (by_etag.status_code, by_date.status_code)
    assert conn.emulator.asset(project_id, "srt") == by_etag.content == by_date.content
    assert first.content != by_etag.content


async def test_a_range_whose_if_range_no_longer_holds_gets_the_whole_file(conn: Conn) -> None:
    """``If-Range`` with the current ETag or date gets the range; an old one, everything."""
    project_id = _rendered(conn.emulator)
    url = conn.emulator.asset_url(project_id, "video")
    first = await conn.anon.get(url)
    old_etag = first.headers["etag"]
    await _render_again(conn, project_id)
    current = await conn.anon.head(url)
    content = conn.emulator.asset(project_id, "video")

    def ranged(if_range: str) -> dict[str, str]:
        return {"Range": "bytes=10-", "If-Range": if_range}

    stale = await conn.anon.get(url, headers=ranged(old_etag))
    fresh = await conn.anon.get(url, headers=ranged(current.headers["etag"]))
    dated = await conn.anon.get(url, headers=ranged(current.headers["last-modified"]))
    old_date = await conn.anon.get(url, headers=ranged(first.headers["last-modified"]))

    assert (200, content) == (stale.status_code, stale.content)
    assert (206, content[10:]) == (fresh.status_code, fresh.content)
    assert (206, content[10:]) == (dated.status_code, dated.content)
    assert (200, content) == (old_date.status_code, old_date.content)
