"""The shared secret in a webhook URL: putting it in, checking it in constant time.

Pictory documents no signature on its webhook calls, so the one thing that tells our
receiver a delivery came through a URL we gave out is a secret we put in that URL: a
``token`` query parameter. It is compared with ``hmac.compare_digest`` (the time taken
does not tell how much of a guess was right). It is not the API key, which never goes
into a webhook URL.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._exceptions import InvalidInputError

__all__ = ["MIN_SECRET_LENGTH", "TOKEN_PARAM", "check_secret", "new_secret", "token_ok", "url_with"]

TOKEN_PARAM: Final = "token"  # noqa: S105 - a parameter's name, not a secret
"""The query parameter of the webhook URL that carries the secret."""

MIN_SECRET_LENGTH: Final = 16
"""The shortest secret accepted, in characters (``new_secret()`` makes 43)."""


def new_secret() -> str:
    """A fresh random secret for a webhook URL (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def check_secret(secret: object) -> str | None:
    """``secret`` if usable in a URL: ``None`` or a long enough printable string.

    Raises:
        InvalidInputError: Not a string, too short, or not URL-safe printable text.
    """
    if secret is None:
        return None
    if not isinstance(secret, str):
        raise InvalidInputError(f"secret must be a str, not {type(secret).__name__}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidInputError(
            f"secret must be at least {MIN_SECRET_LENGTH} characters (use new_secret())"
        )
    if not secret.isascii() or not secret.isprintable() or " " in secret:
        raise InvalidInputError("secret must be printable ASCII without spaces")
    return secret


def token_ok(secret: str | None, token: str | None) -> bool:
    """Whether a delivery's ``token`` matches ``secret`` (always, when there is none).

    Compared in constant time, as bytes (a non-ASCII guess compares unequal, not
    raising).
    """
    if secret is None:
        return True
    if token is None:
        return False
    return hmac.compare_digest(secret.encode(), token.encode("utf-8", "surrogatepass"))


def url_with(base_url: str, secret: str | None) -> str:
    """``base_url`` with ``secret`` as its ``token`` query parameter (other parameters kept).

    Raises:
        InvalidInputError: Not an absolute ``http(s)`` URL, or one that already has a
            ``token`` parameter.
    """
    if not isinstance(base_url, str):
        raise InvalidInputError(f"the webhook URL must be a str, not {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"the webhook URL must be an absolute http(s) URL: {base_url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == TOKEN_PARAM for name, _ in query):
        raise InvalidInputError(f"the webhook URL already has a {TOKEN_PARAM!r} parameter")
    if secret is not None:
        query.append((TOKEN_PARAM, secret))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
