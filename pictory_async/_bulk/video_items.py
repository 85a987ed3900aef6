"""The items of ``create_many``: each request (or file row) with a key that survives runs.

A video has no id until its job starts, so a resumed run must know a row again by
something else. Its key is, in order:

- ``key:<value>`` when the row gives a ``key`` column (or the request comes as a
  ``VideoRow`` with one): the user's own identity, kept however the row changes. A
  key given twice is the same video: the second row is skipped as a duplicate.
- otherwise a digest of what would be sent: SHA-256 of the request's JSON body
  (Pictory's names, keys sorted) and the endpoint it goes to, 24 hex digits. Rows
  inserted, removed or reordered keep their keys; a row whose request changes is a new
  video. Identical rows are distinct videos, told apart by their order among
  themselves: the second is ``<digest>#2``, and so on.

A bad row or request is refused here (``failed``, its error naming the file line or
the input position), before anything is sent. Each item's ``ItemResult.input`` is a
small ``VideoItem`` (where it came from, its name, its estimated minutes), never the
request itself, so a result over a large file stays small.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs

from .._exceptions import InvalidInputError
from .._idstore import IdStore, SeenSet
from .._models.videos import TemplateVideoRequest, VideoRequest
from .._payload import template_body, video_body
from .._script import script_request
from .._types import NOT_GIVEN, ProjectId
from .._video_rows import VideoRow
from .items import Read
from .minutes import estimate_minutes

__all__ = ["KEY_PREFIX", "VideoItem", "VideoItems", "VideoPayload", "content_key"]

KEY_PREFIX = "key:"
"""The prefix of a key the user gave (a ``key`` column), apart from content digests."""
_DIGITS = 24  # hex digits of the digest: 96 bits

Request = VideoRequest | TemplateVideoRequest | Mapping[str, Any]


@attrs.frozen(kw_only=True, slots=True)
class VideoItem:
    """Where an item of ``create_many`` came from (``ItemResult.input``).

    Attributes:
        position: Its place in the input (1 for the first item).
        line: The file line its row starts on, for rows of ``read_rows``.
        name: The video's name, when known.
        minutes: The video minutes it is estimated to need (``minutes.estimate_minutes``).
        template: Whether it renders a template (``POST /v1/video/from-template``).
    """

    position: int
    line: int | None = None
    name: str | None = None
    minutes: int = 0
    template: bool = False

    @property
    def where(self) -> str:
        """``line 7`` for a file row, ``item 7`` otherwise."""
        return f"line {self.line}" if self.line is not None else f"item {self.position}"


VideoPayload = tuple[str, Request, VideoItem]
"""What a ``create_many`` operation is given: the key, the request, where it came from."""


def content_key(body: Mapping[str, Any], *, template: bool) -> str:
    """The digest naming a request by what it sends (see the module's docstring).

    Raises:
        InvalidInputError: The body holds something JSON cannot write.
    """
    try:
        text = json.dumps(
            {"endpoint": "template" if template else "render", "body": body},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"the request cannot be written as JSON: {exc}") from None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:_DIGITS]


class VideoItems:
    """Reads ``create_many``'s input: ``VideoRow``, request models, mappings, scripts.

    One per run: it counts the input's items and the repeats of each digest.
    """

    def __init__(self) -> None:
        self._position = 0
        self._digests = SeenSet(IdStore())
        self._repeats: dict[str, int] = {}  # digests seen more than once: how often

    def read(self, raw: object) -> Read:
        """The item ``raw`` is: its key, its request, and where it came from."""
        self._position += 1
        position = self._position
        line = raw.line if isinstance(raw, VideoRow) else None
        name = raw.name if isinstance(raw, VideoRow) else None
        try:
            request, user_key = _request_of(raw)
            template = isinstance(request, TemplateVideoRequest)
            if isinstance(raw, VideoRow) and raw.body is not None:
                body = raw.body  # checked as the row was read
            elif template:
                body = template_body(request)  # type: ignore[arg-type]
            else:
                body = video_body(request)  # type: ignore[arg-type]
            if user_key is not None:
                key = KEY_PREFIX + user_key
            else:
                key = self._occurrence(content_key(body, template=template))
        except Exception as exc:  # a bad request, or a hostile object: refused alone
            where = f"line {line}" if line is not None else f"item {position}"
            if isinstance(raw, VideoRow) and isinstance(exc, InvalidInputError):
                error = exc  # its message names its line already
            elif isinstance(exc, InvalidInputError):
                error = InvalidInputError(f"{where}: {exc}")
            else:
                error = InvalidInputError(f"{where}: cannot be read: {type(exc).__name__}")
            item = VideoItem(position=position, line=line, name=name)
            return Read(where.replace(" ", ":"), where.replace(" ", ":"), item, None, error)
        if name is None:
            name = _video_name(body)
        item = VideoItem(
            position=position,
            line=line,
            name=name,
            minutes=estimate_minutes(body, template=template),
            template=template,
        )
        payload: VideoPayload = (key, request, item)
        return Read(key, key, item, payload, None)

    def _occurrence(self, digest: str) -> str:
        if self._digests.add(digest) >= 0:
            return digest
        count = self._repeats.get(digest, 1) + 1
        self._repeats[digest] = count
        return f"{digest}#{count}"

    def key(self, item: ProjectId) -> ProjectId:
        """The item is its key."""
        return item

    def name(self, given: object) -> str | None:
        """The video's name, when the item had one."""
        return given.name if isinstance(given, VideoItem) else None

    def job_id(self, value: object) -> str | None:
        """The job a ``CreatedVideo`` names."""
        job_id = getattr(value, "job_id", None)
        return job_id if isinstance(job_id, str) else None


def _request_of(raw: object) -> tuple[Request, str | None]:
    """The request ``raw`` asks for, and the key the user gave it (or ``None``)."""
    if isinstance(raw, VideoRow):
        if raw.error is not None:
            raise raw.error
        if raw.request is None:  # pragma: no cover - a row has one or the other
            raise InvalidInputError(f"line {raw.line}: no request")
        key = raw.key
        if key is not None and not key.strip():
            key = None
        return raw.request, key
    if isinstance(raw, str):
        request = script_request(
            raw,
            video_name=None,
            voice=NOT_GIVEN,
            brand=None,
            aspect_ratio=None,
            language=None,
            music=True,
            save_project=None,
            webhook=None,
        )
        return request, None
    if isinstance(raw, (VideoRequest, TemplateVideoRequest, Mapping)):
        return raw, None
    raise InvalidInputError(
        "expected a script, a VideoRequest, a TemplateVideoRequest, a mapping of Pictory's "
        f"JSON or a row of read_rows(), not {type(raw).__name__}"
    )


def _video_name(body: Mapping[str, Any]) -> str | None:
    name = body.get("videoName")
    return name if isinstance(name, str) else None
