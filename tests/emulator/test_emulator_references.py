"""What a video request names: voices and brands checked as the job runs, templates at once.

Pictory accepts a request naming a voice or brand it does not know, and the job then
fails (its docs show "The AI voice speaker [Timm] is invalid"); an unknown template is
a 400, since the request cannot be read without it. Plain httpx, in process and over a
real socket.
"""

from __future__ import annotations

from typing import Any

import pytest

from pictory_async import _paths
from pictory_async.emulator import FakeClock

from .support import Conn
from .test_emulator_videos import SCRIPT, finished, start


def _voiced(speaker: object, **extra: Any) -> dict[str, Any]:
    return {**SCRIPT, "voiceOver": {"enabled": True, "aiVoices": [{"speaker": speaker}]}, **extra}


@pytest.mark.parametrize("path", [_paths.STORYBOARD, _paths.STORYBOARD_RENDER])
async def test_an_unknown_speaker_fails_the_job(conn: Conn, clock: FakeClock, path: str) -> None:
    """An unknown speaker: the job starts, then fails with Pictory's code; nothing is spent."""
    job_id = await start(conn, path, _voiced("Timm", saveProject=True))
    done = await finished(conn, clock, job_id)
    quota = (await conn.api.get(_paths.QUOTA)).json()

    assert (False, "failed", "TEXT_TO_VIDEO_FAILED") == (
        done["success"],
        done["data"]["status"],
        done["data"]["error_code"],
    )
    assert "The AI voice speaker [Timm] is invalid" == done["data"]["error_message"]
    assert (0, 0) == (quota["videoMinutes"]["used"], quota["aiCredits"]["used"])
    assert [] == (await conn.api.get(_paths.AI_CREDITS_USAGE)).json()


@pytest.mark.parametrize("speaker", ["Adison", "adison", "en-US-Neural2-F", 1003, "1003", "RACHEL"])
async def test_a_voice_by_name_id_or_provider_id_in_any_case_renders(
    conn: Conn, clock: FakeClock, speaker: object
) -> None:
    """A track's name, numeric id or provider voice id, in any case, is a known voice."""
    job_id = await start(conn, _paths.STORYBOARD_RENDER, _voiced(speaker))

    assert "completed" == (await finished(conn, clock, job_id))["data"]["status"]


async def test_a_scene_speaker_and_a_changed_element_are_checked(
    conn: Conn, clock: FakeClock
) -> None:
    """A scene's own unknown voice fails; so does a preview whose voice element was changed."""
    scenes = [{"story": "Hi.", "voiceOver": {"aiVoices": [{"speaker": "Nobody"}]}}]
    scene_job = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "scenes": scenes})
    preview = await start(conn, _paths.STORYBOARD, SCRIPT)
    params = (await finished(conn, clock, preview))["data"]["renderParams"]
    voice = next(e for e in params["elements"] if e["elementType"] == "voiceOver")
    changed = await conn.api.put(
        f"{_paths.STORYBOARD}/{preview}/elements", json=[{"id": voice["id"], "speaker": "Zed"}]
    )
    render = await start(conn, f"{_paths.VIDEO_RENDER}/{preview}", {}, method="PUT")
    rendered = (await finished(conn, clock, render))["data"]

    assert (
        "The AI voice speaker [Nobody] is invalid"
        == ((await finished(conn, clock, scene_job))["data"]["error_message"])
    )
    assert 204 == changed.status_code
    assert ("failed", "The AI voice speaker [Zed] is invalid") == (
        rendered["status"],
        rendered["error_message"],
    )


async def test_render_params_with_an_unknown_speaker_fail(conn: Conn, clock: FakeClock) -> None:
    """``POST /v2/video/render`` checks the voice-over elements of the ``renderParams``."""
    preview = await start(conn, _paths.STORYBOARD, SCRIPT)
    params = (await finished(conn, clock, preview))["data"]["renderParams"]
    for element in params["elements"]:
        if element["elementType"] == "voiceOver":
            element["speaker"] = "Ghost"
    params["voiceOver"]["aiVoices"] = []
    job_id = await start(conn, _paths.VIDEO_RENDER, params)

    data = (await finished(conn, clock, job_id))["data"]
    assert ("failed", "The AI voice speaker [Ghost] is invalid") == (
        data["status"],
        data["error_message"],
    )


async def test_an_unknown_brand_fails_the_job(conn: Conn, clock: FakeClock) -> None:
    """A ``brandName`` or ``brandId`` the account lacks fails; a known one (any case) renders."""
    brands = (await conn.api.get(_paths.BRANDS)).json()
    by_name = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandName": "Globex"})
    by_id = await start(conn, _paths.STORYBOARD, {**SCRIPT, "brandId": "no-such-brand"})
    known = await start(
        conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandName": brands[0]["name"].upper()}
    )
    known_id = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandId": brands[1]["id"]})

    failed = [(await finished(conn, clock, job))["data"] for job in (by_name, by_id)]
    assert [("failed", "TEXT_TO_VIDEO_FAILED")] * 2 == [
        (data["status"], data["error_code"]) for data in failed
    ]
    assert "Globex" in failed[0]["error_message"]
    assert "no-such-brand" in failed[1]["error_message"]
    assert ["completed", "completed"] == [
        (await finished(conn, clock, job))["data"]["status"] for job in (known, known_id)
    ]


async def test_an_added_brand_is_listed_and_renders_until_reset(
    conn: Conn, clock: FakeClock
) -> None:
    """``add_brand`` gives one account a brand: listed, usable; another account's fails."""
    conn.emulator.add_brand(name="Lumen", brand_id="brand_42")
    conn.emulator.add_brand(name="Globex", account="other")
    listed = (await conn.api.get(_paths.BRANDS)).json()
    by_name = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandName": "lumen"})
    by_id = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandId": "brand_42"})
    foreign = await start(conn, _paths.STORYBOARD_RENDER, {**SCRIPT, "brandName": "Globex"})
    statuses = [
        (await finished(conn, clock, job))["data"]["status"] for job in (by_name, by_id, foreign)
    ]
    conn.emulator.reset()

    assert {"id": "brand_42", "name": "Lumen"} == listed[-1]
    assert ["completed", "completed", "failed"] == statuses
    assert "Lumen" not in [brand["name"] for brand in conn.emulator.brands()]
    with pytest.raises(ValueError, match="name"):
        conn.emulator.add_brand(name="")


@pytest.mark.parametrize("path", [_paths.STORYBOARD, _paths.STORYBOARD_RENDER])
async def test_an_unknown_template_is_a_400_even_with_scenes(conn: Conn, path: str) -> None:
    """A ``templateId`` that does not exist is refused at once, scenes or not; no job."""
    with_scenes = await conn.api.post(path, json={**SCRIPT, "templateId": "nope"})
    without = await conn.api.post(path, json={"templateId": "nope"})

    assert [(400, "templateId")] * 2 == [
        (response.status_code, response.json()["fields"][0]["name"])
        for response in (with_scenes, without)
    ]
    assert [] == conn.emulator.jobs()
