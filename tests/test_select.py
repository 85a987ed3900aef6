"""Selecting projects: the pure predicate ``projects.select`` applies to each summary."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import InvalidInputError, ProjectSummary
from pictory_async._select import selection

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _summary(days_ago: float | None = None, source: str | None = "url") -> ProjectSummary:
    saved = None if days_ago is None else NOW - timedelta(days=days_ago)
    return ProjectSummary(id="p1", source=source, saved_date=saved)


def test_no_filter_matches_everything() -> None:
    """Without filters every summary matches, even one with no date or source."""
    assert selection()(_summary(days_ago=None, source=None))


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(31, True), (30, False), (29, False), (-1, False), (None, False)],
    ids=["older", "exactly", "newer", "future", "undated"],
)
def test_older_than_counts_from_now(days_ago: float | None, expected: bool) -> None:
    """Only saved strictly before ``now - older_than``; unknown or future age never matches."""
    matches = selection(older_than=timedelta(days=30), now=NOW)
    assert expected == matches(_summary(days_ago=days_ago))


def test_sources_one_several_or_none() -> None:
    """A source is one string or a collection of them; an empty collection matches nothing."""
    url, script = _summary(source="url"), _summary(source="script")
    one, several, empty = (
        selection(source="url"),
        selection(source=["url", "script"]),
        selection(source=[]),
    )
    assert ([True, False], [True, True], [False, False]) == (
        [one(url), one(script)],
        [several(url), several(script)],
        [empty(url), empty(script)],
    )


@given(
    days_ago=st.none() | st.integers(min_value=-5, max_value=100),
    source=st.sampled_from([None, "url", "script"]),
    where=st.booleans(),
)
def test_every_filter_given_applies(days_ago: int | None, source: str | None, where: bool) -> None:
    """A summary matches the combined filters exactly when it matches each one alone."""
    summary = _summary(days_ago=days_ago, source=source)
    age = selection(older_than=timedelta(days=10), now=NOW)
    origin = selection(source="url")
    test = selection(where=lambda _: where)
    combined = selection(
        older_than=timedelta(days=10), now=NOW, source="url", where=lambda _: where
    )
    assert (age(summary) and origin(summary) and test(summary)) == combined(summary)


@pytest.mark.parametrize(
    "options",
    [
        {"older_than": timedelta(days=-1)},
        {"older_than": 30},
        {"source": [1]},
        {"now": datetime(2026, 1, 1)},
        {"now": "2026-01-01"},
        {"where": "url"},
    ],
    ids=["negative-age", "age-not-timedelta", "source-not-str", "naive-now", "now-str", "where"],
)
def test_invalid_filters_are_refused(options: dict[str, Any]) -> None:
    """A filter that cannot be applied is ``InvalidInputError``, before any summary is seen."""
    with pytest.raises(InvalidInputError):
        selection(**options)
