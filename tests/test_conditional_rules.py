"""Validators' edge rules: dates without a zone, and dates sent in GMT whatever the local zone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pictory_async._conditional import Validators

DATE = "Tue, 03 Feb 2026 10:00:00 GMT"


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to one five hours west of UTC, then restored."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize(
    "recorded",
    [DATE, "Tue, 03 Feb 2026 11:00:00 +0100", "Tue, 03 Feb 2026 05:00:00 -0500"],
)
def test_a_date_is_sent_back_in_gmt_whatever_the_local_zone(recorded: str) -> None:
    """``If-Modified-Since`` is the recorded instant in GMT, not in the machine's zone."""
    assert {"If-Modified-Since": DATE} == Validators(last_modified=recorded, size=9).condition()


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize(
    "recorded", ["Tue, 03 Feb 2026 10:00:00 -0000", "Tue, 03 Feb 2026 10:00:00"]
)
def test_a_date_without_a_zone_is_no_validator(recorded: str) -> None:
    """``-0000`` or no zone at all says no instant: it neither asks nor is kept."""
    served = Validators.from_headers({"last-modified": recorded}, 9)
    assert (None, None) == (
        Validators(last_modified=recorded, size=9).condition(),
        served.last_modified,
    )


@pytest.mark.usefixtures("local_zone")
def test_a_304_with_a_date_without_a_zone_confirms_nothing() -> None:
    """Asked with a date, a 304 that repeats it without its zone proves no instant."""
    validators = Validators(last_modified=DATE, size=9)
    assert False is validators.confirmed_by({"last-modified": "Tue, 03 Feb 2026 10:00:00 -0000"})
