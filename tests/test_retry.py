"""Retries: what is retried, how long we wait, the caps and the per-call budget."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory, FakeTime
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)
from pictory_async._failures import make_status_error
from pictory_async._retry import (
    INITIAL_DELAY,
    MAX_DELAY,
    RetryPolicy,
    backoff,
    is_retryable,
    parse_retry_after,
)

PATH = f"{PROJECTS_PATH}/p1"
REQUEST = httpx.Request("GET", f"https://api.pictory.ai{PATH}")
NOW = 1_750_000_000.0


def status_error(status: int, retry_after: float | None = None) -> APIStatusError:
    """The error the pipeline raises for ``status``."""
    return make_status_error(httpx.Response(status, request=REQUEST), retry_after=retry_after)


def connection_error() -> APIConnectionError:
    """The error the pipeline raises when the connection fails."""
    return APIConnectionError("GET /x failed: ConnectError", request=REQUEST)


def http_date(seconds_from_now: float, now: float = NOW) -> str:
    """An HTTP date ``seconds_from_now`` after ``now``."""
    return format_datetime(
        datetime.fromtimestamp(now + seconds_from_now, tz=timezone.utc), usegmt=True
    )


# -- parse_retry_after -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": " 1.5 "}, 1.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": http_date(30)}, 30.0),
        ({"Retry-After": http_date(-30)}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": ""}, None),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "-5"}, 0.0),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "bad", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "inf", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "bad"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """Seconds from ``retry-after-ms``, else ``Retry-After`` in seconds or as an HTTP date."""
    assert expected == parse_retry_after(httpx.Headers(headers), now=lambda: NOW)


def test_parse_retry_after_date_defaults_to_the_wall_clock() -> None:
    """Without ``now=``, an HTTP date is measured from the current time."""
    real_now = datetime.now(timezone.utc).timestamp()
    delay = parse_retry_after(httpx.Headers({"Retry-After": http_date(120, now=real_now)}))
    assert delay is not None
    assert 100 < delay <= 120


# -- what is retried -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (connection_error(), True),
        (APITimeoutError(request=REQUEST), True),
        *((status_error(status), True) for status in (408, 409, 429, 500, 502, 503, 504, 599)),
        *((status_error(status), False) for status in (400, 401, 403, 404, 405, 422)),
        (ResponseValidationError("bad", response=httpx.Response(200, request=REQUEST)), False),
        (ValueError("bug"), False),
    ],
    ids=repr,
)
def test_is_retryable(exc: BaseException, expected: bool) -> None:
    """Connection errors, timeouts, 408, 409, 429 and 5xx are retryable; nothing else."""
    assert expected == is_retryable(exc)


# -- backoff ---------------------------------------------------------------------------


def test_backoff_is_exponential_and_capped() -> None:
    """Without jitter, the waits double from 0.5 s up to the 8 s cap."""
    assert [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0] == [
        backoff(attempt, rand=lambda: 0.0) for attempt in range(1, 8)
    ]


def test_backoff_jitter_takes_up_to_a_quarter_off() -> None:
    """Full jitter shortens a wait by at most 25 %."""
    assert [0.375, 6.0] == [backoff(1, rand=lambda: 1.0), backoff(9, rand=lambda: 1.0)]


@given(attempt=st.integers(min_value=1, max_value=200), rand=st.floats(min_value=0, max_value=1))
def test_backoff_stays_within_its_bounds(attempt: int, rand: float) -> None:
    """Every wait is within [0.75, 1] of its capped exponential base."""
    base = min(MAX_DELAY, INITIAL_DELAY * 2 ** (attempt - 1))
    delay = backoff(attempt, rand=lambda: rand)
    assert 0.75 * base <= delay <= base


# -- RetryPolicy -----------------------------------------------------------------------


def scripted(*outcomes: BaseException | str) -> tuple[Callable[[], Any], list[int]]:
    """An attempt function that raises or returns ``outcomes`` in order, and its call log."""
    calls: list[int] = []
    queue: Iterator[BaseException | str] = iter(outcomes)

    async def attempt() -> str:
        calls.append(len(calls) + 1)
        outcome = next(queue)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return attempt, calls


class _Policy:
    """A ``RetryPolicy`` driven the way the pipeline drives it: first attempt, then retries."""

    def __init__(self, policy: RetryPolicy, fake_time: FakeTime) -> None:
        self.policy = policy
        self.fake_time = fake_time

    async def run(self, attempt: Callable[[], Any], *, describe: str) -> Any:
        started = self.fake_time.clock()
        try:
            return await attempt()
        except Exception as exc:
            return await self.policy.after_failure(attempt, exc, started=started, describe=describe)


def policy(
    fake_time: FakeTime,
    max_retries: int = 4,
    max_retry_after: float = 60.0,
    max_retry_time: float | None = None,
    cooldown: Callable[[], float] = lambda: 0.0,
) -> _Policy:
    """A policy without jitter that sleeps on ``fake_time``."""
    return _Policy(
        RetryPolicy(
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            max_retry_time=max_retry_time,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            cooldown=cooldown,
            rand=lambda: 0.0,
        ),
        fake_time,
    )


async def test_policy_success_needs_no_sleep(fake_time: FakeTime) -> None:
    """A first attempt that succeeds is returned with no sleep."""
    attempt, calls = scripted("ok")
    assert "ok" == await policy(fake_time).run(attempt, describe="GET /x")
    assert ([1], []) == (calls, fake_time.sleeps)


async def test_policy_retries_with_exponential_backoff(fake_time: FakeTime) -> None:
    """Transient failures are retried after 0.5, 1, 2 s until an attempt succeeds."""
    attempt, calls = scripted(connection_error(), status_error(503), status_error(408), "ok")
    assert "ok" == await policy(fake_time).run(attempt, describe="GET /x")
    assert ([1, 2, 3, 4], [0.5, 1.0, 2.0]) == (calls, fake_time.sleeps)


async def test_policy_raises_the_last_failure_when_the_budget_is_spent(
    fake_time: FakeTime,
) -> None:
    """After ``max_retries`` retries, the last failure is raised as is."""
    last = status_error(502)
    attempt, calls = scripted(status_error(500), status_error(503), last, "never")
    with pytest.raises(InternalServerError) as info:
        await policy(fake_time, max_retries=2).run(attempt, describe="GET /x")
    assert last is info.value
    assert ([1, 2, 3], [0.5, 1.0]) == (calls, fake_time.sleeps)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_policy_does_not_retry_client_errors(fake_time: FakeTime, status: int) -> None:
    """A 4xx other than 408/409/429 is raised after one attempt."""
    attempt, calls = scripted(status_error(status), "never")
    with pytest.raises(APIStatusError):
        await policy(fake_time).run(attempt, describe="GET /x")
    assert ([1], []) == (calls, fake_time.sleeps)


async def test_policy_with_no_retries_makes_one_attempt(fake_time: FakeTime) -> None:
    """``max_retries=0``: a retryable failure is raised at once."""
    attempt, calls = scripted(connection_error(), "never")
    with pytest.raises(APIConnectionError):
        await policy(fake_time, max_retries=0).run(attempt, describe="GET /x")
    assert ([1], []) == (calls, fake_time.sleeps)


async def test_policy_waits_what_retry_after_asks(fake_time: FakeTime) -> None:
    """A 503 with ``Retry-After`` waits that long instead of the backoff."""
    attempt, _ = scripted(status_error(503, retry_after=3.0), status_error(503, 7.0), "ok")
    assert "ok" == await policy(fake_time).run(attempt, describe="GET /x")
    assert [3.0, 7.0] == fake_time.sleeps


async def test_policy_leaves_the_429_wait_to_the_throttle(fake_time: FakeTime) -> None:
    """A 429 adds no wait of its own: the shared cool-down in the throttle does it."""
    attempt, calls = scripted(status_error(429, 5.0), status_error(429), "ok")
    assert "ok" == await policy(fake_time).run(attempt, describe="GET /x")
    assert ([1, 2, 3], []) == (calls, fake_time.waits)


@pytest.mark.parametrize("status", [429, 503])
async def test_policy_raises_at_once_above_max_retry_after(
    fake_time: FakeTime, status: int
) -> None:
    """A ``Retry-After`` above ``max_retry_after`` is raised at once, with no sleep."""
    attempt, calls = scripted(status_error(status, retry_after=61.0), "never")
    with pytest.raises(APIStatusError) as info:
        await policy(fake_time, max_retry_after=60.0).run(attempt, describe="GET /x")
    assert (61.0, [1], []) == (info.value.retry_after, calls, fake_time.sleeps)


async def test_policy_stops_retrying_when_a_later_retry_after_is_too_long(
    fake_time: FakeTime,
) -> None:
    """A retry whose answer asks for too long a wait ends the retries."""
    attempt, calls = scripted(status_error(503), status_error(503, retry_after=600.0), "never")
    with pytest.raises(InternalServerError):
        await policy(fake_time).run(attempt, describe="GET /x")
    assert ([1, 2], [0.5]) == (calls, fake_time.sleeps)


async def test_policy_logs_each_retry(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry is logged at INFO with the wait and the failure."""
    caplog.set_level(logging.INFO, logger="pictory_async")
    attempt, _ = scripted(status_error(503), status_error(500), "ok")
    await policy(fake_time).run(attempt, describe="GET /x")
    assert [
        "retrying GET /x in 0.50s after failure 1: 503 Service Unavailable",
        "retrying GET /x in 1.00s after failure 2: 500 Internal Server Error",
    ] == [record.getMessage() for record in caplog.records]


