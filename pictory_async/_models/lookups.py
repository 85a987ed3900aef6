"""The look-up models: what the synchronous catalogue and search endpoints answer.

Plain, frozen attrs classes with no I/O, read by ``_converter`` (camelCase on the wire,
a field's ``wire`` metadata for an odd name). Each model requires only the field that
identifies an item (an id, or a voice's name, which is what ``speaker`` takes); every
other field is optional, because Pictory omits fields freely. Ids are kept as sent,
a string or an integer. ``raw`` keeps each object exactly as received, so a field
Pictory adds tomorrow is already at hand.

``MusicSearch`` is the one request body here: the filters of ``POST /v1/music/search``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._converter import raw_field, wire

__all__ = [
    "Avatar",
    "AvatarLook",
    "AvatarPage",
    "Brand",
    "MediaItem",
    "MediaPreview",
    "MusicSearch",
    "MusicTrack",
    "SmartLayout",
    "Style",
    "Template",
    "Voice",
]


@attrs.frozen(kw_only=True)
class Template:
    """A video template of the account (``GET /v1/templates``).

    Attributes:
        id: The ``templateId`` that ``videos.from_template`` and a storyboard's
            ``templateId`` take.
        name: The template's name.
        language: Its language code (``en``).
        published: Whether it can make videos (only published templates can).
        deprecated: Whether it should no longer be used for new videos.
        variables: The placeholders a video fills in, each with its example or default
            value (empty when the answer lists none, as the list endpoint does).
        scenes: The template's scenes as sent (only a single template's answer has them).
        raw: The object exactly as received.
    """

    id: str | int = attrs.field(metadata=wire("templateId"))
    name: str | None = None
    language: str | None = None
    published: bool | None = None
    deprecated: bool | None = None
    variables: Mapping[str, Any] = attrs.field(factory=dict)
    scenes: tuple[Any, ...] = ()
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Brand:
    """A video brand of the account (``GET /v1/brands/video``).

    Attributes:
        id: The ``brandId`` a storyboard takes (or give the ``name`` as ``brandName``;
            not both).
        name: The brand's name.
        raw: The object exactly as received.
    """

    id: str | int
    name: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Voice:
    """An AI voice-over voice (``GET /v1/voiceovers/tracks``).

    Attributes:
        name: The voice's name (``Joanna``): what ``aiVoices[].speaker`` takes.
        id: Its numeric track id (``speaker`` takes that too).
        voice: The provider's own voice id (``en-GB-Wavenet-A_FEMALE``).
        language: Its language code (``en-US``).
        gender: ``female``, ``male``, ...
        accent: ``American accent``, ...
        engine: The speech engine (``neural``, ``standard``, ``WaveNet``, ...).
        service: The provider: ``aws``, ``google`` or ``elevenlabs`` (only
            ElevenLabs voices take ``premiumVoiceSettings``).
        category: Pictory's category of the voice (``standard``, ...).
        sample: The URL of an MP3 sample.
        ssml_support_category: How much SSML the voice supports (``B``, ``C``, ...).
        raw: The object exactly as received.
    """

    name: str
    id: str | int | None = None
    voice: str | None = None
    language: str | None = None
    gender: str | None = None
    accent: str | None = None
    engine: str | None = None
    service: str | None = None
    category: str | None = None
    sample: str | None = None
    ssml_support_category: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class MediaPreview:
    """A watermarked preview of a stock asset: a still and a clip (or the image).

    Attributes:
        url: The watermarked clip or image (token-expiring; never for a render).
        jpg: A still image.
        raw: The object exactly as received.
    """

    url: str | None = None
    jpg: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class MediaItem:
    """A stock video or image found by ``GET /v1/media/search``.

    Attributes:
        asset_id: The asset's id in its library.
        media_type: ``video`` or ``image``.
        duration: A video's length in seconds.
        description: The library's description of it (``mediaDescription``).
        keyword: The keyword it was found with.
        library: The library it comes from (``story_blocks``, ``getty``;
            ``searchLibrary``).
        preview: A larger watermarked preview.
        thumbnail: A smaller one.
        raw: The object exactly as received.
    """

    asset_id: str | int
    media_type: str | None = None
    duration: float | None = None
    description: str | None = attrs.field(default=None, metadata=wire("mediaDescription"))
    keyword: str | None = None
    library: str | None = attrs.field(default=None, metadata=wire("searchLibrary"))
    preview: MediaPreview | None = None
    thumbnail: MediaPreview | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class MusicTrack:
    """A background-music track found by ``POST /v1/music/search``.

    Attributes:
        id: The track's id.
        title: Its title.
        audio_url: The URL to give a storyboard as ``backgroundMusic.musicUrl``.
        duration: Its length in seconds.
        genres: Its genres (values of ``music.genres()``).
        moods: Its moods (values of ``music.moods()``).
        instruments: Its instruments (values of ``music.instruments()``).
        purposes: Its purposes (values of ``music.purposes()``).
        raw: The object exactly as received.
    """

    id: str | int
    title: str | None = None
    audio_url: str | None = None
    duration: float | None = None
    genres: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class AvatarLook:
    """One look (outfit, setting) of an AI avatar.

    Attributes:
        id: The id a storyboard takes as ``avatar.avatarId``.
        name: The look's name (``Annie in Tan Jacket``).
        preview_image: A still preview (WebP).
        preview_video: A blurred preview clip (WebM).
        raw: The object exactly as received.
    """

    id: str | int
    name: str | None = None
    preview_image: str | None = None
    preview_video: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Avatar:
    """An AI avatar (a person), with the looks it comes in (``GET /v1/avatars``).

    Attributes:
        id: The avatar group's id (a storyboard takes a look's id, not this one).
        name: The person's name (``Annie``).
        gender: ``Female``, ``Male`` or ``None``.
        looks: Its looks.
        raw: The object exactly as received.
    """

    id: str | int
    name: str | None = None
    gender: str | None = None
    looks: tuple[AvatarLook, ...] = ()
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class AvatarPage:
    """One page of the avatar list.

    Attributes:
        items: The avatars on this page.
        next_page_key: The key of the next page (``avatars.list(page_key=...)``), or
            ``None`` on the last page.
    """

    items: tuple[Avatar, ...] = ()
    next_page_key: str | None = None


@attrs.frozen(kw_only=True)
class Style:
    """A saved text (subtitle) style (``GET /v1/styles``).

    Attributes:
        id: The ``subtitleStyleId`` a storyboard takes (or give the ``name`` as
            ``subtitleStyleName``; not both).
        name: The style's name.
        raw: The object exactly as received.
    """

    id: str | int
    name: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class SmartLayout:
    """A smart layout (``GET /v1/smartlayouts``).

    Attributes:
        id: The ``smartLayoutId`` a storyboard takes (``templateId`` on the wire).
        name: The ``smartLayoutName`` a storyboard takes instead (``templateName``).
        schema_version: The storyboard schema it is made for (``v3``).
        raw: The object exactly as received.
    """

    id: str | int = attrs.field(metadata=wire("templateId"))
    name: str | None = attrs.field(default=None, metadata=wire("templateName"))
    schema_version: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class MusicSearch:
    """The body of ``POST /v1/music/search``; ``None`` fields are left out.

    Filter values are case-sensitive: take them from ``music.genre_groups()``,
    ``genres()``, ``moods()``, ``instruments()`` and ``purposes()``. Each ``not_*``
    filter excludes what it names.
    """

    query: str | None = None
    page: int | None = None
    page_size: int | None = None
    sort: str | None = None
    genre_group: tuple[str, ...] | None = None
    not_genre_group: tuple[str, ...] | None = None
    genre: tuple[str, ...] | None = None
    not_genre: tuple[str, ...] | None = None
    mood: tuple[str, ...] | None = None
    not_mood: tuple[str, ...] | None = None
    instrument: tuple[str, ...] | None = None
    not_instrument: tuple[str, ...] | None = None
    purpose: tuple[str, ...] | None = None
    not_purpose: tuple[str, ...] | None = None
    min_duration: float | None = None
    max_duration: float | None = None
