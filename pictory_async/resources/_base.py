"""What a resource needs of the client, as a protocol: resources never import the client.

``AsyncPictory`` builds its resources with itself (``_bind_resources``); a resource sees
it only through ``Client``: one door for API requests (``_request``, which builds the
request and runs it through the pipeline), the pipeline itself for CDN downloads, the
clock and sleep a wait uses, a copy with other options, and the pool's state a bulk run
reads. So the import graph runs one way, client -> resources.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .._raw import RawResponses
from .._render_wait import JobReader
from .._types import Clock, Sleep

if TYPE_CHECKING:
    from .._pipeline import Pipeline, Received

__all__ = ["Client", "Resource"]

R = TypeVar("R", bound="Resource")


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
        json: object = ...,
        ok_statuses: frozenset[int] = ...,
        idempotent: bool = ...,
        options: Mapping[str, Any] | None = ...,
    ) -> Coroutine[Any, Any, Received]: ...

    def with_options(self, *, max_retries: int = ...) -> Client:
        """A client sharing this one's pool, with other options."""
        ...


class Resource:
    """A group of endpoints (``client.projects``, ``client.videos``, ...).

    Args:
        client: The client whose pipeline the resource's requests go through.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def with_raw_response(self: R) -> RawResponses[R]:
        """This resource's methods, each returning a ``RawResponse``.

        The ``RawResponse`` has the status, headers, request id and ``.parse()`` for
        the value the method returns::

            raw = await client.projects.with_raw_response.get(project_id)
            print(raw.status_code, raw.request_id)
            project = raw.parse()
        """
        return RawResponses(self)
