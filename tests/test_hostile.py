"""Hostile servers, hostile inputs, impatient callers: regression tests from the review.

Each case runs over loopback against ``RawServer`` (raw bytes, no HTTP library in
between), on the default transport and, where the behaviour must be the same, on a
user's plain ``httpx.AsyncClient`` too.
"""

from __future__ import annotations

import asyncio
import enum
import json
import threading
import traceback
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, PROJECTS_PATH, FakeTime, chain

from pictory_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncPictory,
    ClientClosedError,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
    PictoryError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from pictory_async._ids import validate_project_id

JSON = [("Content-Type", "application/json")]
PROJECT = b'{"projectName": "hostile"}'

Answer = Callable[[Seen], Any]


def ok(body: bytes = PROJECT) -> Answer:
    """Always answer 200 with ``body``."""
    return lambda seen: response(200, body, JSON)


@asynccontextmanager
async def pictory(
    server: RawServer, kind: str, fake_time: FakeTime, **options: Any
) -> AsyncIterator[AsyncPictory]:
    """A client for ``server``: ``default`` transport, or a user's plain ``httpx`` client."""
    options.setdefault("sleep", fake_time.sleep)
    options.setdefault("clock", fake_time.clock)
    if kind == "default":
        async with AsyncPictory(api_key=API_KEY, base_url=server.url, **options) as client:
            yield client
        return
    async with (
        httpx.AsyncClient(timeout=5) as http,
        AsyncPictory(api_key=API_KEY, base_url=server.url, http_client=http, **options) as client,
    ):
        yield client


KINDS = pytest.mark.parametrize("kind", ["default", "httpx"])


def assert_key_unreachable(exc: BaseException) -> None:
    """The key is nowhere in the exception: text, attributes, chain, traceback locals.

    Frames of this test module (whose locals hold the server's record of the headers
    it received) are left out of the rendering; the library's frames are all in.
    """
    for item in chain(exc):
        tb = item.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        rendered = "".join(
            traceback.TracebackException(type(item), item, tb, capture_locals=True).format()
        )
        assert API_KEY not in rendered
    for item in chain(exc):
        assert API_KEY not in str(item)
        assert API_KEY not in repr(item)
        for value in vars(item).values():
            assert API_KEY not in repr(value)
        request = getattr(item, "request", None)
        if isinstance(request, httpx.Request):
            assert API_KEY not in str(request.headers.raw)
        response_ = getattr(item, "response", None)
        if isinstance(response_, httpx.Response):
            assert API_KEY not in str(response_.request.headers.raw)
        assert not type(item).__module__.startswith("aiohttp")


# -- redirects --------------------------------------------------------------------------


@KINDS
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_never_a_success(kind: str, status: int, fake_time: FakeTime) -> None:
    """A 3xx to DELETE, GET or list is a typed error, not followed, never "deleted"."""
    location = [("Location", "https://elsewhere.example/x")]
    async with (
        RawServer(lambda seen: response(status, b"", location, "Moved")) as server,
        pictory(server, kind, fake_time) as client,
    ):
        for call in (
            lambda: client.projects.delete("p1"),
            lambda: client.projects.get("p1"),
            lambda: anext(aiter(client.projects.list())),
        ):
            with pytest.raises(APIStatusError) as info:
                await call()
            assert status == info.value.status_code
            assert "redirect to https://elsewhere.example/x" in str(info.value)
        result = await client.projects.delete_many(["a", "b"], concurrency=1)
    assert ([], 2) == (result.deleted, len(result.failed))
    assert {"127.0.0.1"} == {seen.headers["host"].split(":")[0] for seen in server.seen}


# -- ids that are not what they say -----------------------------------------------------


class EvilInt(int):
    """An int whose text is a path traversal."""

    def __str__(self) -> str:
        return "../../admin?x=1#"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return "../../admin"

    def __index__(self) -> int:
        return 666

    def __int__(self) -> int:
        return 777


