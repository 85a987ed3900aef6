"""Validators of a downloaded file, and when a conditional request proves it unchanged.

A backup keeps an earlier file only when the CDN confirms that it still serves the same
bytes. What the CDN gave with the file (its ETag, its Last-Modified, and its size) is
kept in the manifest and sent back with the next download as a condition; a ``304 Not
Modified`` that confirms it means the file on disk may stand in.

- **A strong ETag** (``"..."``) names one sequence of bytes: the request asks
  ``If-None-Match`` with it, and a 304 is trusted only when it repeats that ETag.
- **A weak ETag** (``W/"..."``) only says two versions are equivalent (a re-encoded
  video may keep it), so it never proves the same bytes and is never asked with.
- **Without a strong ETag**, the request asks ``If-Modified-Since`` with the recorded
  ``Last-Modified`` (and a size recorded with it). A CDN answers 304 to that for any
  file dated no later than the date, so the 304 is trusted only when it repeats the
  same ``Last-Modified`` and carries no other ETag and no other length than recorded. Its
  limit: HTTP dates have whole seconds, so a file replaced within the same second, at
  the same size, by a CDN that gives no ETag, cannot be told apart.
- **Nothing else stands in**: no validator, or a 304 that does not repeat what was
  asked (or answers a request that asked nothing), and the file is downloaded again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

import attrs

__all__ = ["Validators"]

# an entity tag: optional W/, then a quoted string without quotes or controls (RFC 9110
# 8.8.3), ASCII only: it is sent back in a header, and httpx sends ASCII headers only
_ETAG = re.compile(r'(W/)?"[\x21\x23-\x7e]*"')


def _etag(value: str | None) -> str | None:
    """``value`` if it is a well-formed entity tag, else None."""
    if value is None:
        return None
    value = value.strip()
    return value if _ETAG.fullmatch(value) else None


def _date(value: str | None) -> datetime | None:
    """An HTTP date as an aware ``datetime``, or None when it is not one."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _http_date(value: str | None) -> str | None:
    """``value`` rewritten as a plain HTTP date, or None when it is not a date.

    What is sent back is what was parsed, never the text as received (which may carry
    more than a date: a date parser ignores what follows it).
    """
    parsed = _date(value)
    return format_datetime(parsed.astimezone(timezone.utc), usegmt=True) if parsed else None


@attrs.frozen(kw_only=True)
class Validators:
    """What identifies one version of a file on the CDN.

    Attributes:
        etag: The ``ETag`` it was served with (strong or weak), when well formed.
        last_modified: Its ``Last-Modified``, when a valid HTTP date.
        size: Its size in bytes, when known.
    """

    etag: str | None = None
    last_modified: str | None = None
    size: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], size: int | None = None) -> Validators:
        """The validators of a ``200`` answer (malformed ones left out)."""
        return cls(
            etag=_etag(headers.get("etag")),
            last_modified=_http_date(headers.get("last-modified")),
            size=size,
        )

    @property
    def strong_etag(self) -> str | None:
        """The ETag, when it is strong (only a strong one names the bytes)."""
        etag = _etag(self.etag)
        return etag if etag is not None and not etag.startswith("W/") else None

    def condition(self) -> dict[str, str] | None:
        """The headers that ask the CDN whether the file changed, or None if none can."""
        if self.strong_etag is not None:
            return {"If-None-Match": self.strong_etag}
        since = _http_date(self.last_modified)
        if since is not None and self.size is not None:
            return {"If-Modified-Since": since}
        return None

    def confirmed_by(self, headers: Mapping[str, str]) -> bool:
        """Whether a ``304`` with ``headers``, answering ``condition()``, proves the same bytes."""
        answered_etag = headers.get("etag")
        if self.strong_etag is not None:
            return answered_etag is not None and answered_etag.strip() == self.strong_etag
        recorded = _date(self.last_modified)
        if recorded is None or self.size is None:
            return False  # nothing was asked: a 304 answers no question of ours
        if answered_etag is not None and _etag(answered_etag) != self.etag:
            return False  # another version (or one with an ETag now): not proven
        length = (headers.get("content-length") or "0").strip()
        if length not in ("0", str(self.size)):  # 0: the 304's own (empty) body, as some send
            return False
        return _date(headers.get("last-modified")) == recorded
