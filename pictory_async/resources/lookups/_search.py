"""The searches: stock media (``client.media``) and background music (``client.music``).

Each checks what the caller asks for before anything is sent (an empty keyword, a page
size the API refuses, a filter that is not a list of names are ``InvalidInputError``),
then sends one request. The music search is a ``POST`` that changes nothing, so it is
resent after a transient failure like any ``GET``. The music catalogues (moods, genres,
genre groups, instruments, purposes) name the values its filters take.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..._converter import unstructure
from ..._exceptions import InvalidInputError
from ..._models.lookups import MediaItem, MusicSearch, MusicTrack
from ..._paths import MEDIA_SEARCH, MUSIC, MUSIC_SEARCH
from .._base import Resource
from ._parse import read_items, strings_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ..._call_options import RequestOptions

__all__ = ["Media", "Music"]

MUSIC_SORTS = ("latest", "shuffle", "featured")
"""The orders ``music.search`` takes."""

MUSIC_PAGE_SIZES = range(20, 101)
"""The page sizes the music search accepts."""

Names = str | Sequence[str]
"""One filter value or several."""


def _text(value: object, *, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{name} must be a non-empty string, got {value!r:.60}")
    return value


def _names(value: object, *, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, Sequence) or not values:
        raise InvalidInputError(
            f"{name} must be a name or a non-empty list of names, got {value!r:.60}"
        )
    return tuple(_text(item, name=f"each of {name}") for item in values)


def _count(value: object, *, name: str, allowed: range) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        top = "" if allowed.stop > 10**9 else f" and at most {allowed.stop - 1}"
        raise InvalidInputError(
            f"{name} must be an integer of at least {allowed.start}{top}, got {value!r:.60}"
        )
    return value


def _seconds(value: object, *, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidInputError(f"{name} must be a number of seconds >= 0, got {value!r:.60}")
    return value


class Media(Resource):
    """Stock videos and images (``client.media``)."""

    async def search(
        self,
        keyword: str,
        *,
        category: str | None = None,
        language: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> tuple[MediaItem, ...]:
        """Search the stock libraries (``GET /pictoryapis/v1/media/search``).

        The previews are watermarked and their URLs expire: use them to check that good
        footage exists, and put the query in a scene's ``background.searchFilter`` for
        the render.

        Args:
            keyword: What to look for (``business``).
            category: A category to search in (``Nature/Landscapes``).
            language: The keyword's language (``en``).
            **options: Per-call options.

        Returns:
            Each ``MediaItem`` found.

        Raises:
            InvalidInputError: An empty keyword, or a category or language that is not a
                non-empty string; nothing was sent.
            ResponseValidationError: The answer holds no list of results.
        """
        params = {"keyword": _text(keyword, name="keyword")}
        if category is not None:
            params["category"] = _text(category, name="category")
        if language is not None:
            params["language"] = _text(language, name="language")
        received = await self._client._request("GET", MEDIA_SEARCH, params=params, options=options)
        return read_items(
            received.response, MediaItem, key="searchResults", aliases=(("assetId", "id"),)
        )


class Music(Resource):
    """Background music (``client.music``): the library's search and its filters' names.

    Each catalogue (``moods()``, ``genres()``, ``genre_groups()``, ``instruments()``,
    ``purposes()``) is one ``GET`` answering a tuple of names, exactly as the search's
    filters spell them; an answer that is not a list of names is a
    ``ResponseValidationError``.
    """

    async def search(
        self,
        query: str | None = None,
        *,
        page: int | None = None,
        page_size: int | None = None,
        sort: str | None = None,
        genre_group: Names | None = None,
        not_genre_group: Names | None = None,
        genre: Names | None = None,
        not_genre: Names | None = None,
        mood: Names | None = None,
        not_mood: Names | None = None,
        instrument: Names | None = None,
        not_instrument: Names | None = None,
        purpose: Names | None = None,
        not_purpose: Names | None = None,
        min_duration: float | None = None,
        max_duration: float | None = None,
        **options: Unpack[RequestOptions],
    ) -> tuple[MusicTrack, ...]:
        """Search the music library (``POST /pictoryapis/v1/music/search``).

        Every argument is optional; the API's defaults apply to what is left out. A
        filter takes one name or a list of them, exactly as the catalogues spell them
        (``genre_group`` from ``genre_groups()``, ``mood`` from ``moods()``, ...); each
        ``not_*`` filter excludes what it names.

        Args:
            query: Words to find in a track's title or description.
            page: The page of results, from 1 (an empty result is past the last).
            page_size: Results per page, 20 to 100.
            sort: ``latest``, ``shuffle`` or ``featured``.
            genre_group: Genre groups to keep.
            not_genre_group: Genre groups to leave out.
            genre: Genres to keep.
            not_genre: Genres to leave out.
            mood: Moods to keep.
            not_mood: Moods to leave out.
            instrument: Instruments to keep.
            not_instrument: Instruments to leave out.
            purpose: Purposes to keep.
            not_purpose: Purposes to leave out.
            min_duration: The shortest length, in seconds.
            max_duration: The longest length, in seconds.
            **options: Per-call options (``extra_body`` adds fields to the search).

        Returns:
            Each ``MusicTrack`` of the page; its ``audio_url`` is what a storyboard's
            ``backgroundMusic.musicUrl`` takes.

        Raises:
            InvalidInputError: An argument the API would refuse; nothing was sent.
            ResponseValidationError: The answer is not a list of tracks.
        """
        lowest = None if min_duration is None else _seconds(min_duration, name="min_duration")
        highest = None if max_duration is None else _seconds(max_duration, name="max_duration")
        if lowest is not None and highest is not None and lowest > highest:
            raise InvalidInputError(
                f"min_duration ({lowest:g}) must not be more than max_duration ({highest:g})"
            )
        if sort is not None and sort not in MUSIC_SORTS:
            raise InvalidInputError(
                f"sort must be one of {', '.join(MUSIC_SORTS)}; got {sort!r:.60}"
            )
        body = MusicSearch(
            query=None if query is None else _text(query, name="query"),
            page=None if page is None else _count(page, name="page", allowed=range(1, 2**31)),
            page_size=None
            if page_size is None
            else _count(page_size, name="page_size", allowed=MUSIC_PAGE_SIZES),
            sort=sort,
            genre_group=_names(genre_group, name="genre_group"),
            not_genre_group=_names(not_genre_group, name="not_genre_group"),
            genre=_names(genre, name="genre"),
            not_genre=_names(not_genre, name="not_genre"),
            mood=_names(mood, name="mood"),
            not_mood=_names(not_mood, name="not_mood"),
            instrument=_names(instrument, name="instrument"),
            not_instrument=_names(not_instrument, name="not_instrument"),
            purpose=_names(purpose, name="purpose"),
            not_purpose=_names(not_purpose, name="not_purpose"),
            min_duration=lowest,
            max_duration=highest,
        )
        wire: dict[str, Any] = unstructure(body, wire_names=True)
        json = {key: value for key, value in wire.items() if value is not None}
        received = await self._client._request(
            "POST", MUSIC_SEARCH, json=json, idempotent=True, options=options
        )
        return read_items(received.response, MusicTrack, key="searchResults")

    async def moods(self, **options: Unpack[RequestOptions]) -> tuple[str, ...]:
        """The moods ``search(mood=...)`` takes (``GET /v1/music/moods``)."""
        return await self._catalogue("moods", options)

    async def genres(self, **options: Unpack[RequestOptions]) -> tuple[str, ...]:
        """The genres ``search(genre=...)`` takes (``GET /v1/music/genres``)."""
        return await self._catalogue("genres", options)

    async def genre_groups(self, **options: Unpack[RequestOptions]) -> tuple[str, ...]:
        """The genre groups ``search(genre_group=...)`` takes (``.../genres/groups``)."""
        return await self._catalogue("genres/groups", options)

    async def instruments(self, **options: Unpack[RequestOptions]) -> tuple[str, ...]:
        """The instruments ``search(instrument=...)`` takes (``.../music/instruments``)."""
        return await self._catalogue("instruments", options)

    async def purposes(self, **options: Unpack[RequestOptions]) -> tuple[str, ...]:
        """The purposes ``search(purpose=...)`` takes (``GET /v1/music/purposes``)."""
        return await self._catalogue("purposes", options)

    async def _catalogue(self, name: str, options: RequestOptions) -> tuple[str, ...]:
        received = await self._client._request("GET", f"{MUSIC}/{name}", options=options)
        return strings_of(received.response)