class EvilStr(str):
    """A str whose ``str()`` is a path traversal."""

    __slots__ = ()

    def __str__(self) -> str:
        return "../../../admin"

    def __format__(self, spec: str) -> str:
        return "../../../admin"


class Color(enum.IntEnum):
    """An ``IntEnum``, whose ``str`` differs across Python versions."""

    RED = 7


@KINDS
async def test_int_and_str_subclasses_reach_only_their_own_path(
    kind: str, fake_time: FakeTime
) -> None:
    """Subclass ids are sent as the plain value they hold, whatever ``__str__`` says."""
    body = b'{"success": true}'
    async with (
        RawServer(ok(body)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        await client.projects.delete(EvilInt(5))
        await client.projects.delete(EvilStr("abc"))
        await client.projects.get(Color.RED)
        result = await client.projects.delete_many([EvilInt(9)])
    assert [
        f"{PROJECTS_PATH}/5",
        f"{PROJECTS_PATH}/abc",
        f"{PROJECTS_PATH}/7",
        f"{PROJECTS_PATH}/9",
    ] == [seen.target for seen in server.seen]
    assert 1 == len(result.deleted)


@pytest.mark.parametrize("project_id", [10**200, 10**5000, -(10**300)], ids=["200", "5000", "-300"])
async def test_huge_int_ids_are_refused_before_sending(project_id: int) -> None:
    """Int ids have the same 200-character bound as string ids: a typed error, no request."""
    async with AsyncPictory(api_key=API_KEY, base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidProjectIdError):
            await client.projects.get(project_id)
    assert 10**200 - 1 == validate_project_id(10**200 - 1)


# -- the key -----------------------------------------------------------------------------


async def _refused_url() -> str:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return f"http://127.0.0.1:{port}"


@KINDS
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            lambda seen: b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}", id="bad-length"
        ),
        pytest.param(
            lambda seen: response(200, b"{}", [("Set-Cookie", "a=" + "x" * 9000)]), id="9k-header"
        ),
        pytest.param(lambda seen: b"NOT HTTP AT ALL\r\n\r\n", id="garbage"),
        pytest.param(lambda seen: response(403, b'{"message": "no"}', JSON), id="403"),
    ],
)
async def test_the_key_is_unreachable_from_any_error(
    kind: str, answer: Answer, fake_time: FakeTime
) -> None:
    """Whatever went wrong, nothing reachable from the error holds the API key."""
    async with (
        RawServer(answer) as server,
        pictory(server, kind, fake_time, max_retries=1) as client,
    ):
        try:
            await client.projects.get("p1")
        except PictoryError as exc:
            assert_key_unreachable(exc)
        else:  # h11 takes a 9 KB header that aiohttp refuses: fine, nothing to leak
            assert "httpx" == kind


@KINDS
async def test_the_key_is_unreachable_from_a_refused_connection(
    kind: str, fake_time: FakeTime
) -> None:
    """A refused connection is an ``APIConnectionError`` that chains nothing with the key."""
    server = RawServer(ok())
    server.url = await _refused_url()
    async with pictory(server, kind, fake_time, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.projects.get("p1")
    assert_key_unreachable(info.value)
    assert not info.value.may_have_been_sent
    assert "ssl:default" not in str(info.value)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("api_key", API_KEY + "\u201d"),
        ("api_key", "pictai_\u00e9" + API_KEY),
        ("api_key", API_KEY + "\x00"),
        ("user_agent", "my-app/1.0 \u2014 prod"),
    ],
)
def test_non_ascii_key_or_user_agent_is_refused_without_echo(option: str, value: str) -> None:
    """A key or user agent that cannot be a header is an ``InvalidInputError``, key unseen."""
    options: dict[str, Any] = {"api_key": API_KEY, option: value}
    with pytest.raises(InvalidInputError) as info:
        AsyncPictory(**options)
    for item in chain(info.value):
        assert API_KEY not in str(item)
        assert API_KEY not in repr(item.args)


