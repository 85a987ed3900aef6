"""The CDN routes: media files (``/media/...``, ranges and all), share and preview pages.

The CDN is another origin than the API: it needs no key and logs every header it sees,
so tests can prove the API key never reaches it. Each file has validators, as a real
CDN's: a strong ``ETag`` (its SHA-256) and a ``Last-Modified`` (its render's time), both
new after each render; ``If-None-Match`` and ``If-Modified-Since`` get a ``304`` when the
file is unchanged, and a ``Range`` guarded by an ``If-Range`` that no longer holds gets
the whole file.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime

from ._media import ASSET_KINDS, CONTENT_TYPES, RENDERED_KINDS, asset_bytes, asset_sha256
from ._reply import HTML, Reply
from ._state import State
from ._stats import CdnRequest
from ._store import ProjectRecord
from ._wire import METHOD_NOT_ALLOWED, NOT_FOUND, media_urls

__all__ = ["CDN_PREFIXES", "CdnRoutes"]

CDN_PREFIXES = ("/media/", "/share/", "/preview/")
_MEDIA_CHUNK = 64 * 1024
_NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
    b"<Message>The specified key does not exist.</Message></Error>"
)
_VIDEO_NOT_FOUND = b"<!DOCTYPE html><html><head><title>Video not found</title></head></html>"


class CdnRoutes:
    """``/media/<asset key>/<kind>/<name>``, ``/share/<project id>/<token>``, ``/preview/<job>``."""

    __slots__ = ("_state",)

    def __init__(self, state: State) -> None:
        """Serve the media of the projects of ``state``."""
        self._state = state

    def handle(self, method: str, path: str, headers: Iterable[tuple[bytes, bytes]]) -> Reply:
        """Decide the answer to one CDN request."""
        state = self._state
        seen = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
        state.stats.cdn_requests.append(CdnRequest(method=method, path=path, headers=seen))
        route = path.split("/", 2)[1]
        if seen.get("host", "").encode() != state.cdn_host:
            return Reply.answer(route, 404, NOT_FOUND)
        if method not in ("GET", "HEAD"):
            return Reply.answer(route, 405, METHOD_NOT_ALLOWED)
        parts = path.split("/")
        if route == "share":
            return self._share(method, parts)
        if route == "preview":
            return self._preview(method, parts)
        mirror = state.faults.media_redirect
        if mirror is not None:
            location = mirror.rstrip("/") + path
            headers = [(b"location", location.encode()), (b"content-length", b"0")]
            return Reply.answer("media", 302, b"", 0.0, headers)
        return self._media(method, parts, seen)

    def _media(self, method: str, parts: list[str], seen: Mapping[str, str]) -> Reply:
        state = self._state
        record = None
        if len(parts) == 5:
            record = state.store.by_asset.get(parts[2]) or state.outputs.by_asset.get(parts[2])
        kind = parts[3] if len(parts) == 5 else ""
        if record is not None:
            state.fresh(record)
        if (
            record is None
            or kind not in ASSET_KINDS
            or (kind in RENDERED_KINDS and record.in_progress)
        ):
            headers = [
                (b"content-type", b"application/xml"),
                (b"content-length", b"%d" % len(_NO_SUCH_KEY)),
            ]
            return Reply.answer("media", 404, _NO_SUCH_KEY, 0.0, headers)
        file = state.media_file(record, kind)
        content, digest = asset_bytes(file), asset_sha256(file)
        size = len(content)
        status, start, end = 200, 0, size
        etag = f'"{digest}"'
        modified = last_modified(record, kind)
        validators = [(b"etag", etag.encode()), (b"last-modified", http_date(modified))]
        if not_modified(seen, etag, modified):
            return Reply.answer("media", 304, b"", 0.0, validators)
        out_headers = [
            (b"content-type", CONTENT_TYPES[kind]),
            (b"accept-ranges", b"bytes"),
            *validators,
            (b"x-amz-checksum-sha256", base64.b64encode(binascii.unhexlify(digest))),
        ]
        range_header = seen.get("range")
        if range_header is not None and not if_range_holds(seen.get("if-range"), etag, modified):
            range_header = None  # the file changed since the part the client has: all of it
        if range_header is not None:
            parsed = parse_range(range_header, size)
            if parsed is None:
                out_headers = [(b"content-range", b"bytes */%d" % size), (b"content-length", b"0")]
                return Reply.answer("media", 416, b"", 0.0, out_headers)
            status, (start, end) = 206, parsed
            out_headers.append((b"content-range", b"bytes %d-%d/%d" % (start, end - 1, size)))
        body = content[start:end]
        out_headers.append((b"content-length", b"%d" % len(body)))
        if method == "HEAD":
            return Reply.answer("media", status, b"", 0.0, out_headers)
        reply = Reply.answer("media", status, body, 0.0, out_headers)
        faults = state.faults
        if faults.media_bytes_per_second:
            rate = faults.media_bytes_per_second
            reply.chunk_size = int(min(_MEDIA_CHUNK, max(1024.0, rate / 10)))
            reply.chunk_delay = reply.chunk_size / rate
        if faults.media_truncate_rate and state.dice.media.random() < faults.media_truncate_rate:
            reply.truncate_at = len(body) // 2
            state.stats.truncated_downloads += 1
        return reply

    def _share(self, method: str, parts: list[str]) -> Reply:
        state = self._state
        record = None
        if len(parts) == 4:
            record = state.store.by_id.get(parts[2]) or state.outputs.by_id.get(parts[2])
        if record is not None:
            state.fresh(record)
        if record is None or record.share_token != parts[3] or record.in_progress:
            return _page("share", method, None, "")
        video = html_escape(media_urls(record, state.cdn_base_url)["video"])
        return _page("share", method, record.name, f'<video controls src="{video}"></video>')

    def _preview(self, method: str, parts: list[str]) -> Reply:
        """``/preview/<storyboard job id>``: a page listing the scenes of a finished preview."""
        state = self._state
        job = state.jobs.get(parts[2]) if len(parts) == 3 else None
        if job is None or job.kind != "storyboard" or state.job_status(job) != "completed":
            return _page("preview", method, None, "")
        params = job.result["renderParams"]
        scenes = "".join(
            f"<li>{html_escape(str(scene.get('story', '')))}</li>" for scene in params["scenes"]
        )
        return _page("preview", method, str(params.get("videoName", "")), f"<ol>{scenes}</ol>")


def _page(route: str, method: str, title: str | None, content: str) -> Reply:
    """An HTML page with ``title`` and ``content`` (HTML), or "Video not found" (404) for None."""
    if title is None:
        body, status = _VIDEO_NOT_FOUND, 404
    else:
        body = (
            f"<!DOCTYPE html><html><head><title>{html_escape(title)}</title></head>"
            f"<body>{content}</body></html>"
        ).encode()
        status = 200
    headers = [HTML, (b"content-length", b"%d" % len(body))]
    return Reply.answer(route, status, b"" if method == "HEAD" else body, 0.0, headers)


def last_modified(record: ProjectRecord, kind: str) -> datetime:
    """When the file was last changed: its render for rendered kinds, else the project's save.

    A second later per render: HTTP dates have whole seconds, and two renders in the same
    second must still have two dates.
    """
    if kind in RENDERED_KINDS:
        return (record.generated or record.saved) + timedelta(seconds=record.renders)
    return record.saved


def http_date(moment: datetime) -> bytes:
    """``moment`` as an HTTP date (whole seconds, GMT)."""
    return formatdate(moment.timestamp(), usegmt=True).encode()


def _parse_date(value: str | None) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def not_modified(seen: Mapping[str, str], etag: str, modified: datetime) -> bool:
    """Whether a GET or HEAD with these headers gets ``304`` (RFC 9110 13.2.2).

    ``If-None-Match`` (weak comparison, ``*`` for any) decides when present, and
    ``If-Modified-Since`` is then ignored; else a valid ``If-Modified-Since`` no earlier
    than ``Last-Modified`` does.
    """
    none_match = seen.get("if-none-match")
    if none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = _parse_date(seen.get("if-modified-since"))
    return since is not None and _seconds(modified) <= _seconds(since)


def if_range_holds(if_range: str | None, etag: str, modified: datetime) -> bool:
    """Whether a ``Range`` may be served: no ``If-Range``, or one naming this version.

    An ETag must match strongly; a date must be exactly ``Last-Modified``.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return value == etag and not etag.startswith("W/")
    date = _parse_date(value)
    return date is not None and _seconds(date) == _seconds(modified)


def html_escape(text: str) -> str:
    """``text`` safe inside an HTML element or a double-quoted attribute."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` to a half-open ``(start, end)``, or None."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            length = int(last)
            if length <= 0:
                return None
            return (max(0, size - length), size)
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        return None
    return (start, min(end, size))
