"""Fast twins of httpx's canonical paths, held equal to them on generated inputs.

Each twin reads or writes an httpx private (``URL._uri_reference``, ``Response._content``,
``_num_bytes_downloaded``, the ``_stream`` that ``send`` wraps around a transport's body)
to skip work httpx would redo. Each is compared here with the public path it replaces;
CI also runs this file against the newest httpx release (``.ci/run``), so a change in
httpx shows as a failure here, not as a wrong request or body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import APIStatusError, AsyncPictory, _http
from pictory_async._http import RequestFactory
from pictory_async._transport import _Body, read_body

KEY = "pictai_twin-test-key"
_MOCK = httpx.MockTransport(lambda request: httpx.Response(200))
UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"

labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
hosts = st.one_of(
    st.lists(labels, min_size=1, max_size=3).map(".".join),
    st.sampled_from(["127.0.0.1", "[::1]", "[2001:db8::7]", "api.pictory.ai", "bücher.example"]),
)
ports = st.one_of(st.none(), st.integers(min_value=1, max_value=65535))
escapes = st.integers(min_value=0, max_value=255).map(lambda byte: f"%{byte:02X}")
segments = (
    st.lists(st.one_of(st.sampled_from(UNRESERVED), escapes), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda segment: segment not in (".", ".."))  # never an API path's segment
)
paths = st.lists(segments, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
prefixes = st.one_of(st.just(""), st.just("/"), paths, paths.map(lambda path: path + "/"))


def base_url(scheme: str, host: str, port: int | None, prefix: str) -> str:
    """A base URL as ``_options.resolve_base_url`` lets through."""
    return f"{scheme}://{host}{'' if port is None else f':{port}'}{prefix}"


def test_the_fast_paths_are_taken_on_this_httpx() -> None:
    """This httpx still has the privates the twins use (else they fall back, slower)."""
    assert _http._url_with_path is not None
    response = asyncio.run(_send(_Body(b"body", None)))
    assert b"body" == read_body(response)


@settings(max_examples=200, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=hosts,
    port=ports,
    prefix=prefixes,
    path=paths,
)
def test_a_url_with_another_path_equals_the_parsed_url(
    scheme: str, host: str, port: int | None, prefix: str, path: str
) -> None:
    """``_url_with_path`` gives the URL httpx parses from the joined string."""
    with_path = _http._url_with_path
    assert with_path is not None
    base = base_url(scheme, host, port, prefix)
    parsed = httpx.URL(base)
    expected = httpx.URL(base.rstrip("/") + path)
    actual = with_path(parsed, parsed.raw_path.decode("ascii").rstrip("/") + path)
    assert expected == actual
    assert str(expected) == str(actual)
    assert (expected.raw_path, expected.netloc, expected.port) == (
        actual.raw_path,
        actual.netloc,
        actual.port,
    )


header_names = st.sampled_from(["X-Trace", "Accept", "User-Agent", "X-Api-Version", "Host"])
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=hosts,
    port=ports,
    prefix=prefixes,
    path=paths,
    method=st.sampled_from(["GET", "DELETE", "POST"]),
    client_headers=st.dictionaries(header_names, header_values, max_size=3),
    ours=st.dictionaries(header_names, header_values, max_size=3),
    timeout=st.sampled_from([httpx.Timeout(5.0), httpx.Timeout(60.0, connect=10.0)]),
)
def test_the_request_factory_builds_what_build_request_builds(
    scheme: str,
    host: str,
    port: int | None,
    prefix: str,
    path: str,
    method: str,
    client_headers: dict[str, str],
    ours: dict[str, str],
    timeout: httpx.Timeout,
) -> None:
    """``RequestFactory.build`` equals ``AsyncClient.build_request`` for the same call."""
    base = base_url(scheme, host, port, prefix).rstrip("/")
    http = httpx.AsyncClient(headers=client_headers, transport=_MOCK, trust_env=False)
    headers = httpx.Headers(ours)
    expected = http.build_request(method, base + path, headers=headers, timeout=timeout)
    actual = RequestFactory(http, base, headers, timeout).build(method, path)
    assert (expected.method, expected.url, str(expected.url)) == (
        actual.method,
        actual.url,
        str(actual.url),
    )
    assert expected.headers.raw == actual.headers.raw
    assert expected.extensions == actual.extensions
    assert (expected.content, expected.stream.__class__) == (
        actual.content,
        actual.stream.__class__,
    )


async def _send(body: httpx.AsyncByteStream) -> httpx.Response:
    """A response whose stream is ``body``, as ``send`` hands back our transport's."""

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body, request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), trust_env=False)
    return await client.send(client.build_request("GET", "https://cdn.example/x"), stream=True)


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


async def _observed(response: httpx.Response) -> tuple[object, ...]:
    """What a user can see of a read response."""
    again = [chunk async for chunk in response.aiter_bytes()]
    return (
        response.content,
        response.is_stream_consumed,
        response.is_closed,
        response.num_bytes_downloaded,
        response.text,
        b"".join(again),
        await response.aread(),
    )


class _Answer(httpx.AsyncBaseTransport):
    """Answers every request with ``status`` and ``stream`` (read once)."""

    def __init__(self, status: int, stream: httpx.AsyncByteStream) -> None:
        self._status = status
        self._stream = stream

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self._status, stream=self._stream, request=request)


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=4096))
def test_a_body_the_pipeline_takes_from_our_transport_equals_aread(body: bytes) -> None:
    """An API answer our transport read in one go leaves the response as ``aread()`` does."""

    async def both() -> tuple[tuple[object, ...], tuple[object, ...]]:
        canonical = await _send(_Body(body, None))
        await canonical.aread()
        http = httpx.AsyncClient(transport=_Answer(200, _Body(body, None)), trust_env=False)
        async with AsyncPictory(KEY, base_url="https://api.example", http_client=http) as client:
            fast = (await client._request("GET", "/p")).response
        return await _observed(canonical), await _observed(fast)

    expected, actual = asyncio.run(both())
    assert expected == actual


@settings(max_examples=100, deadline=None)
@given(chunks=st.lists(st.binary(max_size=512), max_size=6), status=st.sampled_from([404, 503]))
def test_a_cdn_error_body_the_pipeline_keeps_equals_aread(chunks: list[bytes], status: int) -> None:
    """The start of a CDN error answer, kept for its message, is what ``aread()`` keeps."""

    async def both() -> tuple[tuple[object, ...], tuple[object, ...]]:
        canonical = await _send(_Chunks(chunks))
        await canonical.aread()
        http = httpx.AsyncClient(transport=_Answer(status, _Chunks(chunks)), trust_env=False)
        client = AsyncPictory(KEY, http_client=http, max_retries=0)
        pipeline = client._pipeline
        request = pipeline.cdn_request(httpx.URL("https://cdn.example/x"), {})
        with pytest.raises(APIStatusError) as info:
            await pipeline.open(request, describe="GET /x", attempts=1)
        fast = info.value.response
        return await _observed(canonical), await _observed(fast)

    expected, actual = asyncio.run(both())
    assert expected == actual
