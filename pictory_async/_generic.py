"""``client.get/post/put/delete``: any endpoint, through the same pipeline as the rest.

For endpoints this library does not model yet: the request is built and sent exactly as
a resource's is (the key, the throttle, retries, typed errors, per-call options,
``with_raw_response``), and the answer is handed back as decoded JSON or cast to a
type: an attrs model (the ``{"success": true, "data": ...}`` envelope unwrapped),
``httpx.Response``, ``bytes``, ``str``, or anything the converter can structure
(``dict[str, Any]``, ``list[int]``, ...).

The path is relative to the base URL and checked before anything is sent: it cannot
name another host (the key goes to the API only), carry a query (use ``params=``) or
climb out of the API with dot segments.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import quote, unquote

import attrs
import httpx

from ._call_options import string_mapping
from ._decode import decode_json, structure, unwrap_data
from ._exceptions import InvalidInputError
from ._types import NOT_GIVEN

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._call_options import RequestOptions
    from ._pipeline import Received

__all__ = ["GenericRequests", "cast_response", "check_path"]

T = TypeVar("T")
_SAFE = "/-._~%!$&'()*+,;=:@"
"""Characters kept as written in a path (RFC 3986 ``pchar`` and ``/``); others escaped."""


def check_path(path: object) -> str:
    """A path for ``client.get(...)``, percent-encoded where needed.

    Raises:
        InvalidInputError: Not a path under the base URL: no leading ``/``, a ``//``
            start, a query or fragment, a backslash or control character, or a ``.`` /
            ``..`` segment.
    """
    if not isinstance(path, str):
        raise InvalidInputError(f"path must be a str, not {type(path).__name__}")
    if not path.startswith("/") or path.startswith("//"):
        raise InvalidInputError(
            "path must start with a single '/' and is relative to base_url, e.g. "
            f"'/pictoryapis/v1/quota'; got {path[:80]!r}"
        )
    if any(char in "?#\\" or ord(char) < 0x21 or ord(char) == 0x7F for char in path):
        raise InvalidInputError(
            "path must not hold '?', '#', '\\', spaces or control characters (pass a query "
            f"as params=): {path[:80]!r}"
        )
    if any(unquote(segment) in (".", "..") for segment in path.split("/")):
        raise InvalidInputError(f"path must not hold '.' or '..' segments: {path[:80]!r}")
    return quote(path, safe=_SAFE)


def cast_response(response: httpx.Response, cast_to: Any) -> Any:
    """The answer as ``cast_to`` (``None``: the decoded JSON, or ``None`` for no body).

    Raises:
        ResponseValidationError: The body does not fit ``cast_to``.
    """
    if cast_to is httpx.Response:
        return response
    if cast_to is bytes:
        return response.content
    if cast_to is str:
        return response.text
    if cast_to is type(None):
        return None
    if cast_to is None:
        return decode_json(response) if response.content.strip() else None
    payload = decode_json(response)
    if isinstance(cast_to, type) and attrs.has(cast_to):
        payload = unwrap_data(payload, response)
    return structure(payload, cast_to, response)


class GenericRequests:
    """The client's ``get``/``post``/``put``/``delete`` (mixed into ``AsyncPictory``)."""

    if TYPE_CHECKING:

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

    async def _generic(
        self,
        method: str,
        path: str,
        *,
        params: object,
        json: object,
        cast_to: Any,
        idempotent: bool,
        options: Mapping[str, Any],
    ) -> Any:
        sent = self._request(
            method,
            check_path(path),
            params=None if params is None else string_mapping(params, name="params"),
            json=json,
            idempotent=idempotent,
            options=options,
        )
        return cast_response((await sent).response, cast_to)

    @overload
    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: type[T],
        **options: Unpack[RequestOptions],
    ) -> T: ...

    @overload
    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: None = None,
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """``GET`` any API path, e.g. ``await client.get("/pictoryapis/v1/styles")``.

        Args:
            path: The path under the base URL (starting with ``/``).
            params: Query parameters.
            cast_to: What to return: an attrs model (the ``data`` envelope unwrapped),
                ``httpx.Response``, ``bytes``, ``str``, or a type the converter
                structures (``dict[str, Any]``). Not given: the decoded JSON.
            **options: Per-call options (``timeout``, ``max_retries``,
                ``extra_headers``, ``extra_query``).

        Raises:
            InvalidInputError: A bad path, params or option; nothing was sent.
            APIStatusError: The API answered with an error status.
            ResponseValidationError: The body does not fit ``cast_to``.
        """
        return await self._generic(
            "GET",
            path,
            params=params,
            json=NOT_GIVEN,
            cast_to=cast_to,
            idempotent=True,
            options=options,
        )

    @overload
    async def post(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: type[T],
        idempotent: bool = False,
        **options: Unpack[RequestOptions],
    ) -> T: ...

    @overload
    async def post(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: None = None,
        idempotent: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    async def post(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: Any = None,
        idempotent: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """``POST`` to any API path; not resent once it may have been applied.

        A ``POST`` may start something (a video, a transcription) that costs credits, so
        by default it is retried only when no attempt can have reached the API (a 429, a
        refused connection); after an ambiguous failure the error's
        ``may_have_been_applied`` is true. Pass ``idempotent=True`` for a ``POST`` that
        only reads (a search) to retry it like a ``GET``.

        Args:
            path: The path under the base URL (starting with ``/``).
            json: The JSON body: a dict, a list, or an attrs request body.
            params: Query parameters.
            cast_to: What to return (see ``get``).
            idempotent: Whether the request is safe to send twice.
            **options: Per-call options (``extra_body`` merges into a JSON object).

        Raises:
            InvalidInputError: A bad path, body or option; nothing was sent.
            APIStatusError: The API answered with an error status.
            ResponseValidationError: The body does not fit ``cast_to``.
        """
        return await self._generic(
            "POST",
            path,
            params=params,
            json=json,
            cast_to=cast_to,
            idempotent=idempotent,
            options=options,
        )

    @overload
    async def put(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: type[T],
        **options: Unpack[RequestOptions],
    ) -> T: ...

    @overload
    async def put(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: None = None,
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    async def put(
        self,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """``PUT`` to any API path (idempotent: retried like a ``GET``).

        Args:
            path: The path under the base URL (starting with ``/``).
            json: The JSON body.
            params: Query parameters.
            cast_to: What to return (see ``get``).
            **options: Per-call options.

        Raises:
            InvalidInputError: A bad path, body or option; nothing was sent.
            APIStatusError: The API answered with an error status.
            ResponseValidationError: The body does not fit ``cast_to``.
        """
        return await self._generic(
            "PUT",
            path,
            params=params,
            json=json,
            cast_to=cast_to,
            idempotent=True,
            options=options,
        )

    @overload
    async def delete(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: type[T],
        **options: Unpack[RequestOptions],
    ) -> T: ...

    @overload
    async def delete(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: None = None,
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    async def delete(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        cast_to: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """``DELETE`` any API path (idempotent: retried like a ``GET``).

        Args:
            path: The path under the base URL (starting with ``/``).
            params: Query parameters.
            cast_to: What to return (see ``get``).
            **options: Per-call options.

        Raises:
            InvalidInputError: A bad path, params or option; nothing was sent.
            APIStatusError: The API answered with an error status.
            ResponseValidationError: The body does not fit ``cast_to``.
        """
        return await self._generic(
            "DELETE",
            path,
            params=params,
            json=NOT_GIVEN,
            cast_to=cast_to,
            idempotent=True,
            options=options,
        )
