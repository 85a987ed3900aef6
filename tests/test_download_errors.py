"""Download failures: one error type, the CDN's ``Retry-After``, no signed query shown.

Every failure is an ``AssetDownloadError``; the CDN's ``Retry-After`` is honoured as
for API calls; a signed URL's query (or user info) is in no message, attribute, log
line, journal or CLI output.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, FakeTime, chain
from typer.testing import CliRunner

from pictory_async import AsyncPictory, BackupError
from pictory_async._assets import Asset
from pictory_async._exceptions import AssetDownloadError
from pictory_async._files import Partial
from pictory_async._redact import redact_url

SIGNATURE = "X-Amz-Signature=5f1c0ffee0ddba11cafe"
QUERY = f"X-Amz-Credential=AKIAEXAMPLE%2F20250101&{SIGNATURE}"
SECRETS = ("5f1c0ffee0ddba11cafe", "AKIAEXAMPLE", "hunter2")
MEDIA = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def project(video_url: str) -> bytes:
    """An API answer: a rendered project whose video is at ``video_url``."""
    body = json.dumps({"projectName": "p", "step": "COMPLETE", "videoURL": video_url})
    return response(200, body.encode(), [("Content-Type", "application/json")])


def media(body: bytes = MEDIA) -> bytes:
    """The CDN's answer with the file."""
    return response(200, body, [("Content-Type", "video/mp4")])


def api_for(video_url: str, deleted: list[str] | None = None) -> Any:
    """An API that answers every GET with ``project(video_url)`` (and records DELETEs)."""

    def answer(seen: Seen) -> bytes:
        if seen.method == "DELETE":
            if deleted is not None:
                deleted.append(seen.target)
            return response(200, b'{"success": true}', [("Content-Type", "application/json")])
        return project(video_url)

    return answer


def client(api: RawServer, fake_time: FakeTime, **options: Any) -> AsyncPictory:
    """A default client (aiohttp transport) for ``api``, on fake time."""
    return AsyncPictory(
        api_key=API_KEY, base_url=api.url, sleep=fake_time.sleep, clock=fake_time.clock, **options
    )


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder`` (temporary ones included), by name."""
    return sorted(name for _, _, names in os.walk(folder) for name in names)


def assert_no_secret(*texts: str) -> None:
    """No part of the signed query, nor the password, is in any of ``texts``."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, text


def assert_clean_error(exc: BaseException) -> None:
    """What an error shows, and holds, has no secret of the URL (its chain included)."""
    for link in chain(exc):
        assert_no_secret(str(link), repr(link), repr(link.args))
        for name in ("url", "message"):
            assert_no_secret(str(getattr(link, name, "")))
        request = getattr(link, "request", None)
        if isinstance(request, httpx.Request):
            assert_no_secret(str(request.url), repr(request))
    assert_no_secret("".join(traceback.format_exception(exc)))


def http_date(seconds_from_now: float) -> str:
    """An HTTP date ``seconds_from_now`` after the wall clock's now."""
    when = datetime.fromtimestamp(time.time() + seconds_from_now, tz=timezone.utc)
    return format_datetime(when, usegmt=True)


# -- redact_url ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://cdn.example/v/a.mp4", "https://cdn.example/v/a.mp4"),
        (f"https://cdn.example/a.mp4?{QUERY}", "https://cdn.example/a.mp4?…"),
        ("https://user:hunter2@cdn.example:8443/a.mp4#t=1", "https://cdn.example:8443/a.mp4"),
        ("http://[::1]:8080/a.mp4?sig=1", "http://[::1]:8080/a.mp4?…"),
        ("http://cdn.example:99999/a.mp4?sig=1", "http://cdn.example:99999/a.mp4?…"),
        ("http://[::1/a.mp4?sig=1", "http://[::1/a.mp4?…"),  # unparseable: cut by hand
        ("http://user:hunter2?x@[::1/a", "http://[::1/a"),  # a "?" in the password
        ("http://h/a\x01b?sig=1#f", "http://h/a%01b?…"),
    ],
    ids=["plain", "signed", "userinfo", "ipv6", "bad-port", "bad-ipv6", "query-in-pw", "ctrl"],
)
def test_redact_url_keeps_scheme_host_port_and_path_only(url: str, expected: str) -> None:
    """The query shows as ``?…``; user info and fragment go, even from an unparseable URL."""
    assert expected == redact_url(url)


