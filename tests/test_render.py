"""Waiting for a render: polls on the emulator's clock, a hard deadline, shared pacing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, BASE_URL, PROJECTS_PATH, ClientFactory, mock_http_client

from pictory_async import (
    AsyncPictory,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
    Job,
    JobFailedError,
    JobOutcomeUnknownError,
    JobStatus,
    JobTimeoutError,
    NotFoundError,
    Project,
    RenderFailedError,
    RenderTimeoutError,
)
from pictory_async._polling import poll_until
from pictory_async.emulator import Emulator, FakeClock
from pictory_async.emulator._clock import run_simulated

JOBS_PATH = "/pictoryapis/v1/jobs"


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_a_render_that_finishes_is_waited_for(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A render finishing after 95 s is returned after a few polls ~15 s apart."""
    record = pictory_emulator.add_project(in_progress=True, render_seconds=95)
    start = pictory_clock.time()
    project = await pictory_client.projects.wait_for_render(record.id)
    polls = pictory_emulator.stats.count(method="GET")
    assert project.is_rendered
    assert project.video_url is not None
    assert 95 <= pictory_clock.time() - start <= 95 + 16.5
    assert 6 <= polls <= 9  # ~95 / 15 s, jittered by 10%


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_the_deadline_raises_with_the_last_state(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A render outlasting ``timeout`` is ``RenderTimeoutError`` (a ``TimeoutError``)."""
    record = pictory_emulator.add_project(in_progress=True, render_seconds=3600)
    start = pictory_clock.time()
    with pytest.raises(TimeoutError) as info:
        await pictory_client.projects.wait_for_render(
            record.id, timeout=timedelta(minutes=1), poll_interval=10
        )
    error = info.value
    assert isinstance(error, RenderTimeoutError)
    assert error.last is not None
    assert (record.id, True) == (error.project_id, error.last.in_progress)
    assert 60.0 == pytest.approx(pictory_clock.time() - start)  # not a poll later


@pytest.mark.pictory_emulator(projects=1, seed=3, transport="socket")
async def test_many_waits_share_the_client(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Twenty concurrent waits all finish, through the one client."""
    records = [
        pictory_emulator.add_project(in_progress=True, render_seconds=20 + n) for n in range(20)
    ]
    done = await asyncio.gather(*(pictory_client.projects.wait_for_render(r.id) for r in records))
    assert all(project.is_rendered for project in done)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"poll_interval": 0.1}, "poll_interval"), ({"timeout": -1}, "timeout")],
)
async def test_bad_options_fail_before_any_request(options: dict[str, Any], message: str) -> None:
    """A too-short interval or a negative timeout is refused before polling."""
    async with AsyncPictory(api_key="pictai_x", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidInputError, match=message):
            await client.projects.wait_for_render("p1", **options)


# -- a hard deadline, on simulated time: the clock and sleep the client is given ------------

IN_PROGRESS = {"projectName": "p", "step": "RENDER", "inProgress": True}
JOB_ID = "0f1e2d3c-4b5a-4968-a776-5f4e3d2c1b0a"
JOB_RUNNING = {"success": True, "data": {"jobId": JOB_ID, "status": "in-progress"}}
NO_JOBS = {"success": True, "data": [], "nextPageKey": None}


def no_jobs_listed(router: respx.Router) -> respx.Route:
    """The job list is empty: a wait without a job finds none to follow."""
    return router.get(JOBS_PATH).mock(return_value=httpx.Response(200, json=NO_JOBS))


@contextlib.asynccontextmanager
async def simulated_client(router: respx.Router, **options: Any) -> AsyncIterator[AsyncPictory]:
    """A client on ``router`` whose clock and sleep are the running loop's (simulated time)."""
    loop = asyncio.get_running_loop()
    async with (
        mock_http_client(router) as http,
        AsyncPictory(
            api_key=API_KEY,
            base_url=BASE_URL,
            http_client=http,
            clock=loop.time,
            sleep=asyncio.sleep,
            **options,
        ) as client,
    ):
        yield client


