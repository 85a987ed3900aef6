"""The catalogues (templates, brands, voices, avatars, styles, smart layouts): typed, tolerant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, ClientFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import AsyncPictory, InvalidInputError, ResponseValidationError
from pictory_async._models.lookups import (
    Avatar,
    AvatarLook,
    AvatarPage,
    Brand,
    SmartLayout,
    Style,
    Template,
    Voice,
)

V1 = "/pictoryapis/v1"
TEMPLATE_ID = "202507141030549677ylq8k8gu44vy1y"
TEMPLATE: dict[str, Any] = {
    "templateId": TEMPLATE_ID,
    "name": "Corporate Presentation Template",
    "language": "en",
    "published": True,
    "deprecated": False,
}
VOICE = {
    "accent": "British accent",
    "category": "standard",
    "engine": "WaveNet",
    "gender": "female",
    "id": 1034,
    "language": "en-GB",
    "name": "Fiona",
    "sample": "https://static.example/Fiona.mp3",
    "service": "google",
    "ssmlHelp": "https://docs.example/ssml#category-c",
    "ssmlSupportCategory": "C",
    "voice": "en-GB-Wavenet-A_FEMALE",
}
AVATAR_ID = "e0e84faea390465896db75a83be45085"
AVATAR: dict[str, Any] = {
    "id": AVATAR_ID,
    "name": "Annie",
    "gender": "Female",
    "looks": [
        {
            "id": "Annie_expressive12_public",
            "name": "Annie in Tan Jacket",
            "previewImage": "https://static.example/annie.webp",
            "previewVideo": "https://static.example/annie.webm",
        }
    ],
}
LAYOUT = {"templateId": "20250813042630669e658e1", "templateName": "Kinetic", "schemaVersion": "v3"}

Call = Callable[[AsyncPictory], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """A catalogue: its method, its path, its documented answer, the list in it, the result."""

    name: str
    call: Call
    path: str
    body: Any
    items: list[Any]
    expected: Any

    def __str__(self) -> str:
        return self.name


CATALOGUES = [
    Case(
        "templates",
        lambda client: client.templates.list(),
        f"{V1}/templates",
        {"items": [TEMPLATE]},
        [TEMPLATE],
        (
            Template(
                id=TEMPLATE_ID,
                name="Corporate Presentation Template",
                language="en",
                published=True,
                deprecated=False,
            ),
        ),
    ),
    Case(
        "brands",
        lambda client: client.brands.list(),
        f"{V1}/brands/video",
        [{"id": "eb67b4ba", "name": "Default Brand"}, {"id": 7, "name": "Corporate Blue"}],
        [{"id": "eb67b4ba", "name": "Default Brand"}, {"id": 7, "name": "Corporate Blue"}],
        (Brand(id="eb67b4ba", name="Default Brand"), Brand(id=7, name="Corporate Blue")),
    ),
    Case(
        "voices",
        lambda client: client.voices.list(),
        f"{V1}/voiceovers/tracks",
        [VOICE],
        [VOICE],
        (
            Voice(
                name="Fiona",
                id=1034,
                voice="en-GB-Wavenet-A_FEMALE",
                language="en-GB",
                gender="female",
                accent="British accent",
                engine="WaveNet",
                service="google",
                category="standard",
                sample="https://static.example/Fiona.mp3",
                ssml_support_category="C",
            ),
        ),
    ),
    Case(
        "styles",
        lambda client: client.styles.list(),
        f"{V1}/styles",
        [{"id": "8f3deae9", "name": "Navy blue"}],
        [{"id": "8f3deae9", "name": "Navy blue"}],
        (Style(id="8f3deae9", name="Navy blue"),),
    ),
    Case(
        "smart_layouts",
        lambda client: client.smart_layouts.list(),
        f"{V1}/smartlayouts",
        {"items": [LAYOUT]},
        [LAYOUT],
        (SmartLayout(id="20250813042630669e658e1", name="Kinetic", schema_version="v3"),),
    ),
    Case(
        "avatars",
        lambda client: client.avatars.list(),
        f"{V1}/avatars",
        {"items": [AVATAR], "nextPageKey": None},
        [AVATAR],
        AvatarPage(
            items=(
                Avatar(
                    id=AVATAR_ID,
                    name="Annie",
                    gender="Female",
                    looks=(
                        AvatarLook(
                            id="Annie_expressive12_public",
                            name="Annie in Tan Jacket",
                            preview_image="https://static.example/annie.webp",
                            preview_video="https://static.example/annie.webm",
                        ),
                    ),
                ),
            )
        ),
    ),
]


def _items(result: Any) -> tuple[Any, ...]:
    return result.items if isinstance(result, AvatarPage) else result


async def _call(router: respx.Router, make_client: ClientFactory, case: Case, body: Any) -> Any:
    router.get(case.path).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        return await case.call(client)


@pytest.mark.parametrize("case", CATALOGUES, ids=str)
async def test_each_catalogue_reads_its_documented_answer(
    router: respx.Router, make_client: ClientFactory, case: Case
) -> None:
    """One keyed GET to the endpoint; the documented answer becomes its typed models."""
    route = router.get(case.path).mock(return_value=httpx.Response(200, json=case.body))
    async with make_client() as client:
        result = await case.call(client)
    request = route.calls.last.request
    assert (case.expected, 1, "GET", API_KEY) == (
        result,
        route.call_count,
        request.method,
        request.headers["authorization"],
    )
    assert case.items == [model.raw for model in _items(result)]


def _shapes(items: list[Any]) -> list[Any]:
    return [
        items,
        {"data": items},
        {"items": items},
        {"success": True, "data": items},
        {"success": True, "data": {"items": items}},
        {"data": {"results": items}},
    ]


@pytest.mark.parametrize("shape", range(6))
@pytest.mark.parametrize("case", CATALOGUES, ids=str)
async def test_every_list_shape_reads_the_same(
    router: respx.Router, make_client: ClientFactory, case: Case, shape: int
) -> None:
    """A bare array, ``data``, ``items``, or the v1 envelope around either: same models."""
    result = await _call(router, make_client, case, _shapes(case.items)[shape])
    assert _items(case.expected) == _items(result)


BROKEN: list[Any] = [
    {"success": False, "error": {"error_code": 890, "error_message": "nope"}},
    {"success": "yes", "data": []},
    {},
    {"items": {"a": 1}},
    "brands",
    None,
    [None],
    [1],
    [{"name": "no id"}],
    [{"id": True, "name": "a boolean id"}],
    [{"id": "x", "name": ["a", "list"]}],
]


@pytest.mark.parametrize("body", BROKEN)
@pytest.mark.parametrize("case", [case for case in CATALOGUES if case.name != "voices"], ids=str)
async def test_broken_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, case: Case, body: Any
) -> None:
    """An answer with no list of valid items is ``ResponseValidationError`` with the body."""
    with pytest.raises(ResponseValidationError) as caught:
        await _call(router, make_client, case, body)
    assert body == caught.value.body


@pytest.mark.parametrize("body", [[{"id": 1}], [{"name": 5}], [{"name": "Joanna", "id": [1]}]])
async def test_a_voice_without_a_name_is_a_validation_error(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """A voice is identified by its name (what ``speaker`` takes): none is an error."""
    with pytest.raises(ResponseValidationError):
        await _call(router, make_client, CATALOGUES[2], body)


async def test_a_page_that_is_not_json_is_a_validation_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An HTML page in a 200 is a ``ResponseValidationError`` that says so."""
    router.get(f"{V1}/styles").mock(return_value=httpx.Response(200, text="<html>hi</html>"))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="HTML"):
            await client.styles.list()