def test_redact_url_cuts_a_huge_url() -> None:
    """A hostile API's megabyte URL is shown cut, not whole, in a message."""
    shown = redact_url("https://cdn.example/" + "a" * 1_000_000 + "?sig=1")
    assert 400 > len(shown)
    assert shown.endswith("…?…")


# -- every failure is an AssetDownloadError --------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://cdn.example:99999/v.mp4", "http://[::1]:70000/v.mp4", "http://cdn.example:0/v"],
)
async def test_an_asset_url_with_a_bad_port_is_a_download_error(
    tmp_path: Path, fake_time: FakeTime, url: str
) -> None:
    """A port out of range (aiohttp's raw ``ValueError``) is ``AssetDownloadError``, no file."""
    async with RawServer(api_for(url + "?" + QUERY)) as api, client(api, fake_time) as pictory:
        with pytest.raises(AssetDownloadError, match="out of range") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert ("video", None) == (info.value.kind, info.value.status_code)
    assert url == info.value.url
    assert_clean_error(info.value)
    assert [] == files_under(tmp_path)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://cdn.example:99999/v.mp4?" + QUERY, "out of range"),
        ("http://[::1]:70000/v.mp4", "out of range"),
        ("ftp://cdn.example/v.mp4", "not an http"),
        ("javascript:alert(1)", "redirected to an invalid URL"),
        ("http://[::1/v.mp4?" + QUERY, "redirected to"),
    ],
    ids=["port", "ipv6-port", "ftp", "javascript", "broken-ipv6"],
)
async def test_a_redirect_that_cannot_be_followed_is_a_download_error(
    tmp_path: Path, fake_time: FakeTime, location: str, message: str
) -> None:
    """A ``Location`` nothing can be fetched from: ``AssetDownloadError``, no raw exception."""
    hop = response(302, b"", [("Location", location)], "Found")
    async with (
        RawServer(lambda seen: hop) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time, max_retries=0) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match=message) as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert "video" == info.value.kind
    assert_clean_error(info.value)
    assert [] == files_under(tmp_path)


@pytest.mark.parametrize(
    "location",
    ["http://h/\x01x", "http://h\r\n/x", "http://[::1/v.mp4", "http://cdn.example:99999/"],
    ids=["control", "crlf", "broken-ipv6", "port"],
)
async def test_any_bad_location_is_a_download_error_whatever_the_transport(
    make_client: Any, router: Any, tmp_path: Path, location: str
) -> None:
    """Through httpx's own parsing (a mock transport): a bad ``Location`` is ours too."""
    router.get("/pictoryapis/v2/projects/p1").respond(
        200, json={"projectName": "p", "videoURL": "https://cdn.example/v.mp4?" + QUERY}
    )
    router.get("https://cdn.example/v.mp4").mock(
        return_value=httpx.Response(302, headers=[(b"Location", location.encode("latin-1"))])
    )
    async with make_client(max_retries=0) as pictory:
        with pytest.raises(AssetDownloadError, match="redirected to") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert_clean_error(info.value)
    assert [] == files_under(tmp_path)


async def test_a_relative_location_is_followed(tmp_path: Path, fake_time: FakeTime) -> None:
    """``Location: /real.mp4?...`` leads on the same host; the asset keeps the full URL."""

    def answer(seen: Seen) -> bytes:
        if seen.target.startswith("/real.mp4"):
            return media()
        return response(302, b"", [("Location", f"/real.mp4?{QUERY}")], "Found")

    async with (
        RawServer(answer) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time) as pictory,
    ):
        assets = await pictory.projects.download_assets("p1", tmp_path)
    assert MEDIA == assets["video"].path.read_bytes()
    assert f"{cdn.url}/real.mp4?{QUERY}" == assets["video"].url  # the manifest's, whole


