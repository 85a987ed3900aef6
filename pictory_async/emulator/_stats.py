"""Counters that tests and benchmarks read: what the emulator saw and what it did."""

from __future__ import annotations

from collections import deque
from typing import Any

import attrs

__all__ = ["CdnRequest", "Stats"]

_CDN_LOG_SIZE = 1000


@attrs.frozen(kw_only=True)
class CdnRequest:
    """One request seen on a CDN route, with every header it carried.

    Attributes:
        method: The HTTP method.
        path: The request path.
        headers: Header names (lower case) to values, as received.
    """

    method: str
    path: str
    headers: dict[str, str]


class Stats:
    """Counters since the emulator started or was last reset.

    Attributes:
        requests: Count per ``(method, route, status)``; routes are the API's (``list``,
            ``get``, ``update``, ``delete``, ``render``, ``job``, ``jobs``, ``clean``,
            ``quota``, ``storyboard``, ``transcription``, ``brands``, ...: see
            ``_api.route_of``), the CDN's (``media``, ``share``, ``preview``) and ``other``.
            Each answered request is counted once (a dropped connection is not: it
            counts in ``dropped_requests``).
        dropped_requests: Count per ``(method, route)`` of the requests whose connection
            was closed unanswered (by a ``drop`` or ``drop_after_apply`` fault).
        rate_limited: 429s sent by the rate limiter or by a scripted fault.
        deletes_applied: DELETEs that removed a project (including lost responses).
        errors_injected: 500/502/503 answers made up by fault injection.
        dropped: Connections closed before the request was applied.
        dropped_after_apply: Connections closed after the request was applied.
        truncated_downloads: CDN downloads cut off on purpose.
        in_flight: Requests being served now.
        peak_concurrency: The most requests served at once.
        cdn_requests: The last 1,000 CDN requests, with their headers.
        jobs_created: Jobs made by API requests, per route (``storyboard_render``,
            ``from_template``, ``transcription``, ...), lost answers included.
    """

    __slots__ = (
        "cdn_requests",
        "deletes_applied",
        "dropped",
        "dropped_after_apply",
        "dropped_requests",
        "errors_injected",
        "in_flight",
        "jobs_created",
        "peak_concurrency",
        "rate_limited",
        "requests",
        "truncated_downloads",
    )

    def __init__(self) -> None:
        """Start every counter at zero."""
        self._zero()
        self.in_flight = 0

    def _zero(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.rate_limited = 0
        self.deletes_applied = 0
        self.errors_injected = 0
        self.dropped = 0
        self.dropped_after_apply = 0
        self.dropped_requests: dict[tuple[str, str], int] = {}
        self.truncated_downloads = 0
        self.peak_concurrency = 0
        self.cdn_requests: deque[CdnRequest] = deque(maxlen=_CDN_LOG_SIZE)
        self.jobs_created: dict[str, int] = {}

    def reset(self) -> None:
        """Zero every counter (``in_flight`` keeps counting requests still being served)."""
        self._zero()

    def add(self, method: str, route: str, status: int) -> None:
        """Count one answered request (once its reply is decided)."""
        key = (method, route, status)
        requests = self.requests
        requests[key] = requests.get(key, 0) + 1

    def add_dropped(self, method: str, route: str) -> None:
        """Count one request whose connection was closed unanswered."""
        key = (method, route)
        self.dropped_requests[key] = self.dropped_requests.get(key, 0) + 1

    def count_dropped(self, *, method: str | None = None, route: str | None = None) -> int:
        """Requests dropped unanswered that match every criterion given."""
        return sum(
            n
            for (m, r), n in self.dropped_requests.items()
            if (method is None or m == method) and (route is None or r == route)
        )

    @property
    def total(self) -> int:
        """Requests answered (dropped connections not included)."""
        return sum(self.requests.values())

    def count(
        self, *, method: str | None = None, route: str | None = None, status: int | None = None
    ) -> int:
        """Requests answered that match every criterion given."""
        return sum(
            n
            for (m, r, s), n in self.requests.items()
            if (method is None or m == method)
            and (route is None or r == route)
            and (status is None or s == status)
        )

    @property
    def cdn_authorization_seen(self) -> bool:
        """Whether any CDN request carried an ``Authorization`` header."""
        return any("authorization" in request.headers for request in self.cdn_requests)

    def to_dict(self) -> dict[str, Any]:
        """The counters as plain JSON-able values."""
        by_method_status: dict[str, int] = {}
        by_route: dict[str, int] = {}
        for (method, route, status), n in self.requests.items():
            key = f"{method} {status}"
            by_method_status[key] = by_method_status.get(key, 0) + n
            by_route[route] = by_route.get(route, 0) + n
        return {
            "total": self.total,
            "requests": [
                {"method": m, "route": r, "status": s, "count": n}
                for (m, r, s), n in sorted(self.requests.items())
            ],
            "by_method_status": by_method_status,
            "by_route": by_route,
            "rate_limited": self.rate_limited,
            "deletes_applied": self.deletes_applied,
            "errors_injected": self.errors_injected,
            "dropped": self.dropped,
            "dropped_after_apply": self.dropped_after_apply,
            "dropped_requests": [
                {"method": m, "route": r, "count": n}
                for (m, r), n in sorted(self.dropped_requests.items())
            ],
            "truncated_downloads": self.truncated_downloads,
            "in_flight": self.in_flight,
            "peak_concurrency": self.peak_concurrency,
            "cdn_authorization_seen": self.cdn_authorization_seen,
            "cdn_requests": [attrs.asdict(request) for request in self.cdn_requests],
            "jobs_created": dict(sorted(self.jobs_created.items())),
        }
