"""Faults of job-starting requests (5xx before applying, lost answers after) and the jobs made."""

from __future__ import annotations

import collections
from typing import Any

import httpx
import pytest

from pictory_async import _paths
from pictory_async.emulator import Emulator, FakeClock

from .support import NOW, PROJECTS, Conn

SCRIPT = {"videoName": "Row 1", "scenes": [{"story": "Meet the new app."}]}


async def post(conn: Conn, body: dict[str, Any]) -> int | str:
    """POST a storyboard render: the status, or ``"lost"`` when the connection closed."""
    try:
        response = await conn.api.post(_paths.STORYBOARD_RENDER, json=body)
    except httpx.RemoteProtocolError:
        return "lost"
    return response.status_code


async def test_a_create_error_is_answered_before_anything_is_made(conn: Conn) -> None:
    """``create_error_rate=1``: every job-starting POST is a 5xx and no job is made."""
    conn.emulator.set_faults(create_error_rate=1.0, error_statuses=[503])

    statuses = [await post(conn, SCRIPT) for _ in range(3)]
    transcription = await conn.api.post(_paths.TRANSCRIPTION, json={"fileUrl": "https://x.test/a"})

    assert [503, 503, 503] == statuses
    assert 503 == transcription.status_code
    assert [] == conn.emulator.jobs_created()
    assert 4 == conn.emulator.stats.errors_injected


async def test_create_faults_leave_other_routes_alone(conn: Conn) -> None:
    """Gets, lists and deletes never meet the job-starting faults."""
    conn.emulator.set_faults(create_error_rate=1.0, drop_after_create_rate=1.0)
    project_id = conn.emulator.projects()[0].id

    got = await conn.api.get(f"{PROJECTS}/{project_id}")
    listed = await conn.api.get(PROJECTS)
    deleted = await conn.api.delete(f"{PROJECTS}/{project_id}")

    assert (200, 200, 200) == (got.status_code, listed.status_code, deleted.status_code)


async def test_a_lost_create_answer_makes_the_job_once(conn: Conn) -> None:
    """``drop_after_create_rate=1``: the connection closes, the job exists, marked lost."""
    conn.emulator.set_faults(drop_after_create_rate=1.0)

    outcome = await post(conn, {**SCRIPT, "webhook": "http://127.0.0.1:9/hook"})
    made = conn.emulator.jobs_created()

    assert "lost" == outcome
    assert [("render", "storyboard_render", True)] == [
        (job.kind, job.route, job.answer_lost) for job in made
    ]
    assert {**SCRIPT, "webhook": "http://127.0.0.1:9/hook"} == made[0].request
    assert "http://127.0.0.1:9/hook" == made[0].webhook
    assert {"storyboard_render": 1} == conn.emulator.stats.jobs_created
    assert 1 == conn.emulator.stats.count_dropped(method="POST", route="storyboard_render")


async def test_a_scripted_lost_answer_marks_its_job(conn: Conn) -> None:
    """``fail_next("drop_after_apply")`` on a job-starting POST marks that job, not another."""
    first = await post(conn, {**SCRIPT, "videoName": "kept"})
    conn.emulator.fail_next("drop_after_apply", method="POST")
    second = await post(conn, {**SCRIPT, "videoName": "lost"})

    made = conn.emulator.jobs_created()

    assert (200, "lost") == (first, second)
    assert [("kept", False), ("lost", True)] == [
        (job.request["videoName"], job.answer_lost) for job in made
    ]
    assert 1 == conn.emulator.stats.dropped_after_apply


async def test_refused_requests_make_no_job(conn: Conn) -> None:
    """A 400 (no scenes, bad JSON) and a 402 (no quota) are not counted as jobs made."""
    conn.emulator.set_quota(video_minutes={"used": 600})

    statuses = [
        await post(conn, {"videoName": "x"}),
        (await conn.api.post(_paths.STORYBOARD_RENDER, content=b"{")).status_code,
        await post(conn, SCRIPT),
    ]

    assert [400, 400, 402] == statuses
    assert [] == conn.emulator.jobs_created()
    assert {} == conn.emulator.stats.jobs_created


async def test_jobs_created_filters_and_lists_every_kind(conn: Conn, clock: FakeClock) -> None:
    """Each job-starting route is recorded under its route and kind, oldest first."""
    await post(conn, SCRIPT)
    await conn.api.post(_paths.STORYBOARD, json=SCRIPT)
    await conn.api.post(_paths.TRANSCRIPTION, json={"fileUrl": "https://x.test/a.mp4"})
    template = conn.emulator.templates()[0]["templateId"]
    await conn.api.post(_paths.VIDEO_FROM_TEMPLATE, json={"templateId": template})

    made = conn.emulator.jobs_created()

    assert ["storyboard_render", "storyboard", "transcription", "from_template"] == [
        job.route for job in made
    ]
    assert ["render", "render"] == [job.kind for job in conn.emulator.jobs_created(kind="render")]
    assert 1 == len(conn.emulator.jobs_created(route="storyboard"))
    assert [] == conn.emulator.jobs_created(account="other")


async def test_jobs_created_over_the_admin_routes(conn: Conn) -> None:
    """``GET /_emulator/jobs-created`` lists the jobs made with their bodies and lost marks."""
    conn.emulator.fail_next("drop_after_apply", method="POST")
    await post(conn, SCRIPT)

    listed = (await conn.anon.get("/_emulator/jobs-created")).json()
    stats = (await conn.anon.get("/_emulator/stats")).json()

    assert [
        {
            "job_id": conn.emulator.jobs_created()[0].id,
            "kind": "render",
            "route": "storyboard_render",
            "account": "primary",
            "status": "in-progress",
            "request": SCRIPT,
            "webhook": None,
            "answer_lost": True,
        }
    ] == listed
    assert {"storyboard_render": 1} == stats["jobs_created"]


def outcomes(seed: int, count: int) -> list[str]:
    """The fate of ``count`` job-starting requests on an emulator of ``seed`` at 5% / 1%."""
    emulator = Emulator(projects=0, seed=seed, now=NOW)
    emulator.set_faults(create_error_rate=0.05, drop_after_create_rate=0.01)
    fates = []
    for n in range(count):
        body = b'{"videoName": "row %d", "scenes": [{"story": "Hi."}]}' % n
        reply = emulator.handle(
            "POST",
            _paths.STORYBOARD_RENDER,
            b"",
            [(b"authorization", emulator.api_key.encode())],
            body,
        )
        fates.append("lost" if reply.drop else str(reply.status))
    return fates


def test_create_faults_are_seeded_and_reproducible() -> None:
    """The same seed gives the same 5xx and lost answers; another seed other ones."""
    first, again, other = outcomes(7, 300), outcomes(7, 300), outcomes(8, 300)
    counts = collections.Counter(first)

    assert first == again
    assert first != other
    assert 5 <= counts["500"] + counts["502"] + counts["503"] <= 30
    assert 1 <= counts["lost"] <= 8
    assert 300 == sum(counts.values())


def test_the_share_settings_are_checked() -> None:
    """A share outside [0, 1] is refused with the setting's name."""
    emulator = Emulator(projects=0)

    with pytest.raises(ValueError, match="create_error_rate"):
        emulator.set_faults(create_error_rate=1.5)
    with pytest.raises(ValueError, match="drop_after_create_rate"):
        emulator.set_faults(drop_after_create_rate=-0.1)