def test_policy_wait_for() -> None:
    """``wait_for``: 0 for a 429, the server's ask for other statuses, else backoff."""
    fake = FakeTime()
    retry = RetryPolicy(
        max_retries=1,
        max_retry_after=60,
        max_retry_time=None,
        sleep=fake.sleep,
        clock=fake.clock,
        rand=lambda: 0,
    )
    assert [0.0, 4.0, 2.0, 2.0] == [
        retry.wait_for(status_error(429, 9.0), 1),
        retry.wait_for(status_error(503, 4.0), 1),
        retry.wait_for(status_error(503), 3),
        retry.wait_for(None, 3),
    ]


# -- through the client ----------------------------------------------------------------

OK = httpx.Response(200, json={"projectName": "x"})


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.ReadTimeout,
        httpx.WriteTimeout,
        httpx.PoolTimeout,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        *(httpx.Response(status) for status in (408, 409, 429, 500, 502, 503, 504)),
    ],
    ids=repr,
)
async def test_client_retries_transient_failures(
    router: respx.Router, make_client: ClientFactory, failure: Any
) -> None:
    """Connection errors, timeouts, 408, 409, 429 and 5xx are retried, then succeed."""
    route = router.get(PATH).mock(side_effect=[failure, failure, OK])
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert ("x", 3) == (project.project_name, route.call_count)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_does_not_retry_client_errors(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime, status: int
) -> None:
    """400, 401, 403, 404 and 422 are raised after one request and no sleep."""
    route = router.get(PATH).mock(return_value=httpx.Response(status))
    async with make_client() as client:
        with pytest.raises(APIStatusError) as info:
            await client.projects.get("p1")
    assert (status, 1, []) == (info.value.status_code, route.call_count, fake_time.sleeps)


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "3"}, 3.0), ({"retry-after-ms": "250"}, 0.25)],
)
async def test_client_waits_what_retry_after_asks(
    router: respx.Router,
    make_client: ClientFactory,
    fake_time: FakeTime,
    status: int,
    headers: dict[str, str],
    expected: float,
) -> None:
    """``Retry-After`` in seconds or ``retry-after-ms`` sets the one wait before the retry."""
    router.get(PATH).mock(side_effect=[httpx.Response(status, headers=headers), OK])
    async with make_client(adaptive_rate_limit=False) as client:
        await client.projects.get("p1")
    assert [expected] == fake_time.waits