def on_simulated_time(
    router: respx.Router, wait: Callable[[AsyncPictory], Awaitable[object]], **options: Any
) -> tuple[Any, float]:
    """Run ``wait(client)`` on simulated time: what it returned or raised, after how long."""

    async def main() -> tuple[Any, float]:
        loop = asyncio.get_running_loop()
        async with simulated_client(router, **options) as client:
            start = loop.time()
            try:
                outcome = await wait(client)
            except Exception as error:
                outcome = error
            return outcome, loop.time() - start

    return run_simulated(main)


class AnswersLate:
    """A respx side effect: ``body`` at once for ``after`` calls, then ``seconds`` late."""

    def __init__(self, *, after: int, seconds: float, body: dict[str, Any]) -> None:
        self.after, self.seconds, self.body = after, seconds, body
        self.calls = 0  # respx counts a call only once it is answered

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls > self.after:
            await asyncio.sleep(self.seconds)
        return httpx.Response(200, json=self.body)


def test_a_poll_still_under_way_at_the_deadline_is_cut_after_the_grace(
    router: respx.Router,
) -> None:
    """A poll answering 60 s late is cut 0.3 s (a tenth) past the 3 s deadline, state kept."""
    answers = AnswersLate(after=1, seconds=60, body=IN_PROGRESS)
    router.get(f"{PROJECTS_PATH}/p1").mock(side_effect=answers)
    no_jobs_listed(router)

    error, seconds = on_simulated_time(
        router, lambda client: client.projects.wait_for_render("p1", timeout=3, poll_interval=1)
    )

    assert isinstance(error, RenderTimeoutError)
    assert error.last is not None
    assert (2, True, "RENDER") == (answers.calls, error.last.in_progress, error.last.step)
    assert pytest.approx((3.3, 3.3)) == (seconds, error.waited)


def test_retries_under_way_at_the_deadline_end_in_a_render_timeout(router: respx.Router) -> None:
    """Polls retried after 503s are cut after the deadline's grace; the 503 is the cause."""
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS)]
        + [httpx.Response(503, json={"message": "busy"})] * 20
    )
    no_jobs_listed(router)

    error, seconds = on_simulated_time(
        router,
        lambda client: client.projects.wait_for_render("p1", timeout=2, poll_interval=1),
        max_retries=10,
    )

    assert isinstance(error, RenderTimeoutError)
    assert isinstance(error.__cause__, InternalServerError)
    assert 2.2 == pytest.approx(seconds)


