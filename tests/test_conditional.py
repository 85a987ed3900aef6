"""Validators: which ones may ask the CDN, and which 304 proves the same bytes."""

from __future__ import annotations

import pytest

from pictory_async._conditional import Validators

STRONG = '"abc123"'
DATE = "Tue, 03 Feb 2026 10:00:00 GMT"
LATER = "Tue, 03 Feb 2026 10:00:01 GMT"


@pytest.mark.parametrize(
    ("validators", "expected"),
    [
        (Validators(etag=STRONG, last_modified=DATE, size=9), {"If-None-Match": STRONG}),
        (Validators(etag=STRONG), {"If-None-Match": STRONG}),
        (Validators(etag='W/"abc"', last_modified=DATE, size=9), {"If-Modified-Since": DATE}),
        (Validators(last_modified=DATE, size=9), {"If-Modified-Since": DATE}),
        (Validators(etag='W/"abc"', size=9), None),  # weak: equivalent is not identical
        (Validators(last_modified=DATE), None),  # a date without the size it had
        (Validators(last_modified="yesterday", size=9), None),
        (Validators(etag="abc", size=9), None),  # not an entity tag (unquoted)
        (Validators(), None),
    ],
    ids=[
        "strong",
        "strong-only",
        "weak+date",
        "date",
        "weak",
        "no-size",
        "bad-date",
        "bad",
        "none",
    ],
)
def test_only_a_strong_etag_or_a_date_and_size_may_ask(
    validators: Validators, expected: dict[str, str] | None
) -> None:
    """A strong ETag asks ``If-None-Match``; else a date and size ask ``If-Modified-Since``."""
    assert expected == validators.condition()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"etag": STRONG}, True),
        ({"etag": f" {STRONG} ", "last-modified": LATER}, True),
        ({}, False),  # a 304 must repeat the ETag it confirms
        ({"etag": '"other"'}, False),
        ({"etag": f"W/{STRONG}"}, False),  # a weak match is not the same bytes
        ({"last-modified": DATE}, False),
    ],
)
def test_a_304_confirms_a_strong_etag_only_by_repeating_it(
    headers: dict[str, str], expected: bool
) -> None:
    """Asked with a strong ETag, only a 304 that carries that same ETag confirms it."""
    assert expected == Validators(etag=STRONG, last_modified=DATE, size=9).confirmed_by(headers)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"last-modified": DATE}, True),
        ({"last-modified": DATE, "etag": 'W/"v1"'}, True),
        ({"last-modified": DATE, "content-length": "9"}, True),
        ({"last-modified": DATE, "content-length": "0"}, True),  # the 304's own empty body
        ({}, False),  # nothing repeated: nothing proven
        ({"last-modified": LATER}, False),  # another version, dated later
        ({"last-modified": "Mon, 02 Feb 2026 10:00:00 GMT"}, False),  # or earlier
        ({"last-modified": DATE, "etag": 'W/"v2"'}, False),
        ({"last-modified": DATE, "etag": STRONG}, False),
        ({"last-modified": DATE, "content-length": "10"}, False),
        ({"last-modified": "garbage"}, False),
    ],
)
def test_a_304_confirms_a_date_only_with_the_same_date_etag_and_length(
    headers: dict[str, str], expected: bool
) -> None:
    """Asked with a date, a 304 confirms only the same date, no other ETag or length."""
    validators = Validators(etag='W/"v1"', last_modified=DATE, size=9)
    assert expected == validators.confirmed_by(headers)


def test_a_304_to_validators_that_ask_nothing_confirms_nothing() -> None:
    """Without a validator that can ask, no 304 is ever taken as a confirmation."""
    assert False is Validators(etag='W/"v1"', size=9).confirmed_by({"etag": 'W/"v1"'})


def test_malformed_validators_from_a_200_are_left_out() -> None:
    """An ETag that is not one, or a date that is not one, is not kept (nor ever asked)."""
    served = Validators.from_headers({"etag": "abc", "last-modified": "soon"}, 3)
    assert Validators(size=3) == served
    kept = Validators.from_headers({"etag": f"W/{STRONG}", "last-modified": f" {DATE}"})
    assert Validators(etag=f"W/{STRONG}", last_modified=DATE) == kept


def test_what_is_sent_back_is_plain_ascii_whatever_was_recorded() -> None:
    """A non-ASCII ETag is dropped; a date is sent as parsed, never as the text received."""
    served = Validators.from_headers({"etag": '"é"', "last-modified": f"{DATE} junk"}, 9)
    assert Validators(last_modified=DATE, size=9) == served
    tampered = Validators(etag='"é"', last_modified=f"{DATE}\r\nX-Evil: 1", size=9)
    assert {"If-Modified-Since": DATE} == tampered.condition()
    offset = Validators(last_modified="Tue, 03 Feb 2026 11:00:00 +0100", size=9)
    assert {"If-Modified-Since": DATE} == offset.condition()
