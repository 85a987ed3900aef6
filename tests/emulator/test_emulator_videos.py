"""Creating videos over HTTP: storyboards, renders, elements, templates, project updates.

Plain httpx, in process and over a real socket (the ``conn`` fixture), as any client of
Pictory's API would talk to the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from pictory_async import _paths
from pictory_async.emulator import FakeClock

from .support import PROJECTS, Conn

SCRIPT = {
    "videoName": "Launch Demo",
    "voiceOver": {"enabled": True, "aiVoices": [{"speaker": "Adison", "speed": 100}]},
    "scenes": [
        {"story": "Meet the new app. It plans your week for you."},
        {"story": "Try it today.", "elements": [{"type": "text", "text": "Download now"}]},
    ],
}


async def start(conn: Conn, path: str, body: Any, method: str = "POST") -> str:
    """Start a job; return its id."""
    response = await conn.api.request(method, path, json=body)
    assert 200 == response.status_code, response.text
    assert {"success"} | {"data"} == set(response.json())
    job_id: str = response.json()["data"]["jobId"]
    return job_id


async def finished(conn: Conn, clock: FakeClock, job_id: str) -> dict[str, Any]:
    """The job's body once the clock has moved past its end."""
    clock.advance(conn.emulator.render_duration)
    response = await conn.api.get(f"{_paths.JOBS}/{job_id}")
    assert 200 == response.status_code
    body: dict[str, Any] = response.json()
    return body


async def test_storyboard_previews_then_renders_with_a_changed_element(
    conn: Conn, clock: FakeClock
) -> None:
    """A preview completes with renderParams, a served preview page; its change is rendered."""
    job_id = await start(conn, _paths.STORYBOARD, SCRIPT)
    running = (await conn.api.get(f"{_paths.JOBS}/{job_id}")).json()
    done = await finished(conn, clock, job_id)
    data = done["data"]
    params = data["renderParams"]
    page = await conn.anon.get(data["previewUrl"])
    text = next(e for e in params["elements"] if e.get("text") == "Download now")
    changed = await conn.api.put(
        f"{_paths.STORYBOARD}/{job_id}/elements", json=[{"id": text["id"], "text": "Get it now"}]
    )
    after = (await conn.api.get(f"{_paths.JOBS}/{job_id}")).json()["data"]["renderParams"]
    render_id = await start(conn, f"{_paths.VIDEO_RENDER}/{job_id}", {}, method="PUT")
    video = (await finished(conn, clock, render_id))["data"]
    media = await conn.anon.get(video["videoURL"])

    assert ("in-progress", "RUNNING") == (running["data"]["status"], running["data"]["renderState"])
    assert (True, "completed") == (done["success"], data["status"])
    assert "projectId" not in data  # not saved
    assert ["Meet the new app. It plans your week for you.", "Try it today."] == [
        scene["story"] for scene in data["storyboard"]["scenes"]
    ]
    assert all(element["id"] for element in params["elements"])
    assert {"background", "subtitle", "text", "voiceOver"} == {
        element["elementType"] for element in params["elements"]
    }
    assert (200, True) == (page.status_code, "Launch Demo" in page.text)
    assert (204, b"") == (changed.status_code, changed.content)
    assert ["Get it now"] == [e["text"] for e in after["elements"] if e["id"] == text["id"]]
    assert {"videoURL", "videoShareURL", "thumbnail", "srtFile", "vttFile", "txtFile"} <= set(video)
    assert (params["duration"], 1) == (video["videoDuration"], video["aiCreditsUsed"])
    assert (200, "video/mp4") == (media.status_code, media.headers["content-type"])


async def test_elements_only_change_existing_elements_of_a_finished_storyboard(
    conn: Conn, clock: FakeClock
) -> None:
    """Unknown element ids, a running or unknown storyboard, a non-array body: 400s."""
    job_id = await start(conn, _paths.STORYBOARD, SCRIPT)
    path = f"{_paths.STORYBOARD}/{job_id}/elements"
    running = await conn.api.put(path, json=[{"id": "x"}])
    await finished(conn, clock, job_id)
    unknown = await conn.api.put(path, json=[{"id": "no-such-element", "text": "x"}])
    no_id = await conn.api.put(path, json=[{"text": "x"}])
    not_array = await conn.api.put(path, json={"id": "x"})
    no_job = await conn.api.put(f"{_paths.STORYBOARD}/nope/elements", json=[{"id": "x"}])

    for response in (running, unknown, no_id, not_array, no_job):
        assert (400, "INVALID_REQUEST_BODY") == (response.status_code, response.json()["code"])
    assert "[0].id" == unknown.json()["fields"][0]["name"]