def test_a_first_poll_slower_than_the_deadline_is_a_timeout(router: respx.Router) -> None:
    """``jobs.wait(timeout=0.8)``, every answer 8 s late: ``JobTimeoutError`` at 0.88 s."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        side_effect=AnswersLate(after=0, seconds=8, body=JOB_RUNNING)
    )

    error, seconds = on_simulated_time(
        router, lambda client: client.jobs.wait(JOB_ID, timeout=0.8, poll_interval=1)
    )

    assert isinstance(error, JobTimeoutError)
    assert (None, JOB_ID) == (error.last, error.job_id)  # no poll answered
    assert 0.88 == pytest.approx(seconds)  # the deadline and its grace, a tenth of it


def test_no_answer_by_the_deadline_is_the_callers_expired_error(router: respx.Router) -> None:
    """``poll_until`` raises ``expired(None, waited)`` when no poll answered before the deadline."""

    class UnansweredError(Exception):
        pass

    async def never() -> str:
        await asyncio.sleep(3600)
        return "never"

    error, seconds = on_simulated_time(
        router,
        lambda client: poll_until(
            client,
            never,
            bool,
            timeout=5,
            interval=1,
            expired=UnansweredError,
        ),
    )

    assert UnansweredError is type(error)
    assert None is error.args[0]  # no state seen
    assert pytest.approx((5.5, 5.5)) == (seconds, error.args[1])


# -- a hard deadline, on fake time ----------------------------------------------------------


async def test_a_poll_failing_past_the_deadline_is_a_render_timeout(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """503s retried past the deadline end in ``RenderTimeoutError``, caused by the 503."""
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS)]
        + [httpx.Response(503, json={"message": "busy"})] * 20
    )
    no_jobs_listed(router)
    async with make_client(max_retries=3) as client:
        with pytest.raises(RenderTimeoutError) as info:
            await client.projects.wait_for_render("p1", timeout=2, poll_interval=1)

    assert isinstance(info.value.__cause__, InternalServerError)
    assert info.value.last is not None
    assert info.value.waited > 2


# -- the render's job tells a new video from an old one ----------------------------------

RENDERED = {
    "projectName": "p",
    "step": "COMPLETE",
    "inProgress": False,
    "videoURL": "https://cdn/v.mp4",
}
OTHER_JOB = "1a2b3c4d-0000-4000-8000-1a2b3c4d5e6f"


def _job(status: str, **data: Any) -> dict[str, Any]:
    success = status != "failed"
    return {"success": success, "data": {"jobId": JOB_ID, "status": status, **data}}


def _rendered_before(emulator: Emulator) -> Any:
    """A project that has a video already (an earlier render's)."""
    return next(r for r in emulator.projects() if not r.in_progress)


@pytest.mark.parametrize("form", ["the job", "job=", "job id"])
@pytest.mark.pictory_emulator(projects=3, seed=3, transport="socket", in_progress_share=0.0)
async def test_a_failed_render_is_render_failed_not_the_earlier_video(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, form: str
) -> None:
    """Given its job, a render that fails raises ``RenderFailedError`` (a ``JobFailedError``)."""
    pictory_emulator.set_render_duration(40)
    pictory_emulator.fail_next_render(error_code="E_FONT", error_message="font missing")
    project_id = _rendered_before(pictory_emulator).id
    job = await pictory_client.projects.render(project_id)
    waits = {
        "the job": lambda: pictory_client.projects.wait_for_render(job),
        "job=": lambda: pictory_client.projects.wait_for_render(project_id, job=job),
        "job id": lambda: pictory_client.projects.wait_for_render(project_id, job=job.id),
    }

    with pytest.raises(JobFailedError) as info:
        await waits[form]()
    after = await pictory_client.projects.get(project_id)

    error = info.value
    assert isinstance(error, RenderFailedError)
    assert (project_id, job.id, "E_FONT", "font missing") == (
        error.project_id,
        error.job_id,
        error.error_code,
        error.error_message,
    )
    assert f"render of project {project_id!r}" in str(error)
    assert after.is_rendered  # the earlier video is still there: the project alone says "done"
    assert 0 == pictory_emulator.stats.count(route="list")  # no project list, no job list


@pytest.mark.pictory_emulator(projects=3, seed=3, transport="socket", in_progress_share=0.0)
async def test_without_a_job_the_running_renders_job_is_found_and_followed(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A render started elsewhere that fails: the wait finds its job in the list, raises."""
    pictory_emulator.set_render_duration(40)
    pictory_emulator.fail_next_render(error_code="E_VOICE", error_message="no voice")
    project_id = _rendered_before(pictory_emulator).id
    started = pictory_emulator.start_render(project_id)  # not through this client

    with pytest.raises(RenderFailedError) as info:
        await pictory_client.projects.wait_for_render(project_id, poll_interval=10)

    assert (started.id, "E_VOICE") == (info.value.job_id, info.value.error_code)
    assert 1 == pictory_emulator.stats.count(route="jobs")  # one look at the job list


@pytest.mark.pictory_emulator(projects=3, seed=3, transport="socket", in_progress_share=0.0)
async def test_a_render_followed_by_its_job_returns_the_project_once(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """The job is polled until it completed; then the project is read, once, with its video."""
    pictory_emulator.set_render_duration(95)
    project_id = _rendered_before(pictory_emulator).id
    job = await pictory_client.projects.render(project_id)
    start = pictory_clock.time()

    project = await pictory_client.projects.wait_for_render(job)

    assert (True, False) == (project.is_rendered, project.in_progress)
    assert pictory_emulator.asset_url(project_id, "video") == project.video_url
    assert 95 <= pictory_clock.time() - start <= 95 + 16.5
    assert 6 <= pictory_emulator.stats.count(route="job") <= 9
    assert 1 == pictory_emulator.stats.count(route="get")


@pytest.mark.pictory_emulator(projects=3, seed=3, transport="socket", in_progress_share=0.0)
async def test_a_job_of_another_project_is_refused_before_any_request(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``wait_for_render(a, job=<b's job>)``: ``InvalidInputError``, nothing sent."""
    first, second = (r.id for r in pictory_emulator.projects()[:2])
    job = await pictory_client.projects.render(first)
    sent = pictory_emulator.stats.total

    with pytest.raises(InvalidInputError, match="renders project"):
        await pictory_client.projects.wait_for_render(second, job=job)

    assert sent == pictory_emulator.stats.total


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c, job: c.projects.wait_for_render(job), InvalidInputError, "names no project"),
        (lambda c, job: c.projects.wait_for_render(job, job=job), InvalidInputError, "once"),
        (lambda c, job: c.projects.wait_for_render(Project()), InvalidProjectIdError, "no id"),
        (lambda c, job: c.projects.wait_for_render("p1", job="../x"), InvalidInputError, "job id"),
        (lambda c, job: c.projects.wait_for_render("../p", job=job), InvalidProjectIdError, ".."),
    ],
)
async def test_bad_targets_are_refused_before_any_request(
    router: respx.Router,
    make_client: ClientFactory,
    call: Callable[[AsyncPictory, Job], Awaitable[object]],
    error: type[Exception],
    message: str,
) -> None:
    """A job naming no project, the job twice, a project without id, unsafe ids: refused."""
    async with make_client() as client:
        with pytest.raises(error, match=message):
            await call(client, Job(id=JOB_ID))

    assert 0 == len(router.calls)


