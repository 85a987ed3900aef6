"""Render jobs: ``projects.render`` and ``client.jobs``, on the emulator and against respx."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import (
    APIConnectionError,
    AsyncPictory,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
    Job,
    JobFailedError,
    JobOutcomeUnknownError,
    JobStatus,
    JobTimeoutError,
    NotFoundError,
    PictoryError,
    ResponseValidationError,
)
from pictory_async._jobs import job_from_body, job_page_from_body
from pictory_async.emulator import Emulator, FakeClock

JOBS = "/pictoryapis/v1/jobs"
JOB_ID = "0f1e2d3c-4b5a-4968-a776-5f4e3d2c1b0a"
SOCKET = pytest.mark.pictory_emulator(projects=4, seed=5, transport="socket", page_size=3)


def _first(emulator: Emulator) -> str | int:
    return emulator.projects()[0].id


# -- on the emulator, over a real socket ------------------------------------------------


@SOCKET
async def test_render_then_wait_completes_after_some_polls(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
    tmp_path: Path,
) -> None:
    """A 95 s render is waited for in ~15 s polls; its media and the project show the result."""
    pictory_emulator.set_render_duration(95)
    project_id = _first(pictory_emulator)
    start = pictory_clock.time()

    job = await pictory_client.projects.render(project_id)
    done = await pictory_client.jobs.wait(job)
    project = await pictory_client.projects.get(project_id)
    assets = await pictory_client.projects.download_assets(project_id, tmp_path, kinds=["video"])

    polls = pictory_emulator.stats.count(method="GET", route="job")
    assert (JobStatus.PENDING, project_id) == (job.status, job.project_id)
    assert (job.id, JobStatus.COMPLETED, 100) == (done.id, done.status, done.progress)
    assert pictory_emulator.asset_url(project_id, "video") == done.video_url
    assert {"video", "thumbnail", "srt", "vtt", "txt"} == set(done.assets)
    assert done.video_share_url is not None
    assert done.ai_credits_used is not None
    assert 95 <= pictory_clock.time() - start <= 95 + 16.5
    assert 6 <= polls <= 9
    assert (True, "COMPLETE", done.video_url) == (
        project.is_rendered,
        project.step,
        project.video_url,
    )
    assert pictory_emulator.asset(project_id, "video") == assets["video"].path.read_bytes()


@SOCKET
async def test_the_deadline_raises_with_the_last_state(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """A job outlasting ``timeout`` is ``JobTimeoutError`` (a ``TimeoutError``), on time."""
    pictory_emulator.set_render_duration(3600)
    job = await pictory_client.projects.render(_first(pictory_emulator))
    start = pictory_clock.time()

    with pytest.raises(TimeoutError) as info:
        await pictory_client.jobs.wait(job.id, timeout=timedelta(minutes=1), poll_interval=10)

    error = info.value
    assert isinstance(error, JobTimeoutError)
    assert error.last is not None
    assert (job.id, JobStatus.IN_PROGRESS, "RUNNING") == (
        error.job_id,
        error.last.status,
        error.last.render_state,
    )
    assert error.last.progress is not None
    assert 0 <= error.last.progress < 5
    assert 60.0 == pytest.approx(pictory_clock.time() - start)


@SOCKET
async def test_a_failed_job_raises_when_waited_and_is_data_when_fetched(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """``wait`` raises ``JobFailedError`` with the code and message; ``get`` returns the job."""
    pictory_emulator.fail_next_render(error_code="E_VOICE", error_message="Voice-over failed")
    job = await pictory_client.projects.render(_first(pictory_emulator))

    with pytest.raises(JobFailedError) as info:
        await pictory_client.jobs.wait(job)
    fetched = await pictory_client.jobs.get(job.id)

    error = info.value
    assert (job.id, "E_VOICE", "Voice-over failed") == (
        error.job_id,
        error.error_code,
        error.error_message,
    )
    assert str(error).startswith("job ")
    assert "[E_VOICE]: Voice-over failed" in str(error)
    assert (JobStatus.FAILED, "E_VOICE") == (fetched.status, fetched.error_code)
    assert isinstance(error, PictoryError)


@SOCKET
async def test_clean_jobs_and_missing_jobs(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """Clean refuses a running job, cleans a finished one (twice is fine); unknown is 404."""
    job = await pictory_client.projects.render(_first(pictory_emulator))
    with pytest.raises(BadRequestError):
        await pictory_client.jobs.clean(job)
    pictory_clock.advance(pictory_emulator.render_duration)
    await pictory_client.jobs.clean(job)
    await pictory_client.jobs.clean(job.id)
    cleaned = await pictory_client.jobs.get(job)

    with pytest.raises(NotFoundError, match="JOB_NOT_FOUND"):
        await pictory_client.jobs.get("no-such-job")
    with pytest.raises(NotFoundError):
        await pictory_client.jobs.clean("no-such-job")
    assert JobStatus.CLEANED == cleaned.status
    assert (True, False) == (cleaned.is_finished, cleaned.is_success)
    assert {} == cleaned.assets


@pytest.mark.parametrize("fails", [True, False], ids=["failed", "completed"])
@SOCKET
async def test_a_job_cleaned_before_the_wait_saw_it_end_is_an_unknown_outcome(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
    fails: bool,
) -> None:
    """Failed (or completed), then cleaned: ``wait`` raises ``JobOutcomeUnknownError``."""
    if fails:
        pictory_emulator.fail_next_render(error_code="E_VOICE")
    project_id = _first(pictory_emulator)
    job = await pictory_client.projects.render(project_id)
    pictory_clock.advance(pictory_emulator.render_duration)
    before = await pictory_client.jobs.get(job)
    await pictory_client.jobs.clean(job)  # or Pictory's retention period

    with pytest.raises(PictoryError) as info:
        await pictory_client.jobs.wait(job)

    error = info.value
    assert (JobStatus.FAILED if fails else JobStatus.COMPLETED) == before.status
    assert isinstance(error, JobOutcomeUnknownError)
    assert not isinstance(error, JobFailedError)  # not known to have failed either
    assert (job.id, project_id, JobStatus.CLEANED) == (
        error.job_id,
        error.project_id,
        error.job.status,
    )
    assert "may have completed or failed" in str(error)


@pytest.mark.parametrize(
    ("status", "finished", "success"),
    [
        (JobStatus.PENDING, False, False),
        (JobStatus.IN_PROGRESS, False, False),
        (JobStatus.COMPLETED, True, True),
        (JobStatus.FAILED, True, False),
        (JobStatus.CLEANED, True, False),
        (JobStatus.UNKNOWN, False, False),
    ],
)
def test_only_a_completed_job_is_a_success(
    status: JobStatus, finished: bool, success: bool
) -> None:
    """``is_success`` holds for ``completed`` alone: a cleaned job's outcome is unknown."""
    job = Job(id=JOB_ID, status=status)
    assert (finished, success) == (job.is_finished, job.is_success)
    assert (finished, success) == (status.is_finished, status.is_success)


