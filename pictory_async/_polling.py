"""Polling until something is done: one loop for renders and jobs alike.

Each poll goes through the client's pipeline (its rate control and shared cool-down);
the interval is jittered by ±10% so that many concurrent waits spread out, and the
deadline is hard: the last sleep is cut to it, and a poll still under way at the
deadline (a slow answer, retries after 5xx) is cancelled there, however long the
client's own ``timeout`` and ``max_retry_time`` would have let it run. Cancelling the
caller stops the loop; nothing keeps running.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ._exceptions import InvalidInputError, PictoryError
from ._types import Duration, to_seconds

if sys.version_info >= (3, 11):
    from asyncio import timeout as _timer
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _timer

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
    expired: Callable[[T | None, float], Exception],
) -> T:
    """Call ``fetch`` until ``done`` says so, or raise the wait's own error at the deadline.

    The deadline is measured on the client's clock. A poll gets only the time left to
    it: one still under way there is cancelled by an event-loop timer set to that time
    (the client's clock and the loop's are the same unless the caller injected others).
    A poll that ends after the deadline (its retries slept past it) counts as timed out
    too, unless it brought the finished state. A poll that fails before the deadline
    ends the wait with its error, as before. A ``timeout`` of 0 is one look: a single
    poll, within the client's own limits, its state returned if final, else expired.

    Args:
        client: The client whose clock and sleep time the wait.
        fetch: One poll, through the client's pipeline.
        done: Whether the state is final; may raise (a failed job is finished, and an
            error).
        timeout: Seconds until the deadline; ``0``: poll once, do not wait.
        interval: Seconds between polls, jittered by ±10%.
        expired: The error for the deadline, given the last state seen (``None`` when
            no poll answered before it) and the seconds waited.

    Raises:
        Exception: ``expired(...)`` at the deadline, chained from the poll's error if it
            had one; else what ``fetch`` or ``done`` raised.
    """
    clock = client._clock
    start = clock()
    last: T | None = None
    look_once = timeout == 0  # not cut by the deadline: the client's limits bound it

    def timed_out() -> Exception:
        return expired(last, clock() - start)

    while True:
        remaining = timeout - (clock() - start)
        if remaining <= 0 and not look_once:
            raise timed_out()
        failure: Exception | None = None
        try:
            async with _timer(None if look_once else remaining):
                try:
                    answer = await fetch()
                except Exception as error:  # judged below, outside the timer
                    failure = error
        except asyncio.TimeoutError as cut:  # the timer's: what fetch raised is caught above
            raise timed_out() from _met_before(cut)
        if failure is not None:
            if not look_once and clock() - start >= timeout:
                raise timed_out() from failure
            raise failure
        if done(answer):
            return answer
        last = answer
        remaining = timeout - (clock() - start)
        if remaining <= 0:
            raise timed_out()
        await client._sleep(min(remaining, interval * random.uniform(0.9, 1.1)))


def _met_before(cut: BaseException) -> PictoryError | None:
    """The error a poll cut at the deadline had met already (while it retried), if any.

    The cancellation raised inside the retry loop carries it as its context. Only our
    own errors are taken: they chain nothing from the transport.
    """
    seen: set[int] = set()
    link = cut.__cause__ or cut.__context__
    while link is not None and id(link) not in seen:
        if isinstance(link, PictoryError):
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return None
