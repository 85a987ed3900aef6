"""How many items a bulk run works on at once, and what a closed client means for one.

A run's concurrency is bounded by the client's connection pool: more workers than
connections would only wait for one. A call the client was closed under counts as
``cancelled`` (it may have been applied), whatever the transport raised.
"""

from __future__ import annotations

from typing import Protocol

from .._exceptions import ClientClosedError
from .._logs import logger

__all__ = ["Pool", "concurrency_within", "raise_if_closed"]


class Pool(Protocol):
    """What a bulk run reads of the client: its pool size and whether it was closed."""

    @property
    def max_connections(self) -> int: ...

    @property
    def is_closed(self) -> bool: ...


def concurrency_within(pool: Pool, concurrency: int | None, default: int | None = None) -> int:
    """``concurrency`` (else ``default``, else the pool's size), at most the pool's size.

    A number above the pool's size is lowered to it, with a warning; anything that is
    not an int is passed on for the run to refuse.
    """
    limit = pool.max_connections
    if concurrency is None:
        return limit if default is None else min(default, limit)
    if isinstance(concurrency, int) and not isinstance(concurrency, bool) and concurrency > limit:
        logger.warning(
            "concurrency %d is above the pool's max_connections %d; using %d "
            "(raise max_connections on the client to go higher)",
            concurrency,
            limit,
            limit,
        )
        return limit
    return concurrency


def raise_if_closed(pool: Pool, error: Exception) -> None:
    """Turn any failure of a call the client was closed under into ``ClientClosedError``.

    In a bulk run that stops the run, and the item counts as ``cancelled`` (it may
    have been applied), whatever the transport raised.
    """
    if pool.is_closed and not isinstance(error, ClientClosedError):
        raise ClientClosedError(
            "the client was closed while this request was in flight; it may or may "
            "not have been applied"
        ) from None
