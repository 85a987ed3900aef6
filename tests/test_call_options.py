"""Per-call options: timeout, max_retries and extra headers, query and body, checked first."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, ClientFactory

from pictory_async import InternalServerError, InvalidInputError

PROJECT = "/pictoryapis/v2/projects/p1"
BODY = {"projectName": "x"}


async def test_extra_headers_and_query_reach_the_request(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """extra_headers and extra_query are merged in; the key stays."""
    route = router.get(PROJECT).respond(200, json=BODY)
    async with make_client() as client:
        await client.projects.get(
            "p1", extra_headers={"X-Trace": "t1"}, extra_query={"expand": "scenes", "n": 3}
        )
    request = route.calls.last.request
    assert "t1" == request.headers["x-trace"]
    assert API_KEY == request.headers["authorization"]
    assert {"expand": "scenes", "n": "3"} == dict(request.url.params)


async def test_an_extra_header_replaces_ours_whatever_its_case(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """extra_headers wins over a default header, with no duplicate."""
    route = router.get(PROJECT).respond(200, json=BODY)
    async with make_client() as client:
        await client.projects.get("p1", extra_headers={"accept": "application/x-test"})
    assert ["application/x-test"] == route.calls.last.request.headers.get_list("accept")


async def test_extra_body_merges_into_the_json_body(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """extra_body adds fields (and replaces given ones) in a JSON object body."""
    route = router.put(PROJECT).respond(200, json={})
    async with make_client() as client:
        await client.projects.update(
            {"id": "p1", "projectName": "a"}, extra_body={"projectName": "b", "new": 1}
        )
    assert {"id": "p1", "projectName": "b", "new": 1} == json.loads(
        route.calls.last.request.content
    )


async def test_extra_body_on_a_request_without_body_is_refused(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A GET has no body to merge into: InvalidInputError, nothing sent."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="no body"):
            await client.projects.get("p1", extra_body={"a": 1})
    assert 0 == len(router.calls)


async def test_extra_body_on_a_json_array_is_refused(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An array body has no fields to add."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="JSON object"):
            await client.put("/pictoryapis/v1/x", json=[1], extra_body={"a": 1})
    assert 0 == len(router.calls)


async def test_an_unknown_option_is_a_type_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A typo in an option name fails like any unknown keyword, before sending."""
    async with make_client() as client:
        with pytest.raises(TypeError, match="extra_header"):
            await client.projects.get("p1", extra_header={"a": "b"})  # type: ignore[call-arg]
    assert 0 == len(router.calls)


@pytest.mark.parametrize(
    "options",
    [
        {"extra_headers": "X: 1"},
        {"extra_headers": {"X": None}},
        {"extra_headers": {"": "v"}},
        {"extra_headers": {"X": "a\nb"}},
        {"extra_headers": {"X": "a\r\nInjected: 1"}},
        {"extra_headers": {"X\r\nY": "v"}},
        {"extra_headers": {"Bad Name": "v"}},
        {"extra_headers": {"X": "caf\u00e9"}},
        {"extra_headers": {"X": "nul\x00"}},
        {"extra_headers": {"Host": "evil.example"}},
        {"extra_headers": {"content-length": "0"}},
        {"extra_headers": {"Transfer-Encoding": "chunked"}},
        {"extra_query": {"a": [1]}},
        {"extra_body": ["a"]},
        {"extra_body": {1: "a"}},
        {"timeout": -1},
        {"timeout": "5"},
        {"max_retries": -1},
        {"max_retries": True},
    ],
)
async def test_bad_option_values_are_refused_before_sending(
    router: respx.Router, make_client: ClientFactory, options: dict[str, Any]
) -> None:
    """Every option value is checked; nothing is sent for a bad one."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError):
            await client.projects.get("p1", **options)
    assert 0 == len(router.calls)


async def test_max_retries_per_call(router: respx.Router, make_client: ClientFactory) -> None:
    """max_retries=0 on one call: one attempt; the client's own count is unchanged."""
    route = router.get(PROJECT).respond(500)
    async with make_client(max_retries=3) as client:
        with pytest.raises(InternalServerError):
            await client.projects.get("p1", max_retries=0)
        assert 1 == route.call_count
        with pytest.raises(InternalServerError):
            await client.projects.get("p1")
        assert 1 + 4 == route.call_count
        assert 3 == client.max_retries


async def test_timeout_per_call_reaches_the_request(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """timeout= sets this call's httpx timeout extension."""
    route = router.get(PROJECT).respond(200, json=BODY)
    async with make_client(timeout=60) as client:
        await client.projects.get("p1", timeout=timedelta(seconds=2.5))
        short = route.calls.last.request.extensions["timeout"]
        await client.projects.get("p1")
        default = route.calls.last.request.extensions["timeout"]
    assert 2.5 == short["read"]
    assert 60 == default["read"]


async def test_variants_are_cached_and_share_the_pool(make_client: ClientFactory) -> None:
    """The same per-call options reuse one variant, on the client's own pool."""
    from pictory_async._call_options import resolve_call_options

    async with make_client() as client:
        first = client._variant(resolve_call_options({"max_retries": 1}))
        again = client._variant(resolve_call_options({"max_retries": 1}))
        assert first is again
        assert client.http_client is first.http_client


async def test_variant_cache_stays_bounded(make_client: ClientFactory) -> None:
    """Many distinct timeouts do not grow the cache without end."""
    from pictory_async._call_options import resolve_call_options

    async with make_client() as client:
        for seconds in range(1, 100):
            client._variant(resolve_call_options({"timeout": float(seconds)}))
        assert len(client._variants) <= 32


async def test_options_without_changes_use_the_client_itself(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Only timeout/max_retries build a variant; extra headers alone do not."""
    router.get(PROJECT).respond(200, json=BODY)
    async with make_client() as client:
        await client.projects.get("p1", extra_headers={"a": "b"})
        assert {} == client._variants


async def test_with_options_copies_do_not_share_resources(make_client: ClientFactory) -> None:
    """A copy builds its own resources, bound to itself."""
    async with make_client() as client:
        original = client.projects
        copy = client.with_options(max_retries=0)
        assert copy.projects is not original
        assert copy is copy.projects._client
        assert client.projects is original


async def test_resources_are_built_once_on_first_use(make_client: ClientFactory) -> None:
    """client.projects is one object, built when first read."""
    async with make_client() as client:
        assert "projects" not in vars(client)
        assert client.projects is client.projects
        assert "projects" in vars(client)


def test_http_response_header_helpers_unchanged() -> None:
    """httpx.Headers replaces case-insensitively (what the merge relies on)."""
    headers = httpx.Headers({"Accept": "a"})
    headers["accept"] = "b"
    assert ["b"] == headers.get_list("Accept")
