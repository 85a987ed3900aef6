"""``AiohttpTransport`` against real local servers, and ``AsyncPictory`` on top of it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import pytest
from _support import API_KEY, PROJECTS_PATH, FakeTime, refused_url
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from pictory_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncPictory,
    NotFoundError,
    ResponseTooLargeError,
    __version__,
)
from pictory_async._transport import (
    ENCODED_CHUNK,
    WITHIN,
    AiohttpTransport,
    _Body,
    has_header,
    map_exception,
    read_body,
)

BIG = bytes(range(256)) * 1200  # 300 KiB, several chunks
GZIPPED_DOC = {"projectName": "zipped", "videoDuration": 3.5}


@dataclass
class Seen:
    """What the local API server received."""

    method: str
    path_qs: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    """A local aiohttp.web server standing in for the API."""

    url: str
    seen: list[Seen] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    slow_started: asyncio.Event = field(default_factory=asyncio.Event)
    failures_left: int = 0


def build_app(server: LocalServer) -> web.Application:
    """Routes for the transport and the end-to-end tests."""

    @web.middleware
    async def record(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        body = await request.read()
        server.seen.append(Seen(request.method, request.path_qs, dict(request.headers), body))
        return await handler(request)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "method": request.method,
                "headers": dict(request.headers),
                "body": server.seen[-1].body.decode(),
            }
        )

    async def gzipped(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(json.dumps(GZIPPED_DOC).encode()),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def slow(request: web.Request) -> web.Response:
        server.slow_started.set()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(server.release.wait(), 5)
        return web.json_response({})

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=BIG)

    async def teapot(request: web.Request) -> web.Response:
        return web.Response(status=418, reason="I'm a teapot", text="short and stout")

    async def get_project(request: web.Request) -> web.Response:
        project_id = request.match_info["project_id"]
        if project_id == "zipped":
            return await gzipped(request)
        if project_id == "missing":
            return web.json_response(
                {"message": "Project not found"}, status=404, headers={"x-request-id": "r-404"}
            )
        if server.failures_left > 0:
            server.failures_left -= 1
            return web.json_response({"message": "try again"}, status=503)
        return web.json_response(
            {"projectName": f"Project {project_id}", "saveDate": "2025-01-02T03:04:05.000Z"}
        )

    async def delete_project(request: web.Request) -> web.Response:
        if request.match_info["project_id"] == "missing":
            return web.json_response({"message": "Project not found"}, status=404)
        return web.json_response({"success": True, "message": "Project deleted successfully"})

    async def list_projects(request: web.Request) -> web.Response:
        key = request.query.get("pagekey")
        following = {None: "k/2+", "k/2+": "k3", "k3": None}[key]
        number = {None: 1, "k/2+": 2, "k3": 3}[key]
        return web.json_response(
            {"items": [{"id": number}, {"id": f"s{number}"}], "pageKey": following}
        )

    app = web.Application(middlewares=[record])
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/slow", slow)
    app.router.add_get("/big", big)
    app.router.add_get("/teapot", teapot)
    app.router.add_get(PROJECTS_PATH, list_projects)
    app.router.add_get(PROJECTS_PATH + "/{project_id}", get_project)
    app.router.add_delete(PROJECTS_PATH + "/{project_id}", delete_project)
    return app


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    """A local API server on 127.0.0.1, on a free port."""
    local = LocalServer(url="")
    runner = web.AppRunner(build_app(local))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    local.url = f"http://127.0.0.1:{port}"
    yield local
    local.release.set()
    await runner.cleanup()


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_server(handler: RawHandler) -> AsyncIterator[str]:
    """A bare TCP server whose ``handler`` misbehaves on purpose; yields its URL."""
    tcp = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        tcp.close()
        await tcp.wait_closed()


async def read_head(reader: asyncio.StreamReader) -> bytes:
    """Read one request head."""
    return await reader.readuntil(b"\r\n\r\n")


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read the request, then close the connection without answering."""
    await read_head(reader)
    writer.close()


