"""What a resource needs of the client, as a protocol: resources never import the client.

``AsyncPictory`` builds its resources with itself (``_bind_resources``); a resource sees
it only through ``Client``: one door for API requests (``_request``, which builds the
request and runs it through the pipeline), the pipeline itself for CDN downloads, the
clock and sleep a wait uses, a copy with other options, and the pool's state a bulk run
reads. So the import graph runs one way, client -> resources.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .._render_wait import JobReader
from .._types import Clock, Sleep

if TYPE_CHECKING:
    from .._pipeline import Pipeline, Received

__all__ = ["Client"]


class Client(Protocol):
    """The client, as its resources use it."""

    @property
    def max_connections(self) -> int:
        """The size of the connection pool (a bulk run's ceiling)."""
        ...

    @property
    def is_closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        ...

    @property
    def jobs(self) -> JobReader:
        """``client.jobs``, which a render wait follows."""
        ...

    @property
    def _pipeline(self) -> Pipeline: ...

    @property
    def _clock(self) -> Clock: ...

    @property
    def _sleep(self) -> Sleep: ...

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = ...,
        ok_statuses: frozenset[int] = ...,
        idempotent: bool = ...,
    ) -> Coroutine[Any, Any, Received]: ...

    def with_options(self, *, max_retries: int = ...) -> Client:
        """A client sharing this one's pool, with other options."""
        ...