async def test_a_job_id_whose_job_names_another_project_is_refused(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A job id whose job renders another project: ``InvalidInputError``, no project read."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        return_value=httpx.Response(200, json=_job("completed", projectId="p2"))
    )
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(200, json=RENDERED)
    )
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="renders project 'p2', not 'p1'"):
            await client.projects.wait_for_render("p1", job=JOB_ID)

    assert 0 == project.call_count


async def test_a_job_that_is_gone_is_not_found_not_the_old_video(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A job unknown at the first poll (cleaned and dropped): ``NotFoundError``, no project."""
    not_found = {
        "success": False,
        "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"},
    }
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(return_value=httpx.Response(404, json=not_found))
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(200, json=RENDERED)
    )
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.projects.wait_for_render("p1", job=JOB_ID)

    assert 0 == project.call_count


async def test_a_cleaned_job_is_an_unknown_outcome(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A job cleaned before the wait saw it end: ``JobOutcomeUnknownError``, not the project."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(return_value=httpx.Response(200, json=_job("cleaned")))
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(200, json=RENDERED)
    )
    async with make_client() as client:
        with pytest.raises(JobOutcomeUnknownError) as info:
            await client.projects.wait_for_render("p1", job=JOB_ID)

    assert ("p1", JOB_ID, JobStatus.CLEANED) == (
        info.value.project_id,
        info.value.job_id,
        info.value.job.status,
    )
    assert not isinstance(info.value, JobFailedError)
    assert 0 == project.call_count


async def test_a_job_completed_without_a_video_url_returns_the_project_once_it_shows_one(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A completed job with no ``videoURL``: the project is read until it is rendered."""
    job = router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        return_value=httpx.Response(200, json=_job("completed"))
    )
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS), httpx.Response(200, json=RENDERED)]
    )
    async with make_client() as client:
        done = await client.projects.wait_for_render("p1", job=JOB_ID)

    assert ("https://cdn/v.mp4", 1, 2) == (done.video_url, job.call_count, project.call_count)


