"""The account's catalogues: templates, brands, voices, avatars, styles, smart layouts.

Each is one ``GET`` with no arguments (avatars take a page key) whose answer is a list,
read by ``_parse`` into a tuple of models. They change rarely: fetch once and keep the
result rather than asking before every video.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ..._decode import decode_json
from ..._exceptions import InvalidInputError, ResponseValidationError
from ..._models.lookups import Avatar, AvatarPage, Brand, SmartLayout, Style, Template, Voice
from ..._paths import AVATARS, BRANDS, SMART_LAYOUTS, STYLES, TEMPLATES, VOICEOVER_TRACKS
from .._base import Resource
from ._parse import body_of, items_of, read_items, structure_items

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ..._call_options import RequestOptions

__all__ = ["Avatars", "Brands", "SmartLayouts", "Styles", "Templates", "Voices"]

T = TypeVar("T")


class _Catalogue(Resource, Generic[T]):
    """A catalogue listed by one ``GET``: its path, its model, the other names it tolerates."""

    _path: ClassVar[str]
    _model: ClassVar[type[Any]]
    _aliases: ClassVar[tuple[tuple[str, str], ...]] = ()

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[T, ...]:
        """Every item of the catalogue, in the API's order (one ``GET``).

        Args:
            **options: Per-call options (``timeout``, ``max_retries``, ``extra_headers``,
                ``extra_query``).

        Raises:
            ResponseValidationError: The answer is not a list of such items.
        """
        received = await self._client._request("GET", self._path, options=options)
        items: tuple[T, ...] = read_items(received.response, self._model, aliases=self._aliases)
        return items


class Templates(_Catalogue[Template]):
    """The account's video templates (``client.templates``, ``GET /v1/templates``).

    ``list()`` gives each ``Template`` in the order they were created; only ``published``
    ones that are not ``deprecated`` should make new videos.
    """

    _path = TEMPLATES
    _model = Template
    _aliases = (("templateId", "id"),)


class Brands(_Catalogue[Brand]):
    """The account's video brands (``client.brands``, ``GET /v1/brands/video``).

    ``list()`` gives each ``Brand``: its ``id`` is a storyboard's ``brandId``, its
    ``name`` a ``brandName`` (give one of them, not both).
    """

    _path = BRANDS
    _model = Brand


class Voices(_Catalogue[Voice]):
    """The AI voice-over voices (``client.voices``, ``GET /v1/voiceovers/tracks``).

    ``list()`` gives each ``Voice``; its ``name`` (or ``id``) is what a voice-over's
    ``aiVoices[].speaker`` takes.
    """

    _path = VOICEOVER_TRACKS
    _model = Voice


class Styles(_Catalogue[Style]):
    """The saved text (subtitle) styles (``client.styles``, ``GET /v1/styles``).

    ``list()`` gives each ``Style``: its ``id`` is a storyboard's ``subtitleStyleId``,
    its ``name`` a ``subtitleStyleName`` (give one of them, not both).
    """

    _path = STYLES
    _model = Style


class SmartLayouts(_Catalogue[SmartLayout]):
    """The smart layouts (``client.smart_layouts``, ``GET /v1/smartlayouts``).

    ``list()`` gives each ``SmartLayout``: its ``id`` is a storyboard's
    ``smartLayoutId``, its ``name`` a ``smartLayoutName``.
    """

    _path = SMART_LAYOUTS
    _model = SmartLayout
    _aliases = (("templateId", "id"), ("templateName", "name"))


class Avatars(Resource):
    """The AI avatars (``client.avatars``), a page at a time."""

    async def list(
        self, *, page_key: str | None = None, **options: Unpack[RequestOptions]
    ) -> AvatarPage:
        """Fetch one page of the AI avatars (``GET /pictoryapis/v1/avatars``).

        Args:
            page_key: The page to fetch: an ``AvatarPage.next_page_key`` (``None`` for
                the first page).
            **options: Per-call options.

        Returns:
            The ``AvatarPage``: each ``Avatar`` with its looks (a look's ``id`` is what a
            storyboard's ``avatar.avatarId`` takes), and the next page's key.

        Raises:
            InvalidInputError: ``page_key`` is not a non-empty string; nothing was sent.
            ResponseValidationError: The answer is not a page of avatars, or names the
                page just fetched as the next one.
        """
        if page_key is not None and (not isinstance(page_key, str) or not page_key):
            raise InvalidInputError("page_key must be a non-empty string")
        params = {"nextPageKey": page_key} if page_key is not None else None
        received = await self._client._request("GET", AVATARS, params=params, options=options)
        response = received.response
        payload = decode_json(response)
        items = structure_items(items_of(payload, response), Avatar, response, payload=payload)
        body = body_of(payload, response)
        next_key = body.get("nextPageKey") if isinstance(body, dict) else None
        if next_key is not None and (not isinstance(next_key, str) or next_key == page_key):
            raise ResponseValidationError(
                f"unexpected nextPageKey {next_key!r}: expected a new page key or null",
                response=response,
                body=payload,
            )
        return AvatarPage(items=items, next_page_key=next_key or None)
