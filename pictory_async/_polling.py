"""Polling until something is done: one loop for renders and jobs alike.

Each poll goes through the client's pipeline (its rate control and shared cool-down);
the interval is jittered by ±10% so that many concurrent waits spread out, and the
deadline is hard: the last sleep is cut to it. Cancelling the caller stops the loop;
nothing keeps running.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ._exceptions import InvalidInputError
from ._types import Duration, to_seconds

if TYPE_CHECKING:
    from ._client import AsyncPictory

__all__ = ["poll_until", "poll_options"]

T = TypeVar("T")


def poll_options(timeout: Duration, poll_interval: Duration) -> tuple[float, float]:
    """``(timeout, poll_interval)`` in seconds, checked before any request.

    Raises:
        InvalidInputError: Not a duration, negative, or an interval under 1 second.
    """
    limit = to_seconds(timeout, name="timeout")
    interval = to_seconds(poll_interval, name="poll_interval")
    if interval < 1:
        raise InvalidInputError("poll_interval must be at least 1 second")
    return limit, interval


async def poll_until(
    client: AsyncPictory,
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    timeout: float,
    interval: float,
    expired: Callable[[T, float], Exception],
) -> T:
    """Call ``fetch`` until ``done`` says so; at the deadline raise ``expired(last, waited)``.

    ``done`` may raise itself (a failed job is finished, and an error).
    """
    start = client._clock()
    while True:
        last = await fetch()
        if done(last):
            return last
        waited = client._clock() - start
        remaining = timeout - waited
        if remaining <= 0:
            raise expired(last, waited)
        await client._sleep(min(remaining, interval * random.uniform(0.9, 1.1)))
