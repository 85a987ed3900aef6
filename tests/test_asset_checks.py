"""The checks a downloaded file passes before it takes its name, and the names themselves.

A download is renamed into place only when its size, its end and (when the CDN sends
one) its SHA-256 check out; each test holds one of those checks (see "Mutation testing"
in docs/testing.md).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from _support import API_KEY, FakeTime

from pictory_async import AsyncPictory, InvalidInputError, Project
from pictory_async._assets import ASSET_KINDS, asset_filename, check_kinds, select_assets
from pictory_async._download import _expected_sha256
from pictory_async._exceptions import AssetDownloadError

MEDIA = bytes(range(256)) * 16  # 4 KiB
SRT = b"1\n00:00:00,000 --> 00:00:02,000\nHello\n"
CDN = "https://cdn.example"


def sha256_header(data: bytes) -> str:
    """``x-amz-checksum-sha256`` for ``data``: its digest, base64."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def sha12(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``text`` (what a changed name carries)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


Answer = Callable[[httpx.Request], httpx.Response]
Download = Callable[[str, Answer], Awaitable[bytes]]


def served(body: bytes, headers: dict[str, str] | None = None, *, length: bool = True) -> Answer:
    """A CDN that answers ``body`` (streamed, unread) with ``headers``.

    ``length=False`` sends no ``Content-Length``: the end of the body is its close.
    """
    sent = {"Content-Length": str(len(body))} if length else {}
    sent.update(headers or {})

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=sent, stream=httpx.ByteStream(body))

    return answer


@pytest.fixture
async def download(fake_time: FakeTime, tmp_path: Path) -> AsyncIterator[Download]:
    """Download one asset of ``kind`` through ``download_assets``; the file's bytes."""
    clients: list[httpx.AsyncClient] = []

    async def run(kind: str, answer: Answer) -> bytes:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        clients.append(http)
        field = {"video": "video_url", "srt": "srt_file", "thumbnail": "thumbnail"}[kind]
        project = Project(id="p1", **{field: f"{CDN}/p1.{kind}?sig=abc"})  # type: ignore[arg-type]
        async with AsyncPictory(
            api_key=API_KEY, http_client=http, sleep=fake_time.sleep, clock=fake_time.clock
        ) as client:
            assets = await client.projects.download_assets(project, tmp_path, kinds=[kind])
        return assets[kind].path.read_bytes()

    yield run
    for http in clients:
        await http.aclose()


def listing(folder: Path) -> list[str]:
    """The names in ``folder``, hidden temporary files included."""
    return sorted(path.name for path in folder.iterdir())


async def refused(
    download: Download, kind: str, answer: Answer, tmp_path: Path
) -> AssetDownloadError:
    """The ``AssetDownloadError`` of a download that must fail, and nothing left on disk."""
    with pytest.raises(AssetDownloadError) as info:
        await download(kind, answer)
    assert [] == listing(tmp_path)  # no final name, no temporary left behind
    assert (kind, "GET") == (info.value.kind, info.value.request.method)
    assert f"{CDN}/p1.{kind}" == info.value.url
    return info.value


# -- _check: what a download must be before it takes its name -----------------------------


@pytest.mark.parametrize(
    ("kind", "body", "headers", "length"),
    [
        ("video", MEDIA, {}, True),
        ("srt", SRT, {}, True),
        ("srt", b"", {}, True),  # subtitles may be empty, when the CDN says so
        ("video", MEDIA, {"Transfer-Encoding": "chunked"}, False),  # the last chunk ends it
        ("video", MEDIA, {"x-amz-checksum-sha256": sha256_header(MEDIA)}, False),
        ("video", MEDIA, {"x-amz-checksum-sha256": sha256_header(MEDIA)}, True),
        ("video", MEDIA, {"x-amz-checksum-sha256": "not base64!"}, True),  # ignored
        ("thumbnail", MEDIA[:1], {}, True),  # one byte is a file
    ],
    ids=[
        "sized",
        "sized-subtitles",
        "empty-subtitles",
        "chunked",
        "checksum-without-size",
        "checksum-and-size",
        "unreadable-checksum",
        "one-byte",
    ],
)
async def test_a_complete_download_takes_its_name(
    download: Download,
    kind: str,
    body: bytes,
    headers: dict[str, str],
    length: bool,
) -> None:
    """A body whose end and bytes are known to be right is kept, byte for byte."""
    assert body == await download(kind, served(body, headers, length=length))


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
async def test_an_empty_media_file_is_refused(
    download: Download, kind: str, tmp_path: Path
) -> None:
    """A media file of 0 bytes, even announced as such, is no video: refused."""
    error = await refused(download, kind, served(b""), tmp_path)
    assert f"{kind}: the CDN sent an empty file" == error.message


