"""The client's options, checked before any request: each invalid one a clear error.

``resolve_*`` turn what a user passed (or the environment holds: ``PICTORY_API_KEY``,
``PICTORY_BASE_URL``) into the value the client keeps, or raise ``InvalidInputError``
(``MissingAPIKeyError`` without a key). The API key is kept in a ``Secret``, whose
``repr`` and ``str`` never show it; a message never echoes a URL that may hold a
password.
"""

from __future__ import annotations

import os
import urllib.parse
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from ._exceptions import InvalidInputError, MissingAPIKeyError
from ._types import Duration, NotGiven
from ._version import __version__

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "Secret",
    "resolve_base_url",
    "resolve_count",
    "resolve_key",
    "resolve_retry_time",
    "resolve_timeout",
    "resolve_user_agent",
    "to_seconds",
]

DEFAULT_BASE_URL = "https://api.pictory.ai"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0


class Secret:
    """Holds the API key; its ``repr`` and ``str`` never show it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__


def resolve_key(api_key: str | None) -> Secret:
    """The API key: ``api_key``, else ``PICTORY_API_KEY``; printable ASCII, no spaces."""
    key: object = api_key if api_key is not None else os.environ.get("PICTORY_API_KEY")
    if key is not None and not isinstance(key, str):
        raise InvalidInputError(f"api_key must be a str, not {type(key).__name__}")
    if key is None or not key.strip():
        raise MissingAPIKeyError(
            "no API key: pass api_key=... or set the PICTORY_API_KEY environment variable"
        )
    if not key.isascii() or not key.isprintable() or any(char.isspace() for char in key):
        raise InvalidInputError(
            "api_key must be printable ASCII without spaces (was it pasted with a smart "
            "quote or a line break?)"
        )
    return Secret(key)


def resolve_user_agent(user_agent: str | None) -> str:
    """``user_agent``, else ``pictory-async/<version> python-httpx/<version>``."""
    if user_agent is None:
        return f"pictory-async/{__version__} python-httpx/{httpx.__version__}"
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise InvalidInputError("user_agent must be a non-empty str")
    if not user_agent.isascii() or not user_agent.isprintable():
        raise InvalidInputError("user_agent must be printable ASCII")
    return user_agent


def resolve_base_url(base_url: str | None) -> str:
    """The API's base URL: ``base_url``, else ``PICTORY_BASE_URL``, else Pictory's.

    Both ``httpx`` and ``urllib.parse`` must read it the same way: an http(s) URL with a
    host and no ``user:password@``. A message never shows a URL that may hold one.
    """
    url = base_url or os.environ.get("PICTORY_BASE_URL") or DEFAULT_BASE_URL
    if not isinstance(url, str):
        raise InvalidInputError(f"base_url must be a str, not {type(url).__name__}")
    try:
        split = urllib.parse.urlsplit(url)
        _ = split.port  # reading it checks the port
        parsed = httpx.URL(url)
    except (ValueError, TypeError, httpx.InvalidURL):  # InvalidURL is no ValueError
        # Without an "@" there is no password to hide.
        shown = " (not shown: it may hold credentials)" if "@" in url else f": {url!r}"
        raise InvalidInputError(f"base_url is not a valid URL{shown}") from None
    if parsed.userinfo or "@" in split.netloc:  # never echo it: it holds a password
        raise InvalidInputError(
            "base_url must not contain credentials (user:password@); the API key is the "
            "only credential sent"
        )
    if parsed.scheme not in ("http", "https") or not parsed.host or not split.hostname:
        raise InvalidInputError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parsed.query or parsed.fragment:
        raise InvalidInputError(f"base_url must not have a query or fragment, got {url!r}")
    return str(parsed).rstrip("/")


def resolve_timeout(
    timeout: Duration | NotGiven | None, *, own_client: bool
) -> tuple[float | None, httpx.Timeout | UseClientDefault]:
    """``(total seconds per attempt, the httpx timeout)`` for a ``timeout`` option."""
    if isinstance(timeout, NotGiven):
        if not own_client:
            return None, httpx.USE_CLIENT_DEFAULT  # the user's client decides
        timeout = DEFAULT_TIMEOUT
    if timeout is None:
        return None, httpx.Timeout(None)
    seconds = to_seconds(timeout, name="timeout")
    if seconds == 0:
        raise InvalidInputError("timeout must be > 0, or None for no timeout")
    return seconds, httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def resolve_count(value: object, *, name: str, minimum: int) -> int:
    """``value`` as an ``int`` of at least ``minimum`` (no ``bool``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name} must be an int >= {minimum}, got {value!r}")
    number = int.__int__(value)
    if number < minimum:
        raise InvalidInputError(f"{name} must be an int >= {minimum}, got {number}")
    return number


def resolve_retry_time(value: Duration | None) -> float | None:
    """``max_retry_time`` in seconds, ``None`` for no budget."""
    return None if value is None else to_seconds(value, name="max_retry_time")


def to_seconds(value: Duration, *, name: str) -> float:
    """Turn a ``float | timedelta`` option into non-negative seconds.

    Raises:
        InvalidInputError: The value is negative, not finite, or not a duration.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise InvalidInputError(
            f"{name} must be seconds or a timedelta, not {type(value).__name__}"
        )
    if not seconds >= 0 or seconds == float("inf"):
        raise InvalidInputError(f"{name} must be a finite duration >= 0, got {value!r}")
    return seconds
