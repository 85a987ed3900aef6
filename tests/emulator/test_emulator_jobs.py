"""Render jobs: ``POST .../render``, ``/pictoryapis/v1/jobs`` and their admin controls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pictory_async.emulator import Emulator, FakeClock, Faults

from .support import PROJECTS, Conn

JOBS = "/pictoryapis/v1/jobs"


async def _render(conn: Conn, project_id: int | str) -> str:
    response = await conn.api.post(f"{PROJECTS}/{project_id}/render")
    assert 200 == response.status_code
    job_id: str = response.json()["data"]["jobId"]
    return job_id


async def _job(conn: Conn, job_id: str) -> dict[str, Any]:
    response = await conn.api.get(f"{JOBS}/{job_id}")
    assert 200 == response.status_code
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def project_id(emulator: Emulator) -> str:
    """A rendered project of the main account."""
    return str(emulator.add_project(id="to-render", in_progress=False, name="Launch Demo").id)


async def test_render_runs_on_the_clock_and_completes_with_media(
    conn: Conn, clock: FakeClock, project_id: str
) -> None:
    """A job is in progress with a growing percentage, then completed with CDN media."""
    conn.emulator.set_render_duration(100)
    job_id = await _render(conn, project_id)
    clock.advance(25)
    running = await _job(conn, job_id)
    project_while = (await conn.api.get(f"{PROJECTS}/{project_id}")).json()
    clock.advance(75)
    done = await _job(conn, job_id)
    project_after = (await conn.api.get(f"{PROJECTS}/{project_id}")).json()
    video = await conn.anon.get(done["data"]["videoURL"])

    assert {
        "success": True,
        "data": {
            "jobId": job_id,
            "status": "in-progress",
            "renderProgress": 25,
            "renderState": "RUNNING",
            "renderProgressMessage": "Rendering video (25%)",
        },
    } == running
    assert ("RENDER", True, None) == (
        project_while["step"],
        project_while["inProgress"],
        project_while.get("videoURL"),
    )
    data = done["data"]
    assert ("completed", 100) == (data["status"], data["renderProgress"])
    assert conn.emulator.asset_url(project_id, "video") == data["videoURL"]
    assert conn.emulator.asset_url(project_id, "srt") == data["srtFile"]
    assert {"thumbnail", "vttFile", "txtFile", "videoDuration", "videoShareURL"} <= set(data)
    assert data["aiCreditsUsed"] >= 1
    assert ("COMPLETE", data["videoURL"]) == (project_after["step"], project_after["videoURL"])
    assert (200, conn.emulator.asset(project_id, "video")) == (video.status_code, video.content)


async def test_a_failed_render_is_200_with_success_false(
    conn: Conn, clock: FakeClock, project_id: str
) -> None:
    """A scripted failure ends the job failed, with its code and message, and no new video."""
    conn.emulator.add_project(id="fresh", in_progress=False, step="EDIT")
    conn.emulator.fail_next_render(error_code="E_VOICE", error_message="Voice-over failed")
    job_id = await _render(conn, "fresh")
    clock.advance(conn.emulator.render_duration)
    failed = await _job(conn, job_id)
    project = (await conn.api.get(f"{PROJECTS}/fresh")).json()

    assert {
        "success": False,
        "data": {
            "jobId": job_id,
            "status": "failed",
            "error_code": "E_VOICE",
            "error_message": "Voice-over failed",
        },
    } == failed
    assert ("EDIT", False) == (project["step"], project["inProgress"])


async def test_render_of_a_missing_foreign_or_busy_project(conn: Conn, project_id: str) -> None:
    """Render is 404 for no project, 403 for another account's, 409 while one runs."""
    theirs = conn.emulator.projects("other")[0].id
    missing = await conn.api.post(f"{PROJECTS}/nope/render")
    foreign = await conn.api.post(f"{PROJECTS}/{theirs}/render")
    await _render(conn, project_id)
    busy = await conn.api.post(f"{PROJECTS}/{project_id}/render")

    assert (404, {"success": False, "message": "Project not found"}) == (
        missing.status_code,
        missing.json(),
    )
    assert (403, 409) == (foreign.status_code, busy.status_code)
    assert "RENDER_IN_PROGRESS" == busy.json()["error"]["error_code"]
    assert 1 == len(conn.emulator.jobs())


