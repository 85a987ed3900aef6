"""Per-call options: what one method call may change of its request and its client.

Every method that sends a request takes them as keywords, as the official OpenAI and
Anthropic SDKs do::

    await client.projects.get(project_id, timeout=5, extra_headers={"X-Trace": "1"})

``timeout`` and ``max_retries`` pick a variant of the client (``with_options``, cached);
``extra_headers``, ``extra_query`` and ``extra_body`` are merged into the request, the
caller's values winning. All are checked here, before anything is sent: an unknown name
is a ``TypeError`` (as for any keyword argument), a bad value an ``InvalidInputError``.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Mapping
from typing import Any, Final, TypedDict

import attrs

from ._converter import request_body
from ._exceptions import InvalidInputError
from ._types import NOT_GIVEN, Duration, NotGiven

__all__ = ["CallOptions", "RequestOptions", "encode_json", "resolve_call_options", "string_mapping"]


class RequestOptions(TypedDict, total=False):
    """The per-call options every request-sending method accepts as keywords.

    Attributes:
        timeout: Seconds (or a ``timedelta``) each attempt of this call may take; ``None``
            for no limit. Not given: the client's.
        max_retries: Retries for this call after a transient failure.
        extra_headers: Headers to add (or replace) on this call's request.
        extra_query: Query parameters to add (or replace).
        extra_body: Fields to add (or replace) in this call's JSON body, for fields
            this library does not model yet; only for calls that send a JSON object.
    """

    timeout: Duration | None
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str | int | float]
    extra_body: Mapping[str, Any]


_NAMES: Final = frozenset(RequestOptions.__annotations__)
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""A header name (RFC 9110 ``token``)."""
_VALUE: Final = re.compile(r"[\x20-\x7e\t]*")
"""A header value we send: visible ASCII, spaces and tabs (no CR/LF: no injected lines)."""
_FRAMING: Final = frozenset({"host", "content-length", "transfer-encoding", "connection"})
"""Headers the client sets from the request itself; a call cannot replace them."""


@attrs.frozen
class CallOptions:
    """``RequestOptions``, checked. ``NOT_GIVEN``/``None`` for what the call leaves alone."""

    timeout: Duration | NotGiven | None = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, str] | None = None
    extra_body: Mapping[str, Any] | None = None

    @property
    def changes_client(self) -> bool:
        """Whether the call needs a client variant (another timeout or retry count)."""
        return not (isinstance(self.timeout, NotGiven) and isinstance(self.max_retries, NotGiven))


def string_mapping(value: object, *, name: str) -> dict[str, str]:
    """``value`` as names to strings (numbers written out): headers or query parameters.

    Raises:
        InvalidInputError: Not a mapping, a name that is not a non-empty string, or a
            value that is not a string or a number.
    """
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{name} must be a mapping, got {type(value).__name__}")
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidInputError(f"{name} keys must be non-empty strings, got {key!r}")
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise InvalidInputError(
                f"{name}[{key!r}] must be a string or a number, got {type(item).__name__}"
            )
        result[key] = item if isinstance(item, str) else str(item)
    return result


def _headers(value: object) -> dict[str, str]:
    headers = string_mapping(value, name="extra_headers")
    for name, item in headers.items():
        if not _TOKEN.fullmatch(name):
            raise InvalidInputError(f"extra_headers: {name[:40]!r} is not a header name")
        if name.lower() in _FRAMING:
            raise InvalidInputError(
                f"extra_headers: {name} is set by the client from the request itself"
            )
        if not _VALUE.fullmatch(item):
            raise InvalidInputError(
                f"extra_headers[{name!r}]: a header value may hold only visible ASCII "
                "characters, spaces and tabs (no line breaks)"
            )
    return headers


def resolve_call_options(options: Mapping[str, object]) -> CallOptions:
    """Check a method's per-call keywords.

    Raises:
        TypeError: An unknown option name (a typo), as Python raises for any keyword.
        InvalidInputError: An option's value is unusable.
    """
    unknown = sorted(set(options) - _NAMES)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r}; per-call options are "
            + ", ".join(sorted(_NAMES))
        )
    timeout = options.get("timeout", NOT_GIVEN)
    max_retries = options.get("max_retries", NOT_GIVEN)
    headers = options.get("extra_headers")
    query = options.get("extra_query")
    body = options.get("extra_body")
    if body is not None:
        if not isinstance(body, Mapping) or not all(isinstance(key, str) for key in body):
            raise InvalidInputError("extra_body must be a mapping with string keys")
        body = dict(body)
    return CallOptions(
        timeout=timeout,  # type: ignore[arg-type]  # checked by resolve_timeout later
        max_retries=max_retries,  # type: ignore[arg-type]  # checked by resolve_count
        extra_headers=None if headers is None else _headers(headers),
        extra_query=None if query is None else string_mapping(query, name="extra_query"),
        extra_body=body,
    )


def encode_json(body: object, extra: Mapping[str, Any] | None = None) -> bytes:
    """A JSON request body: ``body`` plus ``extra``, encoded.

    An attrs body is written in its wire names, ``None`` fields left out.

    Compact, UTF-8, and strict: ``NaN`` and infinities, which JSON has no words for, are
    refused rather than sent as invalid JSON.

    Raises:
        InvalidInputError: The body cannot be JSON, or ``extra`` is given for a body that
            is not a JSON object.
    """
    if attrs.has(type(body)):
        body = request_body(body)
    if extra:
        if not isinstance(body, Mapping):
            raise InvalidInputError(
                "extra_body needs a request whose body is a JSON object, "
                f"not {'no body' if body is None else type(body).__name__}"
            )
        body = {**body, **extra}
    try:
        text = _json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInputError(f"the request body is not JSON: {exc}") from None
    return text.encode("utf-8")