async def half_a_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Promise 100 bytes, send 10, hang up."""
    await read_head(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    await writer.drain()
    writer.close()


async def half_a_big_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Promise 1 MiB (streamed, past the eager-read limit), send 64 KiB, hang up."""
    await read_head(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + b"x" * 65536)
    await writer.drain()
    writer.close()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer with something that is not HTTP."""
    await read_head(reader)
    writer.write(b"HELLO THERE\r\n\r\n")
    await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def transport_client(**options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` over a fresh ``AiohttpTransport``."""
    timeout = options.pop("timeout", httpx.Timeout(5.0))
    async with httpx.AsyncClient(transport=AiohttpTransport(**options), timeout=timeout) as http:
        yield http


def pictory(base_url: str, fake_time: FakeTime, **options: Any) -> AsyncPictory:
    """An ``AsyncPictory`` with the default transport, on the fake clock."""
    return AsyncPictory(
        api_key=API_KEY, base_url=base_url, sleep=fake_time.sleep, clock=fake_time.clock, **options
    )


# -- the transport through httpx ---------------------------------------------------------


async def test_success_and_body(server: LocalServer) -> None:
    """A request gets the status, reason, headers and the whole body."""
    async with transport_client() as http:
        response = await http.get(server.url + "/big")
        teapot = await http.get(server.url + "/teapot")
    assert (200, "OK", "HTTP/1.1", BIG) == (
        response.status_code,
        response.reason_phrase,
        response.http_version,
        response.content,
    )
    assert (418, "I'm a teapot", "short and stout") == (
        teapot.status_code,
        teapot.reason_phrase,
        teapot.text,
    )


async def test_headers_are_sent_as_given(server: LocalServer) -> None:
    """Our headers go out as set; aiohttp adds no User-Agent or Accept of its own."""
    async with transport_client() as http:
        response = await http.get(
            server.url + "/echo", headers={"User-Agent": "mine/1", "Accept": "text/plain"}
        )
    headers = response.json()["headers"]
    assert ("mine/1", "text/plain") == (headers["User-Agent"], headers["Accept"])


async def test_gzip_is_decoded_once(server: LocalServer) -> None:
    """A gzip body is decoded by httpx, exactly once."""
    async with transport_client() as http:
        response = await http.get(server.url + "/gzip")
    assert "gzip" == response.headers["content-encoding"]
    assert GZIPPED_DOC == response.json()


