"""The searches: stock media and music, their inputs checked before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx
from _support import ClientFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import (
    AsyncPictory,
    InternalServerError,
    InvalidInputError,
    ResponseValidationError,
)
from pictory_async._models.lookups import MediaItem, MediaPreview, MusicTrack

V1 = "/pictoryapis/v1"
MEDIA = f"{V1}/media/search"
MUSIC = f"{V1}/music/search"
RESULT = {
    "assetId": 10900066,
    "duration": 15,
    "id": 10900066,
    "keyword": "business",
    "mediaDescription": "Young team brainstorming.",
    "mediaType": "video",
    "preview": {"jpg": "https://cdn.example/p.jpg", "url": "https://cdn.example/p.mp4"},
    "searchLibrary": "story_blocks",
    "thumbnail": {"jpg": "https://cdn.example/t.jpg", "url": "https://cdn.example/t.mp4"},
}
ITEM = MediaItem(
    asset_id=10900066,
    media_type="video",
    duration=15,
    description="Young team brainstorming.",
    keyword="business",
    library="story_blocks",
    preview=MediaPreview(url="https://cdn.example/p.mp4", jpg="https://cdn.example/p.jpg"),
    thumbnail=MediaPreview(url="https://cdn.example/t.mp4", jpg="https://cdn.example/t.jpg"),
)
TRACK = {
    "id": 279,
    "title": "Bio Journey",
    "audioUrl": "https://tracks.example/bio.mp3",
    "duration": 161,
    "genres": ["Downtempo"],
    "instruments": ["Keyboard"],
    "moods": ["Calm / Serene"],
    "purposes": ["Technology"],
}
EXPECTED_TRACK = MusicTrack(
    id=279,
    title="Bio Journey",
    audio_url="https://tracks.example/bio.mp3",
    duration=161,
    genres=("Downtempo",),
    instruments=("Keyboard",),
    moods=("Calm / Serene",),
    purposes=("Technology",),
)


# -- media -------------------------------------------------------------------------------


async def test_media_search_sends_the_query_and_reads_search_results(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """keyword, category and language go in the query; ``data.searchResults`` is read."""
    route = router.get(MEDIA).mock(
        return_value=httpx.Response(200, json={"data": {"page": 1, "searchResults": [RESULT]}})
    )
    async with make_client() as client:
        found = await client.media.search("business", category="Business", language="en")
    params = dict(route.calls.last.request.url.params)
    assert ((ITEM,), {"keyword": "business", "category": "Business", "language": "en"}) == (
        found,
        params,
    )
    assert RESULT == found[0].raw


async def test_media_search_sends_only_the_keyword_when_alone(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """No category or language parameter is sent when none is given."""
    route = router.get(MEDIA).mock(return_value=httpx.Response(200, json={"searchResults": []}))
    async with make_client() as client:
        assert () == await client.media.search("ocean")
    assert {"keyword": "ocean"} == dict(route.calls.last.request.url.params)


async def test_a_result_with_only_id_reads_as_its_asset_id(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``id`` stands in for a missing ``assetId``."""
    router.get(MEDIA).mock(return_value=httpx.Response(200, json=[{"id": "a1"}]))
    async with make_client() as client:
        assert (MediaItem(asset_id="a1"),) == await client.media.search("x")


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"page": 1}},
        {"data": {"searchResults": {"a": 1}}},
        {"success": False, "message": "Search failed"},
        [{"mediaType": "video"}],
        [{"assetId": 1, "preview": "not an object"}],
        [{"assetId": 1, "duration": "long"}],
    ],
    ids=["no-results", "results-object", "failed", "no-id", "preview-text", "duration-text"],
)
async def test_media_search_broken_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """An answer with no valid list of results is ``ResponseValidationError``, body kept."""
    router.get(MEDIA).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.media.search("x")
    assert body == caught.value.body


@pytest.mark.parametrize(
    ("args", "kwargs", "word"),
    [
        (("",), {}, "keyword"),
        (("   ",), {}, "keyword"),
        ((None,), {}, "keyword"),
        ((5,), {}, "keyword"),
        (("x",), {"category": ""}, "category"),
        (("x",), {"language": 3}, "language"),
    ],
)
async def test_media_search_refuses_bad_input_before_sending(
    router: respx.Router, make_client: ClientFactory, args: Any, kwargs: Any, word: str
) -> None:
    """An empty or non-string keyword, category or language: nothing is sent."""
    route = router.get(MEDIA).mock(return_value=httpx.Response(200, json=[]))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=word):
            await client.media.search(*args, **kwargs)
    assert not route.called