async def test_unknown_or_foreign_job_is_404_job_not_found(conn: Conn, project_id: str) -> None:
    """An unknown job, or another account's, is 404 with error code 5000 JOB_NOT_FOUND."""
    job_id = await _render(conn, project_id)
    unknown = await conn.api.get(f"{JOBS}/no-such-job")
    foreign = await conn.api.get(f"{JOBS}/{job_id}", headers=conn.auth("other"))
    expected = {"success": False, "error": {"error_code": "5000", "error_message": "JOB_NOT_FOUND"}}

    assert (404, expected) == (unknown.status_code, unknown.json())
    assert (404, expected) == (foreign.status_code, foreign.json())


async def test_clean_only_finished_jobs_and_idempotently(
    conn: Conn, clock: FakeClock, project_id: str
) -> None:
    """Cleaning a running job is 400; a finished one is cleaned, twice is still 200."""
    job_id = await _render(conn, project_id)
    running = await conn.api.delete(f"{JOBS}/{job_id}/clean")
    clock.advance(conn.emulator.render_duration)
    first = await conn.api.delete(f"{JOBS}/{job_id}/clean")
    second = await conn.api.delete(f"{JOBS}/{job_id}/clean")
    after = await _job(conn, job_id)
    missing = await conn.api.delete(f"{JOBS}/nope/clean")

    assert (400, "JOB_NOT_FINISHED") == (running.status_code, running.json()["error"]["error_code"])
    cleaned = {"success": True, "data": {"jobId": job_id, "status": "cleaned"}}
    assert (200, cleaned, 200, cleaned) == (
        first.status_code,
        first.json(),
        second.status_code,
        second.json(),
    )
    assert cleaned == after
    assert 404 == missing.status_code


async def test_finished_jobs_are_cleaned_after_retention(clock: FakeClock) -> None:
    """Past the retention period a finished job reads ``cleaned``."""
    emulator = Emulator(projects=2, render_duration=10, job_retention=100, clock=clock.time)
    job = emulator.start_render(emulator.projects()[0].id)
    clock.advance(109)
    before = emulator.job_status(job.id)
    clock.advance(1)

    assert ("completed", "cleaned") == (before, emulator.job_status(job.id))


async def test_list_is_newest_first_across_pages(conn: Conn, clock: FakeClock) -> None:
    """``nextPageKey`` walks every job of the account, newest first, then is null."""
    ids = [str(record.id) for record in conn.emulator.projects()[:23]]
    started = []
    for project_id in ids:
        started.append(await _render(conn, project_id))
        clock.advance(1)
    conn.emulator.start_render(conn.emulator.projects("other")[0].id)
    seen: list[str] = []
    keys: list[str | None] = []
    params: dict[str, str] = {}
    while True:
        body = (await conn.api.get(JOBS, params=params)).json()
        seen += [item["jobId"] for item in body["data"]]
        keys.append(body["nextPageKey"])
        if body["nextPageKey"] is None:
            break
        params = {"nextPageKey": body["nextPageKey"]}
    first = (await conn.api.get(JOBS)).json()["data"][0]

    assert started[::-1] == seen
    assert 3 == len(keys)  # pages of 10, 10 and 3
    assert (ids[-1], "in-progress") == (first["projectId"], first["status"])
    assert first["createdAt"].endswith("Z")


async def test_list_rejects_a_forged_page_key(conn: Conn) -> None:
    """A page key the emulator did not make is a 400 naming the parameter."""
    response = await conn.api.get(JOBS, params={"nextPageKey": "!!"})

    fields = [{"name": "nextPageKey", "errors": "nextPageKey is not a valid page key"}]
    assert (400, fields) == (response.status_code, response.json()["fields"])


async def test_job_routes_share_auth_rate_limits_and_faults(conn: Conn, project_id: str) -> None:
    """Job routes need the key, spend the same tokens, and take scripted faults."""
    conn.emulator.faults = Faults(rate_limit=1, burst=1)
    unauthorized = await conn.anon.get(JOBS)
    conn.emulator.fail_next(503, method="GET")
    failed = await conn.api.get(JOBS)
    limited = await conn.api.post(f"{PROJECTS}/{project_id}/render")
    stats = conn.emulator.stats

    assert (401, 503, 429) == (
        unauthorized.status_code,
        failed.status_code,
        limited.status_code,
    )
    assert [] == conn.emulator.jobs()
    assert {("GET", "jobs", 401): 1, ("GET", "jobs", 503): 1, ("POST", "render", 429): 1} == (
        stats.requests
    )