async def test_a_request_body_is_sent(server: LocalServer) -> None:
    """A POST sends its bytes; an async iterable body is streamed."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    async with transport_client() as http:
        plain = await http.post(server.url + "/echo", content=b"payload")
        streamed = await http.post(server.url + "/echo", content=chunks())
    assert ("payload", "hello world") == (plain.json()["body"], streamed.json()["body"])


async def test_a_sync_request_body_is_refused(server: LocalServer) -> None:
    """A sync iterator body cannot be sent through the async transport."""
    transport = AiohttpTransport()
    request = httpx.Request("POST", server.url + "/echo", content=iter([b"x"]))
    try:
        with pytest.raises(RuntimeError, match="sync request body"):
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()
    assert [] == server.seen


async def test_a_server_that_hangs_up_is_a_remote_protocol_error() -> None:
    """Closing without answering is ``RemoteProtocolError`` (maybe sent), never a connect error."""
    async with raw_server(hang_up) as url, transport_client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url + "/")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_request_is_sent_once_per_attempt(method: str) -> None:
    """A hang-up reaches the caller after one send: aiohttp must not resend behind our back."""
    connections = 0

    async def counting_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await hang_up(reader, writer)

    async with raw_server(counting_hang_up) as url, transport_client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.request(method, url + "/")
    assert 1 == connections


async def test_a_truncated_body_is_a_remote_protocol_error() -> None:
    """A body shorter than its Content-Length raises ``RemoteProtocolError``."""
    async with raw_server(half_a_body) as url, transport_client() as http:
        with pytest.raises(httpx.RemoteProtocolError, match="payload is not completed"):
            await http.get(url + "/")


async def test_a_non_http_answer_is_a_remote_protocol_error() -> None:
    """An answer that is not HTTP raises ``RemoteProtocolError``."""
    async with raw_server(garbage) as url, transport_client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url + "/")


async def test_a_refused_port_is_a_connect_error() -> None:
    """Nothing listening: ``ConnectError`` (never sent)."""
    async with transport_client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(refused_url() + "/")


async def test_a_slow_answer_is_a_read_timeout(server: LocalServer) -> None:
    """No answer within the read timeout: ``ReadTimeout``."""
    async with transport_client(timeout=httpx.Timeout(5.0, read=0.1)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.url + "/slow")


async def test_waiting_for_a_free_connection_is_a_pool_timeout(server: LocalServer) -> None:
    """With the pool full, waiting past the pool timeout is ``PoolTimeout`` (never sent)."""
    async with transport_client(max_connections=1, timeout=httpx.Timeout(5.0, pool=0.1)) as http:
        busy = asyncio.create_task(http.get(server.url + "/slow"))
        await server.slow_started.wait()
        with pytest.raises(httpx.PoolTimeout):
            await http.get(server.url + "/big")
        server.release.set()
        assert 200 == (await busy).status_code


async def test_streaming_mode_yields_the_body_in_chunks(server: LocalServer) -> None:
    """A body past the eager-read limit is handed over as it arrives, in several chunks."""
    async with (
        transport_client() as http,
        http.stream("GET", server.url + "/big") as response,
    ):
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert BIG == b"".join(chunks)
    assert len(chunks) > 1


async def test_streaming_mode_maps_a_truncated_body() -> None:
    """A truncated streamed body raises ``RemoteProtocolError``."""
    async with (
        raw_server(half_a_big_body) as url,
        transport_client() as http,
        http.stream("GET", url + "/") as response,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await response.aread()


async def test_aclose_is_idempotent_and_final(server: LocalServer) -> None:
    """Closing twice is fine; a closed transport refuses to send."""
    transport = AiohttpTransport()
    await transport.handle_async_request(httpx.Request("GET", server.url + "/echo"))
    await transport.aclose()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await transport.handle_async_request(httpx.Request("GET", server.url + "/echo"))


async def test_aclose_before_any_request() -> None:
    """A transport that never sent anything closes cleanly."""
    transport = AiohttpTransport()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:1/"))


async def test_an_unmapped_failure_propagates_unchanged(server: LocalServer) -> None:
    """What aiohttp refuses for a reason that is not transport (header injection) is re-raised."""
    async with transport_client() as http:
        with pytest.raises(ValueError, match="header injection"):
            await http.get(server.url + "/echo", headers={"X-Note": "a\r\nX-Evil: 1"})
    assert [] == server.seen


def test_the_timeout_cache_is_bounded() -> None:
    """Past 64 distinct timeouts, new ones are built but no longer cached."""
    transport = AiohttpTransport()
    for seconds in range(64):
        transport._timeout({"read": float(seconds)})
    first = transport._timeout({"read": 0.0})
    extra = transport._timeout({"read": 100.0})
    assert first is transport._timeout({"read": 0.0})
    assert extra is not transport._timeout({"read": 100.0})
    assert extra == transport._timeout({"read": 100.0})


def test_timeouts_map_to_aiohttp_and_are_cached() -> None:
    """The httpx connect/read/pool become sock_connect/sock_read/connect, built once."""
    transport = AiohttpTransport()
    given = httpx.Timeout(30.0, connect=10.0, pool=5.0).as_dict()
    timeout = transport._timeout(given)
    assert (None, 5.0, 10.0, 30.0) == (
        timeout.total,
        timeout.connect,
        timeout.sock_connect,
        timeout.sock_read,
    )
    assert timeout is transport._timeout(dict(given))
    assert aiohttp.ClientTimeout(total=None) == transport._timeout(None)
    assert transport._timeout({}) is transport._timeout(None)


# -- map_exception -----------------------------------------------------------------------

REQUEST = httpx.Request("GET", "http://127.0.0.1/x")
REQUEST_INFO = aiohttp.RequestInfo(
    URL("http://127.0.0.1/x"), "GET", CIMultiDictProxy(CIMultiDict())
)


@pytest.mark.parametrize(
    ("raised", "mapped"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientConnectionResetError("reset"), httpx.WriteError),
        (aiohttp.ClientOSError(32, "Can not write request body for http://x"), httpx.WriteError),
        (aiohttp.ClientOSError("Can not write request body for http://x"), httpx.WriteError),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError),
        (aiohttp.ClientConnectionError("Connection lost"), httpx.ReadError),
        (aiohttp.ClientPayloadError("cut"), httpx.RemoteProtocolError),
        (aiohttp.ClientResponseError(REQUEST_INFO, ()), httpx.RemoteProtocolError),
        (aiohttp.InvalidURL("nope"), httpx.UnsupportedProtocol),
        (aiohttp.ClientConnectionError("Connector is closed."), httpx.ConnectError),
        (aiohttp.ClientError("other"), httpx.TransportError),
        (TimeoutError(), httpx.ReadTimeout),
    ],
    ids=repr,
)
def test_map_exception(raised: BaseException, mapped: type[httpx.TransportError]) -> None:
    """Each aiohttp failure becomes the httpx error that means the same thing."""
    result = map_exception(raised, REQUEST)
    assert mapped is type(result)
    assert result is not None
    assert REQUEST is result.request


async def test_map_exception_of_a_real_connector_error() -> None:
    """``ClientConnectorError`` is ``ConnectError``; its proxy variant is ``ProxyError``."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError) as refused:
            await session.get(refused_url())
    error = refused.value
    proxy_error = aiohttp.ClientProxyConnectionError(error._conn_key, OSError(111, "refused"))
    assert httpx.ConnectError is type(map_exception(error, REQUEST))
    assert httpx.ProxyError is type(map_exception(proxy_error, REQUEST))


