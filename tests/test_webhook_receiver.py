"""The webhook receiver against respx: answers, the bounded queue, confirmation, dedupe."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, ClientFactory, FakeTime

from pictory_async import AsyncPictory, InvalidInputError, JobStatus
from pictory_async.webhooks import JobOutcome, WebhookReceiver

JOBS = "/pictoryapis/v1/jobs"
SECRET = "0123456789abcdef-secret"
IDS = [f"job-{n:03d}" for n in range(10)]


def body(job_id: str = IDS[0], status: str = "completed", **data: Any) -> bytes:
    """A webhook body: what ``GET /jobs/{id}`` answers."""
    return json.dumps(
        {"job_id": job_id, "success": True, "data": {"status": status, **data}}
    ).encode()


def api_job(job_id: str, status: str = "completed", **data: Any) -> dict[str, Any]:
    """The API's answer for a job."""
    video = {"videoURL": f"https://cdn.example/{job_id}.mp4"} if status == "completed" else {}
    return {
        "success": status != "failed",
        "data": {"jobId": job_id, "status": status, **video, **data},
    }


class Calls:
    """A callback that records the outcomes it is given."""

    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.outcomes: list[JobOutcome] = []
        self.fail_on = fail_on or set()

    async def __call__(self, outcome: JobOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.job_id in self.fail_on:
            raise RuntimeError("the user's callback broke")

    @property
    def ids(self) -> list[str]:
        return [outcome.job_id for outcome in self.outcomes]


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncPictory]:
    """A client on respx and fake time, with no retries of its own (counting is plain)."""
    async with make_client(max_retries=0) as opened:
        yield opened