@SOCKET
async def test_list_walks_every_page_newest_first(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """Seven jobs in pages of three: three pages, newest first, nothing twice."""
    started = []
    for record in pictory_emulator.generate_projects(7):
        started.append((await pictory_client.projects.render(record.id)).id)
        pictory_clock.advance(1)

    listed = [job.id async for job in pictory_client.jobs.list()]
    pages = [page async for page in pictory_client.jobs.list_pages()]
    resumed = [
        page async for page in pictory_client.jobs.list_pages(page_key=pages[0].next_page_key)
    ]

    assert started[::-1] == listed
    assert [3, 3, 1] == [len(page.items) for page in pages]
    assert pages[1:] == resumed
    assert None is pages[-1].next_page_key
    assert all(job.created_at is not None for job in pages[0].items)


@SOCKET
async def test_render_is_not_retried_once_it_may_have_started(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A lost render answer is not retried (one job, one POST); the error says so."""
    pictory_emulator.fail_next("drop_after_apply", method="POST")

    with pytest.raises(APIConnectionError) as info:
        await pictory_client.projects.render(_first(pictory_emulator))

    assert info.value.may_have_been_applied
    assert 1 == len(pictory_emulator.jobs())
    assert 1 == pictory_emulator.stats.dropped_after_apply


@pytest.mark.pictory_emulator(projects=2, seed=5)
async def test_render_5xx_is_not_retried_but_429_is(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A 503 may hide a started render: raised at once; a 429 proves nothing started: retried."""
    project_id = _first(pictory_emulator)
    pictory_emulator.fail_next(503, method="POST")
    with pytest.raises(InternalServerError) as info:
        await pictory_client.projects.render(project_id)
    pictory_emulator.fail_next(429, method="POST", times=2)
    job = await pictory_client.projects.render(project_id)

    assert info.value.may_have_been_applied
    assert (1, 2, 1) == (
        pictory_emulator.stats.count(method="POST", status=503),
        pictory_emulator.stats.count(method="POST", status=429),
        pictory_emulator.stats.count(method="POST", status=200),
    )
    assert [job.id] == [record.id for record in pictory_emulator.jobs()]


@pytest.mark.pictory_emulator(projects=2, seed=5)
async def test_render_of_a_busy_project_is_a_conflict_at_once(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A second render of a project that is rendering is ``ConflictError``, not retried."""
    project = await pictory_client.projects.get(_first(pictory_emulator))
    await pictory_client.projects.render(project)

    with pytest.raises(ConflictError):
        await pictory_client.projects.render(project)

    assert 1 == pictory_emulator.stats.count(method="POST", status=409)


@pytest.mark.parametrize(
    "job_id",
    ["", "../x", "..", "a/b", "a?b", "a#b", "%2e%2e", "a b", "a\x00b", "x" * 201, 7, None, b"id"],
)
async def test_hostile_job_ids_are_refused_before_any_request(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, job_id: Any
) -> None:
    """Empty, traversing, oversized or non-string job ids fail before anything is sent."""
    with pytest.raises(InvalidInputError):
        await pictory_client.jobs.get(job_id)
    with pytest.raises(InvalidInputError):
        await pictory_client.jobs.wait(job_id)
    with pytest.raises(InvalidInputError):
        await pictory_client.jobs.clean(job_id)

    assert 0 == pictory_emulator.stats.total


@pytest.mark.parametrize("project", ["../etc", "", -1, Job(id="x")])
async def test_render_refuses_hostile_projects_before_any_request(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, project: Any
) -> None:
    """An unsafe project id, or something that is not one, is refused without a request."""
    with pytest.raises(InvalidInputError):
        await pictory_client.projects.render(project)

    assert 0 == pictory_emulator.stats.total


async def test_render_refuses_a_project_without_id(pictory_client: AsyncPictory) -> None:
    """A ``Project`` with no id cannot be rendered."""
    from pictory_async import Project

    with pytest.raises(InvalidProjectIdError, match="no id"):
        await pictory_client.projects.render(Project())


@pytest.mark.parametrize(
    ("options", "message"),
    [({"poll_interval": 0.5}, "poll_interval"), ({"timeout": -1}, "timeout")],
)
async def test_bad_wait_options_fail_before_any_request(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    options: dict[str, Any],
    message: str,
) -> None:
    """A too-short interval or a negative timeout is refused before polling."""
    with pytest.raises(InvalidInputError, match=message):
        await pictory_client.jobs.wait(JOB_ID, **options)

    assert 0 == pictory_emulator.stats.total


@pytest.mark.pictory_emulator(projects=2, seed=5)
async def test_cancelling_a_wait_leaves_nothing_polling(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A cancelled wait stops: no poll happens after the cancellation."""
    pictory_emulator.set_render_duration(10_000)
    job = await pictory_client.projects.render(_first(pictory_emulator))
    task = asyncio.create_task(pictory_client.jobs.wait(job, timeout=20_000))
    while pictory_emulator.stats.count(route="job") < 2:  # noqa: ASYNC110 - no event to wait on
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    polls = pictory_emulator.stats.count(route="job")
    for _ in range(20):
        await asyncio.sleep(0)

    assert task.cancelled()
    assert polls == pictory_emulator.stats.count(route="job")


# -- against respx: shapes the emulator does not produce ----------------------------------


def _job_route(router: respx.Router, *responses: httpx.Response) -> respx.Route:
    return router.get(f"{JOBS}/{JOB_ID}").mock(side_effect=list(responses))


async def test_missing_fields_unknown_status_and_odd_types_are_tolerated(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """No jobId, a new status, an int error code: a ``Job`` anyway, with the raw data."""
    body = {"success": True, "data": {"status": "Queued", "renderProgress": "40", "new": 1}}
    _job_route(router, httpx.Response(200, json=body))
    async with make_client() as client:
        job = await client.jobs.get(JOB_ID)

    assert (JOB_ID, JobStatus.UNKNOWN, 40.0) == (job.id, job.status, job.progress)
    assert ("Queued", 1) == (job.raw["status"], job.raw["new"])
    assert not job.is_finished


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("in_progress", JobStatus.IN_PROGRESS),
        ("COMPLETED", JobStatus.COMPLETED),
        (None, JobStatus.UNKNOWN),
        (3, JobStatus.UNKNOWN),
    ],
)
async def test_status_spellings(
    router: respx.Router, make_client: ClientFactory, wire: object, status: JobStatus
) -> None:
    """Status case and underscores are normalised; a missing or odd one is UNKNOWN."""
    _job_route(router, httpx.Response(200, json={"data": {"jobId": JOB_ID, "status": wire}}))
    async with make_client() as client:
        job = await client.jobs.get(JOB_ID)

    assert status == job.status


async def test_an_unwrapped_job_and_a_numeric_error_code(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A job object without the envelope is read; ``error_code`` 42 becomes ``"42"``."""
    body = {"status": "failed", "error_code": 42, "error_message": "Bad scene"}
    _job_route(router, httpx.Response(200, json=body))
    async with make_client() as client:
        job = await client.jobs.get(JOB_ID)

    assert (JobStatus.FAILED, "42", "Bad scene") == (job.status, job.error_code, job.error_message)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"success": False, "data": {"error_code": "E9", "error_message": "Boom"}}, "failed"),
        ({"success": True, "data": {"renderProgress": 5}}, "unknown"),
    ],
)
async def test_a_success_false_job_without_status_is_failed(
    router: respx.Router, make_client: ClientFactory, body: dict[str, Any], status: str
) -> None:
    """``success: false`` job data without a status is a failed job (so waits end)."""
    _job_route(router, httpx.Response(200, json=body))
    async with make_client() as client:
        job = await client.jobs.get(JOB_ID)

    assert status == job.status


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"}},
        {"success": False, "data": {"error_code": 5000, "error_message": "JOB_NOT_FOUND"}},
        {"success": False, "error_code": "5000"},
    ],
)
async def test_job_not_found_in_a_200_is_not_found(
    router: respx.Router, make_client: ClientFactory, body: dict[str, Any]
) -> None:
    """``JOB_NOT_FOUND`` (code 5000) in any of its places is ``NotFoundError``, even in a 200."""
    _job_route(router, httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.jobs.get(JOB_ID)


async def test_job_not_found_message_names_the_job(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The ``NotFoundError`` names the job and the API's reason."""
    body = {"success": False, "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"}}
    _job_route(router, httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(NotFoundError, match=f"job '{JOB_ID}' not found \\(JOB_NOT_FOUND\\)"):
            await client.jobs.get(JOB_ID)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, text="<html><title>Oops</title></html>"), "HTML"),
        (httpx.Response(200, text='{"data": {"status": '), "broken JSON"),
        (httpx.Response(200, json=[1, 2]), "JSON object"),
        (httpx.Response(200, json={"success": False}), "no job data"),
        (httpx.Response(200, json={"data": {"status": "completed", "videoURL": 5}}), "video"),
    ],
)
async def test_bad_job_bodies_are_typed_errors(
    router: respx.Router, make_client: ClientFactory, response: httpx.Response, message: str
) -> None:
    """HTML, broken JSON, a non-object, no data, a wrong type: ``ResponseValidationError``."""
    _job_route(router, response)
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match=message):
            await client.jobs.get(JOB_ID)


