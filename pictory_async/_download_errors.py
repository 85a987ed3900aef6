"""The one error a download ends with: an ``AssetDownloadError`` with no secret in it.

Every failure of a download becomes one (``final_error`` for the policy's last failure,
``unwritable`` for a destination that cannot be written, ``refused`` for a URL the
transport or httpx cannot send, ``unusable``/``redirect_target`` for URLs nothing is
downloaded from). A signed CDN URL's query is a credential: every error raised for a
CDN request has the secrets of every URL it visited cut out (``redact_error``) before
the retry policy logs it or a caller sees it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import httpx

from ._exceptions import APIError, APIStatusError, AssetDownloadError, PictoryError
from ._redact import redact_url, redacted_request, scrub, secrets_of

if TYPE_CHECKING:
    from ._retry import RetryPolicy

__all__ = [
    "final_error",
    "redact_error",
    "redirect_target",
    "refused",
    "unusable",
    "unwritable",
]

_BAD_LOCATION = "Invalid URL in location header: "  # httpx's words for a bad Location


def refused(
    request: httpx.Request, kind: str, attempts: int, exc: Exception
) -> AssetDownloadError | None:
    """Our error for a request that cannot be sent because of its URL, else ``None``.

    A URL the transport refuses to send (aiohttp's ``ValueError`` for what it cannot
    parse), or a ``Location`` that httpx cannot make a URL of (``InvalidURL``, from
    ``send`` itself), is ours to report; everything else is mapped as for API calls.
    """
    reason = str(exc)
    if isinstance(exc, httpx.RemoteProtocolError) and reason.startswith(_BAD_LOCATION):
        # httpx reads the Location of every redirect, even one it does not follow:
        # the CDN's answer is wrong the same way each time, so no retry
        reason = reason[len(_BAD_LOCATION) :].rstrip(".")
        message = f"the CDN redirected to an invalid URL ({reason})"
    elif isinstance(exc, httpx.InvalidURL):
        message = f"the CDN redirected to an invalid URL ({exc})"
    elif isinstance(exc, ValueError):
        message = f"{redact_url(request.url)} cannot be requested ({exc})"
    else:
        return None
    return AssetDownloadError(f"{kind}: {message}", request=request, kind=kind, attempts=attempts)


def unusable(url: httpx.URL) -> str | None:
    """Why nothing can be downloaded from ``url`` (shown redacted), or ``None``."""
    if url.scheme not in ("http", "https"):
        return f"a {url.scheme or 'relative'}: URL, not an http(s) URL"
    if not url.host:
        return f"{redact_url(url)}, which has no host"
    if url.port is not None and not 0 < url.port < 65536:
        return f"{redact_url(url)}, whose port {url.port} is out of range"
    return None


def redirect_target(url: httpx.URL, location: str, kind: str, request: httpx.Request) -> httpx.URL:
    """Where a redirect from ``url`` to ``location`` leads (relative ones resolved).

    Raises:
        AssetDownloadError: ``location`` is not a URL, or leads where nothing is
            downloaded from (another scheme than http(s), no host, a port out of range).
    """
    problem: str | None
    try:
        target = url.join(location)
    except httpx.InvalidURL as exc:
        # httpx names the part it could not read: keep any query of it out
        reason = str(exc)
        query = location.partition("?")[2].partition("#")[0]
        problem = f"an invalid URL ({reason.replace(query, '…') if query else reason})"
    else:
        problem = unusable(target)
    if problem is not None:
        raise AssetDownloadError(
            f"{kind}: the CDN redirected to {problem}", request=request, kind=kind
        )
    return target


def final_error(exc: APIError, kind: str, attempts: int, policy: RetryPolicy) -> AssetDownloadError:
    """The ``AssetDownloadError`` for ``exc``, a download's last failure."""
    status_code: int | None = None
    message = exc.message
    if isinstance(exc, APIStatusError):
        status_code = exc.status_code
        message = f"{status_code} {message} from {redact_url(exc.request.url)}"
        if not policy.honours(exc.retry_after):
            message += (
                f" (the CDN asked to wait {exc.retry_after:g} s, more than "
                f"max_retry_after={policy.max_retry_after:g})"
            )
    return AssetDownloadError(
        f"{kind}: {message}",
        request=exc.request,
        kind=kind,
        status_code=status_code,
        attempts=attempts,
    )


def unwritable(
    kind: str, url: str | httpx.URL, directory: str | os.PathLike[str], exc: OSError
) -> AssetDownloadError:
    """The error for an asset that cannot be written into ``directory`` (``exc`` says why).

    A missing or read-only directory, a file where the directory should be, a full disk:
    the download failed as surely as a cut one.
    """
    try:
        request = httpx.Request("GET", url)
    except (httpx.InvalidURL, TypeError, ValueError):
        request = httpx.Request("GET", httpx.URL())
    return AssetDownloadError(
        f"{kind}: cannot write to {os.fspath(directory)} ({exc.strerror or exc})",
        request=request,
        kind=kind,
    )


def redact_error(exc: Exception, urls: Iterable[httpx.URL]) -> None:
    """``exc`` (raised for a CDN request) with the secrets of ``urls`` cut out.

    Its message and ``args``, and for our API errors the ``request`` they hold (and the
    response's), so that a log line or a retry's error shows no signed query.
    """
    if not isinstance(exc, PictoryError):
        return  # not a failure of ours (a bug): left as it is
    secrets = secrets_of(urls)
    exc.args = tuple(scrub(arg, secrets) if isinstance(arg, str) else arg for arg in exc.args)
    if isinstance(exc, APIError):
        exc.message = scrub(exc.message, secrets)
        exc.request = redacted_request(exc.request)
        if isinstance(exc, APIStatusError):
            exc.response.request = exc.request
