"""The API key never leaks, and requests never leave the base URL's host."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable

import httpx
import pytest
import respx
from _support import (
    API_KEY,
    BASE_URL,
    PROJECTS_PATH,
    ClientFactory,
    FakeTime,
    mock_http_client,
    refused_url,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import (
    APIStatusError,
    AsyncPictory,
    InvalidInputError,
    MissingAPIKeyError,
    PictoryError,
)

PATH = f"{PROJECTS_PATH}/p1"


def assert_no_key(text: str) -> None:
    """The key, or a recognisable part of it, is not in ``text``."""
    assert API_KEY not in text
    assert "SECRET" not in text


def exception_texts(exc: BaseException) -> list[str]:
    """Every way an exception is commonly printed, logged or inspected."""
    texts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    for link in (exc.__cause__, exc.__context__):
        if link is not None:
            texts += [str(link), repr(link)]
    for name in ("request", "response"):
        try:
            value = getattr(exc, name, None)
        except RuntimeError:  # an httpx error without a request
            value = None
        if value is not None:
            texts += [repr(value), repr(value.headers)]
            texts += [repr(value.request.headers)] if isinstance(value, httpx.Response) else []
    texts += [repr(vars(exc))]
    return texts


async def failures(client: AsyncPictory) -> list[BaseException]:
    """Run every kind of failing call and collect what was raised."""
    calls = (
        client.projects.get("p401"),
        client.projects.get("p404"),
        client.projects.get("p500"),
        client.projects.get("p429"),
        client.projects.get("conn"),
        client.projects.get("timeout"),
        client.projects.get("html"),
        client.projects.get("wrong"),
        client.projects.delete("p404"),
        client.projects.delete("refused"),
        client.projects.get("a/b"),
    )
    return [exc for exc in [await raised_by(call) for call in calls] if exc is not None]


async def raised_by(call: Awaitable[object]) -> PictoryError | None:
    """The library error ``call`` raises, or ``None``."""
    try:
        await call
    except PictoryError as exc:
        return exc
    return None


def hostile_routes(router: respx.Router) -> None:
    """Routes that fail in every way the client knows."""
    router.get(f"{PROJECTS_PATH}/p401").mock(
        return_value=httpx.Response(401, json={"message": "Unauthorized"})
    )
    router.route(path=f"{PROJECTS_PATH}/p404").mock(return_value=httpx.Response(404))
    router.get(f"{PROJECTS_PATH}/p500").mock(return_value=httpx.Response(500, text="oops"))
    router.get(f"{PROJECTS_PATH}/p429").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    router.get(f"{PROJECTS_PATH}/conn").mock(side_effect=httpx.ConnectError("refused"))
    router.get(f"{PROJECTS_PATH}/timeout").mock(side_effect=httpx.ReadTimeout("slow"))
    router.get(f"{PROJECTS_PATH}/html").mock(
        return_value=httpx.Response(200, text="<html><title>Login</title></html>")
    )
    router.get(f"{PROJECTS_PATH}/wrong").mock(
        return_value=httpx.Response(200, json={"inProgress": "maybe"})
    )
    router.delete(f"{PROJECTS_PATH}/refused").mock(side_effect=httpx.RemoteProtocolError("bye"))
    # after a delete that may have been applied, the client asks whether the project is gone
    router.get(f"{PROJECTS_PATH}/refused").mock(side_effect=httpx.RemoteProtocolError("bye"))


# -- repr ------------------------------------------------------------------------------


async def test_repr_never_shows_the_key(make_client: ClientFactory) -> None:
    """``repr``/``str`` of a client and of its copies show ``<redacted>``, never the key."""
    async with make_client() as client:
        for shown in (repr(client), str(client), repr(client.with_options(max_retries=0))):
            assert_no_key(shown)
            assert "api_key=<redacted>" in shown


async def test_repr_of_a_default_client_never_shows_the_key() -> None:
    """The same with our own transport; the key's holder shows ``<redacted>`` too."""
    async with AsyncPictory(api_key=API_KEY, base_url=BASE_URL) as client:
        assert_no_key(repr(client))
        assert ("<redacted>", "<redacted>") == (repr(client._key), str(client._key))


async def test_the_clients_attributes_never_show_the_key() -> None:
    """Dumping the client's attributes does not show the key."""
    async with AsyncPictory(api_key=API_KEY, base_url=BASE_URL) as client:
        assert_no_key(repr(vars(client)))


# -- exceptions ------------------------------------------------------------------------


async def test_no_exception_shows_the_key(router: respx.Router, make_client: ClientFactory) -> None:
    """No raised exception shows the key: str, repr, traceback, cause, request headers."""
    hostile_routes(router)
    async with make_client(max_retries=1) as client:
        raised = await failures(client)
    assert 11 == len(raised)
    for exc in raised:
        for text in exception_texts(exc):
            assert_no_key(text)


