"""The account's catalogues: templates, brands, voices, avatars, styles, smart layouts.

Each is one ``GET`` with no arguments (avatars take a page key) whose answer is a list,
read by ``_parse.read_items`` into a tuple of models. They change rarely: fetch once and
keep the result rather than asking before every video.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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


class Templates(Resource):
    """The account's video templates (``client.templates``)."""

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[Template, ...]:
        """List the account's templates (``GET /pictoryapis/v1/templates``).

        Args:
            **options: Per-call options (``timeout``, ``max_retries``, ``extra_headers``,
                ``extra_query``).

        Returns:
            Each ``Template``, in the order they were created. Only ``published`` ones
            that are not ``deprecated`` should make new videos.

        Raises:
            ResponseValidationError: The answer is not a list of templates.
        """
        received = await self._client._request("GET", TEMPLATES, options=options)
        return read_items(received.response, Template, aliases=(("templateId", "id"),))


class Brands(Resource):
    """The account's video brands (``client.brands``)."""

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[Brand, ...]:
        """List the account's video brands (``GET /pictoryapis/v1/brands/video``).

        Args:
            **options: Per-call options.

        Returns:
            Each ``Brand``: its ``id`` is a storyboard's ``brandId``, its ``name`` a
            ``brandName`` (give one of them, not both).

        Raises:
            ResponseValidationError: The answer is not a list of brands.
        """
        received = await self._client._request("GET", BRANDS, options=options)
        return read_items(received.response, Brand)


class Voices(Resource):
    """The AI voice-over voices (``client.voices``)."""

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[Voice, ...]:
        """List the AI voices (``GET /pictoryapis/v1/voiceovers/tracks``).

        Args:
            **options: Per-call options.

        Returns:
            Each ``Voice``; its ``name`` (or ``id``) is what a voice-over's
            ``aiVoices[].speaker`` takes.

        Raises:
            ResponseValidationError: The answer is not a list of voices.
        """
        received = await self._client._request("GET", VOICEOVER_TRACKS, options=options)
        return read_items(received.response, Voice)


class Avatars(Resource):
    """The AI avatars (``client.avatars``)."""

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
            ResponseValidationError: The answer is not a page of avatars.
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
                body=body,
            )
        return AvatarPage(items=items, next_page_key=next_key or None)


class Styles(Resource):
    """The saved text (subtitle) styles (``client.styles``)."""

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[Style, ...]:
        """List the saved text styles (``GET /pictoryapis/v1/styles``).

        Args:
            **options: Per-call options.

        Returns:
            Each ``Style``: its ``id`` is a storyboard's ``subtitleStyleId``, its
            ``name`` a ``subtitleStyleName`` (give one of them, not both).

        Raises:
            ResponseValidationError: The answer is not a list of styles.
        """
        received = await self._client._request("GET", STYLES, options=options)
        return read_items(received.response, Style)


class SmartLayouts(Resource):
    """The smart layouts (``client.smart_layouts``)."""

    async def list(self, **options: Unpack[RequestOptions]) -> tuple[SmartLayout, ...]:
        """List the smart layouts (``GET /pictoryapis/v1/smartlayouts``).

        Args:
            **options: Per-call options.

        Returns:
            Each ``SmartLayout``: its ``id`` is a storyboard's ``smartLayoutId``, its
            ``name`` a ``smartLayoutName``.

        Raises:
            ResponseValidationError: The answer is not a list of smart layouts.
        """
        received = await self._client._request("GET", SMART_LAYOUTS, options=options)
        return read_items(
            received.response,
            SmartLayout,
            aliases=(("templateId", "id"), ("templateName", "name")),
        )