def serve_jobs(router: respx.Router, states: dict[str, str]) -> respx.Route:
    """Answer ``GET /jobs/{id}`` from ``states`` (404 for an unknown job)."""

    def answer(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[1]
        if job_id not in states:
            return httpx.Response(404, json={"success": False, "error": {"error_code": "5000"}})
        return httpx.Response(200, json=api_job(job_id, states[job_id]))

    return router.get(url__regex=rf"{JOBS}/[^/]+$").mock(side_effect=answer)


def receiver_of(
    client: AsyncPictory, calls: Callable[..., Any] | None = None, **options: Any
) -> WebhookReceiver:
    return WebhookReceiver(client, calls, **options)


# -- answers ------------------------------------------------------------------------------


async def test_a_delivery_is_answered_at_once_and_the_callback_gets_the_api_s_job(
    client: AsyncPictory, router: respx.Router
) -> None:
    """202 at once; the callback gets the job as the API answers it, not as the body said."""
    route = serve_jobs(router, {IDS[0]: "completed"})
    calls = Calls()
    async with receiver_of(client, calls, secret=SECRET) as receiver:
        answer = receiver.accept(body(videoURL="https://evil.example/x.mp4"), SECRET)
        assert 0 == route.call_count  # nothing was fetched before answering
        await receiver.join()

    assert 202 == answer.status
    [outcome] = calls.outcomes
    assert "https://cdn.example/job-000.mp4" == outcome.job.video_url
    assert "https://evil.example/x.mp4" == outcome.event.job.video_url
    assert outcome.confirmed
    assert outcome.is_success
    assert (1, 1) == (receiver.stats.accepted, receiver.stats.delivered)


@pytest.mark.parametrize(
    ("token", "status"), [(None, 401), ("wrong-token-0123456789", 403), ("", 403)]
)
async def test_a_missing_or_wrong_token_is_refused_before_the_body_is_read(
    client: AsyncPictory, router: respx.Router, token: str | None, status: int
) -> None:
    """No token is 401, a wrong one 403; nothing is parsed, queued or fetched."""
    route = serve_jobs(router, {IDS[0]: "completed"})
    calls = Calls()
    async with receiver_of(client, calls, secret=SECRET) as receiver:
        answer = receiver.accept(b"not even json", token)
        await receiver.join()

    assert status == answer.status
    assert (1, 0, 0) == (receiver.stats.bad_token, receiver.stats.bad_body, route.call_count)
    assert [] == calls.outcomes


async def test_a_bad_body_is_answered_400_and_counted(client: AsyncPictory) -> None:
    """HTML or a body without a job id is 400; an oversized one 413."""
    async with receiver_of(client, max_body_bytes=500) as receiver:
        answers = [
            receiver.accept(b"<html>oops</html>").status,
            receiver.accept(b'{"data": {"status": "completed"}}').status,
            receiver.accept(body(padding="x" * 600)).status,
        ]

    assert [400, 400, 413] == answers
    assert 3 == receiver.stats.bad_body


async def test_a_full_queue_answers_503_with_retry_after_and_holds_no_more(
    client: AsyncPictory, router: respx.Router
) -> None:
    """Past ``max_pending`` queued events the sender is told to retry; none is lost silently."""
    serve_jobs(router, dict.fromkeys(IDS, "completed"))
    calls = Calls()
    async with receiver_of(client, calls, max_pending=3, workers=1) as receiver:
        answers = [receiver.accept(body(job_id)) for job_id in IDS[:5]]  # no await: none taken yet
        assert 3 == receiver._queue.qsize()
        await receiver.join()
        retried = receiver.accept(body(IDS[3]))  # the sender retries later
        await receiver.join()

    assert [202, 202, 202, 503, 503] == [answer.status for answer in answers]
    assert "5" == answers[3].headers["Retry-After"]
    assert 202 == retried.status
    assert (2, 4) == (receiver.stats.overflow, len(calls.outcomes))


async def test_a_receiver_not_running_answers_503(client: AsyncPictory) -> None:
    """Before it is entered and after it is closed, deliveries get 503 (the sender retries)."""
    receiver = receiver_of(client)
    before = receiver.accept(body())
    async with receiver:
        pass
    after = receiver.accept(body())
    await receiver.aclose()  # idempotent

    assert (503, 503) == (before.status, after.status)
    with pytest.raises(RuntimeError):
        await receiver.__aenter__()


@pytest.mark.parametrize(
    "options",
    [
        {"max_pending": 0},
        {"workers": 0},
        {"workers": True},
        {"secret": "short"},
        {"max_body_bytes": "1"},
    ],
)
def test_bad_options_are_refused_when_made(client: AsyncPictory, options: dict[str, Any]) -> None:
    """A bad option is ``InvalidInputError`` at construction, before any delivery."""
    with pytest.raises(InvalidInputError):
        WebhookReceiver(client, **options)


def test_a_callback_that_is_not_callable_is_refused(client: AsyncPictory) -> None:
    """A callback must be callable."""
    with pytest.raises(InvalidInputError):
        WebhookReceiver(client, "https://my.host/hook")  # type: ignore[arg-type]


# -- one callback per outcome ------------------------------------------------------------


async def test_duplicates_give_one_callback_and_one_confirmation(
    client: AsyncPictory, router: respx.Router
) -> None:
    """The same body five times, then again after delivery: one fetch, one callback."""
    route = serve_jobs(router, {IDS[0]: "completed"})
    calls = Calls()
    async with receiver_of(client, calls) as receiver:
        answers = [receiver.accept(body()).status for _ in range(5)]
        await receiver.join()
        late = receiver.accept(body(status="failed")).status
        await receiver.join()

    assert [202, 200, 200, 200, 200] == answers
    assert 200 == late
    assert ([IDS[0]], 1) == (calls.ids, route.call_count)
    assert 5 == receiver.stats.duplicates


async def test_out_of_order_deliveries_give_one_callback(
    client: AsyncPictory, router: respx.Router
) -> None:
    """An ``in-progress`` body before or after the outcome is ignored; one callback."""
    serve_jobs(router, {IDS[0]: "completed", IDS[1]: "completed"})
    calls = Calls()
    async with receiver_of(client, calls) as receiver:
        statuses = [
            receiver.accept(body(IDS[0], "in-progress")).status,
            receiver.accept(body(IDS[0])).status,
            receiver.accept(body(IDS[1])).status,
        ]
        await receiver.join()
        statuses.append(receiver.accept(body(IDS[1], "in-progress")).status)
        await receiver.join()

    assert [200, 202, 202, 200] == statuses
    assert sorted(calls.ids) == IDS[:2]
    assert 2 == receiver.stats.ignored


async def test_two_workers_confirming_one_job_at_once_call_back_once(
    client: AsyncPictory, router: respx.Router
) -> None:
    """A duplicate arriving while the first is being confirmed is confirmed too, delivered once."""
    release = asyncio.Event()
    arrived = [asyncio.Event(), asyncio.Event()]
    fetches: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        fetches.append(request.url.path)
        arrived[len(fetches) - 1].set()
        await release.wait()
        return httpx.Response(200, json=api_job(IDS[0]))

    router.get(f"{JOBS}/{IDS[0]}").mock(side_effect=slow)
    calls = Calls()
    async with receiver_of(client, calls, workers=2) as receiver:
        first = receiver.accept(body())
        await arrived[0].wait()
        second = receiver.accept(body())  # the first is out of the queue, under confirmation
        await arrived[1].wait()
        release.set()
        await receiver.join()

    assert (202, 202) == (first.status, second.status)
    assert [IDS[0]] == calls.ids
    assert 1 == receiver.stats.duplicates


async def test_the_memory_of_outcomes_is_bounded(
    client: AsyncPictory, router: respx.Router
) -> None:
    """With ``remember=2``, only the two newest outcomes are kept."""
    serve_jobs(router, dict.fromkeys(IDS, "completed"))
    async with receiver_of(client, Calls(), remember=2) as receiver:
        for job_id in IDS:
            receiver.accept(body(job_id))
        await receiver.join()

    assert 2 == len(receiver._delivered)


# -- trust ----------------------------------------------------------------------------------


async def test_a_forged_event_never_reaches_the_callback(
    client: AsyncPictory, router: respx.Router
) -> None:
    """A job the API does not know (404), or still running there, gives no callback."""
    serve_jobs(router, {IDS[1]: "in-progress", IDS[2]: "cleaned"})
    calls = Calls()
    async with receiver_of(client, calls) as receiver:
        for job_id in IDS[:3]:
            assert 202 == receiver.accept(body(job_id)).status
        await receiver.join()

    assert [] == calls.outcomes
    assert (1, 2, 0) == (
        receiver.stats.refuted,
        receiver.stats.unconfirmed,
        receiver.stats.delivered,
    )


async def test_a_forged_outcome_of_a_real_job_delivers_the_real_one(
    client: AsyncPictory, router: respx.Router
) -> None:
    """A body claiming ``failed`` for a job that completed gives the API's ``completed``."""
    serve_jobs(router, {IDS[0]: "completed"})
    calls = Calls()
    async with receiver_of(client, calls) as receiver:
        receiver.accept(body(status="failed", error_message="forged"))
        await receiver.join()

    [outcome] = calls.outcomes
    assert (JobStatus.COMPLETED, JobStatus.FAILED) == (outcome.job.status, outcome.event.status)


async def test_a_confirmation_that_fails_for_a_while_is_retried_with_backoff(
    client: AsyncPictory, router: respx.Router, fake_time: FakeTime
) -> None:
    """Two 503s, then the job: delivered after 2 s and 4 s of backoff on the client's sleep."""
    route = router.get(f"{JOBS}/{IDS[0]}").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(503),
            httpx.Response(200, json=api_job(IDS[0])),
        ]
    )
    calls = Calls()
    async with receiver_of(client, calls) as receiver:
        receiver.accept(body())
        await receiver.join()

    assert ([IDS[0]], 3) == (calls.ids, route.call_count)
    assert [2.0, 4.0] == fake_time.waits


