"""The Redis store: one rate, cool-down and pace shared by every process on a key.

``RedisRateStore`` hands each client a ``RedisRate`` channel for its key's hash
(``pictory-async:rate:<scope>``), which runs the Lua scripts of ``_scripts``: one
ACQUIRE per request, one REPORT per 429, and PEEK while a refused process waits.
redis-py's asyncio client is imported only when a Redis store is made (extra
``[redis]``). Each command is bounded by a short timeout and never retried by
redis-py: a store that does not answer at once is down, and the throttle's
``SharedSchedule`` falls back to the client's own pace. No error carries the store's
URL (it may hold a password) or the API key, which never reaches Redis: the key's name
is a hash (``scope_of``). An answer that is not the script's (a key of another type,
another server) counts as the store being down.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError
from .._throttle._learned import FORGET_AFTER, IDLE_HALF_LIFE
from .._throttle._shared import Booking, SharedRate, SharedStoreError
from ._base import RateStore
from ._scripts import ACQUIRE, PEEK, REPORT

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["IDLE_TTL", "PREFIX", "RedisRate", "RedisRateStore"]

PREFIX = "pictory-async:rate:"
IDLE_TTL = FORGET_AFTER * IDLE_HALF_LIFE  # seconds: an idle key expires as a file is forgotten
TIMEOUT = 0.5  # seconds a command (or a connection) may take before the store is down
MAX_WAIT = 60.0  # seconds: a longer wait from the store is cut to this (then asked again)
SCHEMES = ("redis", "rediss", "unix")
_EXTRA = 'the Redis rate store needs the redis extra: pip install "pictory-async[redis]"'


def _redis_client(url: str, timeout: float) -> Redis:
    """A redis-py asyncio client for ``url`` that never retries a command on its own."""
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError:  # pragma: no cover - the test environment has redis
        raise InvalidInputError(_EXTRA) from None
    if urllib.parse.urlsplit(url).scheme not in SCHEMES:
        raise InvalidInputError("a Redis rate store URL starts with redis://, rediss:// or unix://")
    try:
        return Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
    except (ValueError, TypeError) as exc:  # never echo the URL: it may hold a password
        raise InvalidInputError(
            f"rate_store is not a Redis URL redis-py can read ({type(exc).__name__})"
        ) from None


class RedisRateStore(RateStore):
    """Share the rate, the cool-down and the pace with every process on the same key.

    Args:
        url: A ``redis://``, ``rediss://`` or ``unix://`` URL.
        client: Or your own ``redis.asyncio.Redis`` (not closed by the store; give it
            a short ``socket_timeout``: a slow store slows every request).
        timeout: Seconds a command may take before the store counts as down.
        clock: Seconds to run the scripts at instead of Redis's ``TIME`` (tests only:
            every process on a key must share one clock).

    Raises:
        InvalidInputError: Neither or both of ``url`` and ``client``, a URL redis-py
            cannot read, or the ``redis`` extra is not installed.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Redis | None = None,
        timeout: float = TIMEOUT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if (url is None) == (client is None):
            raise InvalidInputError("RedisRateStore takes a url or a client, not both or neither")
        self._owns = client is None
        if client is None:
            assert url is not None
            client = _redis_client(url, timeout)
        self._redis = client
        self._clock = clock
        self._acquire = client.register_script(ACQUIRE)
        self._report = client.register_script(REPORT)
        self._peek = client.register_script(PEEK)

    def __repr__(self) -> str:
        return "RedisRateStore(<url not shown>)"

    def share(self, scope: str) -> SharedRate:
        """The channel to ``scope``'s shared rate."""
        return RedisRate(self, PREFIX + scope, self._clock)

    async def aclose(self) -> None:
        """Close the connections of a client the store made itself."""
        if self._owns:
            await self._redis.aclose()

    async def _call(self, script: Any, key: str, args: list[object]) -> Any:
        try:
            return await script(keys=[key], args=args)
        except Exception as exc:  # redis.RedisError, OSError, a timeout: the store is down
            raise SharedStoreError(type(exc).__name__) from None


class RedisRate:
    """One key's shared rate in Redis (a ``SharedRate``).

    Args:
        store: The store whose connection and scripts it uses.
        key: The hash's name in Redis.
        clock: Seconds to run the scripts at instead of Redis's ``TIME`` (tests).
    """

    def __init__(
        self, store: RedisRateStore, key: str, clock: Callable[[], float] | None = None
    ) -> None:
        self._store = store
        self.key = key
        self._clock = clock
        self._ttl = int(IDLE_TTL * 1000)

    def _at(self) -> list[object]:
        return [] if self._clock is None else [repr(self._clock() * 1000)]

    async def acquire(self, successes: int, lift: int = -1) -> Booking:
        """Run ACQUIRE: count ``successes``, then the cool-down and the GCRA booking."""
        answer = await self._store._call(
            self._store._acquire, self.key, [successes, self._ttl, lift, *self._at()]
        )
        try:
            wait, generation, paced = answer
            seconds = float(wait) / 1000
            booking = Booking(min(seconds, MAX_WAIT), int(generation), bool(int(paced)))
        except (TypeError, ValueError):
            raise SharedStoreError("an answer that is not ACQUIRE's") from None
        if not seconds >= 0:  # NaN included
            raise SharedStoreError("an answer that is not ACQUIRE's")
        return booking

    async def report(self, generation: int, pause: float, successes: int) -> int:
        """Run REPORT: the cool-down extended by ``pause`` seconds, one cut per event."""
        after = await self._store._call(
            self._store._report,
            self.key,
            [generation, repr(max(0.0, pause) * 1000), successes, self._ttl, *self._at()],
        )
        if isinstance(after, bool) or not isinstance(after, int):
            raise SharedStoreError("an answer that is not REPORT's")
        return after

    async def pause_left(self) -> float:
        """Run PEEK: seconds left in the fleet's pause."""
        answer = await self._store._call(self._store._peek, self.key, self._at())
        try:
            seconds = float(answer) / 1000
        except (TypeError, ValueError):
            raise SharedStoreError("an answer that is not PEEK's") from None
        if not seconds >= 0:
            raise SharedStoreError("an answer that is not PEEK's")
        return seconds