async def test_render_directly_with_save_project_makes_a_listed_project(
    conn: Conn, clock: FakeClock
) -> None:
    """``saveProject: true``: a project in the list and by id, its id in the job's data."""
    before = {p.id for p in conn.emulator.projects()}
    job_id = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "saveProject": True})
    data = (await finished(conn, clock, job_id))["data"]
    project = await conn.api.get(f"{PROJECTS}/{data['projectId']}")
    listed = (await conn.api.get(PROJECTS)).json()["items"]

    assert {data["projectId"]} == {p.id for p in conn.emulator.projects()} - before
    assert (200, "Launch Demo", "COMPLETE") == (
        project.status_code,
        project.json()["projectName"],
        project.json()["step"],
    )
    assert data["videoURL"] == project.json()["videoURL"]
    assert data["projectId"] == listed[0]["id"]


async def test_an_unsaved_render_is_served_but_not_listed(conn: Conn, clock: FakeClock) -> None:
    """Without ``saveProject`` the video is on the CDN, with no project and no ``projectId``."""
    before = len(conn.emulator.projects())
    job_id = await start(conn, _paths.STORYBOARD_RENDER, SCRIPT)
    data = (await finished(conn, clock, job_id))["data"]
    downloads = [await conn.anon.get(data[key]) for key in ("videoURL", "srtFile", "thumbnail")]
    share = await conn.anon.get(data["videoShareURL"])

    assert (before, None) == (len(conn.emulator.projects()), data.get("projectId"))
    assert [200, 200, 200] == [response.status_code for response in downloads]
    assert "Meet the new app." in downloads[1].text
    assert 200 == share.status_code


async def test_a_saved_storyboard_renders_its_own_project(conn: Conn, clock: FakeClock) -> None:
    """Rendering a saved preview renders the project the preview made (same ``projectId``)."""
    preview_id = await start(conn, _paths.STORYBOARD, {**SCRIPT, "saveProject": True})
    preview = (await finished(conn, clock, preview_id))["data"]
    render_id = await start(conn, f"{_paths.VIDEO_RENDER}/{preview_id}", None, method="PUT")
    busy = await conn.api.put(f"{_paths.VIDEO_RENDER}/{preview_id}")
    video = (await finished(conn, clock, render_id))["data"]

    assert preview["projectId"] == video["projectId"]
    assert 409 == busy.status_code
    assert "COMPLETE" == conn.emulator.project(preview["projectId"]).step  # type: ignore[union-attr]


async def test_render_preview_needs_a_finished_storyboard_of_the_account(
    conn: Conn, clock: FakeClock
) -> None:
    """A running, unknown or another account's storyboard job cannot be rendered: 400."""
    job_id = await start(conn, _paths.STORYBOARD, SCRIPT)
    running = await conn.api.put(f"{_paths.VIDEO_RENDER}/{job_id}")
    clock.advance(conn.emulator.render_duration)
    foreign = await conn.anon.put(f"{_paths.VIDEO_RENDER}/{job_id}", headers=conn.auth("other"))
    unknown = await conn.api.put(f"{_paths.VIDEO_RENDER}/nope")

    assert [400, 400, 400] == [r.status_code for r in (running, foreign, unknown)]
    assert "storyboardJobId" == running.json()["fields"][0]["name"]


async def test_render_params_renders_a_changed_object(conn: Conn, clock: FakeClock) -> None:
    """``POST /v2/video/render`` takes the renderParams object itself; its length is kept."""
    preview_id = await start(conn, _paths.STORYBOARD, SCRIPT)
    params = (await finished(conn, clock, preview_id))["data"]["renderParams"]
    params["duration"] = 125.5
    job_id = await start(conn, _paths.VIDEO_RENDER, params)
    data = (await finished(conn, clock, job_id))["data"]
    empty = await conn.api.post(_paths.VIDEO_RENDER, json={"videoName": "nothing"})

    assert (125.5, 2) == (data["videoDuration"], data["aiCreditsUsed"])
    assert (400, "elements") == (empty.status_code, empty.json()["fields"][0]["name"])


