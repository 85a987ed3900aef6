"""The look-ups and the account's AI credits over HTTP: plausible, deterministic answers."""

from __future__ import annotations

import pytest

from pictory_async import _paths
from pictory_async.emulator import FakeClock

from .support import Conn


async def test_brands_styles_voices_are_bare_arrays(conn: Conn) -> None:
    """Brands and styles are ``[{id, name}]``; voices carry the documented fields."""
    brands = (await conn.api.get(_paths.BRANDS)).json()
    styles = (await conn.api.get(_paths.STYLES)).json()
    voices = (await conn.api.get(_paths.VOICEOVER_TRACKS)).json()

    assert all({"id", "name"} == set(item) for item in brands + styles)
    assert "Acme Corporate" in [brand["name"] for brand in brands]
    assert {"Adison", "Jackson", "Martin", "Joanna"} <= {voice["name"] for voice in voices}
    assert {"id", "name", "voice", "gender", "accent", "language", "engine", "service"} <= set(
        voices[0]
    )
    assert {"aws", "google", "elevenlabs"} == {voice["service"] for voice in voices}


async def test_avatars_layouts_templates(conn: Conn) -> None:
    """Avatars and smart layouts are ``{items}``; templates list their scenes and variables."""
    avatars = (await conn.api.get(_paths.AVATARS)).json()
    layouts = (await conn.api.get(_paths.SMART_LAYOUTS)).json()
    templates = (await conn.api.get(_paths.TEMPLATES)).json()

    assert (None, True) == (avatars["nextPageKey"], all(a["looks"] for a in avatars["items"]))
    assert {"id", "name", "previewImage", "previewVideo"} == set(avatars["items"][0]["looks"][0])
    assert {"templateId", "templateName", "schemaVersion"} == set(layouts["items"][0])
    assert {"Name": "NAME"} == templates[0]["variables"]
    assert "{{Name}}" in templates[0]["scenes"][0]["subtitles"][0]["text"]


async def test_media_search_depends_on_the_keyword(conn: Conn) -> None:
    """Results are in ``data.searchResults``, about the keyword, the same each time."""
    params = {"keyword": "ocean", "language": "en"}
    first = (await conn.api.get(_paths.MEDIA_SEARCH, params=params)).json()
    again = (await conn.api.get(_paths.MEDIA_SEARCH, params=params)).json()
    other = (await conn.api.get(_paths.MEDIA_SEARCH, params={"keyword": "city"})).json()
    missing = await conn.api.get(_paths.MEDIA_SEARCH)

    results = first["data"]["searchResults"]
    assert (True, first) == (first["success"], again)
    assert all(item["mediaDescription"].lower().startswith("ocean") for item in results)
    assert results != other["data"]["searchResults"]
    assert {"assetId", "mediaType", "preview", "searchLibrary"} <= set(results[0])
    assert (400, "keyword") == (missing.status_code, missing.json()["fields"][0]["name"])


@pytest.mark.parametrize("name", ["moods", "genres", "genres/groups", "instruments", "purposes"])
async def test_music_catalogues_are_arrays_of_names(conn: Conn, name: str) -> None:
    """Each music catalogue is a bare array of strings."""
    response = await conn.api.get(f"{_paths.MUSIC}/{name}")

    assert 200 == response.status_code
    assert response.json()
    assert all(isinstance(item, str) for item in response.json())


async def test_music_search_filters_and_pages(conn: Conn) -> None:
    """Filters keep matching tracks, ``not*`` drops them, pages hold 20-100 tracks."""
    everything = (await conn.api.post(_paths.MUSIC_SEARCH, json={})).json()
    mood = everything["items"][0]["moods"][0]
    calm = (await conn.api.post(_paths.MUSIC_SEARCH, json={"mood": [mood]})).json()
    not_calm = (await conn.api.post(_paths.MUSIC_SEARCH, json={"notMood": [mood]})).json()
    second = (await conn.api.post(_paths.MUSIC_SEARCH, json={"page": 2})).json()

    assert (20, 1) == (len(everything["items"]), everything["page"])
    assert everything["total"] == calm["total"] + not_calm["total"]
    assert all(mood in track["moods"] for track in calm["items"])
    assert everything["total"] - 20 == len(second["items"])
    assert {"id", "title", "audioUrl", "duration", "genres", "moods"} <= set(calm["items"][0])


async def test_ai_credit_usage_lists_each_render(conn: Conn, clock: FakeClock) -> None:
    """Each render debits its AI credits; the ledger is newest first and the quota agrees."""
    empty = (await conn.api.get(_paths.AI_CREDITS_USAGE)).json()
    for name in ("One", "Two"):
        body = {"videoName": name, "scenes": [{"story": "Hello there.", "minimumDuration": 90}]}
        assert 200 == (await conn.api.post(_paths.STORYBOARD_RENDER, json=body)).status_code
        clock.advance(1)
    ledger = (await conn.api.get(_paths.AI_CREDITS_USAGE)).json()
    quota = (await conn.api.get(_paths.QUOTA)).json()

    assert [] == empty
    assert [2, 2] == [item["amount"] for item in ledger]
    assert ledger[0]["transactionDate"] > ledger[1]["transactionDate"]
    assert {"used": 4, "limit": 1000} == quota["aiCredits"]
    assert {"used": 4, "limit": 600} == quota["videoMinutes"]


async def test_ai_credit_usage_lists_one_month(conn: Conn, clock: FakeClock) -> None:
    """The ledger is the month asked for (default: the current one); a year alone is a 400."""
    body = {"videoName": "Ledger", "scenes": [{"story": "Hello there."}]}
    assert 200 == (await conn.api.post(_paths.STORYBOARD_RENDER, json=body)).status_code
    clock.advance(31 * 86400)  # from January 15 to February 15, 2026
    assert 200 == (await conn.api.post(_paths.STORYBOARD_RENDER, json=body)).status_code
    usage = _paths.AI_CREDITS_USAGE
    current = (await conn.api.get(usage)).json()
    january = (await conn.api.get(usage, params={"year": 2026, "month": 1})).json()
    january_alone = (await conn.api.get(usage, params={"month": 1})).json()
    last_year = (await conn.api.get(usage, params={"year": 2025, "month": 1})).json()
    year_alone = await conn.api.get(usage, params={"year": 2026})
    bad_month = await conn.api.get(usage, params={"year": 2026, "month": 13})

    assert ["2026-02"] == [item["transactionDate"][:7] for item in current]
    assert ["2026-01"] == [item["transactionDate"][:7] for item in january]
    assert january == january_alone
    assert [] == last_year
    assert (400, "INVALID_REQUEST_BODY", ["month"]) == (
        year_alone.status_code,
        year_alone.json()["code"],
        [field["name"] for field in year_alone.json()["fields"]],
    )
    assert (400, ["month"]) == (
        bad_month.status_code,
        [field["name"] for field in bad_month.json()["fields"]],
    )
