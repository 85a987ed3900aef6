"""``client.projects``: get, delete and list, against respx."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx
from _support import (
    API_KEY,
    BASE_URL,
    PROJECTS_PATH,
    ClientFactory,
    load_fixture,
    mock_http_client,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import (
    APIStatusError,
    AsyncPictory,
    DeleteResult,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    Page,
    PermissionDeniedError,
    Project,
    ProjectSummary,
    ResponseValidationError,
    Scene,
    ScriptTxtSceneSettings,
    VisualFilter,
)
from pictory_async._converter import converter

UTC = timezone.utc
DOC_ID = "20251222191648030d7df02f5b4054d4ca8831f1369459e25"


# -- get -------------------------------------------------------------------------------


async def test_get_structures_the_documented_sample(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The reference page's sample becomes a ``Project`` with snake_case fields."""
    sample = load_fixture("get-project-by-id.json")
    router.get(f"{PROJECTS_PATH}/{DOC_ID}").mock(return_value=httpx.Response(200, json=sample))
    async with make_client() as client:
        project = await client.projects.get(DOC_ID)
    assert DOC_ID == project.id
    assert "Hello World Template" == project.project_name
    assert ("script", "STORYBOARD", "v3", "16:9") == (
        project.source,
        project.step,
        project.schema_version,
        project.layout,
    )
    assert sample["videoURL"] == project.video_url
    assert sample["shareVideoURL"] == project.share_video_url
    assert sample["audioURL"] == project.audio_url
    assert (sample["srtFile"], sample["vttFile"], sample["txtFile"]) == (
        project.srt_file,
        project.vtt_file,
        project.txt_file,
    )
    assert (1.99, 100.0, 50.0) == (
        project.video_duration,
        project.audio_speed,
        project.video_volume,
    )
    assert datetime(2025, 12, 23, 1, 54, 26, 658000, tzinfo=UTC) == project.save_date
    assert datetime(2025, 12, 22, 22, 23, 57, 210000, tzinfo=UTC) == project.generated_date
    assert ("en", sample["voiceOverId"], sample["brandId"], sample["smartTemplateId"]) == (
        project.script_language,
        project.voice_over_id,
        project.brand_id,
        project.smart_template_id,
    )
    assert project.in_progress is False
    assert (
        ScriptTxtSceneSettings(
            auto_highlight_keywords=True, max_lines=2, auto_visual_selection=True
        )
        == project.script_txt_scene_settings
    )
    assert VisualFilter() == project.visual_filter
    assert sample == project.raw


async def test_get_datetimes_are_aware_utc(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Dates come back timezone-aware, converted to UTC whatever offset was sent."""
    router.get(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(
            200,
            json={"saveDate": "2025-01-01T02:00:00+02:00", "generatedDate": "2025-01-01T00:00:00"},
        )
    )
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert project.save_date is not None
    assert project.generated_date is not None
    assert timedelta(0) == project.save_date.utcoffset()
    assert datetime(2025, 1, 1, 0, 0, tzinfo=UTC) == project.save_date
    assert datetime(2025, 1, 1, 0, 0, tzinfo=UTC) == project.generated_date


async def test_get_keeps_unknown_keys_in_raw(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Keys the models do not know are kept in ``raw``, at every level."""
    payload = {
        "projectName": "x",
        "brandNewField": {"a": [1, 2]},
        "scriptTxtSceneSettings": {"maxLines": 3, "futureSetting": True},
    }
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json=payload))
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert payload == project.raw
    assert {"a": [1, 2]} == project.raw["brandNewField"]
    assert project.script_txt_scene_settings is not None
    assert {"maxLines": 3, "futureSetting": True} == project.script_txt_scene_settings.raw