async def test_wait_on_a_job_gone_before_the_first_poll_is_not_found(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A job the API no longer knows (cleaned and dropped): ``wait`` raises ``NotFoundError``."""
    body = {"success": False, "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"}}
    route = _job_route(router, httpx.Response(404, json=body))
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.jobs.wait(JOB_ID)

    assert 1 == route.call_count


async def test_wait_keeps_polling_an_unknown_status(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A status this version does not know is not an end: the wait polls on."""
    route = _job_route(
        router,
        httpx.Response(200, json={"data": {"status": "queued"}}),
        httpx.Response(
            200, json={"data": {"status": "completed", "videoURL": "https://cdn/v.mp4"}}
        ),
    )
    async with make_client() as client:
        job = await client.jobs.wait(JOB_ID)

    assert (2, "https://cdn/v.mp4") == (route.call_count, job.video_url)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"success": True, "data": {}}, "no jobId"),
        ({"success": True}, "no jobId"),
        ({"success": True, "data": {"jobId": "../../admin"}}, "not a safe id"),
        ({"success": False, "error": {"error_message": "No credits"}}, "No credits"),
    ],
)
async def test_bad_render_answers_are_typed_errors(
    router: respx.Router, make_client: ClientFactory, body: dict[str, Any], message: str
) -> None:
    """A render answer without a safe job id, or saying it failed, is a typed error."""
    router.post(f"{PROJECTS_PATH}/p1/render").mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match=message):
            await client.projects.render("p1")


