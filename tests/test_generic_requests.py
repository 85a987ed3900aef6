"""``client.get/post/put/delete``: any endpoint through the one pipeline, checked first."""

from __future__ import annotations

import json
from typing import Any

import attrs
import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, ClientFactory

from pictory_async import (
    APIConnectionError,
    AsyncPictory,
    InvalidInputError,
    NotFoundError,
    Quota,
    ResponseValidationError,
)

STYLES = "/pictoryapis/v1/styles"


@attrs.frozen
class Style:
    """A model a user defines for an endpoint we do not model."""

    id: str
    name: str | None = None


async def test_get_returns_the_decoded_json_by_default(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Without cast_to, the body comes back decoded, envelope and all."""
    body = {"success": True, "data": [{"id": "s1"}]}
    router.get(STYLES).respond(200, json=body)
    async with make_client() as client:
        assert body == await client.get(STYLES)


async def test_cast_to_an_attrs_model_unwraps_the_data_envelope(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An attrs model is structured from ``data`` by the one converter."""
    router.get("/pictoryapis/v1/quota").respond(
        200, json={"success": True, "data": {"videoMinutes": {"used": 1, "limit": 5}}}
    )
    async with make_client() as client:
        quota = await client.get("/pictoryapis/v1/quota", cast_to=Quota)
    assert quota.video_minutes is not None
    assert 5 == quota.video_minutes.limit


@pytest.mark.parametrize(
    ("cast_to", "expected"),
    [
        (bytes, b'{"id":"s1"}'),
        (str, '{"id":"s1"}'),
        (dict, {"id": "s1"}),
        (type(None), None),
    ],
)
async def test_cast_to_plain_types(
    router: respx.Router, make_client: ClientFactory, cast_to: Any, expected: Any
) -> None:
    """bytes, str, dict and NoneType each get the answer in that form."""
    router.get(STYLES).respond(200, content=b'{"id":"s1"}')
    async with make_client() as client:
        assert expected == await client.get(STYLES, cast_to=cast_to)


async def test_cast_to_response_hands_back_the_httpx_response(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """cast_to=httpx.Response returns the response, body read."""
    router.get(STYLES).respond(201, json=[])
    async with make_client() as client:
        response = await client.get(STYLES, cast_to=httpx.Response)
    assert 201 == response.status_code
    assert b"[]" == response.content


async def test_a_body_that_does_not_fit_cast_to_is_a_typed_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A model that cannot be built is ResponseValidationError, not a cattrs error."""
    router.get(STYLES).respond(200, json={"name": "no id"})
    async with make_client() as client:
        with pytest.raises(ResponseValidationError):
            await client.get(STYLES, cast_to=Style)


async def test_an_empty_answer_is_none_without_cast_to(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 204 decodes to None rather than a JSON error."""
    router.put("/pictoryapis/v2/video/storyboard/j1/elements").respond(204)
    async with make_client() as client:
        assert None is await client.put("/pictoryapis/v2/video/storyboard/j1/elements", json=[])


async def test_post_sends_compact_json_with_the_key_and_params(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The body is JSON with its content type; the key and query ride along."""
    route = router.post("/pictoryapis/v1/music/search").respond(200, json={"ok": 1})
    async with make_client() as client:
        await client.post(
            "/pictoryapis/v1/music/search", json={"mood": "calm", "n": 2}, params={"page": 2}
        )
    request = route.calls.last.request
    assert {"mood": "calm", "n": 2} == json.loads(request.content)
    assert "application/json" == request.headers["content-type"]
    assert API_KEY == request.headers["authorization"]
    assert "2" == request.url.params["page"]


async def test_post_accepts_an_attrs_body(router: respx.Router, make_client: ClientFactory) -> None:
    """An attrs body is unstructured by the one converter before it is sent."""
    route = router.post("/pictoryapis/v1/x").respond(200, json={})
    async with make_client() as client:
        await client.post("/pictoryapis/v1/x", json=Style(id="a", name="b"))
        assert {"id": "a", "name": "b"} == json.loads(route.calls.last.request.content)
        await client.post("/pictoryapis/v1/x", json=Style(id="a"))  # None: left out
        assert {"id": "a"} == json.loads(route.calls.last.request.content)


async def test_a_post_is_not_resent_once_it_may_have_been_applied(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 503 to a POST ends the call with may_have_been_applied; one request only."""
    route = router.post("/pictoryapis/v1/x").respond(503)
    async with make_client() as client:
        with pytest.raises(Exception) as caught:
            await client.post("/pictoryapis/v1/x", json={})
    assert 1 == route.call_count
    assert caught.value.may_have_been_applied is True  # type: ignore[attr-defined]


async def test_an_idempotent_post_is_retried(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """idempotent=True (a search) is retried after a 503 like a GET."""
    route = router.post("/pictoryapis/v1/x").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"ok": True})]
    )
    async with make_client() as client:
        assert {"ok": True} == await client.post("/pictoryapis/v1/x", json={}, idempotent=True)
    assert 2 == route.call_count