# -- music -------------------------------------------------------------------------------


async def test_music_search_posts_the_filters_in_camel_case(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Given arguments go in the JSON body under Pictory's names; one name becomes a list."""
    route = router.post(MUSIC).mock(return_value=httpx.Response(200, json={"items": [TRACK]}))
    async with make_client() as client:
        tracks = await client.music.search(
            "journey",
            page=2,
            page_size=20,
            sort="featured",
            genre_group="Electronic",
            not_mood=["Dark / Brooding", "Sad / Melancholic"],
            purpose=("Technology",),
            min_duration=30,
            max_duration=180.5,
        )
    sent = json.loads(route.calls.last.request.content)
    assert (EXPECTED_TRACK,) == tracks
    assert {
        "query": "journey",
        "page": 2,
        "pageSize": 20,
        "sort": "featured",
        "genreGroup": ["Electronic"],
        "notMood": ["Dark / Brooding", "Sad / Melancholic"],
        "purpose": ["Technology"],
        "minDuration": 30,
        "maxDuration": 180.5,
    } == sent


async def test_music_search_with_nothing_posts_an_empty_object(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """No argument, no field: the API's defaults apply."""
    route = router.post(MUSIC).mock(return_value=httpx.Response(200, json={"items": []}))
    async with make_client() as client:
        assert () == await client.music.search()
    assert {} == json.loads(route.calls.last.request.content)


async def test_music_search_extra_body_adds_a_field(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``extra_body`` carries a field this library does not model yet."""
    route = router.post(MUSIC).mock(return_value=httpx.Response(200, json={"items": []}))
    async with make_client() as client:
        await client.music.search("x", extra_body={"bpm": 120})
    assert {"query": "x", "bpm": 120} == json.loads(route.calls.last.request.content)


async def test_music_search_is_resent_after_a_server_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A search changes nothing, so a 503 is retried as a GET would be."""
    route = router.post(MUSIC).mock(
        side_effect=[
            httpx.Response(503, json={"message": "busy"}),
            httpx.Response(200, json={"items": [TRACK]}),
        ]
    )
    async with make_client(max_retries=1) as client:
        assert (EXPECTED_TRACK,) == await client.music.search("x")
    assert 2 == route.call_count


async def test_music_search_gives_up_with_the_server_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """Retries spent, the last 5xx is raised as ``InternalServerError``."""
    router.post(MUSIC).mock(return_value=httpx.Response(503, json={"message": "busy"}))
    async with make_client(max_retries=0) as client:
        with pytest.raises(InternalServerError):
            await client.music.search("x")


SHAPES = ("bare", "envelope", "data", "other-key")
SEARCHES: dict[str, tuple[Callable[[AsyncPictory], Awaitable[Any]], Any]] = {
    MEDIA: (lambda client: client.media.search("business"), ITEM),
    MUSIC: (lambda client: client.music.search(), EXPECTED_TRACK),
}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (MEDIA, [RESULT]),
        (MEDIA, {"success": True, "data": {"searchResults": [RESULT]}}),
        (MEDIA, {"data": [RESULT]}),
        (MEDIA, {"items": [RESULT]}),
        (MUSIC, [TRACK]),
        (MUSIC, {"success": True, "data": {"items": [TRACK]}}),
        (MUSIC, {"data": {"searchResults": [TRACK]}}),
        (MUSIC, {"searchResults": [TRACK]}),
    ],
    ids=[f"{kind}-{shape}" for kind in ("media", "music") for shape in SHAPES],
)
async def test_searches_tolerate_other_shapes(
    router: respx.Router, make_client: ClientFactory, path: str, body: Any
) -> None:
    """A bare array, the envelope, or a ``data``/``items``/``searchResults`` list: same."""
    router.route(path=path).mock(return_value=httpx.Response(200, json=body))
    search, expected = SEARCHES[path]
    async with make_client() as client:
        assert (expected,) == await search(client)


@pytest.mark.parametrize(
    "body",
    [{"items": None}, {"page": 1}, [{"title": "no id"}], [{"id": 1, "genres": "Rock"}]],
    ids=["null", "no-items", "no-id", "genres-text"],
)
async def test_music_search_broken_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """No valid list of tracks is ``ResponseValidationError``."""
    router.post(MUSIC).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError):
            await client.music.search()


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"query": ""}, "query"),
        ({"page": 0}, "page"),
        ({"page": True}, "page"),
        ({"page": "2"}, "page"),
        ({"page_size": 19}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"sort": "newest"}, "sort"),
        ({"mood": []}, "mood"),
        ({"mood": [""]}, "mood"),
        ({"genre": 5}, "genre"),
        ({"not_purpose": ["ok", 3]}, "not_purpose"),
        ({"min_duration": -1}, "min_duration"),
        ({"max_duration": float("nan")}, "max_duration"),
        ({"max_duration": "60"}, "max_duration"),
        ({"min_duration": 90, "max_duration": 60}, "min_duration"),
    ],
)
async def test_music_search_refuses_bad_input_before_sending(
    router: respx.Router, make_client: ClientFactory, kwargs: Any, word: str
) -> None:
    """What the API would refuse is ``InvalidInputError`` naming the argument; nothing sent."""
    route = router.post(MUSIC).mock(return_value=httpx.Response(200, json={"items": []}))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=word):
            await client.music.search(**kwargs)
    assert not route.called


