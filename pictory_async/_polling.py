"""Polling until something is done: one loop for renders and jobs alike.

Each poll goes through the client's pipeline (its rate control and shared cool-down);
the interval is jittered by ±10% so that many concurrent waits spread out. The deadline
decides when polling stops: the last sleep is cut to it and one more poll is made there,
so a state reached during that sleep is seen, and no poll starts after it. The poll
under way at the deadline (that last look, a slow answer, retries after 5xx) gets a
short grace, ``deadline_grace(timeout)`` (a tenth of the timeout, at most 5 s), and is
cancelled when that runs out, however long the client's own ``timeout`` and
``max_retry_time`` would have let it run. Each state a poll brings is handed to the
caller's ``on_poll`` (a progress display) before it is judged; what that raises ends
the wait. Cancelling the caller stops the loop; nothing keeps running.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import sys
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from ._exceptions import InvalidInputError, PictoryError
from ._options import to_seconds
from ._types import Clock, Duration, Sleep

if sys.version_info >= (3, 11):
    from asyncio import timeout as _timer
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _timer

__all__ = [
    "MAX_DEADLINE_GRACE",
    "Timing",
    "check_on_poll",
    "deadline_grace",
    "poll_options",
    "poll_until",
]

T = TypeVar("T")


class Timing(Protocol):
    """What a wait reads of the client: its clock and its sleep."""

    @property
    def _clock(self) -> Clock: ...

    @property
    def _sleep(self) -> Sleep: ...


MAX_DEADLINE_GRACE = 5.0
"""Seconds at most that the poll under way at a wait's deadline may take past it."""


def deadline_grace(timeout: float) -> float:
    """Seconds past the deadline the poll under way there may take: a tenth of ``timeout``.

    At most ``MAX_DEADLINE_GRACE``, so a wait ends by ``timeout + 5 s`` at the latest,
    and small enough that a short timeout stays short.
    """
    return min(MAX_DEADLINE_GRACE, timeout / 10)


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


def check_on_poll(on_poll: object) -> None:
    """Check a wait's ``on_poll`` before any request: ``None`` or a plain (sync) callable.

    Raises:
        InvalidInputError: Not callable, or a coroutine function (it would never run).
    """
    if on_poll is None:
        return
    if not callable(on_poll):
        raise InvalidInputError(f"on_poll must be callable, not {type(on_poll).__name__}")
    if inspect.iscoroutinefunction(on_poll):
        raise InvalidInputError("on_poll must be a plain function: it is called, not awaited")


def _jitter() -> float:
    """The factor of one sleep between polls: 0.9 to 1.1, so that many waits spread out."""
    return random.uniform(0.9, 1.1)


async def poll_until(
    client: Timing,
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    timeout: float,
    interval: float,
    expired: Callable[[T | None, float], Exception],
    on_poll: Callable[[T], object] | None = None,
    sleep: Sleep | None = None,
) -> T:
    """Call ``fetch`` until ``done`` says so, or raise the wait's own error at the deadline.

    The deadline is measured on the client's clock. Polls start at most at the deadline:
    when a sleep reaches it, one last poll is made there, so a state reached during that
    sleep is not reported as a timeout. The poll under way at the deadline gets a grace
    of ``deadline_grace(timeout)`` more seconds and is then cancelled by an event-loop
    timer (the client's clock and the loop's are the same unless the caller injected
    others). A poll that ends after the deadline without the finished state (or with an
    error) ends the wait as timed out; one that brings the finished state is returned. A
    poll that fails before the deadline ends the wait with its error, as before. A
    ``timeout`` of 0 is one look: a single poll, within the client's own limits, its
    state returned if final, else expired.

    Args:
        client: The client whose clock and sleep time the wait.
        fetch: One poll, through the client's pipeline.
        done: Whether the state is final; may raise (a failed job is finished, and an
            error).
        timeout: Seconds until the deadline; ``0``: poll once, do not wait.
        interval: Seconds between polls, jittered by ±10%.
        expired: The error for the deadline, given the last state seen (``None`` when
            no poll answered before it) and the seconds waited.
        on_poll: Called with each state a poll brings, before ``done`` judges it; what
            it raises ends the wait.
        sleep: The sleep between polls, if not the client's (one a webhook can cut short).

    Raises:
        Exception: ``expired(...)`` at the deadline, chained from the poll's error if it
            had one; else what ``fetch``, ``on_poll`` or ``done`` raised.
    """
    clock = client._clock
    start = clock()
    last: T | None = None
    look_once = timeout == 0  # not cut by the deadline: the client's limits bound it
    grace = deadline_grace(timeout)

    def timed_out() -> Exception:
        return expired(last, clock() - start)

    while True:  # each turn: one poll, then return, raise, or sleep (at most to the deadline)
        remaining = timeout - (clock() - start)
        failure: Exception | None = None
        try:
            async with _timer(None if look_once else max(remaining, 0.0) + grace):
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
        if on_poll is not None:
            on_poll(answer)
        if done(answer):
            return answer
        last = answer
        remaining = timeout - (clock() - start)
        if remaining <= 0:  # this poll was the one at (or past) the deadline
            raise timed_out()
        await (sleep or client._sleep)(min(remaining, interval * _jitter()))


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
