"""``AsyncPictory``: options, headers, lifecycle, ``with_options`` and the pipeline."""

from __future__ import annotations

import logging
import math
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, PROJECTS_PATH, ClientFactory, FakeTime, mock_http_client

import pictory_async
from pictory_async import (
    NOT_GIVEN,
    AsyncPictory,
    InternalServerError,
    InvalidInputError,
    MissingAPIKeyError,
    NotFoundError,
    __version__,
)

PATH = f"{PROJECTS_PATH}/p1"


def project_response(**fields: Any) -> httpx.Response:
    """A 200 answer to ``GET /projects/{id}``."""
    return httpx.Response(200, json={"projectName": "Demo", **fields})


# -- the API key ---------------------------------------------------------------------


async def test_key_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, router: respx.Router, make_client: ClientFactory
) -> None:
    """Without ``api_key``, the key comes from ``PICTORY_API_KEY``."""
    monkeypatch.setenv("PICTORY_API_KEY", "pictai_from_env")
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client(api_key=None) as client:
        await client.projects.get("p1")
    assert "pictai_from_env" == route.calls.last.request.headers["Authorization"]


async def test_explicit_key_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, router: respx.Router, make_client: ClientFactory
) -> None:
    """``api_key=`` is used even when ``PICTORY_API_KEY`` is set."""
    monkeypatch.setenv("PICTORY_API_KEY", "pictai_from_env")
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client(api_key="pictai_explicit") as client:
        await client.projects.get("p1")
    assert "pictai_explicit" == route.calls.last.request.headers["Authorization"]


@pytest.mark.usefixtures("no_env_key")
@pytest.mark.parametrize("api_key", [None, "", "   "])
def test_no_key_at_all_fails_at_construction(api_key: str | None) -> None:
    """No key (or a blank one) and no environment variable: ``MissingAPIKeyError``."""
    with pytest.raises(MissingAPIKeyError, match="PICTORY_API_KEY") as info:
        AsyncPictory(api_key=api_key)
    assert isinstance(info.value, ValueError)


@pytest.mark.usefixtures("no_env_key")
@pytest.mark.parametrize("api_key", [123, b"pictai_bytes", ["pictai_x"]])
def test_a_key_that_is_not_a_string_is_invalid_input(api_key: Any) -> None:
    """A non-``str`` key is an ``InvalidInputError``, not an ``AttributeError``."""
    with pytest.raises(InvalidInputError, match="must be a str"):
        AsyncPictory(api_key=api_key)


@pytest.mark.parametrize(
    "api_key", ["pictai_ab cd", "pictai_abcd\n", "\tpictai_abcd", "pictai_\x00", "pictai_\x7f"]
)
def test_a_key_with_whitespace_or_control_characters_is_invalid(api_key: str) -> None:
    """A key that would corrupt the header is refused, and not echoed in the message."""
    with pytest.raises(InvalidInputError) as info:
        AsyncPictory(api_key=api_key)
    assert "pictai_" not in str(info.value)


# -- headers -------------------------------------------------------------------------


