"""``GET /pictoryapis/v1/quota``: the account's quota, and the controls that set it."""

from __future__ import annotations

from typing import Any

import pytest

from pictory_async.emulator import Emulator, RemoteEmulator, serve

from .support import Conn

QUOTA = "/pictoryapis/v1/quota"
DEFAULT = {
    "videoMinutes": {"used": 0, "limit": 600},
    "transcriptionMinutes": {"used": 0, "limit": 600},
    "elevenLabsVoiceOverMinutes": {"used": 0, "limit": 120},
    "aiCredits": {"used": 0, "limit": 1000},
}


async def test_quota_answers_the_plan_figures_unwrapped(conn: Conn) -> None:
    """A fresh account's quota is the documented shape, nothing used, and counted as ``quota``."""
    response = await conn.api.get(QUOTA)

    assert (200, "application/json; charset=utf-8") == (
        response.status_code,
        response.headers["content-type"],
    )
    assert DEFAULT == response.json()
    assert 1 == conn.emulator.stats.count(method="GET", route="quota", status=200)


async def test_quota_shows_the_numbers_a_test_set(conn: Conn) -> None:
    """``set_quota`` changes only the fields given; the route answers the new numbers."""
    returned = conn.emulator.set_quota(video_minutes={"used": 590}, ai_credits={"limit": 50})

    answered = (await conn.api.get(QUOTA)).json()

    expected = {
        **DEFAULT,
        "videoMinutes": {"used": 590, "limit": 600},
        "aiCredits": {"used": 0, "limit": 50},
    }
    assert expected == answered == returned == conn.emulator.quota()


async def test_quota_is_per_account(conn: Conn) -> None:
    """Each key sees its own account's quota."""
    conn.emulator.set_quota(account="other", transcription_minutes={"used": 7, "limit": 9})

    main = (await conn.api.get(QUOTA)).json()
    other = (await conn.anon.get(QUOTA, headers=conn.auth("other"))).json()

    assert DEFAULT == main
    assert {"used": 7, "limit": 9} == other["transcriptionMinutes"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}], ids=["none", "bad"])
async def test_quota_needs_a_key(conn: Conn, headers: dict[str, str]) -> None:
    """Without a valid key the quota is a 401, as every API route."""
    response = await conn.anon.get(QUOTA, headers=headers)

    assert (401, {"message": "Unauthorized"}) == (response.status_code, response.json())


async def test_faults_apply_to_the_quota(conn: Conn) -> None:
    """Scripted outcomes and the rate limiter answer the quota route as any other."""
    conn.emulator.fail_next(503)
    failed = await conn.api.get(QUOTA)
    conn.emulator.set_faults(rate_limit=1, burst=1)
    statuses = [(await conn.api.get(QUOTA)).status_code for _ in range(2)]

    assert (503, [200, 429]) == (failed.status_code, statuses)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", QUOTA, 405),
        ("GET", QUOTA + "/", 200),
        ("GET", QUOTA + "/videoMinutes", 404),
        ("GET", QUOTA + "s", 404),
    ],
    ids=["post", "slash", "sub-path", "longer-name"],
)
async def test_quota_is_one_route(conn: Conn, method: str, path: str, status: int) -> None:
    """Only ``GET /pictoryapis/v1/quota`` is served; other methods are 405, other paths 404."""
    response = await conn.api.request(method, path)

    assert status == response.status_code


def test_reset_restores_the_default_quota(emulator: Emulator) -> None:
    """``reset`` puts every account's quota back to the plan figures."""
    emulator.set_quota(video_minutes={"used": 5})
    emulator.set_quota(account="other", ai_credits={"used": 5})

    emulator.reset()

    assert DEFAULT == emulator.quota() == emulator.quota("other")


@pytest.mark.parametrize(
    "counters",
    [
        {"minutes": {"used": 1}},
        {"video_minutes": {"spent": 1}},
        {"video_minutes": {"used": -1}},
        {"video_minutes": {"used": 1.5}},
        {"video_minutes": {"used": True}},
        {"video_minutes": 5},
    ],
    ids=["unknown-counter", "unknown-field", "negative", "float", "bool", "not-a-mapping"],
)
def test_set_quota_refuses_bad_numbers(emulator: Emulator, counters: dict[str, Any]) -> None:
    """A bad counter, field or value is a ``ValueError``, and nothing changes."""
    with pytest.raises(ValueError, match="minutes"):
        emulator.set_quota(**counters)

    assert DEFAULT == emulator.quota()


