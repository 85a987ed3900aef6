"""The projects API as the emulator serves it, in process and over loopback alike."""

from __future__ import annotations

import asyncio
from email.utils import parsedate_to_datetime

import httpx
import pytest

from pictory_async import _paths
from pictory_async.emulator import Emulator, FakeClock, Faults
from pictory_async.emulator._api import route_of

from .support import NOW, PROJECTS, Conn

GET_KEYS = [
    "projectName",
    "source",
    "step",
    "schemaVersion",
    "layout",
    "thumbnail",
    "videoURL",
    "shareVideoURL",
    "audioURL",
    "videoDuration",
    "saveDate",
    "generatedDate",
    "srtFile",
    "vttFile",
    "txtFile",
    "scriptLanguage",
    "voiceOverId",
    "audioSpeed",
    "videoVolume",
    "brandId",
    "smartTemplateId",
    "inProgress",
    "scriptTxtSceneSettings",
    "visualFilter",
]
"""The keys of the get-by-id example on Pictory's reference page, in its order."""

ITEM_KEYS = [
    "id",
    "name",
    "source",
    "projectPreview",
    "savedDate",
    "aspectRatio",
    "schemaVersion",
    "type",
]
V3_ID = "20251222191648030d7df02f5b4054d4ca8831f1369459e25"


def _documented_project(emulator: Emulator) -> None:
    emulator.add_project(
        id=V3_ID,
        name="Hello World Template",
        voice_over_id="20251222191850400c093ac81afb245cf922e440e89d24acd",
        brand_id="eb67b4ba-0eef-41fa-a772-d9675cc3645c",
        smart_template_id="202507141030549677ylq8k8gu44vy1y",
        scenes=None,
        project_type=None,
        extra={},
        in_progress=False,
    )


async def _all_ids(conn: Conn, **params: str) -> tuple[list[int | str], int]:
    ids: list[int | str] = []
    pages = 0
    query = dict(params)
    while True:
        response = await conn.api.get(PROJECTS, params=query)
        assert 200 == response.status_code
        body = response.json()
        pages += 1
        ids += [item["id"] for item in body["items"]]
        if body["pageKey"] is None:
            return ids, pages
        query["pagekey"] = body["pageKey"]


async def test_get_returns_the_documented_keys_in_order(conn: Conn) -> None:
    """A rendered v3 project has exactly the keys of the reference example, in order."""
    _documented_project(conn.emulator)

    response = await conn.api.get(f"{PROJECTS}/{V3_ID}")

    assert 200 == response.status_code
    assert "application/json; charset=utf-8" == response.headers["content-type"]
    body = response.json()
    assert GET_KEYS == list(body)
    assert "Hello World Template" == body["projectName"]
    assert False is body["inProgress"]
    assert {"libraries": [], "styles": [], "categories": []} == body["visualFilter"]
    assert body["videoURL"].startswith(conn.emulator.cdn_base_url + "/")
    assert body["saveDate"].endswith("Z")


async def test_get_v2_project_by_integer_id(conn: Conn) -> None:
    """A v2 project has an integer id and is fetched by it."""
    record = conn.emulator.add_project(id=4242, in_progress=False)

    body = (await conn.api.get(f"{PROJECTS}/4242")).json()

    assert "v2" == record.schema_version
    assert "v2" == body["schemaVersion"]
    assert conn.emulator.project_json(4242) == body


async def test_get_carries_scenes_and_project_type_when_the_project_has_them(conn: Conn) -> None:
    """``scenes[]`` and ``projectType`` come after the documented keys when present."""
    scenes = [{"sceneId": "s1", "text": "Hi.", "keywords": [], "category": "x", "sortOrder": 0}]
    conn.emulator.add_project(id="p-scenes", scenes=scenes, project_type="text-to-video")

    body = (await conn.api.get(f"{PROJECTS}/p-scenes")).json()

    assert scenes == body["scenes"]
    assert "text-to-video" == body["projectType"]


async def test_list_items_have_the_list_shape(conn: Conn) -> None:
    """List items use ``name``/``savedDate`` (not ``projectName``/``saveDate``) and type project."""
    response = await conn.api.get(PROJECTS)

    body = response.json()
    assert ["items", "pageKey"] == list(body)
    assert 10 == len(body["items"])
    item = body["items"][0]
    assert ITEM_KEYS == [key for key in ITEM_KEYS if key in item]
    assert {"project"} == {item["type"] for item in body["items"]}


