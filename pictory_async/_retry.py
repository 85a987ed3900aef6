"""Retry rules, behind one module: the only place that imports tenacity.

Every failed attempt of every request (API calls and CDN downloads alike) is decided
here, by one ``RetryPolicy`` per client: the success path never enters it, the first
failure enters tenacity, which decides for it and for every later one.

What is retried: connection errors, timeouts, 408, 409, 429 and 5xx; nothing else. A
request that must not be applied twice (starting a render) only after a 429 or a
connection that never carried it, never once an attempt may have been applied.
How long to wait: exponential backoff with jitter, capped; a ``Retry-After`` the server
sent is the wait instead (for a 429 the client's shared cool-down, applied by
``Throttle.acquire`` before the next attempt, does the waiting). A ``Retry-After`` above
``max_retry_after`` is not waited for: the error is raised at once. Every call has a
total budget, ``max_retry_time``: a wait that would end past it is not started.
"""

from __future__ import annotations

import email.utils
import functools
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState

from ._exceptions import APIConnectionError, APIStatusError, RateLimitError
from ._logs import logger
from ._types import Clock, Sleep

__all__ = ["RetryPolicy", "is_retryable", "parse_retry_after"]

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0


def parse_retry_after(headers: Mapping[str, str], *, now: Clock | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` in seconds or as a date.

    Returns ``None`` when no header is there or it cannot be read.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(0.0, value)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - (now or time.time)())
    return max(0.0, value) if math.isfinite(value) else None


def is_retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is worth another attempt, before caps and budgets."""
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIStatusError):
        status = exc.status_code
        return status in RETRY_STATUSES or status >= 500
    return False


def backoff(attempt: int, *, rand: Callable[[], float] = random.random) -> float:
    """Capped exponential backoff with jitter for the ``attempt``-th failure (1-based)."""
    base: float = min(MAX_DELAY, INITIAL_DELAY * 2.0 ** (attempt - 1))
    return base * (1 - 0.25 * rand())


class RetryPolicy:
    """Decides every failed attempt of a call: another one, after which wait, or the end.

    The tenacity machinery is configured once per policy and copied per failing call
    (tenacity keeps a call's state on the object). A call's first attempt runs without
    it: its bookkeeping costs more than a whole request does on the hot path of a bulk
    run. On the first failure, ``after_failure`` enters tenacity with that failure as
    its first outcome, so one set of rules (``should_retry``, ``wait_for``, the count,
    the ``max_retry_time`` budget, the log line) decides for every failure.

    Args:
        max_retries: Retries after the first attempt.
        max_retry_after: A ``Retry-After`` above this many seconds is not waited for.
        max_retry_time: Seconds a call may spend from its first attempt on; a wait that
            would end later is not started and the last error is raised. ``None``: no budget.
        sleep: The async sleep to wait with (tests inject a fake one).
        clock: The monotonic clock the budget is measured on.
        cooldown: Seconds left in the client's shared cool-down (waited in the throttle).
        rand: Random source for the jitter.
    """

    def __init__(
        self,
        *,
        max_retries: int,
        max_retry_after: float,
        max_retry_time: float | None,
        sleep: Sleep,
        clock: Clock,
        cooldown: Callable[[], float] = lambda: 0.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.max_retry_time = max_retry_time
        self._sleep = sleep
        self._clock = clock
        self._cooldown = cooldown
        self._rand = rand
        self._retrying = AsyncRetrying(sleep=self._pause, reraise=True)

    def honours(self, retry_after: float | None) -> bool:
        """Whether a ``Retry-After`` of this many seconds is waited for (the one rule)."""
        return retry_after is None or retry_after <= self.max_retry_after

    def capped(self, retry_after: float | None) -> float | None:
        """``retry_after`` limited to ``max_retry_after``: what the shared cool-down waits."""
        return None if retry_after is None else min(retry_after, self.max_retry_after)

    def should_retry(self, exc: BaseException) -> bool:
        """Whether ``exc`` gets another attempt (budgets aside)."""
        if not is_retryable(exc):
            return False
        return not isinstance(exc, APIStatusError) or self.honours(exc.retry_after)

    def wait_for(
        self, exc: BaseException | None, failures: int, *, shared_cooldown: bool = True
    ) -> float:
        """Seconds to sleep before the next attempt after ``failures`` failures.

        With ``shared_cooldown`` (API calls), a 429 adds no wait of its own: the
        client's shared cool-down in ``Throttle.acquire`` does the waiting.
        """
        if shared_cooldown and isinstance(exc, RateLimitError):
            return 0.0
        if isinstance(exc, APIStatusError) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(failures, rand=self._rand)

    async def after_failure(
        self,
        attempt: Callable[[], Awaitable[T]],
        first_failure: Exception,
        *,
        started: float,
        describe: str,
        shared_cooldown: bool = True,
        applied: Callable[[], bool] | None = None,
    ) -> T:
        """Carry on after the first attempt raised ``first_failure``; raise the last failure.

        Args:
            attempt: Makes one more attempt.
            first_failure: What the first attempt raised; tenacity sees it as its first
                outcome (nothing is sent for it), so it is decided as every later one.
            started: When the first attempt was sent (on the policy's clock).
            describe: ``METHOD /path`` for the log.
            shared_cooldown: The client's throttle waits out 429s (API calls); off for
                requests it does not pace (CDN downloads), which wait themselves.
            applied: Given for a request that must not be applied twice (not
                idempotent): whether an attempt so far may have been applied. It is sent
                again only as ``may_resend`` allows.
        """
        should: Callable[[BaseException], bool] = (
            self.should_retry if applied is None else functools.partial(self._once, applied)
        )
        pending = [first_failure]

        async def replayed() -> T:
            if pending:
                raise pending.pop()  # the first attempt's outcome, decided like the others
            return await attempt()

        retrying = self._retrying.copy(
            stop=functools.partial(self._stop, started),
            before_sleep=functools.partial(self._before_sleep, describe),
            wait=functools.partial(self._wait, shared_cooldown),
            retry=functools.partial(self._retry, should),
        )
        return await retrying(replayed)

    @staticmethod
    def may_resend(exc: BaseException, applied: bool) -> bool:
        """Whether a request that must not be applied twice may be sent again after ``exc``.

        Only when nothing so far can have been ``applied``, and ``exc`` is a 429 or a
        connection that never carried the request: any other answer (a 409, a 4xx)
        came from the API, which would answer a retry the same way.
        """
        return not applied and isinstance(exc, (RateLimitError, APIConnectionError))

    def _once(self, applied: Callable[[], bool], exc: BaseException) -> bool:
        return self.may_resend(exc, applied()) and self.should_retry(exc)

    async def _pause(self, delay: float) -> None:
        if delay:  # a 429's wait is the throttle's: no sleep of 0 s in between
            await self._sleep(delay)

    # -- tenacity callbacks (attempt_number counts failures, the first one included) --

    def _retry(self, should: Callable[[BaseException], bool], state: RetryCallState) -> bool:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None and outcome.failed else None
        return exc is not None and should(exc)

    def _wait(self, shared_cooldown: bool, state: RetryCallState) -> float:
        outcome = state.outcome
        return self.wait_for(
            outcome.exception() if outcome else None,
            state.attempt_number,
            shared_cooldown=shared_cooldown,
        )

    def _stop(self, started: float, state: RetryCallState) -> bool:
        if state.attempt_number > self.max_retries:
            return True
        if self.max_retry_time is None:
            return False
        wait = max(state.upcoming_sleep, self._cooldown())
        return self._clock() - started + wait > self.max_retry_time

    def _before_sleep(self, describe: str, state: RetryCallState) -> None:
        outcome = state.outcome
        _log_retry(
            describe,
            outcome.exception() if outcome else None,
            state.upcoming_sleep,
            state.attempt_number,
        )


def _log_retry(describe: str, exc: BaseException | None, delay: float, failures: int) -> None:
    logger.info("retrying %s in %.2fs after failure %d: %s", describe, delay, failures, exc)