def test_map_exception_tells_a_pool_wait_from_a_connect_timeout() -> None:
    """A connect timeout raised while waiting for a free connection is ``PoolTimeout``."""

    def _wait_for_available_connection() -> None:
        raise asyncio.CancelledError

    try:
        try:
            _wait_for_available_connection()
        except asyncio.CancelledError as cancelled:
            raise aiohttp.ConnectionTimeoutError("timeout") from cancelled
    except aiohttp.ConnectionTimeoutError as exc:
        in_pool = exc
    assert httpx.PoolTimeout is type(map_exception(in_pool, REQUEST))


@pytest.mark.parametrize("raised", [asyncio.CancelledError(), ValueError("bug"), KeyError("k")])
def test_map_exception_leaves_other_exceptions_alone(raised: BaseException) -> None:
    """Cancellation and bugs are not transport errors: ``None``, so they propagate."""
    assert map_exception(raised, REQUEST) is None


# -- AsyncPictory end to end with its default transport -----------------------------------


async def test_client_end_to_end(server: LocalServer, fake_time: FakeTime) -> None:
    """get, list (3 pages) and delete work over the default transport, with our headers."""
    async with pictory(server.url, fake_time) as client:
        project = await client.projects.get("p1")
        ids = [item.id async for item in client.projects.list()]
        deleted = await client.projects.delete(42)
    assert ("Project p1", "p1") == (project.project_name, project.id)
    assert [1, "s1", 2, "s2", 3, "s3"] == ids
    assert (True, "Project deleted successfully") == (deleted.success, deleted.message)
    sent = [
        (URL(seen.path_qs).path, URL(seen.path_qs).query.get("pagekey")) for seen in server.seen
    ]
    assert [
        (f"{PROJECTS_PATH}/p1", None),
        (PROJECTS_PATH, None),
        (PROJECTS_PATH, "k/2+"),
        (PROJECTS_PATH, "k3"),
        (f"{PROJECTS_PATH}/42", None),
    ] == sent
    headers = server.seen[0].headers
    assert API_KEY == headers["Authorization"]
    assert headers["User-Agent"].startswith(f"pictory-async/{__version__} ")
    assert ("application/json", "gzip, deflate") == (headers["Accept"], headers["Accept-Encoding"])