async def test_request_headers_on_errors_are_redacted(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The error's request (also as ``response.request``) has the key redacted."""
    route = router.get(PATH).mock(return_value=httpx.Response(403))
    async with make_client() as client:
        with pytest.raises(APIStatusError) as info:
            await client.projects.get("p1")
    assert API_KEY == route.calls.last.request.headers["Authorization"]  # it was sent
    request = info.value.request
    assert "[redacted]" == request.headers["Authorization"]
    assert request is info.value.response.request
    assert str(request.url).endswith(PATH)


def test_key_errors_do_not_echo_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed key in the environment is refused without being shown."""
    monkeypatch.setenv("PICTORY_API_KEY", API_KEY + "\n")
    with pytest.raises(InvalidInputError) as info:
        AsyncPictory()
    for text in exception_texts(info.value):
        assert_no_key(text)
    monkeypatch.setenv("PICTORY_API_KEY", "   ")
    with pytest.raises(MissingAPIKeyError):
        AsyncPictory()


# -- logs ------------------------------------------------------------------------------


async def test_no_log_record_shows_the_key(
    router: respx.Router, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, on every logger (ours and httpx's), no record shows the key."""
    caplog.set_level(logging.DEBUG)
    hostile_routes(router)
    router.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={})])
    router.get(PROJECTS_PATH).mock(return_value=httpx.Response(200, json={"items": []}))
    async with make_client(max_retries=1) as client:
        await client.projects.get("p1")
        _ = [item async for item in client.projects.list(folder="f")]
        await failures(client)
    names = {record.name for record in caplog.records}
    assert {"pictory_async", "httpx"} <= names
    for record in caplog.records:
        assert_no_key(record.getMessage())
        assert_no_key(repr(record.args))
    assert_no_key(caplog.text)


async def test_no_log_record_shows_the_key_with_the_default_transport(
    caplog: pytest.LogCaptureFixture, fake_time: FakeTime
) -> None:
    """The same with our own transport, over a refused connection, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    async with AsyncPictory(
        api_key=API_KEY,
        base_url=refused_url(),
        max_retries=1,
        sleep=fake_time.sleep,
    ) as client:
        with pytest.raises(PictoryError) as info:
            await client.projects.get("p1")
    assert caplog.records
    assert_no_key(caplog.text)
    for text in exception_texts(info.value):
        assert_no_key(text)


# -- where requests go -----------------------------------------------------------------


async def test_requests_only_go_to_the_base_url_host(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Ids and page keys that look like URLs never move a request off the API host."""
    every = router.route().mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={"items": [], "pageKey": "https://evil.example/x?y#z"}
            if not request.url.params.get("pagekey")
            else {"items": []},
        )
    )
    async with make_client() as client:
        for project_id in ("@evil.example", "evil.example:443", "http:", "..evil", "%40x"):
            with contextlib.suppress(PictoryError):
                await client.projects.get(project_id)
        _ = [item async for item in client.projects.list()]
    assert {"api.pictory.ai"} == {call.request.url.host for call in every.calls}
    assert "https://evil.example/x?y#z" == every.calls.last.request.url.params["pagekey"]


async def test_redirects_are_not_followed(fake_time: FakeTime) -> None:
    """A redirect to another host is not followed: nothing reaches that host."""
    router = respx.Router(assert_all_called=False)
    router.get(f"{BASE_URL}{PATH}").mock(
        return_value=httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    evil = router.route(host="evil.example").mock(return_value=httpx.Response(200, json={}))
    async with (
        mock_http_client(router) as http,
        AsyncPictory(api_key=API_KEY, http_client=http, sleep=fake_time.sleep) as client,
    ):
        with pytest.raises(APIStatusError) as info:
            await client.projects.get("p1")
    assert (302, 0) == (info.value.status_code, evil.call_count)
    assert "redirect to https://evil.example/steal" in str(info.value)


async def test_a_user_client_that_follows_redirects_does_not_follow_ours(
    fake_time: FakeTime,
) -> None:
    """A user's client set to follow redirects still does not follow an API call's."""
    router = respx.Router(assert_all_called=False)
    router.get(f"{BASE_URL}{PATH}").mock(
        return_value=httpx.Response(302, headers={"Location": "https://cdn.example/p1"})
    )
    cdn = router.route(host="cdn.example").mock(return_value=httpx.Response(200, json={}))
    async with (
        mock_http_client(router, follow_redirects=True) as http,
        AsyncPictory(api_key=API_KEY, http_client=http, sleep=fake_time.sleep) as client,
    ):
        with pytest.raises(APIStatusError):
            await client.projects.get("p1")
    assert 0 == cdn.call_count


@settings(max_examples=100, deadline=None)
@given(page_key=st.text(min_size=1, max_size=40), folder=st.text(min_size=1, max_size=20))
def test_any_page_key_or_folder_stays_a_query_value(page_key: str, folder: str) -> None:
    """Whatever the page key or folder, the request stays on the API host and list path."""

    async def walk() -> list[httpx.Request]:
        router = respx.Router(base_url=BASE_URL, assert_all_called=False)
        route = router.get(PROJECTS_PATH).mock(
            side_effect=[
                httpx.Response(200, json={"items": [], "pageKey": page_key}),
                httpx.Response(200, json={"items": []}),
            ]
        )
        async with (
            mock_http_client(router) as http,
            AsyncPictory(api_key=API_KEY, base_url=BASE_URL, http_client=http) as client,
        ):
            try:
                _ = [item async for item in client.projects.list(folder=folder)]
            except InvalidInputError:
                return []
        return [call.request for call in route.calls]

    requests = asyncio.run(walk())
    for request in requests:
        assert ("api.pictory.ai", PROJECTS_PATH) == (request.url.host, request.url.path)
        assert folder == request.url.params["folder"]
    if requests:
        assert page_key == requests[-1].url.params["pagekey"]