async def test_render_accepts_a_numeric_job_id(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An integer ``jobId`` is read as its string."""
    answer = {"success": True, "data": {"jobId": 987}}
    router.post(f"{PROJECTS_PATH}/7/render").mock(return_value=httpx.Response(200, json=answer))
    async with make_client() as client:
        job = await client.projects.render(7)

    assert ("987", 7) == (job.id, job.project_id)


async def test_render_is_retried_after_a_refused_connection(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A connection that was refused sent nothing: the render is tried again."""
    route = router.post(f"{PROJECTS_PATH}/p1/render").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"success": True, "data": {"jobId": JOB_ID}}),
        ]
    )
    async with make_client() as client:
        job = await client.projects.render("p1")

    assert (2, JOB_ID) == (route.call_count, job.id)


async def test_render_is_not_retried_after_a_read_timeout(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A read timeout may follow a started render: one attempt, flagged as maybe applied."""
    route = router.post(f"{PROJECTS_PATH}/p1/render").mock(side_effect=httpx.ReadTimeout("slow"))
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as info:
            await client.projects.render("p1")

    assert (1, True) == (route.call_count, info.value.may_have_been_applied)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"data": "nope"}, "array of objects"),
        ({"data": [1]}, "array of objects"),
        ({"data": [], "nextPageKey": 5}, "nextPageKey"),
        ({"data": [{"status": "completed"}]}, "no jobId"),
    ],
)
async def test_bad_list_pages_are_typed_errors(
    router: respx.Router, make_client: ClientFactory, body: dict[str, Any], message: str
) -> None:
    """A malformed page of jobs is ``ResponseValidationError``."""
    router.get(JOBS).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match=message):
            [job async for job in client.jobs.list()]


async def test_list_reads_items_and_stops_on_a_repeated_key(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Jobs under ``items`` are read; a page key handed back twice stops the walk."""
    page = {"items": [{"jobId": "a", "status": "completed"}], "nextPageKey": "k1"}
    router.get(JOBS).mock(return_value=httpx.Response(200, json=page))
    seen: list[str] = []

    async def walk(client: AsyncPictory) -> None:
        async for job in client.jobs.list():
            seen.append(job.id)  # noqa: PERF401 - what was seen before the error counts

    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="page key"):
            await walk(client)

    assert ["a", "a"] == seen