async def test_a_confirmation_that_keeps_failing_is_logged_and_dropped(
    client: AsyncPictory,
    router: respx.Router,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After ``confirm_attempts`` failures the event is dropped, logged, no callback."""
    route = router.get(f"{JOBS}/{IDS[0]}").respond(502)
    calls = Calls()
    with caplog.at_level(logging.WARNING, logger="pictory_async"):
        async with receiver_of(client, calls, confirm_attempts=3) as receiver:
            receiver.accept(body())
            await receiver.join()

    assert ([], 3, 1) == (calls.outcomes, route.call_count, receiver.stats.confirm_failed)
    assert [2.0, 4.0] == fake_time.waits
    assert "could not confirm job job-000" in caplog.text


async def test_a_refusal_of_the_key_is_not_retried(
    client: AsyncPictory, router: respx.Router, fake_time: FakeTime
) -> None:
    """A 401 on the confirmation cannot change by retrying: given up after one fetch."""
    route = router.get(f"{JOBS}/{IDS[0]}").respond(401)
    async with receiver_of(client, Calls()) as receiver:
        receiver.accept(body())
        await receiver.join()

    assert (1, 1, []) == (route.call_count, receiver.stats.confirm_failed, fake_time.waits)


async def test_without_confirmation_bodies_are_trusted_but_still_deduplicated(
    client: AsyncPictory, router: respx.Router
) -> None:
    """``confirm=False`` fetches nothing, delivers the body's job, once per job."""
    route = serve_jobs(router, {})
    calls = Calls()
    async with receiver_of(client, calls, confirm=False) as receiver:
        for _ in range(3):
            receiver.accept(body(videoURL="https://cdn.example/body.mp4"))
        await receiver.join()

    [outcome] = calls.outcomes
    assert (False, "https://cdn.example/body.mp4") == (outcome.confirmed, outcome.job.video_url)
    assert 0 == route.call_count


# -- the callback ----------------------------------------------------------------------------


async def test_a_callback_that_raises_is_logged_and_the_worker_goes_on(
    client: AsyncPictory, router: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    """With one worker, a callback error on the first job does not stop the next ones."""
    serve_jobs(router, dict.fromkeys(IDS[:3], "completed"))
    calls = Calls(fail_on={IDS[0]})
    with caplog.at_level(logging.ERROR, logger="pictory_async"):
        async with receiver_of(client, calls, workers=1) as receiver:
            for job_id in IDS[:3]:
                receiver.accept(body(job_id))
            await receiver.join()

    assert IDS[:3] == calls.ids
    assert (1, 3) == (receiver.stats.callback_errors, receiver.stats.delivered)
    assert "the callback raised for job job-000" in caplog.text


async def test_closing_drains_the_queue_before_stopping(
    client: AsyncPictory, router: respx.Router
) -> None:
    """Events queued when the block ends are still confirmed and called back."""
    serve_jobs(router, dict.fromkeys(IDS[:4], "completed"))
    calls = Calls()
    async with receiver_of(client, calls, workers=1) as receiver:
        for job_id in IDS[:4]:
            receiver.accept(body(job_id))

    assert IDS[:4] == calls.ids
    assert [] == receiver._tasks


def test_the_repr_shows_no_secret(client: AsyncPictory) -> None:
    """The receiver's repr says a secret is set, never what it is."""
    assert SECRET not in repr(WebhookReceiver(client, secret=SECRET))


def test_url_for_puts_the_secret_in_the_url(client: AsyncPictory) -> None:
    """``url_for`` gives the base URL with ``token=<secret>``."""
    receiver = WebhookReceiver(client, secret=SECRET)

    assert f"https://my.host/hook?token={SECRET}" == receiver.url_for("https://my.host/hook")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(
            200, json={"success": True, "data": {"status": "completed", "renderProgress": "x"}}
        ),
        httpx.Response(429, headers={"Retry-After": "1"}),
    ],
)
async def test_a_garbled_or_throttled_confirmation_is_retried_then_dropped(
    client: AsyncPictory, router: respx.Router, fake_time: FakeTime, answer: httpx.Response
) -> None:
    """A hostile API answer (HTML, wrong types) or a 429 never reaches the callback."""
    route = router.get(f"{JOBS}/{IDS[0]}").mock(return_value=answer)
    calls = Calls()
    async with receiver_of(client, calls, confirm_attempts=2) as receiver:
        receiver.accept(body())
        await receiver.join()

    assert ([], 2, 1) == (calls.outcomes, route.call_count, receiver.stats.confirm_failed)


async def test_the_key_goes_to_the_api_only_never_to_a_log_or_url(
    client: AsyncPictory, router: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    """Bodies naming other hosts, forged events, a raising callback: the key is in no log."""
    calls = Calls(fail_on={IDS[1]})
    serve_jobs(router, {IDS[1]: "completed", IDS[2]: "in-progress"})
    with caplog.at_level(logging.DEBUG, logger="pictory_async"):
        async with receiver_of(client, calls, secret=SECRET, confirm_attempts=2) as receiver:
            url = receiver.url_for("https://my.host/hook")
            for job_id in IDS[:3]:
                receiver.accept(body(job_id, videoURL="https://evil.example/steal"), SECRET)
            receiver.accept(b"<html>", SECRET)
            await receiver.join()

    assert API_KEY not in caplog.text + url + repr(receiver)
    assert all(call.request.url.host == "api.pictory.ai" for call in router.calls)
    assert (3, 1, 1) == (len(router.calls), receiver.stats.callback_errors, receiver.stats.refuted)