@pytest.mark.parametrize("sent", [MEDIA[:-1], MEDIA + b"!"], ids=["short", "long"])
async def test_a_body_of_another_size_than_announced_is_refused(
    download: Download, sent: bytes, tmp_path: Path
) -> None:
    """``Content-Length`` says N, the body has N-1 or N+1 bytes: refused, naming both."""

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Length": str(len(MEDIA))}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(sent))

    error = await refused(download, "video", answer, tmp_path)
    expected = f"video: got {len(sent)} bytes, the CDN announced {len(MEDIA)}"
    assert expected == error.message


async def test_a_media_body_ended_by_closing_is_refused(download: Download, tmp_path: Path) -> None:
    """No size, no chunks, no checksum: a cut cannot be told from the end, so refused."""
    error = await refused(download, "video", served(MEDIA, length=False), tmp_path)
    expected = (
        "video: the CDN announced no size and ended the body by closing the connection, "
        "so a cut cannot be told from the end"
    )
    assert expected == error.message


@pytest.mark.parametrize("length", [True, False], ids=["sized", "unsized"])
async def test_a_body_whose_checksum_differs_is_refused(
    download: Download, length: bool, tmp_path: Path
) -> None:
    """The CDN's SHA-256 is not the body's (same size): refused, naming both digests."""
    other = sha256_header(MEDIA[::-1])
    answer = served(MEDIA, {"x-amz-checksum-sha256": other}, length=length)
    error = await refused(download, "video", answer, tmp_path)
    got, announced = hashlib.sha256(MEDIA).hexdigest(), hashlib.sha256(MEDIA[::-1]).hexdigest()
    assert f"video: SHA-256 {got} does not match the CDN's {announced}" == error.message


# -- _expected_sha256: the CDN's checksum header --------------------------------------------


def test_the_cdns_checksum_is_read_as_hex() -> None:
    """``x-amz-checksum-sha256`` (base64 of the digest) reads as the hex digest."""
    headers = httpx.Headers({"x-amz-checksum-sha256": sha256_header(MEDIA)})
    assert hashlib.sha256(MEDIA).hexdigest() == _expected_sha256(headers)


@pytest.mark.parametrize(
    "value",
    [None, "", "not base64!", sha256_header(MEDIA)[:-2], "AAAA!AAAA"],
    ids=["absent", "empty", "garbage", "cut-padding", "stray-character"],
)
def test_a_checksum_header_that_cannot_be_read_is_no_checksum(value: str | None) -> None:
    """Absent, empty or not strict base64: ``None`` (the size check still applies)."""
    headers = httpx.Headers({} if value is None else {"x-amz-checksum-sha256": value})
    assert None is _expected_sha256(headers)


# -- asset_filename: safe, distinct names ---------------------------------------------------


@pytest.mark.parametrize(
    ("project_id", "kind", "expected"),
    [
        ("p1", "video", "p1-video.mp4"),
        (12, "audio", "12-audio.mp3"),
        ("a.b_c-d", "thumbnail", "a.b_c-d-thumbnail.jpg"),
        ("p1", "srt", "p1-srt.srt"),
        ("p1", "vtt", "p1-vtt.vtt"),
        ("p1", "txt", "p1-txt.txt"),
        ("com10", "txt", "com10-txt.txt"),  # not a reserved name
    ],
)
def test_a_safe_lowercase_id_is_the_name_as_is(
    project_id: str | int, kind: str, expected: str
) -> None:
    """``<id>-<kind>.<ext>``, with each kind's extension, and no hash when nothing changed."""
    assert expected == asset_filename(project_id, kind)