async def test_ids_are_kept_as_sent_and_unknown_fields_in_raw(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An integer id stays an integer, a string id a string; a new field is in ``raw``."""
    body = [{"id": 12, "name": "A", "colour": "red"}, {"id": "12", "name": "B"}]
    brands = await _call(router, make_client, CATALOGUES[1], body)
    assert ((12, "12"), "red") == ((brands[0].id, brands[1].id), brands[0].raw["colour"])


async def test_a_template_or_layout_sent_with_plain_id_and_name_reads(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``id``/``name`` stand in for ``templateId``/``templateName``; ``raw`` is as sent."""
    router.get(f"{V1}/templates").mock(
        return_value=httpx.Response(200, json=[{"id": "t1", "name": "T"}])
    )
    router.get(f"{V1}/smartlayouts").mock(
        return_value=httpx.Response(200, json=[{"id": "s1", "name": "S"}])
    )
    async with make_client() as client:
        (template,) = await client.templates.list()
        (layout,) = await client.smart_layouts.list()
    assert (Template(id="t1", name="T"), SmartLayout(id="s1", name="S")) == (template, layout)
    assert ({"id": "t1", "name": "T"}, {"id": "s1", "name": "S"}) == (template.raw, layout.raw)


async def test_a_template_keeps_its_variables_and_scenes(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A template answer with ``variables`` and ``scenes`` keeps both."""
    body = {"items": [{**TEMPLATE, "variables": {"Name": "NAME"}, "scenes": [{"sceneId": "s"}]}]}
    (template,) = await _call(router, make_client, CATALOGUES[0], body)
    assert ({"Name": "NAME"}, ({"sceneId": "s"},)) == (template.variables, template.scenes)


async def test_avatars_follow_the_page_key(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The page key goes out as ``nextPageKey``; the next one comes back on the page."""
    route = router.get(f"{V1}/avatars").mock(
        side_effect=[
            httpx.Response(200, json={"items": [AVATAR], "nextPageKey": "cGFnZTI="}),
            httpx.Response(200, json={"items": [], "nextPageKey": None}),
        ]
    )
    async with make_client() as client:
        first = await client.avatars.list()
        last = await client.avatars.list(page_key=first.next_page_key)
    assert ("cGFnZTI=", None, ()) == (first.next_page_key, last.next_page_key, last.items)
    assert [None, "cGFnZTI="] == [
        call.request.url.params.get("nextPageKey") for call in route.calls
    ]


@pytest.mark.parametrize("key", [5, "", ["a"]])
async def test_avatars_refuse_a_bad_page_key_before_sending(
    router: respx.Router, make_client: ClientFactory, key: Any
) -> None:
    """A page key that is not a non-empty string is ``InvalidInputError``; nothing is sent."""
    route = router.get(f"{V1}/avatars").mock(return_value=httpx.Response(200, json=[]))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match="page_key"):
            await client.avatars.list(page_key=key)
    assert not route.called


@pytest.mark.parametrize("next_key", [5, "same"])
async def test_a_bad_next_page_key_is_a_validation_error(
    router: respx.Router, make_client: ClientFactory, next_key: Any
) -> None:
    """A next key that is not a string, or the key just asked for, is an error (no loop)."""
    router.get(f"{V1}/avatars").mock(
        return_value=httpx.Response(200, json={"items": [], "nextPageKey": next_key})
    )
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="nextPageKey"):
            await client.avatars.list(page_key="same")