@pytest.mark.parametrize(
    "base_url",
    ["http://user:hunter2@127.0.0.1:9", "https://hunter2@api.pictory.ai", "http://:hunter2@h/"],
)
def test_credentials_in_base_url_are_refused_without_echo(base_url: str) -> None:
    """A base URL with ``user:password@`` is refused; the message does not show it."""
    with pytest.raises(InvalidInputError) as info:
        AsyncPictory(api_key=API_KEY, base_url=base_url)
    assert "hunter2" not in str(info.value)
    assert "credentials" in str(info.value)


@pytest.mark.parametrize(
    "base_url",
    ["http://user:hunter2@[host", "http://user:hunter2@host]", "https://hunter2@[::1"],
)
def test_credentials_in_an_unreadable_base_url_are_refused_without_echo(base_url: str) -> None:
    """``user:password@`` before a broken host is refused at construction; it is not shown."""
    with pytest.raises(InvalidInputError, match="base_url") as info:
        AsyncPictory(api_key=API_KEY, base_url=base_url)
    for item in chain(info.value):
        assert "hunter2" not in str(item)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://proxy.example/pictory@v2", "https://proxy.example/pictory@v2"),
        ("http://[host", None),
        ("http://host]", None),
        ("http://api.pictory.ai:99999", None),
        ("http://:8080", None),
        ("ftp://api.pictory.ai", None),
    ],
)
async def test_a_base_url_is_taken_only_as_both_parsers_read_it(
    base_url: str, expected: str | None
) -> None:
    """IPv6 hosts and an ``@`` in the path are fine; a host httpx or urlsplit reject is not."""
    actual: str | None
    try:
        client = AsyncPictory(api_key=API_KEY, base_url=base_url)
    except InvalidInputError as error:
        actual = None if str(error).startswith("base_url") else str(error)
    else:
        async with client:
            actual = client.base_url
    assert expected == actual


# -- bodies ------------------------------------------------------------------------------