async def test_a_job_completed_but_a_project_with_no_video_is_a_timeout_that_says_so(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The job completed, the project never shows a video: ``RenderTimeoutError`` naming both."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        return_value=httpx.Response(200, json=_job("completed"))
    )
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json=IN_PROGRESS))
    async with make_client() as client:
        with pytest.raises(RenderTimeoutError, match="completed, but the project shows no video"):
            await client.projects.wait_for_render("p1", job=JOB_ID, timeout=30)


async def test_a_job_running_at_the_deadline_is_in_the_timeout(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The deadline while the job runs: ``RenderTimeoutError`` with ``job``, no project read."""
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        return_value=httpx.Response(200, json=_job("in-progress", renderProgress=40))
    )
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(200, json=RENDERED)
    )
    async with make_client() as client:
        with pytest.raises(RenderTimeoutError) as info:
            await client.projects.wait_for_render("p1", job=JOB_ID, timeout=30)

    error = info.value
    assert error.job is not None
    assert (None, JOB_ID, 40.0) == (error.last, error.job.id, error.job.progress)
    assert "in-progress', 40%" in str(error)
    assert 0 == project.call_count


def _listed(*jobs: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "data": list(jobs), "nextPageKey": "more"}


async def test_an_earlier_renders_job_in_the_list_is_not_followed(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The newest listed job of the project already failed: an earlier render's, not followed."""
    earlier = {"jobId": OTHER_JOB, "status": "failed", "projectId": "p1", "error_code": "E1"}
    listing = router.get(JOBS_PATH).mock(
        return_value=httpx.Response(
            200,
            json=_listed({"jobId": JOB_ID, "status": "in-progress", "projectId": "p9"}, earlier),
        )
    )
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS), httpx.Response(200, json=RENDERED)]
    )
    async with make_client() as client:
        done = await client.projects.wait_for_render("p1")

    assert (True, 1) == (done.is_rendered, listing.call_count)  # the first page only


@pytest.mark.parametrize(
    "listed",
    [
        {"jobId": "../../admin", "status": "in-progress", "projectId": "p1"},
        {"jobId": JOB_ID, "status": "in-progress"},  # a list that does not name projects
    ],
    ids=["unsafe id", "no projectId"],
)
async def test_a_listed_job_that_cannot_be_followed_leaves_the_project_to_say(
    router: respx.Router, make_client: ClientFactory, listed: dict[str, Any]
) -> None:
    """A listed job with an unsafe id, or naming no project: not followed, no request to it."""
    router.get(JOBS_PATH).mock(return_value=httpx.Response(200, json=_listed(listed)))
    router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS), httpx.Response(200, json=RENDERED)]
    )
    async with make_client() as client:
        done = await client.projects.wait_for_render("p1")

    assert done.is_rendered
    assert {JOBS_PATH, f"{PROJECTS_PATH}/p1"} == {call.request.url.path for call in router.calls}


