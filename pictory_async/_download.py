"""Media downloads from Pictory's CDN: streamed to disk, checked, never with the key.

Downloads go through the client's ``Pipeline`` as API calls do (one pool, one door that
event hooks, proxies and tracing see, one ``RetryPolicy``), with other arguments:

- **No key.** A CDN request is built without our ``Authorization`` and with any
  ``Authorization``/``Proxy-Authorization`` header the client itself carries removed
  (``Pipeline.cdn_request``); redirects are followed here, hop by hop (at most
  ``MAX_REDIRECTS``, http(s) only), so no hop can pick the key up, whatever host it
  points at.
- **Nothing half-written under the final name.** Bytes go to a temporary file in the
  destination directory (``_files``), which is renamed over the final name only when
  the size matches ``Content-Length`` (and the SHA-256 the CDN announces, when it
  does), after an ``fsync``, with the mode a new file gets under the process's umask.
- **A body must show its end.** Without ``Content-Length``, chunking or a checksum, a
  body ended by the connection closing cannot be told from a cut one: refused, for
  every kind.
- **Kept when unchanged.** Given the validators of the file already on disk, the
  request is conditional, and a ``304`` that confirms them keeps that file (see
  ``_conditional``); any other answer downloads the file again.
- **A cut is resumed.** A body cut mid-way is retried by the client's ``RetryPolicy``
  (the same rules as API calls); where the CDN allows ranges, the retry asks only for
  what is missing (``Range``, guarded by ``If-Range`` with the ETag), else it restarts.
  (What aiohttp had buffered at the moment of the cut is lost to it: the retry asks
  for those bytes again.) A ``Retry-After`` on a 429 or 503 is waited for as for API
  calls, up to the same ``max_retry_after``.
- **One error, no signed query in it.** Every failure, a full disk and a URL that
  cannot be requested included, is an ``AssetDownloadError``; a CDN URL is shown (in
  messages, logs, journals) only as ``_redact.redact_url`` renders it: no query (a
  signed URL's credential), no user info (``redact_error``).
- **Not paced, bounded per phase.** The API's throttle does not pace the CDN, another
  server; each phase (connecting, each read) is bounded by the client's timeout, not
  the whole download.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, overload

import httpx

from ._assets import MEDIA_KINDS, Asset
from ._conditional import Validators
from ._download_errors import (
    final_error,
    redact_error,
    redirect_target,
    refused,
    unusable,
    unwritable,
)
from ._exceptions import APIError, AssetDownloadError
from ._files import Partial, file_mode, fsync_dir

if TYPE_CHECKING:
    from ._pipeline import Pipeline

__all__ = ["MAX_REDIRECTS", "Downloader"]

MAX_REDIRECTS = 5
WRITE_BATCH = 1024 * 1024  # bytes gathered before one write (and hash) in a worker thread
_PRECONDITION_FAILED = frozenset({412})  # a conditional request's answer, not an error
_NONE = frozenset[int]()


def _expected_sha256(headers: httpx.Headers) -> str | None:
    value = headers.get("x-amz-checksum-sha256")
    if not value:
        return None
    try:
        return binascii.hexlify(base64.b64decode(value, validate=True)).decode()
    except (binascii.Error, ValueError):
        return None


class Downloader:
    """Downloads through a client's ``Pipeline``, with its retry policy and options.

    Raises (from ``download``):
        AssetDownloadError: For every failure: an error answer or a connection that
            failed after the retries (a ``Retry-After`` above ``max_retry_after`` is not
            waited for), a file that did not match its announced size or checksum, a
            URL or redirect that cannot be followed, a directory that cannot be written
            or a full disk (the ``OSError`` as ``__cause__``). The temporary file is gone.
        ClientClosedError: The client was closed during the download.
    """

    def __init__(self, pipeline: Pipeline, *, max_bytes: int) -> None:
        self._pipeline = pipeline
        self._max_bytes = max_bytes

    def _request(self, url: httpx.URL, partial: Partial) -> httpx.Request:
        headers = {"Accept-Encoding": "identity", "Accept": "*/*"}
        if partial.size and partial.ranges and partial.etag:
            # resumed only with a strong ETag to tie the rest to the same file: without
            # one, a CDN that swapped the file would hand back the rest of another one
            headers["Range"] = f"bytes={partial.size}-"
            headers["If-Range"] = partial.etag
        elif partial.condition is not None:
            headers.update(partial.condition.condition() or {})
        return self._pipeline.cdn_request(url, headers)

    @overload
    async def download(self, url: str, kind: str, path: Path) -> Asset: ...

    @overload
    async def download(
        self, url: str, kind: str, path: Path, *, unless: Validators
    ) -> Asset | None: ...

    async def download(
        self, url: str, kind: str, path: Path, *, unless: Validators | None = None
    ) -> Asset | None:
        """Download ``url`` to ``path`` (atomically), with retries.

        Args:
            url: The file's URL.
            kind: Its asset kind.
            path: Where it goes.
            unless: The validators of the file ``path`` holds: the request is made
                conditional on them (see ``_conditional``), and a ``304`` that confirms
                them leaves ``path`` as it is.

        Returns:
            The ``Asset``, or ``None`` when the CDN confirmed ``unless`` (nothing written).

        Raises:
            AssetDownloadError: The download failed for good, the file did not match
                its announced size or checksum, or it could not be written (see
                ``Downloader``).
        """
        try:
            start = httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            start = httpx.URL()
        if start.scheme not in ("http", "https") or not start.host:
            # the API's data, not the caller's mistake: a failed download like any other
            raise AssetDownloadError(
                f"{kind}: the {kind} URL is not an http(s) URL",
                request=httpx.Request("GET", start),
                kind=kind,
            )
        try:
            handle, temp_name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part", dir=path.parent
            )
        except OSError as exc:  # a missing or read-only directory: a failed download too
            raise unwritable(kind, start, path.parent, exc) from exc
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as file:
                partial = Partial(file, temp)
                partial.condition = unless if unless and unless.condition() else None
                final_url = await self._with_retries(start, kind, partial)
                if not partial.not_modified:
                    file.flush()
                    await asyncio.to_thread(os.fsync, file.fileno())
            if partial.not_modified:
                os.unlink(temp)
                return None
            self._check(partial, kind, final_url)
            os.chmod(temp, file_mode())  # mkstemp's 0600, whatever the umask: as open() would
            os.replace(temp, path)
            fsync_dir(path.parent)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            if isinstance(exc, OSError):  # a full disk at flush, fsync or rename time
                raise unwritable(kind, start, path.parent, exc) from exc
            raise
        served = Validators.from_headers(partial.headers or {})
        return Asset(
            kind=kind,
            path=path,
            size=partial.size,
            sha256=partial.hasher.hexdigest(),
            url=str(final_url),
            etag=served.etag,
            last_modified=served.last_modified,
        )

    def _check(self, partial: Partial, kind: str, url: httpx.URL) -> None:
        request = httpx.Request("GET", url)
        if partial.size == 0 and kind in MEDIA_KINDS:  # subtitles may be empty; media not
            raise AssetDownloadError(
                f"{kind}: the CDN sent an empty file", request=request, kind=kind
            )
        if partial.total is not None and partial.size != partial.total:
            raise AssetDownloadError(
                f"{kind}: got {partial.size} bytes, the CDN announced {partial.total}",
                request=request,
                kind=kind,
            )
        ended_by_close = partial.total is None and not partial.chunked
        if ended_by_close and partial.expected_sha256 is None:
            # a cut connection looks exactly like the end: nothing says the file is whole
            # (a cut subtitle is as lost as a cut video: every kind is refused)
            raise AssetDownloadError(
                f"{kind}: the CDN announced no size and ended the body by closing the "
                "connection, so a cut cannot be told from the end",
                request=request,
                kind=kind,
            )
        digest = partial.hasher.hexdigest()
        if partial.expected_sha256 is not None and digest != partial.expected_sha256:
            raise AssetDownloadError(
                f"{kind}: SHA-256 {digest} does not match the CDN's {partial.expected_sha256}",
                request=request,
                kind=kind,
            )

    async def _with_retries(self, url: httpx.URL, kind: str, partial: Partial) -> httpx.URL:
        """Attempts at ``url`` under the client's ``RetryPolicy``; a final failure is ours.

        The policy is the one API calls go through: the same failures retried, the
        same backoff, a ``Retry-After`` (seconds, ``retry-after-ms`` or an HTTP date)
        on a 429 or 503 waited for up to ``max_retry_after`` (above it: no retry), the
        same ``max_retry_time`` budget. Only the API's shared cool-down is left out:
        the CDN is another server, and this download waits for it alone.
        """
        pipeline = self._pipeline
        attempts = 0
        hops: list[httpx.URL] = [url]  # every URL asked: their queries stay out of errors

        async def attempt() -> httpx.URL:
            nonlocal attempts
            attempts += 1
            try:
                return await self._attempt(url, kind, partial, attempts, hops)
            except Exception as exc:  # logged by the policy as it is: no signed query
                redact_error(exc, hops)
                raise

        try:
            return await pipeline.retried(attempt, describe=f"GET {kind} from the CDN")
        except APIError as exc:
            error = (
                exc
                if isinstance(exc, AssetDownloadError)
                else final_error(exc, kind, attempts, pipeline.policy)
            )
        raise error  # outside the except block: the chain stays ours

    async def _attempt(
        self,
        url: httpx.URL,
        kind: str,
        partial: Partial,
        attempts: int,
        hops: list[httpx.URL],
    ) -> httpx.URL:
        """One attempt: follow redirects by hand, then stream into ``partial``.

        Each redirect's target is added to ``hops`` (their secrets are cut out of any
        error this raises).
        """
        problem = unusable(url)
        if problem is not None:  # e.g. a port out of range, which aiohttp would raise
            raise AssetDownloadError(
                f"{kind}: the {kind} URL is {problem}", request=httpx.Request("GET", url), kind=kind
            )
        pipeline = self._pipeline
        for _ in range(MAX_REDIRECTS + 1):
            request = self._request(url, partial)
            response = await pipeline.open(
                request,
                describe=_describe(request),
                attempts=attempts,
                ok_statuses=_PRECONDITION_FAILED if partial.condition is not None else _NONE,
                refused=functools.partial(refused, request, kind, attempts),
            )
            try:
                if partial.condition is not None and response.status_code in (304, 412):
                    if partial.unchanged(response):  # the file on disk is confirmed
                        return url
                    continue  # nothing proven: ask again, for the file itself
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    url = redirect_target(url, location, kind, request)
                    hops.append(url)
                    continue
                # 202, 204, or a 300, 304, 305 with nothing to follow: no file in it
                if response.status_code not in (200, 206):
                    raise AssetDownloadError(
                        f"{kind}: the CDN answered {response.status_code} "
                        f"{response.reason_phrase or ''}, not the file".rstrip(),
                        request=request,
                        kind=kind,
                        status_code=response.status_code,
                        attempts=attempts,
                    )
                if await self._stream(response, kind, partial, attempts):
                    return url
                # the CDN answered another range than asked: start over in this attempt
            finally:
                await response.aclose()
        raise AssetDownloadError(
            f"{kind}: more than {MAX_REDIRECTS} redirects", request=request, kind=kind
        )

    async def _stream(
        self, response: httpx.Response, kind: str, partial: Partial, attempts: int
    ) -> bool:
        """Write the body into ``partial``; ``False`` if it was not the range asked for."""
        headers = response.headers
        if response.status_code == 206:
            match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("content-range", ""))
            same_file = partial.size == 0 or headers.get("etag") == partial.etag
            if match is None or int(match.group(1)) != partial.size or not same_file:
                # another range than asked, or the rest of another version of the file
                # (a CDN that ignored If-Range): start over from the first byte
                partial.restart()
                partial.ranges = False  # don't trust its ranges again
                return False
            partial.total = int(match.group(3))
        else:
            partial.restart()
            partial.headers = headers  # its validators go into the manifest
            length = headers.get("content-length")
            partial.total = int(length) if length and length.isdigit() else None
            partial.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
            partial.ranges = headers.get("accept-ranges", "").lower() == "bytes"
            etag = headers.get("etag")
            partial.etag = etag if etag and not etag.startswith("W/") else None  # strong only
            partial.expected_sha256 = _expected_sha256(headers)
        if headers.get("content-type", "").lower().startswith("text/html"):
            # a proxy's or a login portal's page answered 200: backed up as the video,
            # it would stand in for it
            raise AssetDownloadError(
                f"{kind}: the CDN answered an HTML page, not the file",
                request=response.request,
                kind=kind,
            )
        if partial.total is not None and partial.total > self._max_bytes:
            raise AssetDownloadError(
                f"{kind}: {partial.total} bytes is more than the {self._max_bytes} allowed",
                request=response.request,
                kind=kind,
            )
        failure: Exception | None = None
        pending: list[bytes] = []  # written (and hashed) in a worker thread, a batch at a time
        size = 0
        try:
            async for chunk in _raw_chunks(response, kind):  # as it arrives: a cut keeps it
                if partial.size + size + len(chunk) > self._max_bytes:
                    raise AssetDownloadError(
                        f"{kind}: more than the {self._max_bytes} bytes allowed",
                        request=response.request,
                        kind=kind,
                    )
                pending.append(chunk)
                size += len(chunk)
                if size >= WRITE_BATCH:
                    await asyncio.to_thread(partial.write, b"".join(pending))
                    pending.clear()
                    size = 0
        except AssetDownloadError:
            raise
        except Exception as exc:  # cut mid-body: what came stays, to resume from
            # (a write's OSError, a full disk, is no transport failure: ``_failure``
            # hands it back as it is, it is not retried, and ``download`` reports it)
            failure = exc
        if pending:
            await asyncio.to_thread(partial.write, b"".join(pending))
        if failure is not None:
            request = response.request
            raise self._pipeline.failure(
                failure, request, describe=_describe(request), attempts=attempts
            )
        return True


def _describe(request: httpx.Request) -> str:
    """``GET /path?query`` (cut out of errors with the rest of the URL's secrets)."""
    return f"{request.method} {request.url.raw_path.decode('ascii')}"


async def _raw_chunks(response: httpx.Response, kind: str) -> AsyncIterator[bytes]:
    """The body as it arrives, or whole when something read it before us.

    A mock transport (respx's records every answer it gives) or a user's event hook that
    called ``aread()`` leaves the body read and its stream consumed: the bytes read
    are the body then. A stream consumed without being kept is an error of ours.
    """
    if not response.is_stream_consumed:
        async for chunk in response.aiter_raw():
            yield chunk
        return
    try:
        content = response.content
    except httpx.ResponseNotRead:
        raise AssetDownloadError(
            f"{kind}: the body was consumed before the download could read it "
            "(an event hook that streams responses?)",
            request=response.request,
            kind=kind,
        ) from None
    if content:
        yield content