async def test_list_walks_every_page_newest_first(conn: Conn) -> None:
    """Following ``pageKey`` until null yields every project once, newest first."""
    ids, pages = await _all_ids(conn)

    assert [record.id for record in conn.emulator.projects()] == ids
    assert 60 == len(set(ids))
    assert 6 == pages


async def test_list_filters_by_folder(conn: Conn) -> None:
    """``?folder=`` lists only that folder's projects; an unknown folder lists none."""
    folder = conn.emulator.folders()[0]
    expected = [r.id for r in conn.emulator.projects() if r.folder == folder]

    ids, _ = await _all_ids(conn, folder=folder, sort="ignored")
    unknown, _ = await _all_ids(conn, folder="no-such-folder")

    assert expected == ids
    assert [] == unknown
    assert 0 < len(ids) < 60


async def test_list_continues_after_deletes_without_skipping(conn: Conn) -> None:
    """Deleting the first page's projects does not make the next page skip any (keyset)."""
    first = (await conn.api.get(PROJECTS)).json()
    for item in first["items"]:
        assert 200 == (await conn.api.delete(f"{PROJECTS}/{item['id']}")).status_code

    second = (await conn.api.get(PROJECTS, params={"pagekey": first["pageKey"]})).json()

    assert [r.id for r in conn.emulator.projects()][:10] == [i["id"] for i in second["items"]]


async def test_list_of_another_account_is_its_own(conn: Conn) -> None:
    """Each key lists only its own account's projects."""
    response = await conn.api.get(PROJECTS, headers=conn.auth("other"))

    expected = [r.id for r in conn.emulator.projects("other")]
    assert expected == [item["id"] for item in response.json()["items"]]
    assert 6 == len(expected)


async def test_list_rejects_a_forged_page_key(conn: Conn) -> None:
    """A page key the emulator did not make is a 400 in the INVALID_REQUEST_BODY shape."""
    response = await conn.api.get(PROJECTS, params={"pagekey": "not-a-key"})

    assert 400 == response.status_code
    assert {
        "code": "INVALID_REQUEST_BODY",
        "message": "pagekey is not a valid page key",
        "fields": [{"name": "pagekey", "errors": "pagekey is not a valid page key"}],
    } == response.json()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "pictai_wrong"}, {"Authorization": "Bearer KEY"}],
    ids=["missing", "wrong", "bearer-prefix"],
)
async def test_bad_or_missing_key_is_401(conn: Conn, headers: dict[str, str]) -> None:
    """No key, a wrong key, or the right key with ``Bearer`` is 401 Unauthorized."""
    if headers.get("Authorization") == "Bearer KEY":
        headers = {"Authorization": "Bearer " + conn.emulator.api_key}
    project_id = conn.emulator.projects()[0].id

    response = await conn.anon.get(f"{PROJECTS}/{project_id}", headers=headers)

    assert 401 == response.status_code
    assert {"message": "Unauthorized"} == response.json()


async def test_another_accounts_project_is_403_and_survives_delete(conn: Conn) -> None:
    """Getting or deleting another account's project is 403 in the legacy envelope."""
    theirs = conn.emulator.projects("other")[0].id

    got = await conn.api.get(f"{PROJECTS}/{theirs}")
    deleted = await conn.api.delete(f"{PROJECTS}/{theirs}")

    assert (403, 403) == (got.status_code, deleted.status_code)
    assert {
        "success": False,
        "error": {
            "error_message": "You do not have permission to access this project",
            "error_code": 403,
        },
    } == deleted.json()
    assert conn.emulator.has_project(theirs)


async def test_unknown_project_is_404_with_a_message(conn: Conn) -> None:
    """An id nobody has is 404 with a JSON message."""
    response = await conn.api.get(f"{PROJECTS}/999")

    assert 404 == response.status_code
    assert "Project not found" == response.json()["message"]


async def test_delete_answers_as_documented_and_twice_is_404(conn: Conn) -> None:
    """The first DELETE succeeds with the documented body, the second is 404."""
    project_id = conn.emulator.projects()[3].id

    first = await conn.api.delete(f"{PROJECTS}/{project_id}")
    second = await conn.api.delete(f"{PROJECTS}/{project_id}")
    fetched = await conn.api.get(f"{PROJECTS}/{project_id}")

    assert {"success": True, "message": "Project deleted successfully"} == first.json()
    assert (200, 404, 404) == (first.status_code, second.status_code, fetched.status_code)
    assert 1 == conn.emulator.stats.deletes_applied