async def test_the_running_renders_job_in_the_list_is_followed(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The newest listed job of a rendering project runs: it is followed to its failure."""
    running = {"jobId": JOB_ID, "status": "in-progress", "projectId": 7}
    router.get(JOBS_PATH).mock(return_value=httpx.Response(200, json=_listed(running)))
    router.get(f"{PROJECTS_PATH}/7").mock(return_value=httpx.Response(200, json=IN_PROGRESS))
    job = router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        side_effect=[
            httpx.Response(200, json=_job("in-progress")),
            httpx.Response(200, json=_job("failed", error_code="E2")),
        ]
    )
    async with make_client() as client:
        with pytest.raises(RenderFailedError, match=r"project 7 .*\[E2\]"):
            await client.projects.wait_for_render(7)

    assert 2 == job.call_count


# -- one more poll at the deadline, bounded by a grace; cancellable -------------------------


def test_a_render_done_during_the_last_sleep_is_seen_at_the_deadline(router: respx.Router) -> None:
    """Polls at 0 and ~2 s see it rendering; the poll at the 3.5 s deadline sees it done."""
    project = router.get(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[httpx.Response(200, json=IN_PROGRESS)] * 2
        + [httpx.Response(200, json=RENDERED)]
    )
    no_jobs_listed(router)

    done, seconds = on_simulated_time(
        router, lambda client: client.projects.wait_for_render("p1", timeout=3.5, poll_interval=2)
    )

    assert isinstance(done, Project), done
    assert ("https://cdn/v.mp4", 3) == (done.video_url, project.call_count)
    assert 3.5 == pytest.approx(seconds)


def test_a_job_done_during_the_last_sleep_is_seen_at_the_deadline(router: respx.Router) -> None:
    """``jobs.wait``: the poll at the deadline sees the job completed and returns it."""
    job = router.get(f"{JOBS_PATH}/{JOB_ID}").mock(
        side_effect=[httpx.Response(200, json=JOB_RUNNING)] * 2
        + [httpx.Response(200, json=_job("completed", videoURL="https://cdn/v.mp4"))]
    )

    done, seconds = on_simulated_time(
        router, lambda client: client.jobs.wait(JOB_ID, timeout=3.5, poll_interval=2)
    )

    assert isinstance(done, Job), done
    assert ("https://cdn/v.mp4", 3) == (done.video_url, job.call_count)
    assert 3.5 == pytest.approx(seconds)


def test_the_poll_at_the_deadline_is_cut_after_its_grace(router: respx.Router) -> None:
    """The last poll answering 60 s late is cut 0.35 s (a tenth of 3.5 s) past the deadline."""
    answers = AnswersLate(after=2, seconds=60, body=IN_PROGRESS)
    router.get(f"{PROJECTS_PATH}/p1").mock(side_effect=answers)
    no_jobs_listed(router)

    error, seconds = on_simulated_time(
        router, lambda client: client.projects.wait_for_render("p1", timeout=3.5, poll_interval=2)
    )

    assert isinstance(error, RenderTimeoutError)
    assert error.last is not None  # the second poll's answer
    assert 3 == answers.calls
    assert pytest.approx((3.85, 3.85)) == (seconds, error.waited)


def test_the_grace_is_at_most_five_seconds(router: respx.Router) -> None:
    """A 600 s wait whose last poll hangs ends 5 s past the deadline, not 60 s."""
    answers = AnswersLate(after=1, seconds=3600, body=JOB_RUNNING)
    router.get(f"{JOBS_PATH}/{JOB_ID}").mock(side_effect=answers)

    error, seconds = on_simulated_time(
        router, lambda client: client.jobs.wait(JOB_ID, timeout=600, poll_interval=1000)
    )

    assert isinstance(error, JobTimeoutError)
    assert 2 == answers.calls  # at 0 s, then at the 600 s deadline
    assert 605.0 == pytest.approx(seconds)


def test_cancelling_during_the_poll_at_the_deadline_stops_the_wait(router: respx.Router) -> None:
    """Cancelled while the deadline's poll is under way: ``CancelledError``, no poll after."""
    reached = asyncio.Event()

    class Hangs(AnswersLate):
        async def __call__(self, request: httpx.Request) -> httpx.Response:
            if self.calls == self.after:
                reached.set()
            return await super().__call__(request)

    answers = Hangs(after=2, seconds=3600, body=IN_PROGRESS)
    router.get(f"{PROJECTS_PATH}/p1").mock(side_effect=answers)
    no_jobs_listed(router)

    async def main() -> tuple[bool, bool, int, float]:
        loop = asyncio.get_running_loop()
        async with simulated_client(router) as client:
            start = loop.time()
            task = asyncio.create_task(
                client.projects.wait_for_render("p1", timeout=3.5, poll_interval=2)
            )
            at_deadline = asyncio.create_task(reached.wait())
            await asyncio.wait({task, at_deadline}, return_when=asyncio.FIRST_COMPLETED)
            under_way = at_deadline.done() and not task.done()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            at_deadline.cancel()
            took = loop.time() - start
            await asyncio.sleep(100)  # nothing polls on
            return under_way, task.cancelled(), answers.calls, took

    under_way, cancelled, calls, took = run_simulated(main)

    assert (True, True, 3) == (under_way, cancelled, calls)
    assert 3.5 == pytest.approx(took)
