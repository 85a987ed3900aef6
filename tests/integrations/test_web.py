"""The one table that turns our errors into HTTP answers, for both frameworks."""

from __future__ import annotations

import logging

import httpx
import pytest

from pictory_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PictoryError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from pictory_async._web import ErrorAnswer, answer_for

KEY = "pictai_secret_key_do_not_leak"
REQUEST = httpx.Request(
    "GET", "https://api.pictory.ai/pictoryapis/v2/projects/p1", headers={"Authorization": KEY}
)


def _status(
    cls: type[APIStatusError], status: int, retry_after: float | None = None
) -> APIStatusError:
    response = httpx.Response(status, json={"message": f"upstream says {KEY}"}, request=REQUEST)
    return cls("upstream message", response=response, body=None, retry_after=retry_after)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_status(NotFoundError, 404), 404),
        (_status(PermissionDeniedError, 403), 403),
        (_status(RateLimitError, 429), 429),
        (InvalidProjectIdError("project id must not be empty"), 422),
        (InvalidInputError("folder must be a non-empty string"), 422),
        (MissingAPIKeyError("no API key"), 500),
        (ClientClosedError("closed"), 503),
        (APITimeoutError(request=REQUEST), 504),
        (APIConnectionError(request=REQUEST), 502),
        (_status(AuthenticationError, 401), 502),
        (_status(BadRequestError, 400), 502),
        (_status(ConflictError, 409), 502),
        (_status(InternalServerError, 503), 502),
        (_status(APIStatusError, 418), 502),
        (ResponseTooLargeError("big", request=REQUEST, status_code=200, limit=1), 502),
        (
            ResponseValidationError(
                "not a project", response=httpx.Response(200, text="[]", request=REQUEST)
            ),
            502,
        ),
        (PictoryError("anything else"), 502),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_status_for_each_error(error: PictoryError, expected: int) -> None:
    """Each error maps to its status; the body never holds the key or the API's text."""
    answer = answer_for(error)

    assert expected == answer.status
    assert ["detail"] == list(answer.body())
    assert KEY not in answer.detail
    assert "upstream" not in answer.detail


@pytest.mark.parametrize(("retry_after", "expected"), [(2.0, "2"), (0.2, "1"), (1.5, "2")])
def test_retry_after_in_whole_seconds(retry_after: float, expected: str) -> None:
    """A 429's Retry-After is rounded up to whole seconds, at least 1."""
    answer = answer_for(_status(RateLimitError, 429, retry_after=retry_after))

    assert {"Retry-After": expected} == answer.headers


def test_no_retry_after_when_unknown() -> None:
    """A 429 whose API answer gave no Retry-After has none either."""
    assert {} == answer_for(_status(RateLimitError, 429)).headers


def test_invalid_input_says_what_is_wrong() -> None:
    """The caller's invalid input is described to the caller."""
    expected = ErrorAnswer(status=422, detail="project id must not be empty")

    assert expected == answer_for(InvalidProjectIdError("project id must not be empty"))


def test_upstream_failures_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A 5xx answer is logged at WARNING (with the API's message, never the key)."""
    with caplog.at_level(logging.WARNING, logger="pictory_async"):
        answer_for(_status(InternalServerError, 503))
        answer_for(_status(NotFoundError, 404))

    assert 1 == len(caplog.records)
    assert "answering 502 for InternalServerError" in caplog.records[0].getMessage()
    assert KEY not in caplog.text
