"""How a request may be shown to people: no secret header, no signed query, no user info.

An error holds a copy of its request whose ``Authorization``, ``Proxy-Authorization``
and ``Cookie`` headers read ``[redacted]`` (``redact``).

A signed CDN URL's query is a credential for the file (``X-Amz-Signature=...``), as is
user info (``user:password@``). Every error message, log line and journal entry shows a
CDN URL as ``redact_url`` renders it; an error raised for a CDN request has the secrets
of every URL it visited cut out of its message, ``args`` and ``request``
(``_download_errors.redact_error``). Manifests and ``Asset.url`` keep the whole URL.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable

import httpx

__all__ = ["bare_url", "redact", "redact_url", "redacted_request", "scrub", "secrets_of"]

_MAX_URL_CHARS = 300  # of a URL shown in a message: a hostile API's megabyte URL is not
_REDACTED_QUERY = "?…"
_SECRET_CHARS = 8  # a secret this long is cut out wherever it appears, not only in a URL
_URL_SAFE = "/:[]@!$&'()*+,;=-._~%"  # left as they are when a URL is cut by hand
_SECRET_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie"})
REDACTED = b"[redacted]"


def redact(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` without secrets in its headers (``request`` if it has none)."""
    raw = request.headers.raw
    if not any(name.lower() in _SECRET_HEADERS for name, _ in raw):
        return request
    headers = [
        (name, REDACTED if name.lower() in _SECRET_HEADERS else value) for name, value in raw
    ]
    return httpx.Request(request.method, request.url, headers=headers, extensions={})


def redact_url(url: str | httpx.URL) -> str:
    """``url`` as it may be shown to people: scheme, host, port and path, no secrets.

    A signed CDN URL's query is a credential for the file (``X-Amz-Signature=...``),
    as is user info (``user:password@``): the query shows as ``?…``, user info and the
    fragment are dropped. Every error message, log line and journal entry shows a CDN
    URL this way; manifests and ``Asset.url`` keep it whole. Never raises: a URL that
    cannot be parsed is cut the same way by hand.
    """
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        shown = str(bare_url(parsed))
        queried = bool(parsed.query)
    except (httpx.InvalidURL, TypeError, ValueError):
        shown, queried = _cut_by_hand(str(url))
    if len(shown) > _MAX_URL_CHARS:
        shown = shown[: _MAX_URL_CHARS - 1] + "…"
    return shown + _REDACTED_QUERY if queried else shown


def bare_url(url: httpx.URL) -> httpx.URL:
    """``url`` without its query, fragment and user info."""
    if not (url.query or url.fragment or url.userinfo):
        return url
    return url.copy_with(query=None, fragment=None, userinfo=b"")


def _cut_by_hand(text: str) -> tuple[str, bool]:
    """``(url without user info, query and fragment, whether it had a query)``.

    For a URL ``httpx`` cannot parse. User info goes first (a password may hold a
    ``?``); what is left is percent-encoded where it is not printable ASCII.
    """
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    authority, slash, path = rest.partition("/")
    rest = authority.rpartition("@")[2] + slash + path
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    shown = scheme + separator + rest[:cut]
    return urllib.parse.quote(shown, safe=_URL_SAFE), rest[cut : cut + 1] == "?"


def secrets_of(urls: Iterable[httpx.URL]) -> list[tuple[str, str]]:
    """``(text, replacement)`` pairs that cut the query and user info of ``urls`` out.

    Each in the forms a message may hold it (as sent, percent-decoded), longest first.
    In context (``?query``, ``userinfo@``) always; alone, and each long value of the
    query alone (a signature an error body quotes), when long enough not to match by
    chance.
    """
    pairs: set[tuple[str, str]] = set()
    for url in urls:
        for raw, before, after, replacement in (
            (url.query, "?", "", _REDACTED_QUERY),
            (url.userinfo, "", "@", ""),
        ):
            text = raw.decode("ascii", "replace")
            if not text:
                continue
            for form in {text, urllib.parse.unquote(text), urllib.parse.unquote_plus(text)}:
                pairs.add((before + form + after, replacement))
                if len(form) >= _SECRET_CHARS:
                    pairs.add((form, "…"))
        values = urllib.parse.parse_qsl(url.query.decode("ascii", "replace"))
        for _, value in values:
            if len(value) >= _SECRET_CHARS:
                pairs |= {(value, "…"), (urllib.parse.quote(value, safe=""), "…")}
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def scrub(text: str, secrets: list[tuple[str, str]]) -> str:
    """``text`` with every secret of ``secrets`` replaced."""
    for secret, replacement in secrets:
        text = text.replace(secret, replacement)
    return text


def redacted_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` whose URL has no query, fragment or user info."""
    url = bare_url(request.url)
    if url is request.url:
        return request
    return httpx.Request(request.method, url, headers=request.headers, extensions={})