async def test_per_call_options_reach_the_request(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``extra_headers`` and ``extra_query`` are sent with a look-up."""
    route = router.get(f"{V1}/brands/video").mock(return_value=httpx.Response(200, json=[]))
    async with make_client() as client:
        await client.brands.list(extra_headers={"X-Trace": "1"}, extra_query={"team": "a"})
    request = route.calls.last.request
    assert ("1", "a") == (request.headers["x-trace"], request.url.params["team"])


async def test_an_unknown_option_is_a_type_error_before_sending(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A misspelt per-call option is a ``TypeError``, as for any keyword; nothing is sent."""
    route = router.get(f"{V1}/styles").mock(return_value=httpx.Response(200, json=[]))
    async with make_client() as client:
        with pytest.raises(TypeError, match="timout"):
            await client.styles.list(timout=3)  # type: ignore[call-arg]
    assert not route.called


async def test_a_look_up_has_its_raw_response(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``with_raw_response`` gives the status and headers, and ``parse()`` the models."""
    router.get(f"{V1}/styles").mock(
        return_value=httpx.Response(
            200, json=[{"id": "a", "name": "A"}], headers={"x-request-id": "req-1"}
        )
    )
    async with make_client() as client:
        raw = await client.styles.with_raw_response.list()
    assert (200, "req-1", (Style(id="a", name="A"),)) == (
        raw.status_code,
        raw.request_id,
        raw.parse(),
    )


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
_item = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(("id", "name", "templateId", "looks", "variables"), _json)
)
_body = st.one_of(
    _json,
    st.lists(_item, max_size=3),
    st.fixed_dictionaries({"items": st.lists(_item, max_size=3)}, optional={"success": _json}),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_body, case=st.sampled_from(CATALOGUES))
async def test_any_answer_is_models_or_a_typed_error(
    router: respx.Router, make_client: ClientFactory, body: Any, case: Case
) -> None:
    """Whatever JSON comes back, a catalogue returns its models or the typed error."""
    try:
        result = await _call(router, make_client, case, body)
    except ResponseValidationError:
        return
    assert type(case.expected) is type(result)