async def test_a_lost_post_connection_after_sending_is_not_retried(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A read error after the POST went out: raised, not resent."""
    route = router.post("/pictoryapis/v1/x").mock(side_effect=httpx.ReadError("cut"))
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.post("/pictoryapis/v1/x", json={"a": 1})
    assert 1 == route.call_count
    assert caught.value.may_have_been_applied is True


async def test_errors_are_the_usual_typed_ones(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 404 from a generic call is NotFoundError, as from a resource."""
    router.delete("/pictoryapis/v1/jobs/x/clean").respond(404, json={"message": "no"})
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.delete("/pictoryapis/v1/jobs/x/clean")


@pytest.mark.parametrize(
    "path",
    [
        "pictoryapis/v1/quota",
        "//evil.example/x",
        "@evil.example/x",
        "https://evil.example/x",
        "/pictoryapis/v1/quota?x=1",
        "/pictoryapis/v1/quota#f",
        "/a\\b",
        "/a b",
        "/a\nb",
        "/pictoryapis/../admin",
        "/pictoryapis/%2e%2e/admin",
        "/pictoryapis/./x",
        "",
    ],
)
async def test_a_path_that_leaves_the_api_is_refused_before_sending(
    router: respx.Router, make_client: ClientFactory, path: str
) -> None:
    """Another host, a query, dot segments or odd characters: InvalidInputError, no request."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError):
            await client.get(path)
    assert 0 == len(router.calls)


async def test_a_path_that_is_not_a_string_is_refused(make_client: ClientFactory) -> None:
    """A non-str path is a typed error."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="str"):
            await client.get(b"/x")  # type: ignore[call-overload]


async def test_unusual_path_characters_are_percent_encoded(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Characters outside a path's grammar are escaped, escapes kept as written."""
    route = router.get(url__regex=r".*").respond(200, json={})
    async with make_client() as client:
        await client.get("/pictoryapis/v1/media/caf\u00e9%20bar")
    assert b"/pictoryapis/v1/media/caf%C3%A9%20bar" == route.calls.last.request.url.raw_path


@pytest.mark.parametrize("params", [["a"], {"a": object()}, {"a": True}, {1: "x"}])
async def test_bad_params_are_refused(
    router: respx.Router, make_client: ClientFactory, params: Any
) -> None:
    """Params must map names to strings or numbers."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError):
            await client.get(STYLES, params=params)
    assert 0 == len(router.calls)


@pytest.mark.parametrize("body", [{"x": float("nan")}, {"x": object()}, {"x": {1j}}])
async def test_a_body_that_is_not_json_is_refused(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """NaN or an object json cannot encode: InvalidInputError, nothing sent."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="not JSON"):
            await client.post("/pictoryapis/v1/x", json=body)
    assert 0 == len(router.calls)


async def test_the_key_goes_only_to_the_base_url(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Every generic request goes to the API's host."""
    route = router.get(url__regex=r".*").respond(200, json={})
    async with make_client() as client:
        await client.get("/pictoryapis/v1/x")
    assert httpx.URL(BASE_URL).host == route.calls.last.request.url.host


@pytest.mark.pictory_emulator(transport="socket", seed=3, projects=2)
async def test_generic_calls_over_a_real_socket(pictory_client: AsyncPictory) -> None:
    """get, post and the raw form reach the emulator through the default transport."""
    styles = await pictory_client.get("/pictoryapis/v1/styles", cast_to=list[dict[str, Any]])
    raw = await pictory_client.with_raw_response.get("/pictoryapis/v1/quota", cast_to=Quota)
    job = await pictory_client.post(
        "/pictoryapis/v2/transcription",
        json={"fileUrl": "https://example.com/a.mp4", "mediaType": "video"},
    )
    assert styles
    assert all("name" in style for style in styles)
    assert 200 == raw.status_code
    assert isinstance(raw.parse(), Quota)
    assert job["success"] is True
    assert job["data"]["jobId"]