async def test_key_is_sent_raw_with_a_named_user_agent(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``Authorization`` is the bare key (no ``Bearer``); the User-Agent names us."""
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client() as client:
        await client.projects.get("p1")
    headers = route.calls.last.request.headers
    assert API_KEY == headers["Authorization"]
    assert f"pictory-async/{__version__} python-httpx/{httpx.__version__}" == headers["User-Agent"]
    assert "application/json" == headers["Accept"]


async def test_user_agent_can_be_replaced(router: respx.Router, make_client: ClientFactory) -> None:
    """``user_agent=`` replaces the default User-Agent."""
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client(user_agent="my-app/1.2") as client:
        await client.projects.get("p1")
    assert "my-app/1.2" == route.calls.last.request.headers["User-Agent"]


# -- other options -------------------------------------------------------------------


async def test_base_url_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without ``base_url``, ``PICTORY_BASE_URL`` is used (a trailing slash dropped)."""
    monkeypatch.setenv("PICTORY_BASE_URL", "https://dev-api.pictorycontent.com/")
    async with AsyncPictory(api_key=API_KEY) as client:
        assert "https://dev-api.pictorycontent.com" == client.base_url


@pytest.mark.usefixtures("no_env_key")
async def test_base_url_defaults_to_pictory() -> None:
    """With no option and no environment variable, the base URL is Pictory's."""
    async with AsyncPictory(api_key=API_KEY) as client:
        assert BASE_URL == client.base_url


async def test_base_url_with_a_path_prefix_is_kept(fake_time: FakeTime) -> None:
    """A base URL behind a proxy path keeps its prefix in every request."""
    proxy = respx.Router(base_url="https://proxy.example/pictory", assert_all_called=False)
    route = proxy.get(PATH).mock(return_value=project_response())
    async with (
        mock_http_client(proxy) as http,
        AsyncPictory(
            api_key=API_KEY, base_url="https://proxy.example/pictory/", http_client=http
        ) as client,
    ):
        await client.projects.get("p1")
    assert f"https://proxy.example/pictory{PATH}" == str(route.calls.last.request.url)


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://api.pictory.ai",
        "api.pictory.ai",
        "https://",
        "https://api.pictory.ai/?x=1",
        "https://api.pictory.ai/#top",
        "http://[::1",
        123,
    ],
)
def test_invalid_base_url_is_refused(base_url: Any) -> None:
    """A base URL that is not a plain http(s) URL with a host is ``InvalidInputError``."""
    with pytest.raises(InvalidInputError, match="base_url"):
        AsyncPictory(api_key=API_KEY, base_url=base_url)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
        (5, {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}),
        (30.0, {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}),
        (timedelta(seconds=20), {"connect": 10.0, "read": 20.0, "write": 20.0, "pool": 20.0}),
    ],
)
async def test_timeout_is_sent_with_each_request(
    router: respx.Router, make_client: ClientFactory, timeout: Any, expected: dict[str, Any]
) -> None:
    """The timeout (seconds, ``timedelta`` or ``None``) rides on each request; connect <= 10."""
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client(timeout=timeout) as client:
        await client.projects.get("p1")
    assert expected == route.calls.last.request.extensions["timeout"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", 0),
        ("timeout", -1),
        ("timeout", "5"),
        ("timeout", math.inf),
        ("timeout", math.nan),
        ("max_retries", -1),
        ("max_retries", True),
        ("max_retries", 1.5),
        ("max_retries", "3"),
        ("max_retry_after", -1),
        ("max_retry_after", "60"),
        ("max_retry_after", timedelta(seconds=-1)),
        ("max_connections", 0),
        ("max_connections", True),
        ("max_connections", 2.5),
        ("rate_limit", 0),
        ("rate_limit", -1.0),
        ("rate_limit", "5"),
        ("rate_limit", True),
        ("user_agent", ""),
        ("http_client", object()),
    ],
)
def test_invalid_options_are_refused(option: str, value: Any) -> None:
    """Every option is checked at construction: ``InvalidInputError`` names it."""
    with pytest.raises(InvalidInputError, match=option):
        AsyncPictory(api_key=API_KEY, **{option: value})


async def test_valid_options_are_kept(make_client: ClientFactory) -> None:
    """Options given as numbers or ``timedelta`` are stored in seconds."""
    async with make_client(
        max_retries=2,
        max_retry_after=timedelta(minutes=2),
        max_connections=7,
        rate_limit=3,
    ) as client:
        assert (2, 120.0, 7, 3.0) == (
            client.max_retries,
            client.max_retry_after,
            client.max_connections,
            client.throttle.rate,
        )


async def test_throttle_shows_the_rate_control_read_only(make_client: ClientFactory) -> None:
    """``client.throttle`` shows a fresh client's rate control; it has no entry points."""
    async with make_client() as client:
        view: pictory_async.RateControl = client.throttle
        assert (None, 10, 0, 0, 0.0, 0) == (
            view.rate,
            view.window,
            view.in_flight,
            view.demand,
            view.cooldown_remaining,
            view.throttle_events,
        )
        public = {name for name in dir(pictory_async.RateControl) if not name.startswith("_")}
        assert {
            "rate",
            "window",
            "in_flight",
            "demand",
            "cooldown_remaining",
            "throttle_events",
        } == public


# -- lifecycle -----------------------------------------------------------------------


async def test_async_with_opens_and_closes(make_client: ClientFactory) -> None:
    """``async with`` yields the client itself and closes it on exit."""
    client = make_client()
    async with client as entered:
        assert entered is client
        assert not client.is_closed
    assert client.is_closed


async def test_aclose_is_idempotent(make_client: ClientFactory) -> None:
    """Closing twice is fine, inside ``async with`` or not."""
    async with make_client() as client:
        await client.aclose()
        await client.aclose()
    await client.aclose()
    assert client.is_closed