async def test_client_errors_carry_a_full_response(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """A 404 over the default transport is a ``NotFoundError`` with response and request."""
    async with pictory(server.url, fake_time) as client:
        with pytest.raises(NotFoundError) as info:
            await client.projects.get("missing")
        result = await client.projects.delete("missing", missing_ok=True)
    exc = info.value
    assert ("Project not found", "r-404", {"message": "Project not found"}) == (
        exc.message,
        exc.request_id,
        exc.body,
    )
    assert f"{server.url}{PROJECTS_PATH}/missing" == str(exc.response.request.url)
    assert "'authorization': '[secure]'" in repr(exc.request.headers)
    assert result.already_absent


async def test_client_retries_with_the_injected_sleep(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """503s over the default transport are retried, waiting on the injected sleep."""
    server.failures_left = 2
    async with pictory(server.url, fake_time) as client:
        project = await client.projects.get("p1")
    assert "Project p1" == project.project_name
    assert 3 == len(server.seen)
    assert 2 == len(fake_time.waits)


async def test_client_lost_delete_then_404_is_a_success(fake_time: FakeTime) -> None:
    """The server hangs up on the first DELETE and answers 404 to the retry: success."""
    connections = 0

    async def first_hang_up_then_404(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal connections
        connections += 1
        await read_head(reader)
        if connections > 1:
            body = b'{"message": "Project not found"}'
            writer.write(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()
        writer.close()

    async with raw_server(first_hang_up_then_404) as url, pictory(url, fake_time) as client:
        result = await client.projects.delete("p1")
    assert (True, True, 2) == (result.success, result.inferred_from_retry, connections)


async def test_client_refused_is_a_connection_error(fake_time: FakeTime) -> None:
    """A refused connection, retries spent, is ``APIConnectionError`` naming ``ConnectError``."""
    async with pictory(refused_url(), fake_time, max_retries=1) as client:
        with pytest.raises(APIConnectionError, match="ConnectError") as info:
            await client.projects.get("p1")
    assert not isinstance(info.value, APITimeoutError)
    assert 1 == len(fake_time.waits)


async def test_client_read_timeout_is_a_timeout_error(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """No answer within ``timeout`` is ``APITimeoutError``: the whole-request bound ends it."""
    async with pictory(server.url, fake_time, timeout=0.1, max_retries=0) as client:
        with pytest.raises(APITimeoutError, match="the whole request") as info:
            await client._request("GET", "/slow")
    assert info.value.may_have_been_sent


async def test_client_closes_its_own_pool(server: LocalServer, fake_time: FakeTime) -> None:
    """``aclose()`` closes the pool the client built; a closed client sends nothing."""
    client = pictory(server.url, fake_time)
    async with client:
        await client.projects.get("p1")
    assert client._shared.http.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.projects.get("p1")
    assert 1 == len(server.seen)


async def test_client_reads_a_gzipped_answer(server: LocalServer, fake_time: FakeTime) -> None:
    """A gzip-encoded API answer (what Cloudflare sends) is decoded before parsing."""
    async with pictory(server.url, fake_time) as client:
        project = await client.projects.get("zipped")
    assert ("zipped", 3.5) == (project.project_name, project.video_duration)


# -- the body read in one go, and timers the pipeline's bound makes moot -------------------


async def test_a_small_body_over_the_cap_is_refused_and_the_connection_reused(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """A body read in one go past ``max_response_bytes`` is refused; the pool stays usable."""
    async with pictory(server.url, fake_time, max_connections=1, timeout=2.0) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.with_options(max_response_bytes=10).projects.get("p1")
        project = await client.projects.get("p2")
    assert "Project p2" == project.project_name
    assert 2 == len(server.seen)


async def test_a_body_read_in_one_go_leaves_the_response_as_httpx_would(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """The response a call hands on is read, consumed, closed and timed, as ``aread()`` does."""
    seen: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        seen.append(response)

    async with pictory(server.url, fake_time) as client:
        client.http_client.event_hooks["response"].append(keep)
        await client.projects.get("p1")
    response = seen[0]
    content = response.content
    assert (True, True, len(content)) == (
        response.is_stream_consumed,
        response.is_closed,
        response.num_bytes_downloaded,
    )
    assert b"Project p1" in content
    assert response.elapsed.total_seconds() > 0


async def test_a_body_an_event_hook_read_is_not_read_again(
    server: LocalServer, fake_time: FakeTime
) -> None:
    """A response hook that reads the body (``aread()``) leaves the call its content."""

    async def read(response: httpx.Response) -> None:
        await response.aread()

    async with pictory(server.url, fake_time) as client:
        client.http_client.event_hooks["response"].append(read)
        project = await client.projects.get("p1")
    assert "Project p1" == project.project_name


def _ours(body: bytes, *, step: int | None = None, **options: Any) -> httpx.Response:
    return httpx.Response(200, stream=_Body(body, step), request=REQUEST, **options)


async def test_read_body_only_for_our_unencoded_body_not_yet_read() -> None:
    """Our plain body read in one go is handed over; anything else goes through httpx."""
    consumed = _ours(b"read")
    await consumed.aread()
    gzipped = _ours(b"zz", headers={"Content-Encoding": "gzip"})
    others = [
        _ours(b"zz", step=ENCODED_CHUNK),
        gzipped,
        consumed,
        httpx.Response(200, content=b"respx", request=REQUEST),
        httpx.Response(200, stream=httpx.ByteStream(b"bytes"), request=REQUEST),
    ]
    assert b"plain" == read_body(_ours(b"plain"))
    assert [None] * len(others) == [read_body(response) for response in others]


def test_has_header_ignores_case() -> None:
    """``has_header`` finds a header whatever the case it was sent in."""
    headers = httpx.Headers([("Set-COOKIE", "a=1"), ("Content-Type", "text/plain")])
    assert (True, False) == (
        has_header(headers, b"set-cookie"),
        has_header(headers, b"content-encoding"),
    )


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        (None, (60.0, 10.0, 60.0)),  # no bound: all armed
        (60.0, (None, 10.0, None)),  # pool and read as long as the bound: moot
        (30.0, (None, 10.0, None)),
        (90.0, (60.0, 10.0, 60.0)),  # shorter than the bound: armed
    ],
)
def test_timeouts_the_senders_bound_makes_moot_are_not_armed(
    within: float | None, expected: tuple[float | None, ...]
) -> None:
    """A pool/read timeout no shorter than the sender's whole-request bound is left out."""
    given = httpx.Timeout(60.0, connect=10.0).as_dict()
    timeout = AiohttpTransport()._timeout(given, within)
    assert expected == (timeout.connect, timeout.sock_connect, timeout.sock_read)


@pytest.mark.parametrize("within", ["60", True, [60]])
def test_a_bound_that_is_no_number_arms_every_timer(within: object) -> None:
    """A ``WITHIN`` extension that is no number (set by hand) is ignored, not a crash."""
    given = httpx.Timeout(60.0, connect=10.0).as_dict()
    timeout = AiohttpTransport()._timeout(given, within)
    assert (60.0, 10.0, 60.0) == (timeout.connect, timeout.sock_connect, timeout.sock_read)


async def test_a_request_within_a_bound_still_reads_with_a_shorter_read_timeout(
    server: LocalServer,
) -> None:
    """A read timeout shorter than the bound still fires: ``ReadTimeout``, not the bound's."""
    transport = AiohttpTransport()
    request = httpx.Request(
        "GET",
        server.url + "/slow",
        extensions={"timeout": httpx.Timeout(5.0, read=0.1).as_dict(), WITHIN: 5.0},
    )
    with pytest.raises(httpx.ReadTimeout):
        await transport.handle_async_request(request)
    await transport.aclose()
