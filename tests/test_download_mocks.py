"""Downloads whose body something read before them: respx's mock, a user's event hook.

respx (``using="httpx"``, as docs/testing.md shows) records every answer it gives by
reading it; an event hook may ``aread()`` a response to log it. The body is then the bytes
read, not a stream to consume a second time (which httpx refuses with a raw
``StreamConsumed``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, FakeTime

from pictory_async import AssetDownloadError, AsyncPictory

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
CDN = "https://cdn.example/media/v.mp4"


def _client(fake_time: FakeTime, **options: Any) -> AsyncPictory:
    return AsyncPictory(
        api_key=API_KEY,
        base_url=BASE_URL,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        **options,
    )


def _routes(router: respx.Router) -> None:
    router.get(f"{BASE_URL}/pictoryapis/v2/projects/p1").respond(
        200, json={"projectName": "p", "videoURL": CDN}
    )
    router.get(CDN).respond(200, content=VIDEO, headers={"Content-Type": "video/mp4"})


async def test_download_assets_under_respx_mock_using_httpx(
    fake_time: FakeTime, tmp_path: Path
) -> None:
    """respx.mock(using="httpx") around a default client: the video is downloaded whole."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        _routes(router)
        async with _client(fake_time) as client:
            assets = await client.projects.download_assets("p1", tmp_path)
    assert VIDEO == assets["video"].path.read_bytes()
    assert len(VIDEO) == assets["video"].size


async def test_backup_under_respx_mock_using_httpx(fake_time: FakeTime, tmp_path: Path) -> None:
    """A backup under respx holds the bytes respx served, verified."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        _routes(router)
        async with _client(fake_time) as client:
            backup = await client.projects.backup("p1", tmp_path)
    (video,) = [f for f in backup.files if f.kind == "video"]
    assert VIDEO == (backup.directory / video.name).read_bytes()


async def test_a_response_hook_that_reads_the_body_leaves_the_download_whole(
    fake_time: FakeTime, tmp_path: Path
) -> None:
    """A user's event hook that ``aread()``s every response: the download uses those bytes."""
    router = respx.Router(assert_all_called=False)
    _routes(router)

    async def read(response: httpx.Response) -> None:
        await response.aread()

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(router.async_handler), event_hooks={"response": [read]}
    )
    async with http, _client(fake_time, http_client=http) as client:
        assets = await client.projects.download_assets("p1", tmp_path)
    assert VIDEO == assets["video"].path.read_bytes()


def _streaming(request: httpx.Request) -> httpx.Response:
    """The project, and a video sent as a stream (not read ahead, as a real CDN's)."""
    if request.url.host == "cdn.example":

        async def body() -> AsyncIterator[bytes]:
            yield VIDEO

        headers = {"Content-Length": str(len(VIDEO)), "Content-Type": "video/mp4"}
        return httpx.Response(200, content=body(), headers=headers)
    return httpx.Response(200, json={"projectName": "p", "videoURL": CDN})


async def test_a_response_hook_that_drains_the_body_is_a_download_error(
    fake_time: FakeTime, tmp_path: Path
) -> None:
    """A hook that streams a body away without keeping it: AssetDownloadError, no file."""

    async def drain(response: httpx.Response) -> None:
        if response.request.url.host == "cdn.example":
            async for _ in response.aiter_raw():
                pass

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(_streaming), event_hooks={"response": [drain]}
    )
    async with http, _client(fake_time, http_client=http) as client:
        with pytest.raises(AssetDownloadError, match="consumed before the download"):
            await client.projects.download_assets("p1", tmp_path)
    assert [] == os.listdir(tmp_path)


async def test_a_response_hook_that_reads_a_streamed_body_leaves_the_download_whole(
    fake_time: FakeTime, tmp_path: Path
) -> None:
    """A hook that ``aread()``s a body sent as a stream: the download has those bytes."""

    async def read(response: httpx.Response) -> None:
        await response.aread()

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(_streaming), event_hooks={"response": [read]}
    )
    async with http, _client(fake_time, http_client=http) as client:
        assets = await client.projects.download_assets("p1", tmp_path)
    assert VIDEO == assets["video"].path.read_bytes()
