"""The look-up routes and the AI credit ledger: synchronous answers, no job.

Each handler takes ``(account, ident, query, body, delay)``, as the API routes' do; the
catalogues themselves come from ``_lookups``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from ._credits import month_ledger
from ._lookups import (
    avatars,
    media_search,
    music_catalogue,
    music_search,
    smart_layouts,
    styles,
    voices,
)
from ._reply import Reply
from ._state import Handler, Routes
from ._validate import InvalidBodyError, parse_object
from ._wire import NOT_FOUND, dumps

__all__ = ["LookupRoutes"]


class LookupRoutes(Routes):
    """Brands, voices, stock media, music, avatars, styles, smart layouts, templates, credits."""

    __slots__ = ()

    def handlers(self) -> dict[str, Handler]:
        """Route name to handler."""
        return {
            "brands": self._brands,
            "voices": _constant(voices()),
            "avatars": _constant(avatars()),
            "styles": _constant(styles()),
            "smart_layouts": _constant(smart_layouts()),
            "templates": self._templates,
            "media_search": self._media_search,
            "music_search": self._music_search,
            "music": self._music,
            "ai_credits": self._ai_credits,
        }

    def _media_search(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        params = dict(parse_qsl(query.decode("latin-1"))) if query else {}
        if not params.get("keyword", "").strip():
            raise InvalidBodyError([("keyword", "is required")])
        found = media_search(
            params["keyword"], params.get("category") or None, params.get("language") or "en"
        )
        return Reply.answer("media_search", 200, dumps(found), delay)

    def _music_search(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = parse_object(body) if body.strip() else {}
        return Reply.answer("music_search", 200, dumps(music_search(request)), delay)

    def _music(self, account: str, name: str, query: bytes, body: bytes, delay: float) -> Reply:
        values = music_catalogue(name)
        if values is None:  # pragma: no cover - the route table only has known names
            return Reply.answer("music", 404, NOT_FOUND, delay)
        return Reply.answer("music", 200, dumps(values), delay)

    def _brands(self, account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        return Reply.answer("brands", 200, dumps(self._state.brands[account]), delay)

    def _templates(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        listed = list(self._state.templates.values())
        return Reply.answer("templates", 200, dumps(listed), delay)

    def _ai_credits(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        ledger = month_ledger(self._state, account, query)
        return Reply.answer("ai_credits", 200, dumps(ledger), delay)


def _constant(value: object) -> Handler:
    """A handler that answers the same JSON every time (encoded once)."""
    encoded = dumps(value)

    def handler(account: str, ident: str, query: bytes, body: bytes, delay: float) -> Reply:
        return Reply.answer(None, 200, encoded, delay)

    return handler