CATALOGUES = [
    ("moods", "moods"),
    ("genres", "genres"),
    ("genre_groups", "genres/groups"),
    ("instruments", "instruments"),
    ("purposes", "purposes"),
]


@pytest.mark.parametrize(("method", "path"), CATALOGUES)
async def test_music_catalogues_are_names(
    router: respx.Router, make_client: ClientFactory, method: str, path: str
) -> None:
    """Each catalogue's bare array of names is a tuple of strings, from one GET."""
    route = router.get(f"{V1}/music/{path}").mock(
        return_value=httpx.Response(200, json=["Calm / Serene", "Epic"])
    )
    async with make_client() as client:
        names = await getattr(client.music, method)()
    assert (("Calm / Serene", "Epic"), 1) == (names, route.call_count)


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": ["Epic"]},
        {"data": ["Epic"]},
        {"items": [{"name": "Epic"}]},
        [{"value": "Epic", "count": 3}],
    ],
    ids=["envelope", "data", "items-objects", "value-objects"],
)
async def test_music_catalogue_tolerates_other_shapes(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """Wrapped lists, and objects naming a value, read as the same names."""
    router.get(f"{V1}/music/moods").mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        assert ("Epic",) == await client.music.moods()


@pytest.mark.parametrize("body", [{"moods": "Epic"}, [1], [None], [{"label": 2}], "Epic"], ids=str)
async def test_music_catalogue_broken_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """An item that names nothing is ``ResponseValidationError`` with the body kept."""
    router.get(f"{V1}/music/purposes").mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.music.purposes()
    assert body == caught.value.body


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
_result = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(("assetId", "id", "duration", "preview", "genres", "name"), _json),
)
_answer = st.one_of(
    _json,
    st.lists(_result | _json, max_size=3),
    st.fixed_dictionaries({"data": st.fixed_dictionaries({"searchResults": st.lists(_result)})}),
    st.fixed_dictionaries({"items": st.lists(_result, max_size=3)}, optional={"success": _json}),
)
_ANY_SEARCH: list[tuple[str, Callable[[AsyncPictory], Awaitable[Any]]]] = [
    (MEDIA, lambda client: client.media.search("x")),
    (MUSIC, lambda client: client.music.search()),
    (f"{V1}/music/moods", lambda client: client.music.moods()),
]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_answer, case=st.sampled_from(_ANY_SEARCH))
async def test_any_answer_is_a_tuple_or_a_typed_error(
    router: respx.Router,
    make_client: ClientFactory,
    body: Any,
    case: tuple[str, Callable[[AsyncPictory], Awaitable[Any]]],
) -> None:
    """Whatever JSON a search or a catalogue gets back: a tuple, or the typed error."""
    path, search = case
    router.route(path=path).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        try:
            found = await search(client)
        except ResponseValidationError:
            return
    assert isinstance(found, tuple)
