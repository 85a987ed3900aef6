"""Media downloads from Pictory's CDN: streamed to disk, checked, never with the key.

Downloads go through the same ``httpx.AsyncClient`` as API calls (one pool, one
pipeline that event hooks, proxies and tracing see), but are built apart from them:

- **No key.** A CDN request is built without our ``Authorization`` and with any
  ``Authorization``/``Proxy-Authorization`` header the client itself carries removed;
  redirects are followed here, hop by hop (at most ``MAX_REDIRECTS``, http(s) only), so
  no hop can pick the key up, whatever host it points at.
- **Nothing half-written under the final name.** Bytes go to a temporary file in the
  destination directory, which is renamed over the final name only when the size
  matches ``Content-Length`` (and the SHA-256 the CDN announces, when it does), after
  an ``fsync``.
- **A cut is resumed.** A body cut mid-way is retried by the client's ``RetryPolicy``
  (the same rules as API calls); where the CDN allows ranges, the retry asks only for
  what is missing (``Range``, guarded by ``If-Range`` with the ETag), else it restarts.
  (What aiohttp had buffered at the moment of the cut is lost to it: the retry asks
  for those bytes again.)
- **Safe names.** A file is named after the project id and the kind, reduced to
  characters that are safe on every filesystem, with a hash of the id when that
  changed it, so no project name or id can escape the directory or collide.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

import attrs
import httpx

from ._exceptions import APIError, APIStatusError, InvalidInputError, make_status_error
from ._transport import STREAM
from ._types import ProjectId

if TYPE_CHECKING:
    from ._client import AsyncPictory, _Call

__all__ = ["ASSET_KINDS", "Asset", "AssetDownloadError", "Downloader", "asset_filename"]

ASSET_KINDS: Final = ("video", "audio", "thumbnail", "srt", "vtt", "txt")
MEDIA_KINDS: Final = frozenset({"video", "audio", "thumbnail"})  # never empty
EXTENSIONS: Final = {
    "video": "mp4",
    "audio": "mp3",
    "thumbnail": "jpg",
    "srt": "srt",
    "vtt": "vtt",
    "txt": "txt",
}
MAX_REDIRECTS = 5
WRITE_BATCH = 1024 * 1024  # bytes gathered before one write (and hash) in a worker thread
DEFAULT_MAX_ASSET_BYTES = 20 * 1024**3
ERROR_BODY_BYTES = 64 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
_STRIPPED = (b"authorization", b"proxy-authorization")


class AssetDownloadError(APIError):
    """A media file could not be downloaded (or did not check out); nothing was renamed.

    Attributes:
        kind: The asset kind (``video``, ``srt``, ...).
        url: The URL it was fetched from (without its query string).
        status_code: The CDN's status, when the failure was an error answer.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        kind: str,
        status_code: int | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, request=request, attempts=attempts)
        self.kind = kind
        self.url = str(request.url.copy_with(query=None))
        self.status_code = status_code


@attrs.frozen(kw_only=True)
class Asset:
    """A media file downloaded and checked.

    Attributes:
        kind: ``video``, ``audio``, ``thumbnail``, ``srt``, ``vtt`` or ``txt``.
        path: Where it is on disk.
        size: Its size in bytes.
        sha256: The hex SHA-256 of its bytes, computed while streaming.
        url: The URL it was fetched from.
    """

    kind: str
    path: Path
    size: int
    sha256: str
    url: str


def asset_filename(project_id: ProjectId, kind: str) -> str:
    """A file name for one asset of one project, safe on every filesystem.

    ``<id>-<kind>.<ext>``, with the id reduced to ``[A-Za-z0-9._-]`` (at most 80
    characters, no leading or trailing dot) and a hash of the original id appended when
    that changed it or when it has capitals, so different ids never share a name, even
    on a filesystem that ignores case.
    """
    text = str.__str__(project_id) if isinstance(project_id, str) else str(int(project_id))
    # no leading dot (hidden) and no trailing one (Windows drops it: "a." would be "a")
    safe = _SAFE.sub("_", text)[:80].strip(".") or "project"
    if safe.split(".")[0].lower() in _RESERVED:  # CON, con.txt, ... on Windows
        safe = "_" + safe
    if safe != text or safe != safe.lower():
        # changed, or with capitals: "A" and "a" are one name on macOS and Windows
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        safe = f"{safe}~{digest}"
    return f"{safe}-{kind}.{EXTENSIONS[kind]}"