async def test_a_bad_port_fails_the_backup_item_as_a_backup_error(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """In ``backup_and_delete`` the item is a ``BackupError`` and nothing is deleted."""
    deleted: list[str] = []
    hop = response(302, b"", [("Location", "http://cdn.example:99999/v.mp4")], "Found")
    async with (
        RawServer(lambda seen: hop) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4", deleted)) as api,
        client(api, fake_time) as pictory,
    ):
        result = await pictory.projects.backup_and_delete(["p1"], tmp_path)
    [item] = result.failed
    assert isinstance(item.error, BackupError)
    assert [] == deleted


@pytest.mark.parametrize("layout", ["dest-is-a-file", "parent-is-a-file"])
async def test_download_assets_into_an_unwritable_place_is_a_download_error(
    tmp_path: Path, fake_time: FakeTime, layout: str
) -> None:
    """A destination that cannot be a directory: ``AssetDownloadError`` with the OSError."""
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    dest = blocker if layout == "dest-is-a-file" else blocker / "backups"
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_for(f"{cdn.url}/v.mp4?{QUERY}")) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="cannot write to") as info:
            await pictory.projects.download_assets("p1", dest)
    assert isinstance(info.value.__cause__, OSError)
    assert ("video", []) == (info.value.kind, cdn.seen)
    assert_clean_error(info.value)


async def test_a_read_only_directory_is_a_download_error(
    tmp_path: Path, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary file can be made (as in a read-only directory, even for root)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr("pictory_async._download.tempfile.mkstemp", refuse)
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="Permission denied") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert isinstance(info.value.__cause__, PermissionError)


