"""The Redis store end to end: clients on one key through a real ``redis-server``.

The clients run on a fake clock (``FakeTime``) and the store's scripts at that clock
(``RedisRateStore(clock=...)``), so a cool-down of seconds passes at once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
import respx
from _redis import RedisServer, redis_server
from _support import API_KEY, BASE_URL, ClientFactory, FakeTime
from redis.asyncio import Redis

from pictory_async import AsyncPictory
from pictory_async._ratestore import FileRateStore, RedisRateStore, scope_of
from pictory_async._ratestore._redis import IDLE_TTL, MAX_WAIT, PREFIX
from pictory_async._throttle._shared import RECHECK, SharedStoreError

__all__ = ["redis_server"]

SECRET = "pictai_Zq7SecretKeyThatMustNeverLeave0123456789"


class Wave:
    """``/ping`` answers 200, except ``refuse`` requests in a row get 429 Retry-After 1."""

    def __init__(self, router: respx.Router) -> None:
        self.refuse = 0
        self.refused = 0
        router.get("/ping").mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return httpx.Response(429, headers={"Retry-After": "1"})
        return httpx.Response(200, json={})


class Fleet(Protocol):
    def __call__(self, count: int, **options: Any) -> list[AsyncPictory]:
        """``count`` clients, each with a store of its own on one server: processes on one key."""


@pytest.fixture
async def fleet(
    make_client: ClientFactory, redis_server: RedisServer, fake_time: FakeTime
) -> AsyncIterator[Fleet]:
    """Clients on the test's Redis at the fake time; clients and stores closed at the end."""
    made: list[tuple[AsyncPictory, RedisRateStore]] = []

    def build(count: int, **options: Any) -> list[AsyncPictory]:
        clients = []
        for _ in range(count):
            store = RedisRateStore(redis_server.url, clock=fake_time.clock)
            clients.append(make_client(rate_store=store, **options))
            made.append((clients[-1], store))
        return clients

    yield build
    for client, store in made:
        await client.aclose()
        await store.aclose()


async def _fields(server: RedisServer, api_key: str) -> dict[str, str]:
    redis = Redis.from_url(server.url, decode_responses=True)
    try:
        fields = await redis.hgetall(PREFIX + scope_of(BASE_URL, api_key))
        return {str(field): str(value) for field, value in fields.items()}
    finally:
        await redis.aclose()


async def test_one_cut_per_event_across_clients(
    fleet: Fleet, router: respx.Router, redis_server: RedisServer, fake_time: FakeTime
) -> None:
    """Three clients each refused in one event: one generation, one cut of the shared rate."""
    wave = Wave(router)
    clients = fleet(3)
    for _ in range(20):
        for client in clients:
            await client.get("/ping")
            fake_time.advance(0.01)  # 100 successes per second across the fleet
    wave.refuse = 3

    # sent together, refused together; each retried after the pause
    await asyncio.gather(*(client.get("/ping") for client in clients))
    fields = await _fields(redis_server, API_KEY)

    assert 3 == wave.refused
    assert "1" == fields["gen"]
    assert "max" in fields  # cut once (from the fleet's rate: test_ratestore_shared.py)


async def test_the_cool_down_is_shared_by_the_fleet(
    fleet: Fleet, router: respx.Router, fake_time: FakeTime
) -> None:
    """One client is told Retry-After 1: the other, never refused, sends only after it."""
    wave = Wave(router)
    refused, other = fleet(2)
    wave.refuse = 1
    await refused.get("/ping")
    start = fake_time.now - 1.0  # the 429 came a second before its retry went

    await other.get("/ping")

    assert fake_time.now - start >= 1.0
    assert 1 == wave.refused


async def test_the_key_is_a_hash_and_expires_when_idle(
    fleet: Fleet, router: respx.Router, redis_server: RedisServer
) -> None:
    """One hash per key, named by a hash of base URL and key, with an idle expiry."""
    Wave(router)
    [client] = fleet(1)
    await client.get("/ping")
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        keys = [key async for key in redis.scan_iter()]
        ttl = await redis.pttl(keys[0])
    finally:
        await redis.aclose()

    assert [PREFIX + scope_of(BASE_URL, API_KEY)] == keys
    assert 0 < ttl <= IDLE_TTL * 1000