def _expected_sha256(headers: httpx.Headers) -> str | None:
    value = headers.get("x-amz-checksum-sha256")
    if not value:
        return None
    try:
        return binascii.hexlify(base64.b64decode(value, validate=True)).decode()
    except (binascii.Error, ValueError):
        return None


class _Partial:
    """The temporary file of one download and what is known of it so far."""

    def __init__(self, file: IO[bytes], path: Path) -> None:
        self.file = file
        self.path = path
        self.size = 0
        self.hasher = hashlib.sha256()
        self.total: int | None = None
        self.etag: str | None = None
        self.ranges = False
        self.expected_sha256: str | None = None
        self.chunked = False  # the body's end is marked (a last chunk), not its close

    def write(self, data: bytes) -> None:
        """Append ``data`` to the file and the hash (in a worker thread: both drop the GIL)."""
        self.file.write(data)
        self.hasher.update(data)
        self.size += len(data)

    def restart(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.size = 0
        self.hasher = hashlib.sha256()


class Downloader:
    """Downloads through ``client``'s pipeline, with its retry policy and options."""

    def __init__(self, client: AsyncPictory, *, max_bytes: int) -> None:
        self._client = client
        self._max_bytes = max_bytes

    def _request(self, url: httpx.URL, partial: _Partial) -> httpx.Request:
        headers = {"Accept-Encoding": "identity", "Accept": "*/*"}
        if partial.size and partial.ranges and partial.etag:
            # resumed only with a strong ETag to tie the rest to the same file: without
            # one, a CDN that swapped the file would hand back the rest of another one
            headers["Range"] = f"bytes={partial.size}-"
            headers["If-Range"] = partial.etag
        http = self._client.http_client
        # ask our transport to stream even a small body, so that a cut keeps what came
        # the client's timeout bounds each phase (connecting, each read): a whole-request
        # bound would fail a large file that is still arriving
        request = http.build_request(
            "GET",
            url,
            headers=headers,
            timeout=self._client._httpx_timeout,
            extensions={STREAM: True},
        )
        for name in _STRIPPED:  # the client's own defaults, if it has any
            if name.decode() in request.headers:
                del request.headers[name.decode()]
        return request

    async def download(self, url: str, kind: str, path: Path) -> Asset:
        """Download ``url`` to ``path`` (atomically), with retries.

        Raises:
            AssetDownloadError: The download failed for good, or the file did not match
                its announced size or checksum.
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
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=path.parent
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as file:
                partial = _Partial(file, temp)
                final_url = await self._with_retries(start, kind, partial)
                file.flush()
                await asyncio.to_thread(os.fsync, file.fileno())
            self._check(partial, kind, final_url)
            os.replace(temp, path)
            _fsync_dir(path.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        return Asset(
            kind=kind,
            path=path,
            size=partial.size,
            sha256=partial.hasher.hexdigest(),
            url=str(final_url),
        )

    def _check(self, partial: _Partial, kind: str, url: httpx.URL) -> None:
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
        if ended_by_close and partial.expected_sha256 is None and kind in MEDIA_KINDS:
            # a cut connection looks exactly like the end: nothing says the file is whole
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

    async def _with_retries(self, url: httpx.URL, kind: str, partial: _Partial) -> httpx.URL:
        client = self._client
        started = client._clock()
        attempts = 0

        async def attempt() -> httpx.URL:
            nonlocal attempts
            attempts += 1
            return await self._attempt(url, kind, partial, attempts)

        try:
            try:
                return await attempt()
            except Exception as exc:
                return await client._retry.after_failure(
                    attempt,
                    exc,
                    started=started,
                    describe=f"GET {kind} from the CDN",
                    shared_cooldown=False,  # the API's throttle does not pace the CDN
                )
        except APIError as exc:
            error: AssetDownloadError = (
                exc
                if isinstance(exc, AssetDownloadError)
                else AssetDownloadError(
                    f"{kind}: {exc.status_code} {exc.message}"
                    if isinstance(exc, APIStatusError)
                    else f"{kind}: {exc.message}",
                    request=exc.request,
                    kind=kind,
                    status_code=exc.status_code if isinstance(exc, APIStatusError) else None,
                    attempts=attempts,
                )
            )
        raise error  # outside the except block: the chain stays ours

    async def _attempt(
        self, url: httpx.URL, kind: str, partial: _Partial, attempts: int
    ) -> httpx.URL:
        """One attempt: follow redirects by hand, then stream into ``partial``."""
        from ._client import _Call

        http = self._client.http_client
        for _ in range(MAX_REDIRECTS + 1):
            request = self._request(url, partial)
            call = _Call(self._client, request, frozenset())
            call.attempts = attempts
            failure: Exception | None = None
            try:
                response = await http.send(request, stream=True, auth=None, follow_redirects=False)
            except Exception as exc:
                failure = exc
            if failure is not None:
                raise self._client._failure(failure, call)
            try:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    url = url.join(location)
                    if url.scheme not in ("http", "https"):
                        raise AssetDownloadError(
                            f"{kind}: the CDN redirected to a non-http URL",
                            request=request,
                            kind=kind,
                        )
                    continue
                if response.status_code >= 300:
                    response._content = await _read_some(response, ERROR_BODY_BYTES)
                    raise make_status_error(response, attempts=attempts)
                if response.status_code not in (200, 206):  # 202, 204: no file in it
                    raise AssetDownloadError(
                        f"{kind}: the CDN answered {response.status_code} "
                        f"{response.reason_phrase or ''}, not the file".rstrip(),
                        request=request,
                        kind=kind,
                        status_code=response.status_code,
                        attempts=attempts,
                    )
                if await self._stream(response, kind, partial, call):
                    return url
                # the CDN answered another range than asked: start over in this attempt
            finally:
                await response.aclose()
        raise AssetDownloadError(
            f"{kind}: more than {MAX_REDIRECTS} redirects", request=request, kind=kind
        )

    async def _stream(
        self, response: httpx.Response, kind: str, partial: _Partial, call: _Call
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
            async for chunk in response.aiter_raw():  # as it arrives: a cut keeps it
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
            failure = exc
        if pending:
            await asyncio.to_thread(partial.write, b"".join(pending))
        if failure is not None:
            raise self._client._failure(failure, call)
        return True


async def _read_some(response: httpx.Response, limit: int) -> bytes:
    """Up to ``limit`` bytes of an error answer's body (enough for its message)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except httpx.HTTPError:
        pass  # the status says what went wrong; the body was a courtesy
    return b"".join(chunks)[:limit]


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - filesystems without directory fsync
        pass
    finally:
        os.close(fd)


def check_kinds(kinds: Iterable[str] | None) -> list[str] | None:
    """``kinds`` as a list (``None``: every kind), checked before anything is fetched.

    Raises:
        InvalidInputError: A kind is not one of ``ASSET_KINDS``.
    """
    if kinds is None:
        return None
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [kind for kind in wanted if kind not in ASSET_KINDS]
    if unknown:
        raise InvalidInputError(f"unknown asset kinds {unknown}; known: {list(ASSET_KINDS)}")
    return wanted


def select_assets(assets: Mapping[str, str], kinds: Iterable[str] | None) -> dict[str, str]:
    """The assets to download: all the project has, or those of ``kinds``.

    Raises:
        InvalidInputError: A kind is not one of ``ASSET_KINDS``.
    """
    wanted = check_kinds(kinds)
    if wanted is None:
        return dict(assets)
    return {kind: url for kind, url in assets.items() if kind in wanted}