async def test_video_from_a_template_fills_its_variables(conn: Conn, clock: FakeClock) -> None:
    """A template's scenes get the variables given; an unknown template is a 400."""
    templates = (await conn.api.get(_paths.TEMPLATES)).json()
    hello = next(t for t in templates if t["name"] == "Hello World Template")
    body = {"templateId": hello["templateId"], "variables": {"Name": "Ada"}, "audio": {}}
    job_id = await start(conn, _paths.VIDEO_FROM_TEMPLATE, body)
    data = (await finished(conn, clock, job_id))["data"]
    subtitles = await conn.anon.get(data["srtFile"])
    unknown = await conn.api.post(_paths.VIDEO_FROM_TEMPLATE, json={"templateId": "nope"})
    missing = await conn.api.post(_paths.VIDEO_FROM_TEMPLATE, json={"variables": {}})

    assert "Hi Ada, how are you doing today?" in subtitles.text
    assert (400, "templateId") == (unknown.status_code, unknown.json()["fields"][0]["name"])
    assert (400, "templateId") == (missing.status_code, missing.json()["fields"][0]["name"])


async def test_a_storyboard_from_a_template_needs_no_scenes(conn: Conn, clock: FakeClock) -> None:
    """With a ``templateId`` and ``variables``, the storyboard takes the template's scenes."""
    template = (await conn.api.get(_paths.TEMPLATES)).json()[2]
    body = {"templateId": template["templateId"], "variables": {"product": "Lumen"}}
    job_id = await start(conn, _paths.STORYBOARD, body)
    scenes = (await finished(conn, clock, job_id))["data"]["storyboard"]["scenes"]

    assert "Meet Lumen." == scenes[0]["story"]


async def test_a_failed_job_is_200_with_success_false(conn: Conn, clock: FakeClock) -> None:
    """``fail_next_job`` ends the next job failed with Pictory's code and message."""
    conn.emulator.fail_next_job(error_message="The AI voice speaker [Timm] is invalid")
    job_id = await start(conn, _paths.STORYBOARD_RENDER, SCRIPT)
    failed = await finished(conn, clock, job_id)
    other_id = await start(conn, _paths.STORYBOARD_RENDER, SCRIPT)

    assert {
        "success": False,
        "data": {
            "jobId": job_id,
            "status": "failed",
            "error_code": "TEXT_TO_VIDEO_FAILED",
            "error_message": "The AI voice speaker [Timm] is invalid",
        },
    } == failed
    assert "completed" == (await finished(conn, clock, other_id))["data"]["status"]


async def test_fail_next_job_by_kind_skips_other_kinds(conn: Conn, clock: FakeClock) -> None:
    """A failure scripted for transcriptions leaves a storyboard alone and ends the next one."""
    conn.emulator.fail_next_job(kind="transcription", error_code="E_AUDIO")
    preview = await start(conn, _paths.STORYBOARD, SCRIPT)
    transcription = await start(conn, _paths.TRANSCRIPTION, {"fileUrl": "https://x.test/a.mp3"})

    assert "completed" == (await finished(conn, clock, preview))["data"]["status"]
    assert "E_AUDIO" == (await finished(conn, clock, transcription))["data"]["error_code"]