def gzip_bomb(megabytes: int) -> bytes:
    """Gzip of ``megabytes`` MiB of spaces, made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    spaces = b" " * (1024 * 1024)
    return b"".join([*(packer.compress(spaces) for _ in range(megabytes)), packer.flush()])


@pytest.mark.parametrize(("kind", "bound_mb"), [("default", 24), ("httpx", 200)])
async def test_a_gzip_bomb_stops_at_the_cap(kind: str, bound_mb: int, fake_time: FakeTime) -> None:
    """A body that inflates past ``max_response_bytes`` is a typed error, memory bounded.

    Memory stays within a few times what one network chunk inflates to: our transport
    hands httpx 4 KiB slices (~4 MiB inflated), httpcore reads 64 KiB (~64 MiB); never
    the 256 MiB the body would be.
    """
    bomb = gzip_bomb(256)
    headers = [*JSON, ("Content-Encoding", "gzip")]
    async with (
        RawServer(lambda seen: response(200, bomb, headers)) as server,
        pictory(server, kind, fake_time, max_response_bytes=1024 * 1024) as client,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as info:
                await client.projects.get("p1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (200, 1024 * 1024) == (info.value.status_code, info.value.limit)
    assert 1 == len(server.seen)  # not retried
    assert peak < bound_mb * 1024 * 1024


@KINDS
async def test_a_plain_body_over_the_cap_is_refused(kind: str, fake_time: FakeTime) -> None:
    """A 4 MiB plain body with a 1 MiB cap is ``ResponseTooLargeError``."""
    big = b"[" + b"0," * (2 * 1024 * 1024) + b"0]"
    async with (
        RawServer(lambda seen: response(200, big, JSON)) as server,
        pictory(server, kind, fake_time, max_response_bytes=1024 * 1024) as client,
    ):
        with pytest.raises(ResponseTooLargeError):
            await client.projects.get("p1")


DEEP = b"[" * 100_000 + b"]" * 100_000


@KINDS
@pytest.mark.parametrize(
    ("status", "error"), [(200, ResponseValidationError), (400, APIStatusError)]
)
async def test_deeply_nested_json_is_a_typed_error(
    kind: str, status: int, error: type[PictoryError], fake_time: FakeTime
) -> None:
    """JSON nested past the recursion limit: a typed error, never ``RecursionError``."""
    async with (
        RawServer(lambda seen: response(status, DEEP, JSON)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        with pytest.raises(error):
            await client.projects.get("p1")
        with pytest.raises(error):
            await anext(aiter(client.projects.list()))


@KINDS
async def test_deeply_nested_json_in_a_5xx_is_still_retried(kind: str, fake_time: FakeTime) -> None:
    """A 500 whose body cannot be decoded is still an ``InternalServerError``, retried."""
    answers = iter([response(500, DEEP, JSON), response(200, PROJECT, JSON)])
    async with (
        RawServer(lambda seen: next(answers)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        project = await client.projects.get("p1")
    assert ("hostile", 2) == (project.project_name, len(server.seen))


@KINDS
async def test_a_utf8_byte_order_mark_is_tolerated(kind: str, fake_time: FakeTime) -> None:
    """JSON with a UTF-8 BOM is read (RFC 8259 lets parsers ignore it)."""
    async with (
        RawServer(ok(b"\xef\xbb\xbf" + PROJECT)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        assert "hostile" == (await client.projects.get("p1")).project_name


@KINDS
async def test_a_gzip_header_on_a_plain_body(kind: str, fake_time: FakeTime) -> None:
    """``Content-Encoding: gzip`` on a plain 200 body: one typed error, not retried."""
    headers = [*JSON, ("Content-Encoding", "gzip")]
    async with (
        RawServer(lambda seen: response(200, PROJECT, headers)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        with pytest.raises(ResponseValidationError, match="could not be decoded"):
            await client.projects.get("p1")
    assert 1 == len(server.seen)


@KINDS
async def test_a_gzip_header_on_a_plain_5xx_body_is_retried(kind: str, fake_time: FakeTime) -> None:
    """A 503 whose body does not decode is still retried as a 503."""
    bad = response(503, b"oops", [("Content-Encoding", "gzip")], "Service Unavailable")
    answers = iter([bad, bad, response(200, PROJECT, JSON)])
    async with (
        RawServer(lambda seen: next(answers)) as server,
        pictory(server, kind, fake_time) as client,
    ):
        assert "hostile" == (await client.projects.get("p1")).project_name
    assert 3 == len(server.seen)


# -- time --------------------------------------------------------------------------------


@KINDS
async def test_timeout_bounds_the_whole_request(kind: str, fake_time: FakeTime) -> None:
    """A server trickling one byte every 20 ms cannot hold a 0.15 s call past its timeout."""

    async def trickle(seen: Seen) -> AsyncIterator[bytes | None]:
        yield f"HTTP/1.1 200 OK\r\nContent-Length: {len(PROJECT)}\r\n\r\n".encode()
        for index in range(len(PROJECT)):
            await asyncio.sleep(0.02)
            yield PROJECT[index : index + 1]

    async with (
        RawServer(trickle) as server,
        pictory(server, kind, fake_time, timeout=0.15, max_retries=0) as client,
    ):
        with pytest.raises(APITimeoutError, match="the whole request") as info:
            await client.projects.get("p1")
    assert info.value.may_have_been_sent


# -- event loops and closing -------------------------------------------------------------


def test_a_second_event_loop_is_a_clear_error() -> None:
    """Using a client from a second ``asyncio.run`` says why; closing it there works."""
    loop = asyncio.new_event_loop()
    # Connection: close, so that no pooled connection is left in the first loop
    server = RawServer(
        lambda seen: response(200, b'{"items": []}', [*JSON, ("Connection", "close")])
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(5)
        client = AsyncPictory(api_key=API_KEY, base_url=server.url)

        async def once() -> list[Any]:
            return [summary async for summary in client.projects.list()]

        assert [] == asyncio.run(once())
        with pytest.raises(RuntimeError, match="another event loop"):
            asyncio.run(once())
        asyncio.run(client.aclose())
        assert client.is_closed
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


async def test_closing_during_a_call_is_client_closed(fake_time: FakeTime) -> None:
    """``aclose()`` while a call waits for its answer ends it with ``ClientClosedError``."""
    started = asyncio.Event()

    async def stall(seen: Seen) -> AsyncIterator[bytes | None]:
        started.set()
        await asyncio.sleep(30)
        yield response(200, PROJECT, JSON)

    async with RawServer(stall) as server:
        client = AsyncPictory(
            api_key=API_KEY, base_url=server.url, sleep=fake_time.sleep, clock=fake_time.clock
        )
        call = asyncio.create_task(client.projects.delete("p1"))
        await started.wait()
        await client.aclose()
        with pytest.raises(ClientClosedError, match="may or may not"):
            await call
        with pytest.raises(ClientClosedError):
            await client.projects.get("p1")
    assert 1 == len(server.seen)


async def test_closing_during_a_bulk_run_reports_in_flight_as_not_failed(
    fake_time: FakeTime,
) -> None:
    """A bulk run cut by ``aclose()``: in flight ``cancelled``, the rest ``not_started``."""
    started = asyncio.Event()

    async def stall(seen: Seen) -> AsyncIterator[bytes | None]:
        started.set()
        await asyncio.sleep(30)
        yield response(200, b'{"success": true}', JSON)

    async with RawServer(stall) as server:
        client = AsyncPictory(
            api_key=API_KEY, base_url=server.url, sleep=fake_time.sleep, clock=fake_time.clock
        )
        run = client.projects.delete_many_stream(["a", "b", "c"], concurrency=1)

        async def consume() -> None:
            async with run:
                async for _ in run:
                    pass

        task = asyncio.create_task(consume())
        await started.wait()
        await client.aclose()
        with pytest.raises(ClientClosedError):
            await task
    result = run.result
    assert (3, ["a"], ["b", "c"]) == (result.total, result.cancelled, result.not_started)
    assert ([], []) == (result.deleted, result.failed)


# -- retries within a budget ---------------------------------------------------------------


@KINDS
async def test_retries_stop_at_the_time_budget(kind: str, fake_time: FakeTime) -> None:
    """With ``Retry-After: 50`` and a 120 s budget, the third attempt is the last."""
    busy = response(503, b"", [("Retry-After", "50")], "Service Unavailable")
    async with (
        RawServer(lambda seen: busy) as server,
        pictory(server, kind, fake_time, max_retries=10, max_retry_time=120) as client,
    ):
        with pytest.raises(InternalServerError) as info:
            await client.projects.get("p1")
    assert (3, [50.0, 50.0]) == (len(server.seen), fake_time.waits)
    assert "after 3 attempts" in str(info.value)


async def test_a_lost_delete_answer_then_404_is_a_success(fake_time: FakeTime) -> None:
    """The first DELETE's answer is lost (hang-up); the retry's 404 means it was applied."""
    answers: Iterator[Any] = iter([None, response(404, b'{"message": "Project not found"}', JSON)])

    def answer(seen: Seen) -> Any:
        current = next(answers)
        if current is None:

            async def hang_up() -> AsyncIterator[bytes | None]:
                yield None

            return hang_up()
        return current

    async with (
        RawServer(answer) as server,
        pictory(server, "default", fake_time) as client,
    ):
        result = await client.projects.delete("p1")
    assert (True, True, 2) == (result.success, result.inferred_from_retry, len(server.seen))


def test_json_fixture_is_what_the_api_sends() -> None:
    """The body used above is a project the converter reads."""
    assert {"projectName": "hostile"} == json.loads(PROJECT)


async def test_a_timeout_raised_by_a_users_transport_is_an_api_timeout(
    fake_time: FakeTime,
) -> None:
    """A user's transport raising a plain ``TimeoutError`` (no total bound set) is typed."""

    async def handler(request: httpx.Request) -> httpx.Response:
        raise TimeoutError

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
        AsyncPictory(
            api_key=API_KEY, http_client=http, max_retries=0, sleep=fake_time.sleep
        ) as client,
    ):
        with pytest.raises(APITimeoutError, match=r"timed out$"):
            await client.projects.get("p1")
