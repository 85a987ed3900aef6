"""The look-ups and the AI credit ledger against the emulator, over a real socket."""

from __future__ import annotations

import pytest

from pictory_async import AsyncPictory, InvalidInputError
from pictory_async.emulator import Emulator
from pictory_async.emulator import _lookups as served

pytestmark = pytest.mark.pictory_emulator(projects=1, seed=5, transport="socket")


async def test_catalogues_come_back_typed_with_what_was_served(
    pictory_client: AsyncPictory,
) -> None:
    """Each catalogue's models hold, in ``raw``, exactly the objects the emulator served."""
    templates = await pictory_client.templates.list()
    brands = await pictory_client.brands.list()
    voices = await pictory_client.voices.list()
    styles = await pictory_client.styles.list()
    layouts = await pictory_client.smart_layouts.list()
    avatars = await pictory_client.avatars.list()
    assert served.templates() == [template.raw for template in templates]
    assert served.brands() == [brand.raw for brand in brands]
    assert served.voices() == [voice.raw for voice in voices]
    assert served.styles() == [style.raw for style in styles]
    assert served.smart_layouts()["items"] == [layout.raw for layout in layouts]
    assert (served.avatars()["items"], None) == (
        [avatar.raw for avatar in avatars.items],
        avatars.next_page_key,
    )


async def test_the_ids_a_storyboard_takes_are_at_hand(pictory_client: AsyncPictory) -> None:
    """A template's variables, a voice's name, an avatar look's id: typed, not raw."""
    (hello, *_) = await pictory_client.templates.list()
    voices = {voice.name: voice for voice in await pictory_client.voices.list()}
    avatars = await pictory_client.avatars.list()
    assert ({"Name": "NAME"}, 1001, "elevenlabs") == (
        hello.variables,
        voices["Joanna"].id,
        voices["Rachel"].service,
    )
    assert "Annie_look1_public" == avatars.items[0].looks[0].id


async def test_media_search_finds_the_keyword(pictory_client: AsyncPictory) -> None:
    """Each result of a stock search describes the keyword and has a preview."""
    found = await pictory_client.media.search("ocean", category="Nature", language="en")
    assert found
    assert all(
        "ocean" in (item.description or "").lower() and item.preview is not None for item in found
    )


async def test_media_search_with_a_blank_keyword_is_refused_here(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A blank keyword, which the API answers with a 400, never leaves the client."""
    before = pictory_emulator.stats.total
    with pytest.raises(InvalidInputError, match="keyword"):
        await pictory_client.media.search("  ")
    assert before == pictory_emulator.stats.total


async def test_music_search_filters_and_pages(pictory_client: AsyncPictory) -> None:
    """A mood filter keeps only tracks with that mood; a later page holds other tracks."""
    epic = await pictory_client.music.search(mood="Epic", page_size=20)
    first = await pictory_client.music.search(page_size=20)
    second = await pictory_client.music.search(page=2, page_size=20)
    assert epic
    assert all("Epic" in track.moods for track in epic)
    assert (20, set()) == (len(first), {t.id for t in first} & {t.id for t in second})


async def test_music_catalogues_name_the_filter_values(pictory_client: AsyncPictory) -> None:
    """Every catalogue is the list of names the emulator serves."""
    music = pictory_client.music
    got = {
        "moods": await music.moods(),
        "genres": await music.genres(),
        "genres/groups": await music.genre_groups(),
        "instruments": await music.instruments(),
        "purposes": await music.purposes(),
    }
    assert served.MUSIC_CATALOGUES == got


async def test_a_render_shows_in_the_ai_credit_ledger(pictory_client: AsyncPictory) -> None:
    """A render spends AI credits; the ledger then has its debit, dated, newest first."""
    before = await pictory_client.account.ai_credits()
    await pictory_client.post(
        "/pictoryapis/v2/video/storyboard/render",
        json={"videoName": "ledger", "scenes": [{"story": "One scene about the ocean."}]},
    )
    after = await pictory_client.account.ai_credits()
    assert len(before) + 1 == len(after)
    newest = after[0]
    assert ("debit", True, True) == (
        newest.type,
        newest.amount is not None and newest.amount > 0,
        newest.transaction_date is not None,
    )