async def test_other_methods_and_paths(conn: Conn) -> None:
    """A POST on a project or a GET of its render is 405; unknown API paths are 404."""
    project_id = conn.emulator.projects()[0].id

    post = await conn.api.post(f"{PROJECTS}/{project_id}")
    render = await conn.api.get(f"{PROJECTS}/{project_id}/render")
    nested = await conn.api.get(f"{PROJECTS}/{project_id}/scenes")
    elsewhere = await conn.api.get("/pictoryapis/v1/aistudio/images")  # not emulated

    assert (405, 405) == (post.status_code, render.status_code)
    assert (404, 404) == (nested.status_code, elsewhere.status_code)


async def test_api_is_not_served_on_the_cdn_host(conn: Conn) -> None:
    """The API answers 404 on the CDN's host, so the two origins stay apart."""
    project_id = conn.emulator.projects()[0].id

    response = await conn.api.get(f"{conn.emulator.cdn_base_url}{PROJECTS}/{project_id}")

    assert 404 == response.status_code


async def test_render_finishes_when_the_clock_passes_its_time(conn: Conn, clock: FakeClock) -> None:
    """An in-progress project has no video until its render time has passed on the clock."""
    record = conn.emulator.add_project(id="rendering", in_progress=True, render_seconds=90)

    before = (await conn.api.get(f"{PROJECTS}/rendering")).json()
    listed = (await conn.api.get(PROJECTS)).json()["items"][0]
    clock.advance(90)
    after = (await conn.api.get(f"{PROJECTS}/rendering")).json()

    assert (True, "RENDER", None) == (before["inProgress"], before["step"], before.get("videoURL"))
    assert ("rendering", None) == (listed["id"], listed["projectPreview"])
    assert (False, "COMPLETE") == (after["inProgress"], after["step"])
    assert after["videoURL"] == conn.emulator.asset_url("rendering", "video")
    assert "generatedDate" in after
    assert record.render_done_at is None


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (500, "application/json; charset=utf-8", '"error_code":500'),
        (502, "text/html; charset=utf-8", "<title>502 Bad Gateway</title>"),
        (503, "application/json; charset=utf-8", '{"message":"Service Unavailable"}'),
    ],
)
async def test_scripted_server_errors_use_their_shapes(
    conn: Conn, status: int, content_type: str, body: str
) -> None:
    """500 is the legacy envelope, 502 an HTML page, 503 a JSON message."""
    conn.emulator.fail_next(status)  # type: ignore[arg-type]
    project_id = conn.emulator.projects()[0].id

    response = await conn.api.get(f"{PROJECTS}/{project_id}")
    again = await conn.api.get(f"{PROJECTS}/{project_id}")

    assert (status, 200) == (response.status_code, again.status_code)
    assert content_type == response.headers["content-type"]
    assert body in response.text
    assert 1 == conn.emulator.stats.errors_injected


async def test_error_rate_draws_from_the_configured_statuses(conn: Conn) -> None:
    """With ``error_rate=1`` every API request fails with one of ``error_statuses``."""
    conn.emulator.set_faults(error_rate=1.0, error_statuses=(502, 503))

    statuses = {(await conn.api.get(PROJECTS)).status_code for _ in range(12)}

    assert {502, 503} == statuses
    assert 12 == conn.emulator.stats.errors_injected


async def test_dropped_connection_applies_nothing(conn: Conn) -> None:
    """A drop closes the connection before answering, and the DELETE is not applied."""
    project_id = conn.emulator.projects()[0].id
    conn.emulator.fail_next("drop", method="DELETE")

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await conn.api.delete(f"{PROJECTS}/{project_id}")

    assert conn.emulator.has_project(project_id)
    assert (1, 0) == (conn.emulator.stats.dropped, conn.emulator.stats.deletes_applied)
    assert 200 == (await conn.api.get(f"{PROJECTS}/{project_id}")).status_code


async def test_dropped_connections_are_counted_per_route(conn: Conn) -> None:
    """Drops count in ``dropped_requests`` (and ``/_emulator/stats``), not among the answered."""
    conn.emulator.fail_next("drop", method="POST")
    conn.emulator.fail_next("drop_after_apply", method="POST")
    body = {"videoName": "Dropped", "scenes": [{"story": "Hello."}]}
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            await conn.api.post(_paths.STORYBOARD_RENDER, json=body)
    answered = await conn.api.post(_paths.STORYBOARD_RENDER, json=body)
    stats = conn.emulator.stats
    dropped = stats.to_dict()["dropped_requests"]
    served = (await conn.anon.get("/_emulator/stats")).json()["dropped_requests"]

    assert 200 == answered.status_code
    assert (2, 0, 1) == (
        stats.count_dropped(route="storyboard_render"),
        stats.count_dropped(method="GET"),
        stats.count(route="storyboard_render"),
    )
    assert [{"method": "POST", "route": "storyboard_render", "count": 2}] == dropped == served
    assert 1 == stats.total


