"""Which routes answer a request, and counting each answer once.

A request goes to the API routes (``/pictoryapis/...``), to the admin routes
(``/_emulator/``, never counted as traffic) or to the CDN routes (media files and share
pages); any other path is a 404. A reply is counted in ``Stats.requests`` once it is
decided, or in ``Stats.dropped_requests`` if its connection is dropped. The ASGI
adapter only waits and sends, so the same logic serves in-process tests and the
loopback server.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._admin import AdminRoutes
from ._api import API_PREFIXES, ApiRoutes
from ._cdn import CDN_PREFIXES, CdnRoutes
from ._clock import Sleep
from ._reply import Reply
from ._state import ADMIN_PREFIX, State
from ._stats import Stats
from ._wire import NOT_FOUND

__all__ = ["Dispatcher"]


class Dispatcher:
    """The serving half of the emulator: what the ASGI adapter calls (``Emulator`` is one).

    Attributes:
        stats: The counters every reply is counted in.
        sleep: The async sleep the adapter waits with (latency, slow downloads).
    """

    __slots__ = ("_admin", "_api", "_cdn", "sleep", "stats")

    def __init__(self, state: State, admin: AdminRoutes | None, sleep: Sleep) -> None:
        """Serve ``state`` through its API and CDN routes, and ``admin`` if given."""
        self._api = ApiRoutes(state)
        self._cdn = CdnRoutes(state)
        self._admin = admin
        self.stats: Stats = state.stats
        self.sleep: Sleep = sleep

    def handle(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> Reply:
        """Decide the answer to one request, apply its effect, and count it once.

        Args:
            method: The HTTP method, upper case.
            path: The decoded path.
            query: The raw query string.
            headers: Header pairs with lower-case names, as in an ASGI scope.
            body: The request body (read for admin routes and API writes).
        """
        if path.startswith(API_PREFIXES):
            reply = self._api.handle(method, path, query, headers, body)
        elif path.startswith(ADMIN_PREFIX) and self._admin is not None:
            return self._admin.handle(method, path, body)
        elif path.startswith(CDN_PREFIXES):
            reply = self._cdn.handle(method, path, headers)
        else:
            reply = Reply.answer("other", 404, NOT_FOUND)
        if reply.route is None:
            return reply
        if reply.drop:
            self.stats.add_dropped(method, reply.route)
        else:
            self.stats.add(method, reply.route, reply.status)
        return reply

    def finished(self, reply: Reply) -> None:
        """Note that ``reply`` has been sent (or dropped): it frees an in-flight slot."""
        self._api.finished(reply)
