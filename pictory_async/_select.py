"""Selecting projects: a pure test of a ``ProjectSummary`` against the filters given.

``Projects.select`` feeds it the listing; here nothing is fetched, so a filter is
checked, and tested, without a client. Every filter given applies, even an empty or
zero one; ``None`` means "any".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from ._exceptions import InvalidInputError
from ._models import ProjectSummary

__all__ = ["Predicate", "selection"]

Predicate = Callable[[ProjectSummary], bool]
"""A test of one summary: ``True`` keeps it."""


def selection(
    *,
    older_than: timedelta | None = None,
    source: str | Iterable[str] | None = None,
    where: Predicate | None = None,
    now: datetime | None = None,
) -> Predicate:
    """The test a summary must pass to match every filter given.

    Args:
        older_than: Last saved longer ago than this, counted from ``now``. A summary
            without a saved date never matches (unknown age is not old enough), nor
            does one saved in the future.
        source: One source or several; an empty collection matches nothing.
        where: Any other test of a summary.
        now: The time "older than" counts from (default: now, UTC, read here).

    Returns:
        The predicate.

    Raises:
        InvalidInputError: A filter is invalid.
    """
    if older_than is not None and (
        not isinstance(older_than, timedelta) or older_than < timedelta(0)
    ):
        raise InvalidInputError("older_than must be a timedelta >= 0")
    sources: frozenset[str] | None = None
    if source is not None:
        sources = frozenset([source] if isinstance(source, str) else source)
        if not all(isinstance(s, str) for s in sources):
            raise InvalidInputError("source must be a string or an iterable of strings")
    if now is not None and (not isinstance(now, datetime) or now.tzinfo is None):
        raise InvalidInputError("now must be an aware datetime")
    if where is not None and not callable(where):
        raise InvalidInputError("where must be a callable taking a ProjectSummary")
    cutoff = None
    if older_than is not None:
        cutoff = (now if now is not None else datetime.now(timezone.utc)) - older_than

    def matches(summary: ProjectSummary) -> bool:
        if cutoff is not None and (summary.saved_date is None or summary.saved_date >= cutoff):
            return False
        if sources is not None and summary.source not in sources:
            return False
        return where is None or bool(where(summary))

    return matches