async def test_lost_delete_answer_still_deletes(conn: Conn) -> None:
    """``drop_after_apply`` deletes the project and then closes without an answer."""
    project_id = conn.emulator.projects()[0].id
    conn.emulator.fail_next("drop_after_apply", method="DELETE")

    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.delete(f"{PROJECTS}/{project_id}")
    retry = await conn.api.delete(f"{PROJECTS}/{project_id}")

    assert 404 == retry.status_code
    assert not conn.emulator.has_project(project_id)
    stats = conn.emulator.stats
    assert (1, 1) == (stats.deletes_applied, stats.dropped_after_apply)
    assert 0 == stats.count(method="DELETE", status=200)


async def test_drop_after_delete_rate_only_hits_applied_deletes(conn: Conn) -> None:
    """With the rate at 1 every applied DELETE loses its answer; 404s still answer."""
    conn.emulator.set_faults(drop_after_delete_rate=1.0)
    project_id = conn.emulator.projects()[0].id

    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.delete(f"{PROJECTS}/{project_id}")
    missing = await conn.api.delete(f"{PROJECTS}/{project_id}")

    assert 404 == missing.status_code
    assert 1 == conn.emulator.stats.dropped_after_apply


async def test_drop_rate_drops_every_request(conn: Conn) -> None:
    """With ``drop_rate=1`` no request gets an answer."""
    conn.emulator.set_faults(drop_rate=1.0)

    with pytest.raises(httpx.RemoteProtocolError):
        await conn.api.get(PROJECTS)

    assert 0 == conn.emulator.stats.total


async def test_rate_limit_answers_429_with_retry_after_seconds(
    conn: Conn, clock: FakeClock
) -> None:
    """Past the bucket, 429 says how many seconds until a token; after them it passes."""
    conn.emulator.set_faults(rate_limit=0.25, burst=1)

    first = await conn.api.get(PROJECTS)
    limited = await conn.api.get(PROJECTS)
    clock.advance(4)
    later = await conn.api.get(PROJECTS)

    assert (200, 429, 200) == (first.status_code, limited.status_code, later.status_code)
    assert "4" == limited.headers["retry-after"]
    assert {"message": "Too Many Requests"} == limited.json()
    assert 1 == conn.emulator.stats.rate_limited


async def test_rate_limit_retry_after_as_http_date(clock: FakeClock) -> None:
    """In ``date`` mode Retry-After is an HTTP date, rounded up, from the wall clock."""
    emulator = Emulator(
        projects=3,
        clock=clock.time,
        wall_clock=lambda: 1_700_000_000.4,
        faults=Faults(rate_limit=1, retry_after="date"),
    )
    key = [(b"authorization", emulator.api_key.encode())]

    emulator.handle("GET", PROJECTS, b"", key)
    limited = emulator.handle("GET", PROJECTS, b"", key)

    retry_after = dict(limited.headers)[b"retry-after"].decode()
    assert "Tue, 14 Nov 2023 22:13:22 GMT" == retry_after
    assert 1_700_000_002 == parsedate_to_datetime(retry_after).timestamp()


async def test_rate_limit_without_retry_after(conn: Conn) -> None:
    """In ``none`` mode a 429 carries no Retry-After at all."""
    conn.emulator.set_faults(rate_limit=1, retry_after="none")

    await conn.api.get(PROJECTS)
    limited = await conn.api.get(PROJECTS)

    assert 429 == limited.status_code
    assert "retry-after" not in limited.headers


async def test_rate_limit_is_per_key(conn: Conn) -> None:
    """One account's empty bucket does not limit another account."""
    conn.emulator.set_faults(rate_limit=1)

    await conn.api.get(PROJECTS)
    limited = await conn.api.get(PROJECTS)
    other = await conn.api.get(PROJECTS, headers=conn.auth("other"))

    assert (429, 200) == (limited.status_code, other.status_code)


async def test_scripted_429_has_a_one_second_retry_after(conn: Conn) -> None:
    """``fail_next(429)`` answers like the rate limiter, with Retry-After 1."""
    conn.emulator.fail_next(429, times=2, method="GET")

    statuses = [(await conn.api.get(PROJECTS)).status_code for _ in range(3)]
    limited = await conn.api.delete(f"{PROJECTS}/999")

    assert [429, 429, 200] == statuses
    assert 404 == limited.status_code
    assert 2 == conn.emulator.stats.rate_limited