async def test_an_unreachable_server_falls_back_and_rejoins(
    fleet: Fleet,
    router: respx.Router,
    redis_server: RedisServer,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis stopped: calls go on with the local throttle (one log line); restarted: rejoined."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    Wave(router)
    [client] = fleet(1)
    await client.get("/ping")
    redis_server.stop()

    for _ in range(20):
        await client.get("/ping")
        fake_time.advance(0.01)
    redis_server.start()  # empty: nothing was saved
    fake_time.advance(RECHECK)
    await client.get("/ping")
    fields = await _fields(redis_server, API_KEY)

    messages = [record.getMessage() for record in caplog.records]
    assert 1 == sum("unreachable" in message for message in messages)
    assert 1 == sum("reachable again" in message for message in messages)
    assert "okr" in fields  # the rejoined client booked through the store again


async def test_a_server_that_never_answers_costs_one_attempt_per_recheck(
    make_client: ClientFactory, router: respx.Router, tmp_path: Path, fake_time: FakeTime
) -> None:
    """No server at all: requests succeed, and the store is tried once per RECHECK, not per call."""
    Wave(router)
    store = RedisRateStore(f"unix://{tmp_path}/nothing.sock", clock=fake_time.clock)
    client = make_client(rate_store=store)
    tries = 0
    real = store._call

    async def counted(*args: object) -> object:
        nonlocal tries
        tries += 1
        return await real(*args)  # type: ignore[arg-type]

    store._call = counted  # type: ignore[method-assign,assignment]
    for _ in range(50):
        await client.get("/ping")
    await client.aclose()
    await store.aclose()

    assert 1 == tries


def _bytes(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


def _contents(directory: Path) -> list[bytes]:
    """Every file's name and bytes."""
    return [
        part for path in directory.iterdir() for part in (path.name.encode(), path.read_bytes())
    ]


def _encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        secret.lower(),
        secret.split("_", 1)[1],
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        raw.hex(),
        urllib.parse.quote(secret),
        hashlib.sha256(raw).hexdigest(),
        hashlib.md5(raw).hexdigest(),
    ]


async def test_the_api_key_never_reaches_redis_nor_the_cache_file(
    fleet: Fleet,
    make_client: ClientFactory,
    router: respx.Router,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    """Every key and value in Redis and every byte of the cache file: no form of the API key."""
    wave = Wave(router)
    clients = fleet(2, api_key=SECRET)
    for client in clients:
        await client.get("/ping")
    wave.refuse = 2
    for client in clients:
        await client.get("/ping")
    store = FileRateStore(tmp_path)
    wave.refuse = 1
    async with make_client(rate_store=store, api_key=SECRET) as remembering:
        await remembering.get("/ping")

    redis = Redis.from_url(redis_server.url)
    dump: list[bytes] = []
    try:
        async for key in redis.scan_iter():
            dump.append(_bytes(key))
            assert b"hash" == _bytes(await redis.type(key))
            for field, value in (await redis.hgetall(key)).items():
                dump += [_bytes(field), _bytes(value)]
            dump.append(_bytes(await redis.dump(key) or b""))
    finally:
        await redis.aclose()
    files = _contents(tmp_path)

    assert dump
    assert files
    everything = b"\n".join(dump + files)
    for form in _encodings(SECRET):
        assert form.encode() not in everything, form
        assert form.lower().encode() not in everything.lower(), form


async def test_a_key_of_another_type_counts_as_the_store_down(
    fleet: Fleet, router: respx.Router, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Something else wrote the key (a string, not a hash): requests go on, one warning."""
    caplog.set_level(logging.WARNING, logger="pictory_async")
    Wave(router)
    redis = Redis.from_url(redis_server.url)
    await redis.set(PREFIX + scope_of(BASE_URL, API_KEY), "not a hash")
    await redis.aclose()
    [client] = fleet(1)

    for _ in range(3):
        await client.get("/ping")

    assert 1 == sum("unreachable" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "answer", [None, [b"1"], [b"nan", 0, 1], [b"-5", 0, 1], [b"x", 0, 1], "OK", [b"1", b"2"]]
)
async def test_an_answer_that_is_not_the_scripts_counts_as_the_store_down(
    tmp_path: Path, answer: object
) -> None:
    """Another server on the port, a proxy that mangles replies: a typed store error, no crash."""
    store = RedisRateStore(f"unix://{tmp_path}/r.sock")

    async def mangled(*args: object) -> object:
        return answer

    store._call = mangled  # type: ignore[method-assign,assignment]
    rate = store.share("scope")

    with pytest.raises(SharedStoreError):
        await rate.acquire(0)
    await store.aclose()


async def test_a_huge_wait_is_cut(tmp_path: Path) -> None:
    """A store asking for an hour's wait is asked again after MAX_WAIT, not in an hour."""
    store = RedisRateStore(f"unix://{tmp_path}/r.sock")

    async def hour(*args: object) -> object:
        return [b"3600000", 1, 1]

    store._call = hour  # type: ignore[method-assign,assignment]

    booking = await store.share("scope").acquire(0)

    assert MAX_WAIT == booking.wait
    await store.aclose()