@pytest.mark.parametrize(
    ("project_id", "path"),
    [
        ("p1", "p1"),
        (4815162342, "4815162342"),
        (0, "0"),
        ("café", "caf%C3%A9"),
        ("a+b=c&d", "a%2Bb%3Dc%26d"),
        ("@evil.example", "%40evil.example"),
    ],
)
async def test_get_fills_id_from_the_request_and_encodes_it(
    router: respx.Router, make_client: ClientFactory, project_id: str | int, path: str
) -> None:
    """Both str and int ids work; the id is percent-encoded and echoed on the model."""
    route = router.route(method="GET").mock(return_value=httpx.Response(200, json={}))
    async with make_client() as client:
        project = await client.projects.get(project_id)
    assert project_id == project.id
    assert f"{PROJECTS_PATH}/{path}" == route.calls.last.request.url.raw_path.decode()
    assert "api.pictory.ai" == route.calls.last.request.url.host


async def test_get_tolerates_missing_fields(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An empty object is a valid project: every field is optional."""
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json={}))
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert Project(id="p1") == project
    assert (None, None, ()) == (project.project_name, project.save_date, project.scenes)


async def test_get_parses_scenes(router: respx.Router, make_client: ClientFactory) -> None:
    """``scenes[]`` and ``projectType`` become typed fields."""
    payload = {
        "projectType": "script",
        "scenes": [
            {"sceneId": 7, "text": "Hi", "keywords": ["hi"], "category": "intro", "sortOrder": 1},
            {"sceneId": "s-2", "extra": 1},
        ],
    }
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json=payload))
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert "script" == project.project_type
    assert (
        Scene(scene_id=7, text="Hi", keywords=("hi",), category="intro", sort_order=1.0),
        Scene(scene_id="s-2"),
    ) == project.scenes
    assert {"sceneId": "s-2", "extra": 1} == project.scenes[1].raw


async def test_get_uses_an_id_the_api_sends(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """When the body carries an ``id``, the model keeps it."""
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json={"id": 99}))
    async with make_client() as client:
        project = await client.projects.get("p1")
    assert 99 == project.id


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"inProgress": True, "step": "COMPLETE", "videoURL": "https://cdn/v.mp4"}, False),
        ({"step": "COMPLETE"}, True),
        ({"inProgress": False, "videoURL": "https://cdn/v.mp4"}, True),
        ({"step": "STORYBOARD", "inProgress": False}, False),
    ],
)
def test_is_rendered(fields: dict[str, Any], expected: bool) -> None:
    """A project is rendered when not in progress and COMPLETE or with a video URL."""
    assert expected == converter.structure(fields, Project).is_rendered


def test_assets_lists_only_present_urls() -> None:
    """``assets`` maps each kind to its URL and leaves out the missing ones."""
    project = Project(video_url="https://cdn/v.mp4", srt_file="https://cdn/s.srt", audio_url="")
    assert {"video": "https://cdn/v.mp4", "srt": "https://cdn/s.srt"} == project.assets


# -- delete ----------------------------------------------------------------------------


@pytest.mark.parametrize("project_id", ["p1", 1234])
async def test_delete_returns_a_delete_result(
    router: respx.Router, make_client: ClientFactory, project_id: str | int
) -> None:
    """A documented 200 answer is a ``DeleteResult`` carrying the API's message."""
    route = router.delete(f"{PROJECTS_PATH}/{project_id}").mock(
        return_value=httpx.Response(200, json=load_fixture("delete-project.json"))
    )
    async with make_client() as client:
        result = await client.projects.delete(project_id)
    assert (
        DeleteResult(project_id=project_id, success=True, message="Project deleted successfully")
        == result
    )
    assert 1 == route.call_count


async def test_delete_tolerates_a_body_without_success(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 200 whose body lacks ``success`` is still a success."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, json={}))
    async with make_client() as client:
        result = await client.projects.delete("p1")
    assert DeleteResult(project_id="p1", success=True) == result


async def test_delete_reads_an_off_spec_but_clear_success(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``{"success": "true"}`` still reads as a success; ``"maybe"`` is a typed error."""
    route = router.delete(f"{PROJECTS_PATH}/p1")
    route.mock(return_value=httpx.Response(200, json={"success": "true", "message": 5}))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="message"):
            await client.projects.delete("p1")
        route.mock(return_value=httpx.Response(200, json={"success": "true"}))
        result = await client.projects.delete("p1")
    assert DeleteResult(project_id="p1", success=True) == result


@pytest.mark.parametrize("status", [200, 204])
async def test_delete_with_an_empty_body_is_a_success(
    router: respx.Router, make_client: ClientFactory, status: int
) -> None:
    """A 204, or a 200 with no body, is a delete that worked: no validation error."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(status))
    async with make_client() as client:
        result = await client.projects.delete("p1")
    assert DeleteResult(project_id="p1", success=True) == result


async def test_delete_404_with_missing_ok_is_already_absent(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``missing_ok=True``: a 404 is ``already_absent``, not an error."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(404, json={"message": "Project not found"})
    )
    async with make_client() as client:
        result = await client.projects.delete("p1", missing_ok=True)
    expected = DeleteResult(
        project_id="p1", success=True, message="Project not found", already_absent=True
    )
    assert expected == result


async def test_delete_404_without_missing_ok_raises(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``missing_ok=False``: a 404 is a ``NotFoundError`` with the API's message."""
    route = router.delete(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(404, json={"message": "No such project"})
    )
    async with make_client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.projects.delete("p1")
    assert (404, "No such project") == (info.value.status_code, info.value.message)
    assert 1 == route.call_count


@pytest.mark.parametrize(
    "lost",
    [
        httpx.ReadTimeout,
        httpx.WriteTimeout,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.Response(500),
        httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>"),
        httpx.Response(503),
        httpx.Response(504),
        httpx.Response(408),
    ],
    ids=lambda lost: repr(lost),
)
@pytest.mark.parametrize("missing_ok", [False, True])
async def test_lost_delete_then_404_is_a_success(
    router: respx.Router, make_client: ClientFactory, lost: Any, missing_ok: bool
) -> None:
    """A DELETE whose answer was lost and whose retry gets 404 was applied: success."""
    route = router.delete(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[lost, httpx.Response(404, json={"message": "Project not found"})]
    )
    async with make_client() as client:
        result = await client.projects.delete("p1", missing_ok=missing_ok)
    assert 2 == route.call_count
    assert (True, True, False) == (
        result.success,
        result.inferred_from_retry,
        result.already_absent,
    )
    assert "p1" == result.project_id


@pytest.mark.parametrize(
    "not_sent",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.Response(429),
        httpx.Response(409),
    ],
    ids=lambda not_sent: repr(not_sent),
)
async def test_delete_that_never_reached_the_api_then_404_is_not_found(
    router: respx.Router, make_client: ClientFactory, not_sent: Any
) -> None:
    """A first attempt the API never acted on (refused, throttled) makes a 404 mean absent."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[not_sent, httpx.Response(404), not_sent, httpx.Response(404)]
    )
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.projects.delete("p1")
        result = await client.projects.delete("p1", missing_ok=True)
    assert (True, False) == (result.already_absent, result.inferred_from_retry)


async def test_delete_reported_as_failed_on_200_is_a_typed_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``{"success": false}`` on a 200 raises ``ResponseValidationError`` with the message."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(
        side_effect=[
            httpx.Response(200, json={"success": False, "message": "Project is rendering"}),
            httpx.Response(200, json={"success": False}),
        ]
    )
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as with_message:
            await client.projects.delete("p1")
        with pytest.raises(ResponseValidationError) as without_message:
            await client.projects.delete("p1")
    assert "the API reported the delete as failed: Project is rendering" == str(with_message.value)
    assert "the API reported the delete as failed: no message" == str(without_message.value)
    assert 200 == with_message.value.response.status_code
    assert {"success": False, "message": "Project is rendering"} == with_message.value.body


async def test_delete_of_another_accounts_project_is_permission_denied(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 403 is ``PermissionDeniedError``, sent once, even with ``missing_ok``."""
    route = router.delete(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(403, json={"message": "Forbidden"})
    )
    async with make_client() as client:
        with pytest.raises(PermissionDeniedError, match="Forbidden"):
            await client.projects.delete("p1", missing_ok=True)
    assert 1 == route.call_count


async def test_delete_with_a_malformed_body_is_a_typed_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 200 whose ``success`` is not a boolean raises ``ResponseValidationError``."""
    router.delete(f"{PROJECTS_PATH}/p1").mock(
        return_value=httpx.Response(200, json={"success": "perhaps"})
    )
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="success"):
            await client.projects.delete("p1")


# -- list ------------------------------------------------------------------------------

PAGE_KEYS = [None, "eyJrIjoxfQ==", "a+b/c?d&e=f#g", "page 3 of 4"]


def summary(project_id: str | int) -> dict[str, Any]:
    """One list item as the API sends it."""
    return {"id": project_id, "name": f"n{project_id}", "savedDate": "2024-05-01T10:00:00Z"}


def paged_router(router: respx.Router, pages: dict[str | None, dict[str, Any]]) -> respx.Route:
    """Answer ``GET /projects`` with ``pages[pagekey]``."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("pagekey")])

    return router.get(PROJECTS_PATH).mock(side_effect=answer)


def four_pages() -> dict[str | None, dict[str, Any]]:
    """Four pages of two items; the last page's key is null."""
    pages: dict[str | None, dict[str, Any]] = {}
    for number, key in enumerate(PAGE_KEYS):
        following = PAGE_KEYS[number + 1] if number + 1 < len(PAGE_KEYS) else None
        pages[key] = {"items": [summary(number * 2), summary(f"s{number * 2 + 1}")]}
        pages[key]["pageKey"] = following
    return pages


async def test_list_walks_every_page_lazily(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Each page is fetched only when iteration reaches it, and all 4 pages are walked."""
    route = paged_router(router, four_pages())
    fetched_before_item: list[int] = []
    ids: list[str | int] = []
    async with make_client() as client:
        projects = client.projects.list()
        assert 0 == route.call_count
        async for item in projects:
            fetched_before_item.append(route.call_count)
            ids.append(item.id)
    assert [0, "s1", 2, "s3", 4, "s5", 6, "s7"] == ids
    assert [1, 1, 2, 2, 3, 3, 4, 4] == fetched_before_item
    assert 4 == route.call_count


async def test_list_passes_page_keys_back_as_received(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``pagekey`` carries the previous ``pageKey`` verbatim; the first request has none."""
    route = paged_router(router, four_pages())
    async with make_client() as client:
        _ = [item async for item in client.projects.list()]
    sent = [call.request.url.params.get("pagekey") for call in route.calls]
    assert PAGE_KEYS == sent
    assert all(call.request.url.host == "api.pictory.ai" for call in route.calls)


@pytest.mark.parametrize("last_page", [{"items": []}, {"items": [], "pageKey": None}])
async def test_list_ends_on_a_null_or_absent_page_key(
    router: respx.Router, make_client: ClientFactory, last_page: dict[str, Any]
) -> None:
    """A page whose ``pageKey`` is null or absent is the last one."""
    route = paged_router(router, {None: {"items": [summary(1)], "pageKey": "k2"}, "k2": last_page})
    async with make_client() as client:
        ids = [item.id async for item in client.projects.list()]
    assert [1] == ids
    assert 2 == route.call_count


async def test_list_stops_on_a_repeated_page_key(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A page key seen before raises ``ResponseValidationError`` instead of looping."""
    route = paged_router(
        router,
        {
            None: {"items": [summary(1)], "pageKey": "k1"},
            "k1": {"items": [summary(2)], "pageKey": "k2"},
            "k2": {"items": [summary(3)], "pageKey": "k1"},
        },
    )
    async with make_client() as client:
        projects = client.projects.list()
        ids = [(await anext(projects)).id for _ in range(3)]
        with pytest.raises(ResponseValidationError, match="page key"):
            await anext(projects)
    assert [1, 2, 3] == ids
    assert 3 == route.call_count


async def test_list_pages_from_a_start_key_stops_when_it_comes_back(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Starting at a page key, the API handing back that same key is a loop too."""
    route = paged_router(router, {"k1": {"items": [summary(1)], "pageKey": "k1"}})
    async with make_client() as client:
        pages = client.projects.list_pages(page_key="k1")
        first = await anext(pages)
        with pytest.raises(ResponseValidationError, match="page key"):
            await anext(pages)
    saved = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert Page(items=(ProjectSummary(id=1, name="n1", saved_date=saved),), page_key="k1") == first
    assert 1 == route.call_count


async def test_list_pages_yields_pages_and_starts_where_asked(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``list_pages(page_key=...)`` resumes at that page and yields ``Page`` objects."""
    route = paged_router(router, four_pages())
    async with make_client() as client:
        pages = [page async for page in client.projects.list_pages(page_key=PAGE_KEYS[2])]
    assert [PAGE_KEYS[3], None] == [page.page_key for page in pages]
    assert [[4, "s5"], [6, "s7"]] == [[item.id for item in page.items] for page in pages]
    assert PAGE_KEYS[2:] == [call.request.url.params.get("pagekey") for call in route.calls]


async def test_list_filters_by_folder_on_every_page(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``folder=`` is sent as the ``folder`` query on every page request."""
    route = paged_router(router, four_pages())
    async with make_client() as client:
        count = len([item async for item in client.projects.list(folder="fold-42")])
    assert 8 == count
    assert ["fold-42"] * 4 == [call.request.url.params.get("folder") for call in route.calls]
    assert PAGE_KEYS == [call.request.url.params.get("pagekey") for call in route.calls]


@pytest.mark.parametrize("folder", ["", "   ", 42])
async def test_list_refuses_a_bad_folder_without_sending(
    router: respx.Router, make_client: ClientFactory, folder: Any
) -> None:
    """An empty or non-string folder is ``InvalidInputError``; nothing is sent."""
    route = router.route().mock(return_value=httpx.Response(200, json={"items": []}))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="folder"):
            await anext(client.projects.list(folder=folder))
    assert 0 == route.call_count


async def test_list_structures_a_recorded_page(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The recorded page gives str and int ids, aware dates and tolerated gaps."""
    page = load_fixture("list-projects-page.json")
    page["pageKey"] = None
    router.get(PROJECTS_PATH).mock(return_value=httpx.Response(200, json=page))
    async with make_client() as client:
        items = [item async for item in client.projects.list()]
    assert [DOC_ID, 4815162342, 1234] == [item.id for item in items]
    assert ["sixteen-nine", None, None] == [item.aspect_ratio for item in items]
    assert ["v3", "v2", None] == [item.schema_version for item in items]
    assert datetime(2023, 3, 14, 9, 26, 53, 589000, tzinfo=UTC) == items[1].saved_date
    assert page["items"][0] == items[0].raw


async def test_list_empty_and_null_items_are_no_items(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``items: null`` or an empty body object is an empty last page."""
    router.get(PROJECTS_PATH).mock(
        side_effect=[
            httpx.Response(200, json={"items": None, "pageKey": "k"}),
            httpx.Response(200, json={}),
        ]
    )
    async with make_client() as client:
        pages = [page async for page in client.projects.list_pages()]
    assert [Page(items=(), page_key="k"), Page(items=(), page_key=None)] == pages


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"items": {"id": 1}},
        {"items": [{"name": "no id"}]},
        {"items": [{"id": True}]},
        {"items": [{"id": 1.5}]},
        {"items": [], "pageKey": 7},
    ],
)
async def test_list_with_a_malformed_page_is_a_typed_error(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """A page that is not the documented shape raises ``ResponseValidationError``."""
    router.get(PROJECTS_PATH).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as info:
            await anext(client.projects.list())
    assert body == info.value.body


# -- hostile bodies (hypothesis) -------------------------------------------------------

PROJECT_KEYS = [
    "id",
    "projectName",
    "step",
    "videoDuration",
    "saveDate",
    "inProgress",
    "scriptTxtSceneSettings",
    "visualFilter",
    "scenes",
    "videoURL",
    "audioSpeed",
    "maxLines",
    "sceneId",
    "sortOrder",
    "keywords",
    "items",
    "pageKey",
    "name",
    "savedDate",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2025-12-23T01:54:26.658Z", "1e400", "NaN", "-3", "true", "yesterday"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(PROJECT_KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=25,
)


async def _hostile_get(body: bytes) -> list[object]:
    router = respx.Router(base_url=BASE_URL, assert_all_called=False)
    router.get(f"{PROJECTS_PATH}/p1").mock(return_value=httpx.Response(200, content=body))
    router.get(PROJECTS_PATH).mock(return_value=httpx.Response(200, content=body))
    async with (
        mock_http_client(router) as http,
        AsyncPictory(api_key=API_KEY, base_url=BASE_URL, http_client=http, max_retries=0) as client,
    ):
        outcomes: list[object] = []
        try:
            outcomes.append(await client.projects.get("p1"))
        except ResponseValidationError as exc:
            outcomes.append(exc)
        try:
            outcomes.extend([item async for item in client.projects.list()])
        except ResponseValidationError as exc:
            outcomes.append(exc)
        return outcomes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_values)
def test_arbitrary_json_gives_a_model_or_a_validation_error(payload: Any) -> None:
    """Any JSON body makes ``get``/``list`` return models or raise ``ResponseValidationError``."""
    outcomes = asyncio.run(_hostile_get(json.dumps(payload).encode()))
    assert all(
        isinstance(outcome, (Project, ProjectSummary, ResponseValidationError))
        for outcome in outcomes
    )
    assert isinstance(outcomes[0], (Project, ResponseValidationError))


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=64))
def test_arbitrary_bytes_give_a_model_or_a_validation_error(body: bytes) -> None:
    """Any bytes in a 200 body give models or ``ResponseValidationError``, nothing else."""
    outcomes = asyncio.run(_hostile_get(body))
    assert all(
        isinstance(outcome, (Project, ProjectSummary, ResponseValidationError))
        for outcome in outcomes
    )


@pytest.mark.parametrize(("get_status", "deleted"), [(404, True), (200, False), (503, False)])
async def test_a_delete_that_fails_after_a_lost_attempt_asks_whether_it_is_gone(
    router: respx.Router, make_client: ClientFactory, get_status: int, deleted: bool
) -> None:
    """Lost answer, then 5xx to the end: a GET decides; if it cannot, the error says so."""
    path = f"{PROJECTS_PATH}/p9"
    router.delete(path).mock(side_effect=[httpx.ReadTimeout("lost"), *[httpx.Response(500)] * 4])
    router.get(path).mock(return_value=httpx.Response(get_status, json={"projectName": "x"}))
    async with make_client() as client:
        if deleted:
            result = await client.projects.delete("p9")
            assert (True, True) == (result.success, result.inferred_from_retry)
            return
        with pytest.raises(InternalServerError) as info:
            await client.projects.delete("p9")
    assert (True, 5) == (info.value.may_have_been_applied, info.value.attempts)


async def test_a_delete_refused_without_a_lost_attempt_is_not_maybe_applied(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A delete refused outright (400): no GET, and it is not flagged as maybe applied."""
    path = f"{PROJECTS_PATH}/p9"
    router.delete(path).mock(return_value=httpx.Response(400))
    get = router.get(path).mock(return_value=httpx.Response(404))
    async with make_client() as client:
        with pytest.raises(APIStatusError) as info:
            await client.projects.delete("p9")
    assert (False, 0) == (info.value.may_have_been_applied, get.call_count)