async def test_a_lost_answer_still_makes_exactly_one_job(conn: Conn, clock: FakeClock) -> None:
    """``drop_after_apply`` on a POST: the connection closes, yet the job was made once."""
    import httpx

    conn.emulator.fail_next("drop_after_apply", method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.post(_paths.STORYBOARD_RENDER, json={**SCRIPT, "saveProject": True})
    jobs = conn.emulator.jobs()
    listed = (await conn.api.get(_paths.JOBS)).json()["data"]

    assert (1, "render") == (len(jobs), jobs[0].kind)
    assert [jobs[0].id] == [item["jobId"] for item in listed]
    assert 1 == conn.emulator.stats.dropped_after_apply
    assert jobs[0].project_id in {p.id for p in conn.emulator.projects()}


async def test_faults_apply_to_the_new_endpoints(conn: Conn) -> None:
    """Scripted 503s, drops and 429s hit video, transcription and look-up routes alike."""
    import httpx

    conn.emulator.fail_next(503, method="POST")
    unavailable = await conn.api.post(_paths.STORYBOARD, json=SCRIPT)
    conn.emulator.fail_next(429)
    limited = await conn.api.get(_paths.VOICEOVER_TRACKS)
    conn.emulator.fail_next("drop", method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.post(_paths.TRANSCRIPTION, json={"fileUrl": "https://x.test/a.mp4"})
    retried = await conn.api.post(_paths.STORYBOARD, json=SCRIPT)

    assert (503, 429, 200) == (
        unavailable.status_code,
        limited.status_code,
        retried.status_code,
    )
    assert "retry-after" in limited.headers
    assert 1 == len(conn.emulator.jobs())  # the 503 and the drop made none
    assert 1 == conn.emulator.stats.count(method="POST", route="storyboard", status=503)


async def test_new_routes_need_a_key(conn: Conn) -> None:
    """Without a key every new route is a 401, and nothing starts."""
    responses = [
        await conn.anon.post(_paths.STORYBOARD, json=SCRIPT),
        await conn.anon.post(_paths.TRANSCRIPTION, json={"fileUrl": "https://x.test/a"}),
        await conn.anon.get(_paths.BRANDS),
    ]

    assert [401, 401, 401] == [response.status_code for response in responses]
    assert [] == conn.emulator.jobs()


async def test_update_replaces_the_whole_project(conn: Conn) -> None:
    """PUT sets what is given and resets what is left out; 404, 403 and 400 as documented."""
    record = conn.emulator.add_project(id="p-update", brand_id="b1", audio_speed=110)
    body = {"projectName": "Renamed", "scriptLanguage": "de", "scenes": [{"text": "Hallo."}]}
    updated = await conn.api.put(f"{PROJECTS}/p-update", json=body)
    read = (await conn.api.get(f"{PROJECTS}/p-update")).json()
    missing = await conn.api.put(f"{PROJECTS}/nope", json=body)
    theirs = conn.emulator.projects("other")[0].id
    foreign = await conn.api.put(f"{PROJECTS}/{theirs}", json=body)
    partial = await conn.api.put(f"{PROJECTS}/p-update", json={"scriptLanguage": "fr"})

    assert 200 == updated.status_code
    assert updated.json() == read
    assert ("Renamed", "de", [{"text": "Hallo."}], 100) == (
        read["projectName"],
        read["scriptLanguage"],
        read["scenes"],
        read["audioSpeed"],
    )
    assert "brandId" not in read
    assert (None, "Renamed") == (record.brand_id, record.name)
    assert (404, 403) == (missing.status_code, foreign.status_code)
    assert (400, "projectName") == (partial.status_code, partial.json()["fields"][0]["name"])


async def test_an_added_template_is_listed_and_renders(conn: Conn, clock: FakeClock) -> None:
    """``add_template`` puts a template in the list; from-template fills its variables."""
    added = conn.emulator.add_template(
        template_id="tmpl_8f2c",
        name="Weekly Update",
        scenes=["{{headline}}, says {{presenter}}."],
        variables={"headline": "Sales up", "presenter": "Dana"},
    )
    listed = (await conn.api.get(_paths.TEMPLATES)).json()
    body = {"templateId": "tmpl_8f2c", "variables": {"presenter": "Ada"}}
    job_id = await start(conn, _paths.VIDEO_FROM_TEMPLATE, body)
    data = (await finished(conn, clock, job_id))["data"]
    subtitles = await conn.anon.get(data["srtFile"])

    assert added == listed[-1]
    assert "Sales up, says Ada." in subtitles.text
    with pytest.raises(ValueError, match="already exists"):
        conn.emulator.add_template(template_id="tmpl_8f2c", name="Again", scenes=["x"])
    conn.emulator.reset()
    assert "tmpl_8f2c" not in {t["templateId"] for t in conn.emulator.templates()}