async def test_client_waits_until_an_http_date(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """``Retry-After`` as an HTTP date is waited for until that date."""
    real_now = datetime.now(timezone.utc).timestamp()
    headers = {"Retry-After": http_date(30, now=real_now)}
    router.get(PATH).mock(side_effect=[httpx.Response(429, headers=headers), OK])
    async with make_client(adaptive_rate_limit=False) as client:
        await client.projects.get("p1")
    assert 1 == len(fake_time.waits)
    assert 20 < fake_time.waits[0] <= 30


async def test_client_raises_at_once_above_the_cap(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """Above ``max_retry_after``: ``RateLimitError`` at once; other calls pause for the cap."""
    route = router.get(PATH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "120"}), OK]
    )
    async with make_client(max_retry_after=60) as client:
        with pytest.raises(RateLimitError) as info:
            await client.projects.get("p1")
        assert 60.0 == client.throttle.cooldown_remaining
    assert (120.0, 1, []) == (info.value.retry_after, route.call_count, fake_time.sleeps)


async def test_client_waits_a_long_retry_after_under_a_raised_cap(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """With ``max_retry_after`` raised, the same 120 s ``Retry-After`` is waited for."""
    router.get(PATH).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "120"}), OK])
    async with make_client(
        max_retry_after=timedelta(minutes=5), adaptive_rate_limit=False
    ) as client:
        await client.projects.get("p1")
    assert [120.0] == fake_time.waits