async def test_a_project_without_assets_needs_no_directory(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """Nothing to download into an unusable directory: nothing failed, ``{}``."""
    (tmp_path / "blocker").write_bytes(b"")
    body = response(200, b'{"projectName": "p"}', [("Content-Type", "application/json")])
    async with RawServer(lambda seen: body) as api, client(api, fake_time) as pictory:
        assert {} == await pictory.projects.download_assets("p1", tmp_path / "blocker" / "x")


def full_disk_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """Writes to a download's file fail with ENOSPC once ``allowed`` bytes are written."""
    write = Partial.write

    def write_until_full(self: Partial, data: bytes) -> None:
        if self.size + len(data) > allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(self, data)

    monkeypatch.setattr(Partial, "write", write_until_full)


async def test_a_full_disk_is_a_download_error_and_leaves_no_temporary_file(
    tmp_path: Path, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while writing: ``AssetDownloadError`` (not a cut: not retried), no ``.part``."""
    full_disk_after(monkeypatch, 0)
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_for(f"{cdn.url}/v.mp4?{QUERY}")) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="No space left") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert isinstance(info.value.__cause__, OSError)
    assert errno.ENOSPC == info.value.__cause__.errno
    assert 1 == len(cdn.seen)
    assert [] == files_under(tmp_path)
    assert_clean_error(info.value)


async def test_a_full_disk_at_fsync_leaves_no_temporary_file(
    tmp_path: Path, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC reported only when the data is flushed to disk: the same error, no ``.part``."""

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="No space left"):
            await pictory.projects.download_assets("p1", tmp_path)
    assert [] == files_under(tmp_path)


async def test_a_full_disk_fails_the_backup_and_deletes_nothing(
    tmp_path: Path, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In ``backup_and_delete``: a ``BackupError``, the project kept, no ``.part`` left."""
    full_disk_after(monkeypatch, 1000)
    deleted: list[str] = []
    async with (
        RawServer(lambda seen: media()) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4", deleted)) as api,
        client(api, fake_time) as pictory,
    ):
        result = await pictory.projects.backup_and_delete(["p1"], tmp_path)
    [item] = result.failed
    assert isinstance(item.error, BackupError)
    assert "No space left" in str(item.error)
    assert [] == deleted
    assert not [name for name in files_under(tmp_path) if name.endswith(".part")]


# -- Retry-After -----------------------------------------------------------------------


def busy_then_media(status: int, retry_after: str, times: int = 1) -> Any:
    """A CDN that answers ``status`` with ``Retry-After`` ``times`` times, then the file."""
    answers = [response(status, b"slow down", [("Retry-After", retry_after)], "Busy")] * times + [
        media()
    ]
    return lambda seen: answers.pop(0)


@pytest.mark.parametrize("status", [429, 503])
async def test_the_cdn_retry_after_is_waited_for(
    tmp_path: Path, fake_time: FakeTime, status: int
) -> None:
    """429/503 with ``Retry-After: 8``: the retry comes 8 s later, as for API calls."""
    async with (
        RawServer(busy_then_media(status, "8")) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time) as pictory,
    ):
        assets = await pictory.projects.download_assets("p1", tmp_path)
    assert MEDIA == assets["video"].path.read_bytes()
    assert [8.0] == fake_time.waits
    assert 2 == len(cdn.seen)


async def test_a_retry_after_date_is_waited_for(tmp_path: Path, fake_time: FakeTime) -> None:
    """``Retry-After`` as an HTTP date 30 s ahead: about 30 s waited."""
    async with (
        RawServer(busy_then_media(429, http_date(30))) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time) as pictory,
    ):
        await pictory.projects.download_assets("p1", tmp_path)
    [wait] = fake_time.waits
    assert 27 < wait <= 30


@pytest.mark.parametrize("retry_after", ["3600", http_date(3600)], ids=["seconds", "date"])
async def test_a_retry_after_above_the_cap_is_not_waited_for(
    tmp_path: Path, fake_time: FakeTime, retry_after: str
) -> None:
    """Above ``max_retry_after`` (as for API calls): no wait, no retry, a typed error."""
    async with (
        RawServer(busy_then_media(429, retry_after)) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time, max_retry_after=60) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="more than max_retry_after") as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert (429, 1, []) == (info.value.status_code, len(cdn.seen), fake_time.waits)
    assert [] == files_under(tmp_path)


async def test_a_retry_after_past_the_retry_budget_is_not_started(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """A wait that would end past ``max_retry_time`` fails now, as for API calls."""
    async with (
        RawServer(busy_then_media(503, "30")) as cdn,
        RawServer(api_for(cdn.url + "/v.mp4")) as api,
        client(api, fake_time, max_retry_time=10) as pictory,
    ):
        with pytest.raises(AssetDownloadError, match="503"):
            await pictory.projects.download_assets("p1", tmp_path)
    assert ([], 1) == (fake_time.waits, len(cdn.seen))


async def test_a_retry_after_from_a_redirect_hop_is_waited_for(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """The redirect's target answers 503 with ``Retry-After: 5``: 5 s, then from the start."""
    async with RawServer(busy_then_media(503, "5")) as third:
        hop = response(302, b"", [("Location", f"{third.url}/real.mp4?{QUERY}")], "Found")
        async with (
            RawServer(lambda seen: hop) as cdn,
            RawServer(api_for(cdn.url + "/v.mp4")) as api,
            client(api, fake_time) as pictory,
        ):
            assets = await pictory.projects.download_assets("p1", tmp_path)
    assert MEDIA == assets["video"].path.read_bytes()
    assert ([5.0], 2, 2) == (fake_time.waits, len(cdn.seen), len(third.seen))


# -- no signed query in what people see ------------------------------------------------


def cut_body(seen: Seen) -> AsyncIterator[bytes | None]:
    """The file's headers and a part of its body, then the connection closes."""

    async def cut() -> AsyncIterator[bytes | None]:
        yield media()[:300]
        yield None

    return cut()


async def test_a_failed_transfer_shows_no_signed_query_anywhere(
    tmp_path: Path, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Cut every time: the error, its chain, its request and the retry log hold no query."""
    caplog.set_level(logging.DEBUG, logger="pictory_async")
    async with (
        RawServer(cut_body) as cdn,
        RawServer(api_for(f"{cdn.url}/v.mp4?{QUERY}")) as api,
        client(api, fake_time, max_retries=2) as pictory,
    ):
        with pytest.raises(AssetDownloadError) as info:
            await pictory.projects.download_assets("p1", tmp_path)
    error = info.value
    assert f"{cdn.url}/v.mp4" == error.url == str(error.request.url)
    assert "GET /v.mp4" in str(error)
    assert_clean_error(error)
    assert 2 == sum("retrying GET video" in record.getMessage() for record in caplog.records)
    assert_no_secret(caplog.text, *(str(record.args) for record in caplog.records))


@pytest.mark.parametrize(
    "answer",
    [
        # S3 echoes the signed request in its error body
        response(403, f"<Error><CanonicalQueryString>{QUERY}</CanonicalQueryString>".encode()),
        response(300, b"", [("Location", f"http://other.example/v.mp4?{QUERY}")], "Choices"),
        response(500, QUERY.encode(), [("Retry-After", "0")], QUERY),
        response(
            403,
            b'{"message": "signature 5f1c0ffee0ddba11cafe of AKIAEXAMPLE/20250101 is wrong"}',
            [("Content-Type", "application/json")],
        ),
    ],
    ids=["403-echo", "300-location", "500-reason", "403-json-value"],
)
async def test_an_error_answer_shows_no_signed_query(
    tmp_path: Path, fake_time: FakeTime, caplog: pytest.LogCaptureFixture, answer: bytes
) -> None:
    """The query in the body, a ``Location`` or the reason phrase stays out of the error."""
    caplog.set_level(logging.INFO, logger="pictory_async")
    async with (
        RawServer(lambda seen: answer) as cdn,
        RawServer(api_for(f"{cdn.url}/v.mp4?{QUERY}")) as api,
        client(api, fake_time, max_retries=1) as pictory,
    ):
        with pytest.raises(AssetDownloadError) as info:
            await pictory.projects.download_assets("p1", tmp_path)
    assert_clean_error(info.value)
    assert_no_secret(caplog.text)


async def test_user_info_and_a_redirect_query_stay_out_of_errors(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """``user:password@`` in the asset URL, then in a signed ``Location``: neither shown."""
    async with RawServer(cut_body) as third:
        signed = f"{third.url}/real.mp4?{QUERY}".replace("http://", "http://user:hunter2@")
        hop = response(302, b"", [("Location", signed)], "Found")
        async with (
            RawServer(lambda seen: hop) as cdn,
            RawServer(api_for(cdn.url.replace("http://", "http://u:hunter2@") + "/v")) as api,
            client(api, fake_time, max_retries=1) as pictory,
        ):
            with pytest.raises(AssetDownloadError) as info:
                await pictory.projects.download_assets("p1", tmp_path)
    assert "@" not in info.value.url
    assert_clean_error(info.value)


async def test_the_journal_and_the_backup_error_hold_no_signed_query(
    tmp_path: Path, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """``backup_and_delete`` of a project whose signed download fails: nowhere in its trail."""
    caplog.set_level(logging.DEBUG, logger="pictory_async")
    journal = tmp_path / "journal.jsonl"
    async with (
        RawServer(cut_body) as cdn,
        RawServer(api_for(f"{cdn.url}/v.mp4?{QUERY}")) as api,
        client(api, fake_time, max_retries=1) as pictory,
    ):
        result = await pictory.projects.backup_and_delete(["p1"], tmp_path / "b", journal=journal)
    [item] = result.failed
    assert isinstance(item.error, BackupError)
    assert "/v.mp4" in journal.read_text()  # the journal does say which file failed
    assert_no_secret(journal.read_text(), str(item.error), repr(item.error), caplog.text)


class _Server(BaseHTTPRequestHandler):
    """API and CDN in one: the project, and a CDN that always fails (``Retry-After: 0``)."""

    def do_GET(self) -> None:
        host = self.headers["Host"]  # 127.0.0.1:<port>, as the client asked
        if self.path.startswith("/pictoryapis/"):
            url = f"http://{host}/media/v.mp4?{QUERY}"
            body = json.dumps({"projectName": "p", "videoURL": url}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = f"<Error><CanonicalQueryString>{QUERY}</CanonicalQueryString>".encode()
            self.send_response(500)
            self.send_header("Retry-After", "0")  # retried at once: the test does not wait
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def threaded_server() -> Iterator[str]:
    """``_Server`` on 127.0.0.1 in a thread (the CLI runs its own event loop)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_the_cli_shows_no_signed_query(
    threaded_server: str, tmp_path: Path, debug: list[str]
) -> None:
    """``pictory projects download`` of a failing signed URL: exit 1, no query in its output."""
    from pictory_async.cli import app

    env = {"PICTORY_API_KEY": API_KEY, "PICTORY_BASE_URL": threaded_server}
    result = CliRunner().invoke(
        app, [*debug, "projects", "download", "p1", "--dest", str(tmp_path / "d")], env=env
    )
    assert 1 == result.exit_code
    assert "/media/v.mp4" in result.stderr
    assert_no_secret(result.stdout, result.stderr)
    if debug:
        assert "Traceback" in result.stderr


async def test_a_transport_message_naming_the_whole_url_is_scrubbed(
    make_client: Any, router: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A transport error that quotes the URL (user info, query, decoded or not): cut out."""
    caplog.set_level(logging.INFO, logger="pictory_async")
    mirror = f"https://mirror:hunter2@mirror.example/x.mp4?{QUERY}"
    router.get("/pictoryapis/v2/projects/p1").respond(
        200, json={"projectName": "p", "videoURL": f"https://u:hunter2@cdn.example/v?{QUERY}"}
    )
    router.get("https://cdn.example/v").respond(302, headers={"Location": mirror})

    def lost(request: httpx.Request) -> httpx.Response:
        decoded = httpx.URL(str(request.url)).query.decode().replace("%2F", "/")
        raise httpx.ReadError(f"connection to {request.url} lost ({decoded})", request=request)

    router.get("https://mirror.example/x.mp4").mock(side_effect=lost)
    async with make_client(max_retries=1) as pictory:
        with pytest.raises(
            AssetDownloadError, match=r"connection to https://mirror\.example/x\.mp4"
        ):
            await pictory.projects.download_assets("p1", tmp_path)
    assert 1 == sum("retrying GET video" in record.getMessage() for record in caplog.records)
    assert_no_secret(caplog.text)


def test_an_asset_repr_shows_its_url_redacted() -> None:
    """``Asset.url`` is whole (as manifests keep it); its ``repr`` (a log line's) is not."""
    url = f"https://cdn.example/v.mp4?{QUERY}"
    asset = Asset(kind="video", path=Path("v.mp4"), size=1, sha256="0" * 64, url=url)
    assert url == asset.url
    assert "url='https://cdn.example/v.mp4?…'" in repr(asset)
    assert_no_secret(repr(asset), str(asset))


def test_an_asset_download_error_built_with_a_signed_request_shows_none_of_it() -> None:
    """Whatever message it is given, the error cuts its request's query and user info out."""
    url = f"https://user:hunter2@cdn.example/v.mp4?{QUERY}"
    error = AssetDownloadError(
        f"video: GET {url} failed ({SIGNATURE})", request=httpx.Request("GET", url), kind="video"
    )
    assert "video: GET https://cdn.example/v.mp4?… failed (X-Amz-Signature=…)" == str(error)
    assert "https://cdn.example/v.mp4" == error.url
    assert_clean_error(error)