def test_quota_returns_a_copy(emulator: Emulator) -> None:
    """Changing what ``quota()`` returned does not change what the route answers."""
    emulator.quota()["videoMinutes"]["used"] = 99

    assert DEFAULT == emulator.quota()


async def test_quota_admin_route_sets_and_reads(conn: Conn) -> None:
    """``POST /_emulator/quota`` sets numbers (of any account); ``GET`` reads the main one's."""
    changed = await conn.anon.post(
        "/_emulator/quota", json={"account": "other", "ai_credits": {"used": 3}}
    )
    read = await conn.anon.get("/_emulator/quota")

    assert (200, {"used": 3, "limit": 1000}) == (changed.status_code, changed.json()["aiCredits"])
    assert (DEFAULT, changed.json()) == (read.json(), conn.emulator.quota("other"))


@pytest.mark.parametrize(
    "body",
    [{"video_minutes": {"used": "1"}}, {"account": 3}, {"account": "nobody"}],
    ids=["string-number", "account-type", "unknown-account"],
)
async def test_quota_admin_route_refuses_bad_bodies(conn: Conn, body: dict[str, Any]) -> None:
    """A bad admin body is a 400 with a message, and nothing changes."""
    response = await conn.anon.post("/_emulator/quota", json=body)

    assert 400 == response.status_code
    assert response.json()["message"]
    assert DEFAULT == conn.emulator.quota() == conn.emulator.quota("other")


async def test_remote_quota_controls(emulator: Emulator) -> None:
    """``RemoteEmulator.set_quota`` and ``quota`` reach the server's quota."""
    async with serve(emulator):
        remote = RemoteEmulator(emulator.info(), pid=0)
        try:
            returned = await remote.set_quota(video_minutes={"used": 12})
            read = await remote.quota()
        finally:
            await remote.aclose()

    assert {"used": 12, "limit": 600} == returned["videoMinutes"] == read["videoMinutes"]
    assert emulator.quota() == read


RENDER = "/pictoryapis/v2/video/storyboard/render"


def _video(seconds: int, speaker: str = "Adison") -> dict[str, Any]:
    voice = {"enabled": True, "aiVoices": [{"speaker": speaker}]}
    return {"voiceOver": voice, "scenes": [{"story": "Hello.", "minimumDuration": seconds}]}


async def test_a_render_spends_video_minutes_and_ai_credits(conn: Conn) -> None:
    """A 150 s render spends 3 video minutes (started ones) and 2 AI credits; no premium voice."""
    response = await conn.api.post(RENDER, json=_video(150))
    quota = (await conn.api.get(QUOTA)).json()

    assert 200 == response.status_code
    assert {
        **DEFAULT,
        "videoMinutes": {"used": 3, "limit": 600},
        "aiCredits": {"used": 2, "limit": 1000},
    } == quota


async def test_a_premium_voice_spends_eleven_labs_minutes(conn: Conn) -> None:
    """An ElevenLabs speaker (by name or track id) spends elevenLabsVoiceOverMinutes too."""
    await conn.api.post(RENDER, json=_video(61, speaker="Rachel"))
    await conn.api.post(RENDER, json=_video(30, speaker="2002"))

    assert {"used": 3, "limit": 120} == conn.emulator.quota()["elevenLabsVoiceOverMinutes"]


async def test_a_render_the_quota_cannot_pay_is_402_and_makes_nothing(conn: Conn) -> None:
    """Too few minutes left: 402 QUOTA_EXCEEDED naming the counter; no job, nothing spent."""
    conn.emulator.set_quota(video_minutes={"used": 598})
    before = len(conn.emulator.projects())
    response = await conn.api.post(RENDER, json={**_video(150), "saveProject": True})

    assert 402 == response.status_code
    assert {
        "code": "QUOTA_EXCEEDED",
        "message": "Not enough videoMinutes left: this job needs 3, the account has 2",
        "counter": "videoMinutes",
        "needed": 3,
        "left": 2,
    } == response.json()
    assert ([], before) == (conn.emulator.jobs(), len(conn.emulator.projects()))
    assert {"used": 0, "limit": 1000} == conn.emulator.quota()["aiCredits"]


async def test_a_storyboard_preview_spends_nothing(conn: Conn) -> None:
    """A preview is free: only rendering spends the quota."""
    response = await conn.api.post("/pictoryapis/v2/video/storyboard", json=_video(150))

    assert (200, DEFAULT) == (response.status_code, conn.emulator.quota())
