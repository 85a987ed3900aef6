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
    JobFailedError,
    JobOutcomeUnknownError,
    JobTimeoutError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PictoryError,
    RateLimitError,
    RenderFailedError,
    RenderTimeoutError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from pictory_async._exceptions import BackupError
from pictory_async._jobs import Job, JobStatus
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
        (BackupError("/srv/backups/p1: upstream disk full", project_id="p1"), 500),
        (
            RenderTimeoutError("upstream still rendering", project_id="p1", last=None, waited=1),
            504,
        ),
        (JobTimeoutError("upstream job running", job_id="j1", last=None, waited=1), 504),
        (
            JobFailedError(Job(id="j1", status=JobStatus.FAILED, error_message="upstream says")),
            502,
        ),
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


@pytest.mark.parametrize(
    "error",
    [
        BackupError("/srv/backups/p1: cannot write the backup (No space left)", project_id="p1"),
        RenderTimeoutError(
            "project 'p1' still rendering after 600 s", project_id="p1", last=None, waited=600.0
        ),
        JobTimeoutError("job 'j1' not finished after 600 s", job_id="j1", last=None, waited=600.0),
        JobFailedError(Job(id="j1", status=JobStatus.FAILED, error_message="bad voice")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_our_own_failures_are_not_answered_as_the_api_failing(error: PictoryError) -> None:
    """A backup, a wait's deadline or a failed render is not "Pictory's API failed"."""
    answer = answer_for(error)

    assert not answer.detail.startswith("Pictory's API failed")
    assert answer.detail != answer_for(PictoryError("x")).detail


def test_a_backup_error_is_a_500_without_the_services_paths(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """BackupError answers 500 with a sentence of ours; its path goes to the log at ERROR."""
    error = BackupError("/srv/backups/p1: cannot write the backup (No space left)", project_id="p1")

    with caplog.at_level(logging.WARNING, logger="pictory_async"):
        answer = answer_for(error)

    assert 500 == answer.status
    assert "backup" in answer.detail
    assert "/srv" not in answer.detail
    assert [logging.ERROR] == [record.levelno for record in caplog.records]
    assert "/srv/backups/p1" in caplog.text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            RenderTimeoutError("still rendering", project_id="p1", last=None, waited=600.0),
            ErrorAnswer(status=504, detail="The render did not finish in time."),
        ),
        (
            JobTimeoutError("not finished", job_id="j1", last=None, waited=600.0),
            ErrorAnswer(status=504, detail="The render job did not finish in time."),
        ),
    ],
    ids=["render", "job"],
)
def test_a_wait_past_its_deadline_is_a_504(error: PictoryError, expected: ErrorAnswer) -> None:
    """A wait that ran out of time is a gateway timeout that names what did not finish."""
    assert expected == answer_for(error)


def test_a_failed_render_is_a_502_that_says_so_without_pictorys_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """JobFailedError is 502 "the render failed"; the job's message is logged, not answered."""
    error = JobFailedError(Job(id="j1", status=JobStatus.FAILED, error_message="voice 7 gone"))

    with caplog.at_level(logging.WARNING, logger="pictory_async"):
        answer = answer_for(error)

    expected = ErrorAnswer(
        status=502, detail="Pictory could not render the video: the render job failed."
    )
    assert expected == answer
    assert "voice 7 gone" in caplog.text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            RenderFailedError(
                Job(id="j1", status=JobStatus.FAILED, error_message="voice 7 gone"),
                project_id="p1",
            ),
            ErrorAnswer(
                status=502, detail="Pictory could not render the video: the render job failed."
            ),
        ),
        (
            JobOutcomeUnknownError(Job(id="j1", status=JobStatus.CLEANED), project_id="p1"),
            ErrorAnswer(
                status=502,
                detail="The render job was cleaned before its outcome was seen: it may have "
                "completed or failed.",
            ),
        ),
    ],
    ids=["failed", "cleaned"],
)
def test_a_render_that_failed_or_whose_end_is_unknown_says_so(
    error: PictoryError, expected: ErrorAnswer
) -> None:
    """A failed render, or a job cleaned before its end was seen, is not "the API failed"."""
    assert expected == answer_for(error)