async def test_wrong_methods_and_nested_paths(conn: Conn) -> None:
    """Wrong methods on job routes are 405; unknown nested paths are 404."""
    post = await conn.api.post(JOBS)
    get_clean = await conn.api.get(f"{JOBS}/some-job/clean")
    deeper = await conn.api.get(f"{JOBS}/some-job/clean/more")
    trailing = await conn.api.get(f"{JOBS}/some-job/")

    assert (405, 405) == (post.status_code, get_clean.status_code)
    assert (404, 404) == (deeper.status_code, trailing.status_code)


async def test_a_render_whose_answer_is_lost_still_starts(conn: Conn, project_id: str) -> None:
    """``drop_after_apply`` starts the render and closes the connection unanswered."""
    conn.emulator.fail_next("drop_after_apply", method="POST")

    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.post(f"{PROJECTS}/{project_id}/render")

    assert 1 == len(conn.emulator.jobs())
    assert (1, 0) == (conn.emulator.stats.dropped_after_apply, conn.emulator.stats.total)


async def test_reset_forgets_jobs_and_render_settings(project_id: str, emulator: Emulator) -> None:
    """``reset`` drops jobs, scripted render failures and the render duration."""
    emulator.set_render_duration(5)
    emulator.fail_next_render()
    emulator.start_render(project_id)
    emulator.reset()
    job = emulator.start_render(emulator.projects()[0].id)

    assert ([job], 60.0, None) == (emulator.jobs(), emulator.render_duration, job.failure)


def test_facade_controls_check_their_input(emulator: Emulator) -> None:
    """Bad durations, codes, counts and job ids are refused with a clear error."""
    with pytest.raises(ValueError, match="seconds"):
        emulator.set_render_duration(-1)
    with pytest.raises(ValueError, match="error_code"):
        emulator.fail_next_render(error_code="")
    with pytest.raises(ValueError, match="times"):
        emulator.fail_next_render(times=0)
    with pytest.raises(KeyError):
        emulator.clean_job("nope")
    with pytest.raises(ValueError, match="render_duration"):
        Emulator(render_duration=float("nan"))


async def test_admin_routes_control_renders(conn: Conn, clock: FakeClock, project_id: str) -> None:
    """Admin routes set the duration, script a failure and clean a job."""
    duration = await conn.anon.post("/_emulator/render-duration", json={"seconds": 5})
    scripted = await conn.anon.post(
        "/_emulator/fail-next-render", json={"error_code": "X1", "error_message": "Nope"}
    )
    job_id = await _render(conn, project_id)
    running_clean = await conn.anon.post(f"/_emulator/jobs/{job_id}/clean")
    clock.advance(5)
    failed = await _job(conn, job_id)
    cleaned = await conn.anon.post(f"/_emulator/jobs/{job_id}/clean")
    unknown = await conn.anon.post("/_emulator/jobs/nope/clean")

    assert (200, {"render_duration": 5.0}) == (duration.status_code, duration.json())
    assert 200 == scripted.status_code
    assert 400 == running_clean.status_code
    assert ("X1", "Nope") == (failed["data"]["error_code"], failed["data"]["error_message"])
    assert (200, 404) == (cleaned.status_code, unknown.status_code)
    assert "cleaned" == conn.emulator.job_status(job_id)


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("render-duration", {}),
        ("render-duration", {"seconds": "soon"}),
        ("render-duration", {"seconds": -3}),
        ("render-duration", {"seconds": 1, "extra": 1}),
        ("fail-next-render", {"times": "2"}),
        ("fail-next-render", {"times": 0}),
        ("fail-next-render", {"error_code": 5}),
        ("fail-next-render", {"error_message": ""}),
        ("fail-next-render", {"code": "X"}),
    ],
)
async def test_admin_render_routes_refuse_bad_bodies(
    conn: Conn, route: str, body: dict[str, Any]
) -> None:
    """A malformed body is a 400 with a message, and nothing changes."""
    response = await conn.anon.post(f"/_emulator/{route}", json=body)

    assert 400 == response.status_code
    assert response.json()["message"]
    assert 60.0 == conn.emulator.render_duration
    assert [] == conn.emulator.jobs()
