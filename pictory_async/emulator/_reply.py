"""What to answer to one request: the ``Reply`` every route returns."""

from __future__ import annotations

from typing import Final

__all__ = ["HTML", "JSON", "Reply", "json_headers"]

JSON: Final = (b"content-type", b"application/json; charset=utf-8")
HTML: Final = (b"content-type", b"text/html; charset=utf-8")


def json_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """``Content-Type`` (JSON) and ``Content-Length`` of ``body``."""
    return [JSON, (b"content-length", b"%d" % len(body))]


class Reply:
    """What to answer to one request.

    Attributes:
        status: The HTTP status.
        headers: Response headers (lower-case names).
        body: The full body (for a range request, the requested part).
        delay: Seconds to wait before answering.
        drop: Close the connection instead of answering.
        route: The route it is counted under in ``Stats.requests`` (``list``, ``get``,
            ``media``, ...), or None for replies that are not traffic (admin routes).
        truncate_at: Close the connection after this many body bytes (-1: never).
        chunk_size: Send the body in chunks of this size (0: in one piece).
        chunk_delay: Seconds to wait between chunks.
        held: The API key whose in-flight slot this request holds until answered.
    """

    __slots__ = (
        "body",
        "chunk_delay",
        "chunk_size",
        "delay",
        "drop",
        "headers",
        "held",
        "route",
        "status",
        "truncate_at",
    )

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        delay: float = 0.0,
        drop: bool = False,
        route: str | None = None,
    ) -> None:
        """Answer ``status`` with ``headers`` and ``body`` after ``delay`` seconds."""
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.drop = drop
        self.route = route
        self.truncate_at = -1
        self.chunk_size = 0
        self.chunk_delay = 0.0
        self.held: bytes | None = None

    @classmethod
    def answer(
        cls,
        route: str | None,
        status: int,
        body: bytes,
        delay: float = 0.0,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> Reply:
        """A reply counted under ``route``, with JSON headers unless ``headers`` are given."""
        return cls(status, headers or json_headers(body), body, delay, route=route)

    @property
    def streamed(self) -> bool:
        """Whether the body goes out in paced or truncated chunks."""
        return self.chunk_size > 0 or self.truncate_at >= 0

    def __repr__(self) -> str:
        return f"Reply(status={self.status}, body={self.body[:60]!r}, drop={self.drop})"