@pytest.mark.parametrize(
    ("project_id", "stem"),
    [
        ("P1", "P1"),  # capitals: one name with "p1" on macOS and Windows without the hash
        ("a b/c", "a_b_c"),
        ("../x", "_x"),
        (".env", "env"),
        ("x.", "x"),
        ("...", "project"),
        ("", "project"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("LPT9.log", "_LPT9.log"),
        ("aux", "_aux"),
        ("x" * 100, "x" * 80),
        ("XboX", "XboX"),  # only dots are stripped from the ends
        ("é", "_"),
        ("\udc80", "_"),  # a lone surrogate still gets a name
    ],
)
def test_a_changed_id_gets_a_hash_of_the_original(project_id: str, stem: str) -> None:
    """Unsafe characters replaced, dots stripped, reserved names and capitals guarded."""
    expected = f"{stem}~{sha12(project_id)}-video.mp4"
    assert expected == asset_filename(project_id, "video")


def test_the_name_is_made_from_the_ids_value_not_its_str() -> None:
    """An id of a ``str`` or ``int`` subclass is named by its value, whatever ``__str__`` says."""

    class Text(str):
        def __str__(self) -> str:
            return "../escape"

    class Number(int):
        def __str__(self) -> str:
            return "../escape"

    assert "p1-video.mp4" == asset_filename(Text("p1"), "video")
    assert "7-video.mp4" == asset_filename(Number(7), "video")


# -- check_kinds and select_assets ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (None, None),
        ("video", ["video"]),
        (["srt", "video"], ["srt", "video"]),
        (("txt",), ["txt"]),
        (iter(["vtt", "audio"]), ["vtt", "audio"]),
        ([], []),  # nothing: not "everything"
        (list(ASSET_KINDS), list(ASSET_KINDS)),
    ],
    ids=["none", "one-string", "list", "tuple", "iterator", "empty", "all"],
)
def test_check_kinds_gives_a_list_or_none(kinds: object, expected: list[str] | None) -> None:
    """``None`` means every kind; anything else is the kinds asked, as a list."""
    assert expected == check_kinds(kinds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kinds", "unknown"),
    [(["video", "mp4"], "['mp4']"), ("subtitles", "['subtitles']"), (["Video"], "['Video']")],
)
def test_check_kinds_refuses_an_unknown_kind(kinds: object, unknown: str) -> None:
    """An unknown kind is ``InvalidInputError`` naming it and the known ones."""
    with pytest.raises(InvalidInputError) as info:
        check_kinds(kinds)  # type: ignore[arg-type]
    expected = f"unknown asset kinds {unknown}; known: {list(ASSET_KINDS)}"
    assert expected == str(info.value)


ASSETS = {"video": f"{CDN}/v.mp4", "srt": f"{CDN}/s.srt", "txt": f"{CDN}/t.txt"}


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (None, ASSETS),
        (["txt", "video"], {"video": ASSETS["video"], "txt": ASSETS["txt"]}),
        ("srt", {"srt": ASSETS["srt"]}),
        (["audio"], {}),  # asked for, but the project has none
        ([], {}),
    ],
    ids=["all", "some", "one-string", "absent", "none"],
)
def test_select_assets_keeps_the_kinds_asked_for(
    kinds: list[str] | str | None, expected: dict[str, str]
) -> None:
    """Every asset, or those of the kinds asked that the project has, in its order."""
    selected = select_assets(ASSETS, kinds)
    assert list(expected.items()) == list(selected.items())
    selected.clear()  # a new dict: the project's own mapping is never changed
    assert 3 == len(ASSETS)


def test_select_assets_refuses_an_unknown_kind() -> None:
    """An unknown kind fails before anything is chosen."""
    with pytest.raises(InvalidInputError, match="unknown asset kinds"):
        select_assets(ASSETS, ["video", "mov"])