async def test_a_client_works_without_async_with(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A client can be used without ``async with``, then closed with ``aclose()``."""
    router.get(PATH).mock(return_value=project_response())
    client = make_client()
    try:
        project = await client.projects.get("p1")
    finally:
        await client.aclose()
    assert "Demo" == project.project_name


async def test_using_a_closed_client_is_a_runtime_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """After ``aclose()``, a call raises ``RuntimeError`` and sends nothing."""
    route = router.route().mock(return_value=project_response())
    async with make_client() as client:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        await client.projects.get("p1")
    with pytest.raises(RuntimeError, match="closed"):
        await client.projects.delete("p1")
    with pytest.raises(RuntimeError, match="closed"):
        await anext(client.projects.list())
    assert 0 == route.call_count


async def test_entering_twice_is_a_runtime_error(make_client: ClientFactory) -> None:
    """An open client cannot be entered again."""
    async with make_client() as client:
        with pytest.raises(RuntimeError, match="more than once"):
            await client.__aenter__()


async def test_reopening_a_closed_client_is_a_runtime_error(make_client: ClientFactory) -> None:
    """A closed client cannot be entered again."""
    client = make_client()
    async with client:
        pass
    with pytest.raises(RuntimeError, match="reopen"):
        await client.__aenter__()


async def test_user_http_client_is_used_as_is_and_not_closed(
    router: respx.Router, fake_time: FakeTime
) -> None:
    """Our requests go through the user's client (its hooks run); we never close it."""
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    router.get(PATH).mock(return_value=project_response())
    async with mock_http_client(router, event_hooks={"request": [hook]}) as http:
        async with AsyncPictory(api_key=API_KEY, http_client=http, sleep=fake_time.sleep):
            pass
        assert not http.is_closed
        async with AsyncPictory(api_key=API_KEY, http_client=http, sleep=fake_time.sleep) as c:
            await c.projects.get("p1")
        assert [PATH] == seen
        assert not http.is_closed
        assert "authorization" not in http.headers


# -- with_options --------------------------------------------------------------------


async def test_with_options_overrides_max_retries_per_call(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``with_options(max_retries=0)`` makes one attempt; the original client still retries."""
    route = router.get(PATH).mock(return_value=httpx.Response(503))
    async with make_client(max_retries=2) as client:
        no_retry = client.with_options(max_retries=0)
        with pytest.raises(InternalServerError):
            await no_retry.projects.get("p1")
        assert 1 == route.call_count
        with pytest.raises(InternalServerError):
            await client.projects.get("p1")
        assert 1 + 3 == route.call_count
        assert (0, 2) == (no_retry.max_retries, client.max_retries)


async def test_with_options_overrides_the_timeout(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``with_options(timeout=...)`` changes the timeout of that copy only."""
    route = router.get(PATH).mock(return_value=project_response())
    async with make_client(timeout=30) as client:
        await client.with_options(timeout=timedelta(seconds=3)).projects.get("p1")
        await client.projects.get("p1")
    first, second = (call.request.extensions["timeout"]["read"] for call in route.calls)
    assert (3.0, 30.0) == (first, second)


async def test_with_options_overrides_max_retry_after(make_client: ClientFactory) -> None:
    """``with_options(max_retry_after=...)`` is kept in seconds."""
    async with make_client() as client:
        assert 5.0 == client.with_options(max_retry_after=timedelta(seconds=5)).max_retry_after


async def test_with_options_keeps_what_is_not_given(make_client: ClientFactory) -> None:
    """Options not passed to ``with_options`` are the original client's."""
    async with make_client(max_retries=3, max_retry_after=9) as client:
        copy = client.with_options()
        assert (3, 9.0) == (copy.max_retries, copy.max_retry_after)


async def test_with_options_shares_the_pool_throttle_and_state(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A copy shares the throttle and the pool: closing one closes both."""
    router.get(PATH).mock(return_value=project_response())
    async with make_client() as client:
        copy = client.with_options(max_retries=0)
        assert copy is not client
        assert copy.throttle is client.throttle
        await copy.aclose()
        assert client.is_closed
        with pytest.raises(RuntimeError, match="closed"):
            await client.projects.get("p1")


@pytest.mark.parametrize(
    ("option", "value"), [("timeout", 0), ("max_retries", -1), ("max_retry_after", -5)]
)
async def test_with_options_checks_its_values(
    make_client: ClientFactory, option: str, value: Any
) -> None:
    """``with_options`` validates like the constructor."""
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=option):
            client.with_options(**{option: value})


# -- repr, build_request, request, logs -----------------------------------------------


async def test_repr_shows_state_not_key(make_client: ClientFactory) -> None:
    """``repr`` names the base URL and state and redacts the key."""
    client = make_client(max_retries=1)
    expected = (
        "AsyncPictory(base_url='https://api.pictory.ai', api_key=<redacted>, "
        "max_retries=1, state={})"
    )
    assert expected.format("unopened") == repr(client)
    async with client:
        assert expected.format("opened") == repr(client)
    assert expected.format("closed") == repr(client)


async def test_build_request_sends_nothing(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``build_request`` is pure: it returns the request and sends nothing."""
    route = router.route().mock(return_value=project_response())
    async with make_client() as client:
        request = client._build_request("GET", PROJECTS_PATH, params={"pagekey": "k"})
    assert f"{BASE_URL}{PROJECTS_PATH}?pagekey=k" == str(request.url)
    assert API_KEY == request.headers["Authorization"]
    assert 0 == route.call_count


async def test_request_reports_attempts_and_lost_attempts(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``Received`` counts the attempts and flags an attempt whose answer was lost."""
    router.get(PATH).mock(side_effect=[httpx.Response(503), project_response()])
    router.get(f"{PROJECTS_PATH}/p2").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"}), project_response()]
    )
    async with make_client() as client:
        after_5xx = await client._request("GET", PATH)
        after_429 = await client._request("GET", f"{PROJECTS_PATH}/p2")
    assert (2, True) == (after_5xx.attempts, after_5xx.lost_attempt)
    assert (2, False) == (after_429.attempts, after_429.lost_attempt)


async def test_request_hands_back_ok_statuses(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A status in ``ok_statuses`` is returned instead of raised; others still raise."""
    router.get(PATH).mock(return_value=httpx.Response(404))
    async with make_client() as client:
        reply = await client._request("GET", PATH, ok_statuses=frozenset({404}))
        with pytest.raises(NotFoundError):
            await client._request("GET", PATH)
    assert 404 == reply.response.status_code


async def test_each_response_is_logged_at_debug(
    router: respx.Router, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Each attempt logs ``METHOD path -> status (attempt n, duration, request id)``."""
    router.get(PATH).mock(
        side_effect=[
            httpx.Response(500, headers={"x-request-id": "r-1"}),
            project_response(),
        ]
    )
    caplog.set_level(logging.DEBUG, logger="pictory_async")
    async with make_client() as client:
        await client.projects.get("p1")
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert 2 == len(debug)
    assert re.fullmatch(rf"GET {PATH} -> 500 \(attempt 1, [0-9.]+ ms, request id r-1\)", debug[0])
    assert re.fullmatch(rf"GET {PATH} -> 200 \(attempt 2, [0-9.]+ ms\)", debug[1])


async def test_nothing_is_logged_at_debug_when_debug_is_off(
    router: respx.Router, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """With the logger above DEBUG, no DEBUG record is made."""
    router.get(PATH).mock(return_value=project_response())
    caplog.set_level(logging.INFO, logger="pictory_async")
    async with make_client() as client:
        await client.projects.get("p1")
    assert [] == [r for r in caplog.records if r.name == "pictory_async"]


@pytest.mark.parametrize("user_agent", ["app\r\nX-Evil: 1", "app\n", "app\x00"])
def test_a_user_agent_with_control_characters_is_invalid(user_agent: str) -> None:
    """A User-Agent that would break the header is refused at construction."""
    with pytest.raises(InvalidInputError, match="user_agent"):
        AsyncPictory(api_key=API_KEY, user_agent=user_agent)


def test_not_given_is_falsy_and_named() -> None:
    """``NOT_GIVEN`` is falsy and shows as ``NOT_GIVEN``."""
    assert (False, "NOT_GIVEN") == (bool(NOT_GIVEN), repr(NOT_GIVEN))


async def test_a_failure_that_is_not_a_transport_error_propagates_unchanged(
    monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime
) -> None:
    """A bug below the client (not a transport failure) is raised as is, not retried."""
    bug = KeyError("bug")
    calls: list[str] = []

    async def broken(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise bug

    async with AsyncPictory(api_key=API_KEY, base_url=BASE_URL, sleep=fake_time.sleep) as client:
        transport = client.http_client._transport
        monkeypatch.setattr(transport, "handle_async_request", broken)
        with pytest.raises(KeyError) as info:
            await client.projects.get("p1")
    assert bug is info.value
    assert [f"{BASE_URL}{PATH}"] == calls
