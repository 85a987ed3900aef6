"""Webhook bodies as ``JobEvent``s, the token in the URL, and the bounded memory of outcomes."""

from __future__ import annotations

import hmac
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import InvalidInputError, JobStatus
from pictory_async.webhooks import InvalidWebhookError, JobEvent, _token, new_secret, parse_event
from pictory_async.webhooks._dedupe import Delivered

JOB_ID = "0f1e2d3c-4b5a-4968-a776-5f4e3d2c1b0a"


def body(job_id: str = JOB_ID, status: str = "completed", **data: Any) -> bytes:
    """A webhook body as the emulator sends it: what ``GET /jobs/{id}`` answers."""
    return json.dumps(
        {"job_id": job_id, "success": True, "data": {"status": status, **data}}
    ).encode()


# -- parsing ------------------------------------------------------------------------


def test_a_job_body_is_read_as_the_api_reads_it_unknown_fields_kept() -> None:
    """The id, claimed status, the body as a ``Job`` and every unknown field are kept."""
    event = parse_event(body(videoURL="https://cdn.example/v.mp4", sparkle=3))

    assert JOB_ID == event.job_id
    assert JobStatus.COMPLETED == event.status
    assert event.is_final
    assert "https://cdn.example/v.mp4" == event.job.video_url
    assert 3 == event.job.raw["sparkle"]
    assert JOB_ID == event.raw["job_id"]


@pytest.mark.parametrize(
    "payload",
    [
        {"jobId": JOB_ID, "data": {"status": "failed"}},
        {"data": {"job_id": JOB_ID, "status": "failed"}},
        {"data": {"jobId": JOB_ID, "status": "failed"}},
    ],
)
def test_the_job_id_is_read_from_every_place_it_may_be(payload: dict[str, Any]) -> None:
    """``job_id`` or ``jobId``, at the top or in ``data``, name the job."""
    event = parse_event(json.dumps(payload).encode())

    assert (JOB_ID, JobStatus.FAILED) == (event.job_id, event.status)


def test_a_status_not_final_is_an_event_but_not_an_outcome() -> None:
    """An ``in-progress`` body parses; it claims no outcome."""
    event = parse_event(body(status="in-progress", renderProgress=40))

    assert (JobStatus.IN_PROGRESS, False) == (event.status, event.is_final)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"not json", "not JSON"),
        (b"<html><body>502 Bad Gateway</body></html>", "HTML"),
        (b"[1, 2]", "not a JSON object"),
        (b"", "not JSON"),
        (json.dumps({"data": {"status": "completed"}}).encode(), "names no job"),
        (body(job_id="../../v2/projects"), "unsafe"),
        (body(job_id="x" * 300), "unsafe"),
        (json.dumps({"job_id": JOB_ID, "data": "completed"}).encode(), "not a job"),
        (body(renderProgress="half"), "not a job"),
        (body(videoURL=["a", "b"]), "not a job"),
        (
            json.dumps(
                {"job_id": JOB_ID, "data": {"jobId": "other", "status": "completed"}}
            ).encode(),
            "two different",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        (b'{"job_id": ' + b"9" * 5000 + b', "data": {"status": "completed"}}', "not JSON"),
        (json.dumps({"job_id": 10**300, "data": {"status": "completed"}}).encode(), "unsafe"),
        (body(job_id="\uff11\uff12\uff13"), "unsafe"),  # fullwidth digits
    ],
)
def test_a_bad_body_is_a_typed_error_answered_400(raw: bytes, says: str) -> None:
    """Not JSON, HTML, wrong types, no or an unsafe id: ``InvalidWebhookError`` with 400."""
    with pytest.raises(InvalidWebhookError, match=says) as caught:
        parse_event(raw)

    assert 400 == caught.value.status_code


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    """A body starting with a UTF-8 BOM parses as without it."""
    assert JOB_ID == parse_event(b"\xef\xbb\xbf" + body()).job_id


def test_a_body_over_the_cap_is_refused_413_unread() -> None:
    """A body one byte over the cap is 413; one at the cap parses."""
    exact = body(padding="")
    exact = body(padding="x" * (1000 - len(exact)))

    assert JOB_ID == parse_event(exact, max_bytes=1000).job_id
    with pytest.raises(InvalidWebhookError) as caught:
        parse_event(exact + b" ", max_bytes=1000)
    assert 413 == caught.value.status_code


def test_a_body_that_is_not_bytes_is_a_typed_error() -> None:
    """A ``str`` (a framework's text) is refused, not guessed at."""
    with pytest.raises(InvalidWebhookError):
        parse_event(body().decode())  # type: ignore[arg-type]


@given(
    st.binary(max_size=300)
    | st.builds(
        lambda v: json.dumps(v).encode(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        ["job_id", "jobId", "data", "status", "success", "videoURL", "x"]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ),
    )
)
def test_any_body_is_an_event_or_a_typed_error(raw: bytes) -> None:
    """Whatever a sender POSTs, the parser returns a ``JobEvent`` or ``InvalidWebhookError``."""
    outcome: JobEvent | InvalidWebhookError
    try:
        outcome = parse_event(raw)
    except InvalidWebhookError as exc:
        outcome = exc
    assert isinstance(outcome, (JobEvent, InvalidWebhookError))


# -- the token --------------------------------------------------------------------------


def test_the_url_carries_the_secret_as_its_token_other_parameters_kept() -> None:
    """``url_with`` adds ``token=`` and keeps the URL's own query."""
    secret = new_secret()

    url = _token.url_with("https://my.host/pictory/webhook?tenant=7", secret)

    assert f"https://my.host/pictory/webhook?tenant=7&token={secret}" == url
    assert "https://my.host/hook" == _token.url_with("https://my.host/hook", None)


@pytest.mark.parametrize(
    "url", ["ftp://my.host/hook", "/pictory/webhook", "https://my.host/hook?token=x", 42]
)
def test_a_url_that_cannot_carry_the_token_is_refused(url: object) -> None:
    """Not absolute http(s), not a string, or a ``token`` of its own: ``InvalidInputError``."""
    with pytest.raises(InvalidInputError):
        _token.url_with(url, "s" * 20)  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", ["short", "has space in it!!", "ünïcödé-secret-long", 12345])
def test_a_weak_or_unusable_secret_is_refused(secret: object) -> None:
    """Under 16 characters, spaces, non-ASCII or not a string: ``InvalidInputError``."""
    with pytest.raises(InvalidInputError):
        _token.check_secret(secret)


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison is ``hmac.compare_digest``'s; no token or a wrong one is refused."""
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    secret = "s" * 20

    assert [True, False, False, False, True] == [
        _token.token_ok(secret, secret),
        _token.token_ok(secret, "s" * 19),
        _token.token_ok(secret, None),
        _token.token_ok(secret, "ß\udcff" * 10),
        _token.token_ok(None, None),
    ]
    assert 3 == len(seen)


# -- the memory of outcomes -------------------------------------------------------------


def test_outcomes_are_claimed_once_and_the_memory_is_bounded() -> None:
    """A second claim of a job is refused; past ``size`` ids the oldest is forgotten."""
    delivered = Delivered(3)

    claims = [delivered.claim(job) for job in ["a", "b", "a", "c", "d"]]

    assert [True, True, False, True, True] == claims
    assert 3 == len(delivered)
    assert "b" not in delivered  # "a" was claimed again, so "b" was the oldest
    assert "a" in delivered


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_the_memory_size_must_be_a_positive_integer(size: object) -> None:
    """A size that is not a positive integer is ``InvalidInputError``."""
    with pytest.raises(InvalidInputError):
        Delivered(size)  # type: ignore[arg-type]