async def test_latency_sleeps_once_per_api_request(conn: Conn, clock: FakeClock) -> None:
    """Latency is one injected sleep per API request; jitter adds up to its maximum."""
    conn.emulator.set_faults(latency=0.02, jitter=0.01)

    for _ in range(5):
        await conn.api.get(PROJECTS)

    assert 5 == len(clock.sleeps)
    assert all(0.02 <= delay <= 0.03 for delay in clock.sleeps)
    assert len(set(clock.sleeps)) > 1


async def test_counters_by_method_route_and_status(conn: Conn) -> None:
    """Every answered request is counted by method, route and status."""
    project_id = conn.emulator.projects()[0].id
    await conn.api.get(PROJECTS)
    await conn.api.get(f"{PROJECTS}/{project_id}")
    await conn.api.delete(f"{PROJECTS}/{project_id}")
    await conn.api.delete(f"{PROJECTS}/{project_id}")
    await conn.anon.get(PROJECTS)

    stats = conn.emulator.stats
    assert {
        ("GET", "list", 200): 1,
        ("GET", "get", 200): 1,
        ("DELETE", "delete", 200): 1,
        ("DELETE", "delete", 404): 1,
        ("GET", "list", 401): 1,
    } == stats.requests
    assert (5, 2, 2) == (stats.total, stats.count(method="DELETE"), stats.count(route="list"))
    assert {"GET 200": 2, "DELETE 200": 1, "DELETE 404": 1, "GET 401": 1} == (
        stats.to_dict()["by_method_status"]
    )


async def test_peak_concurrency_counts_requests_in_flight(conn: Conn) -> None:
    """Requests held in their latency sleep at once all count towards the peak."""
    release, all_in = asyncio.Event(), asyncio.Event()
    arrived = 0

    async def held(_: float) -> None:
        nonlocal arrived
        arrived += 1
        if arrived == 7:
            all_in.set()
        await release.wait()

    conn.emulator.sleep = held
    conn.emulator.set_faults(latency=1.0)
    tasks = [asyncio.create_task(conn.api.get(PROJECTS)) for _ in range(7)]
    await all_in.wait()
    in_flight = conn.emulator.stats.in_flight
    release.set()
    responses = await asyncio.gather(*tasks)

    assert 7 == in_flight
    assert [200] * 7 == [r.status_code for r in responses]
    assert (7, 0) == (conn.emulator.stats.peak_concurrency, conn.emulator.stats.in_flight)


async def test_saved_dates_lie_in_the_year_before_now(conn: Conn) -> None:
    """Seeded saved dates are spread over the year before the emulator's ``now``."""
    ids, _ = await _all_ids(conn)
    dates = [conn.emulator.project_json(project_id)["saveDate"] for project_id in ids]

    assert dates == sorted(dates, reverse=True)
    assert NOW.isoformat()[:10] > dates[0][:10] > dates[-1][:10] >= "2025-01-15"
    assert (NOW - conn.emulator.projects()[-1].saved).days > 180


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", _paths.PROJECTS),
        ("PUT", _paths.project_path("p1")),
        ("GET", _paths.JOBS),
        ("GET", _paths.QUOTA),
        ("GET", _paths.AI_CREDITS_USAGE),
        ("POST", _paths.STORYBOARD),
        ("POST", _paths.STORYBOARD_RENDER),
        ("PUT", f"{_paths.STORYBOARD}/job-1/elements"),
        ("POST", _paths.VIDEO_RENDER),
        ("PUT", f"{_paths.VIDEO_RENDER}/job-1"),
        ("POST", _paths.VIDEO_FROM_TEMPLATE),
        ("POST", _paths.TRANSCRIPTION),
        ("POST", f"{_paths.TRANSCRIPTION}/job-1/highlights"),
        ("POST", _paths.TRANSCRIPTION_HIGHLIGHTS),
        ("GET", _paths.TEMPLATES),
        ("GET", _paths.BRANDS),
        ("GET", _paths.VOICEOVER_TRACKS),
        ("GET", _paths.MEDIA_SEARCH),
        ("GET", f"{_paths.MUSIC}/genres/groups"),
        ("POST", _paths.MUSIC_SEARCH),
        ("GET", _paths.AVATARS),
        ("GET", _paths.STYLES),
        ("GET", _paths.SMART_LAYOUTS),
    ],
)
def test_every_path_the_client_knows_has_a_route(method: str, path: str) -> None:
    """The emulator's own copy of the paths matches the client's ``_paths``, method and all."""
    found = route_of(method, path)

    assert found is not None
    assert "other" != found[0]
