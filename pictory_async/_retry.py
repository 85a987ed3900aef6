"""Retry rules, behind one module: the only place that imports tenacity.

What is retried: connection errors, timeouts, 408, 409, 429 and 5xx; nothing else.
How long to wait: exponential backoff with jitter, capped; for throttling (429, or any
response carrying ``Retry-After``) the wait is the client's shared cool-down, applied by
``Throttle.acquire`` before the next attempt, so this module adds nothing on top.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt

from ._exceptions import APIConnectionError, APIStatusError, RateLimitError

__all__ = ["RetryPolicy", "is_retryable", "parse_retry_after"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

logger = logging.getLogger("pictory_async")

RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
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
        return max(0.0, when.timestamp() - now())
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
    """Runs one request with retries.

    The first attempt runs without tenacity, because its bookkeeping costs more than a
    whole request does on the hot path of a bulk run; tenacity takes over from the first
    failure on.

    Args:
        max_retries: Retries after the first attempt.
        max_retry_after: A ``Retry-After`` above this many seconds is not waited for: the
            ``RateLimitError`` is raised at once.
        sleep: The async sleep to wait with (tests inject a fake one).
        rand: Random source for the jitter.
    """

    def __init__(
        self,
        *,
        max_retries: int,
        max_retry_after: float,
        sleep: Sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._rand = rand

    def should_retry(self, exc: BaseException) -> bool:
        """Whether ``exc`` gets another attempt (the budget aside)."""
        if not is_retryable(exc):
            return False
        if isinstance(exc, APIStatusError) and exc.retry_after is not None:
            return exc.retry_after <= self.max_retry_after
        return True

    def wait_for(self, exc: BaseException | None, failures: int) -> float:
        """Seconds to sleep before the next attempt after ``failures`` failures."""
        if isinstance(exc, RateLimitError):
            return 0.0  # the shared cool-down in Throttle.acquire does the waiting
        if isinstance(exc, APIStatusError) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(failures, rand=self._rand)

    async def run(self, attempt: Callable[[], Awaitable[T]], *, describe: str) -> T:
        """Run ``attempt`` until it succeeds, fails for good, or the budget is spent."""
        try:
            return await attempt()
        except Exception as exc:
            return await self.after_failure(attempt, exc, describe=describe)

    async def after_failure(
        self, attempt: Callable[[], Awaitable[T]], first_failure: Exception, *, describe: str
    ) -> T:
        """Carry on after the first attempt raised ``first_failure`` (re-raised if final).

        Callers on a hot path make the first attempt themselves and come here only when
        it failed, which saves a coroutine frame on every request that succeeds.
        """
        if self.max_retries <= 0 or not self.should_retry(first_failure):
            raise first_failure
        delay = self.wait_for(first_failure, 1)
        self._log_retry(describe, first_failure, delay, 1)
        if delay:
            await self._sleep(delay)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_for(exc, state.attempt_number + 1)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait_s = state.next_action.sleep if state.next_action else 0.0
            self._log_retry(describe, exc, wait_s, state.attempt_number + 1)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries),
            wait=wait,
            retry=lambda state: bool(
                state.outcome
                and state.outcome.failed
                and self.should_retry(state.outcome.exception())
            ),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return await retrying(attempt)

    @staticmethod
    def _log_retry(describe: str, exc: BaseException | None, delay: float, failures: int) -> None:
        logger.info("retrying %s in %.2fs after failure %d: %s", describe, delay, failures, exc)
