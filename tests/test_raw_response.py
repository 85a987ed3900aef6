"""``with_raw_response``: status, headers and request id beside the parsed value."""

from __future__ import annotations

import httpx
import pytest
import respx
from _support import ClientFactory

from pictory_async import PictoryError, Project, ResponseValidationError

PROJECT = "/pictoryapis/v2/projects/p1"


async def test_raw_get_gives_status_headers_request_id_and_parse(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The RawResponse carries the response and parses to what get returns."""
    router.get(PROJECT).respond(200, json={"projectName": "n"}, headers={"x-request-id": "req-9"})
    async with make_client() as client:
        raw = await client.projects.with_raw_response.get("p1")
    assert 200 == raw.status_code
    assert "req-9" == raw.request_id
    assert "req-9" == raw.headers["x-request-id"]
    assert 1 == raw.attempts
    project = raw.parse()
    assert isinstance(project, Project)
    assert "n" == project.project_name
    assert "RawResponse [200] GET" in repr(raw)


async def test_raw_counts_attempts_and_keeps_the_last_response(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """After a retried 503 the raw response is the final answer's."""
    router.get(PROJECT).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"projectName": "n"})]
    )
    async with make_client() as client:
        raw = await client.projects.with_raw_response.get("p1")
    assert 2 == raw.attempts
    assert 200 == raw.status_code


async def test_an_unparseable_body_still_gives_the_raw_response(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """parse() raises the method's ResponseValidationError; the status is readable."""
    router.get(PROJECT).respond(200, text="<html>oops</html>")
    async with make_client() as client:
        raw = await client.projects.with_raw_response.get("p1")
    assert 200 == raw.status_code
    with pytest.raises(ResponseValidationError):
        raw.parse()


async def test_an_error_status_is_raised_as_usual(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """with_raw_response does not swallow API errors."""
    router.get(PROJECT).respond(404, json={"message": "gone"})
    async with make_client() as client:
        with pytest.raises(PictoryError):
            await client.projects.with_raw_response.get("p1")


async def test_raw_generic_call(router: respx.Router, make_client: ClientFactory) -> None:
    """client.with_raw_response wraps get/post/put/delete too."""
    router.get("/pictoryapis/v1/styles").respond(200, json=[1])
    async with make_client() as client:
        raw = await client.with_raw_response.get("/pictoryapis/v1/styles")
    assert [1] == raw.parse()


async def test_capture_does_not_leak_into_later_calls(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """After a raw call, plain calls return plain values."""
    router.get(PROJECT).respond(200, json={"projectName": "n"})
    async with make_client() as client:
        await client.projects.with_raw_response.get("p1")
        assert isinstance(await client.projects.get("p1"), Project)


async def test_a_method_that_sends_nothing_has_no_raw_response(
    make_client: ClientFactory,
) -> None:
    """A dry run sends no request: a clear error, not an IndexError."""
    async with make_client() as client:
        with pytest.raises(PictoryError, match="sent no request"):
            await client.projects.with_raw_response.delete_many(["p1"], dry_run=True)


async def test_iterators_and_private_names_are_not_wrapped(make_client: ClientFactory) -> None:
    """list() is an iterator, _client is private: AttributeError naming why."""
    async with make_client() as client:
        with pytest.raises(AttributeError, match="iterators"):
            client.projects.with_raw_response.list  # noqa: B018
        with pytest.raises(AttributeError):
            client.projects.with_raw_response._get_with_body  # noqa: B018
        assert "get" in dir(client.projects.with_raw_response)
        assert "list" not in dir(client.projects.with_raw_response)


def test_bound_resources_read_on_the_class_are_the_descriptors() -> None:
    """AsyncPictory.projects (on the class) is the Bound descriptor, not a resource."""
    from pictory_async import AsyncPictory
    from pictory_async._bind import Bound

    assert isinstance(AsyncPictory.projects, Bound)


async def test_raw_responses_repr_names_the_resource(make_client: ClientFactory) -> None:
    """The wrapper says what it wraps."""
    async with make_client() as client:
        assert "<RawResponses of Projects>" == repr(client.projects.with_raw_response)