@pytest.mark.parametrize("max_retries", [0, 1, 3])
async def test_client_max_retries_is_the_budget(
    router: respx.Router, make_client: ClientFactory, max_retries: int
) -> None:
    """``max_retries=n`` makes n + 1 attempts at most."""
    route = router.get(PATH).mock(return_value=httpx.Response(503))
    async with make_client(max_retries=max_retries) as client:
        with pytest.raises(InternalServerError):
            await client.projects.get("p1")
    assert max_retries + 1 == route.call_count


async def test_per_call_max_retries_with_options(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """``with_options(max_retries=0)`` turns retries off for that call only."""
    refused = httpx.ConnectError("refused")
    route = router.get(PATH).mock(side_effect=[refused, refused, OK])
    async with make_client() as client:
        with pytest.raises(APIConnectionError):
            await client.with_options(max_retries=0).projects.get("p1")
        assert (1, []) == (route.call_count, fake_time.sleeps)
        await client.projects.get("p1")
    assert (3, 1) == (route.call_count, len(fake_time.waits))


async def test_client_backoff_is_exponential_with_jitter(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """Waits between 5xx retries grow 0.5, 1, 2, 4 s, each up to 25 % shorter."""
    router.get(PATH).mock(return_value=httpx.Response(500))
    async with make_client(max_retries=4) as client:
        with pytest.raises(InternalServerError):
            await client.projects.get("p1")
    assert 4 == len(fake_time.waits)
    for wait, base in zip(fake_time.waits, [0.5, 1.0, 2.0, 4.0], strict=True):
        assert 0.75 * base <= wait <= base


async def test_a_429_without_retry_after_backs_off(
    router: respx.Router, make_client: ClientFactory, fake_time: FakeTime
) -> None:
    """A 429 with no ``Retry-After`` still waits (0.5-0.75 s) before the retry."""
    router.get(PATH).mock(side_effect=[httpx.Response(429), OK])
    async with make_client(adaptive_rate_limit=False) as client:
        await client.projects.get("p1")
    assert 1 == len(fake_time.waits)
    assert 0.5 <= fake_time.waits[0] <= 0.75


# -- a request that must not be applied twice ------------------------------------------

RENDER = f"{PROJECTS_PATH}/p1/render"


@pytest.mark.parametrize(
    ("exc", "applied", "expected"),
    [
        (status_error(429), False, True),
        (connection_error(), False, True),
        (status_error(429), True, False),
        (connection_error(), True, False),
        (status_error(503), False, False),
        (status_error(409), False, False),
    ],
    ids=["429", "connection", "429 after a lost attempt", "connection after one", "503", "409"],
)
def test_may_resend(exc: BaseException, applied: bool, expected: bool) -> None:
    """Sent again only after a 429 or a connection error, and only if nothing was applied."""
    assert expected == RetryPolicy.may_resend(exc, applied)


@pytest.mark.parametrize(
    ("first", "attempts", "applied"),
    [
        (httpx.Response(429), 2, False),
        (httpx.ConnectError("refused"), 2, False),
        (httpx.ReadError("reset after sending"), 1, True),
        (httpx.Response(503), 1, True),
        (httpx.Response(409), 1, False),
    ],
    ids=["429", "never sent", "maybe sent", "503", "409"],
)
async def test_a_non_idempotent_request_is_resent_only_when_nothing_was_applied(
    router: respx.Router,
    make_client: ClientFactory,
    first: httpx.Response | Exception,
    attempts: int,
    applied: bool,
) -> None:
    """``idempotent=False``: a 429 or a never-sent request is retried; nothing else is."""
    route = router.post(RENDER).mock(side_effect=[first, httpx.Response(200, json={})])
    async with make_client(adaptive_rate_limit=False) as client:
        if attempts == 2:
            reply = await client._request("POST", RENDER, idempotent=False)
            assert (200, 2, applied) == (
                reply.response.status_code,
                reply.attempts,
                reply.lost_attempt,
            )
        else:
            with pytest.raises(APIError) as info:
                await client._request("POST", RENDER, idempotent=False)
            assert (1, applied) == (info.value.attempts, info.value.may_have_been_applied)
    assert attempts == route.call_count


async def test_a_non_idempotent_request_stops_once_an_attempt_may_have_been_applied(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Never sent, then a 502 (maybe applied), then no third attempt even for a 429."""
    route = router.post(RENDER).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(502), httpx.Response(429)]
    )
    async with make_client(adaptive_rate_limit=False) as client:
        with pytest.raises(InternalServerError) as info:
            await client._request("POST", RENDER, idempotent=False)
    assert (2, 2, True) == (
        route.call_count,
        info.value.attempts,
        info.value.may_have_been_applied,
    )