async def test_clean_tolerates_an_empty_answer_and_refuses_a_failed_one(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 204 is a clean; ``success: false`` is a typed error."""
    router.delete(f"{JOBS}/{JOB_ID}/clean").mock(
        side_effect=[httpx.Response(204), httpx.Response(200, json={"success": False})]
    )
    async with make_client() as client:
        await client.jobs.clean(JOB_ID)
        with pytest.raises(ResponseValidationError, match="clean"):
            await client.jobs.clean(JOB_ID)


def test_job_failed_error_without_details() -> None:
    """A failed job without code or message still makes a readable error."""
    error = JobFailedError(Job(id="j1", status=JobStatus.FAILED))

    assert ("j1", None, None) == (error.job_id, error.error_code, error.error_message)
    assert "job 'j1' failed: no message" == str(error)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
_JOB_KEYS = st.sampled_from(
    ["jobId", "status", "renderProgress", "videoURL", "error_code", "error_message", "createdAt"]
)
_JOB_DATA = st.dictionaries(_JOB_KEYS | st.text(max_size=5), _JSON, max_size=6)
_BODY = _JSON | st.fixed_dictionaries(
    {}, optional={"success": _JSON, "data": _JOB_DATA | _JSON, "error": _JSON, "status": _JSON}
)


@given(body=_BODY)
@settings(max_examples=300, deadline=None)
def test_any_job_body_is_a_job_or_a_typed_error(body: object) -> None:
    """Whatever JSON a hostile server sends for a job, the result is a Job or a typed error."""
    response = httpx.Response(200, request=httpx.Request("GET", "https://api.pictory.ai/x"))
    try:
        job = job_from_body(body, JOB_ID, response)
    except (ResponseValidationError, NotFoundError):
        return
    assert isinstance(job.status, JobStatus)
    assert isinstance(job.id, str)


@given(body=_BODY)
@settings(max_examples=300, deadline=None)
def test_any_job_list_body_is_a_page_or_a_typed_error(body: object) -> None:
    """Whatever JSON a hostile server sends for a job list, it is a page or a typed error."""
    response = httpx.Response(200, request=httpx.Request("GET", "https://api.pictory.ai/x"))
    payload = {"data": [body]} if isinstance(body, dict) else body
    try:
        page = job_page_from_body(payload, response)
    except ResponseValidationError:
        return
    assert all(isinstance(job.status, JobStatus) for job in page.items)
