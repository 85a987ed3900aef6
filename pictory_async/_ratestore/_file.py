"""The file store: what a client learned, remembered across runs in a small JSON file per key.

``recall`` reads ``rate-<scope>.json`` when a client is made and ages it by the time
since it was written (``Learned.decayed``: the rate and window halve every
``IDLE_HALF_LIFE`` seconds, and after ``FORGET_AFTER`` half-lives it is forgotten).
``keep`` writes it when the client closes: a temporary file in the same directory,
then an atomic rename, so several processes writing at once leave one whole file (the
last one's), never a mix. A file that is missing starts from scratch; one that is
unreadable, truncated, corrupt, of another format or from the future is ignored with
one log line, never an error. The file holds the learned values and the time, nothing
else: its name is a hash of the base URL and the key (``scope_of``).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from .._files import write_atomically
from .._logs import logger
from .._throttle._learned import Learned
from ._base import RateStore

__all__ = ["FORMAT", "FileRateStore", "default_directory"]

FORMAT = "pictory-async rate store"
VERSION = 1
FUTURE = 300.0  # seconds: a file written later than this from now is not trusted
_FIELDS = frozenset(attrs.fields_dict(Learned))


def default_directory(environ: Mapping[str, str] = os.environ) -> Path:
    r"""The user's cache directory for pictory-async, as each platform names it.

    ``$XDG_CACHE_HOME/pictory-async`` (else ``~/.cache/pictory-async``) on Linux and
    other Unix systems, ``~/Library/Caches/pictory-async`` on macOS,
    ``%LOCALAPPDATA%\pictory-async\Cache`` on Windows.
    """
    if sys.platform == "win32":
        base = environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "pictory-async" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pictory-async"
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is ignored
        base = str(Path.home() / ".cache")
    return Path(base) / "pictory-async"


class FileRateStore(RateStore):
    """Remember the learned rate and window per key in a directory, across runs.

    Args:
        directory: Where the files go; default: the user's cache directory
            (``default_directory``).
        clock: Wall-clock time in seconds (tests pass a fake).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = (
            Path(directory).expanduser() if directory is not None else default_directory()
        )
        self._clock = clock

    def __repr__(self) -> str:
        return f"FileRateStore({str(self.directory)!r})"

    def path(self, scope: str) -> Path:
        """The file that holds ``scope``'s learned state."""
        return self.directory / f"rate-{scope}.json"

    def recall(self, scope: str) -> Learned | None:
        """The learned state of the last run on ``scope``, decayed by its age, or ``None``."""
        path = self.path(scope)
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            _ignored(path, f"unreadable ({type(exc).__name__})")
            return None
        try:
            saved_at, learned = _parse(text, scope)
        except (ValueError, TypeError, KeyError) as exc:
            _ignored(path, str(exc) if isinstance(exc, _ForeignFileError) else "corrupt")
            return None
        age = self._clock() - saved_at
        if age < -FUTURE:
            _ignored(path, "written in the future")
            return None
        return learned.decayed(max(0.0, age))

    async def keep(self, scope: str, learned: Learned) -> None:
        """Write ``learned`` for ``scope`` atomically; a failure is one log line."""
        document = {
            "format": FORMAT,
            "version": VERSION,
            "scope": scope,
            "saved_at": self._clock(),
            "learned": attrs.asdict(learned),
        }
        await asyncio.to_thread(self._write, self.path(scope), json.dumps(document))

    def _write(self, path: Path, text: str) -> None:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(path, text.encode(), mode=0o600)
        except OSError as exc:
            logger.warning("could not write the rate store file %s (%s)", path, type(exc).__name__)


class _ForeignFileError(ValueError):
    """A file that is well-formed but not ours (another format, version or key)."""


def _parse(text: bytes, scope: str) -> tuple[float, Learned]:
    """``(saved_at, learned)`` from a file's bytes; ``ValueError`` for anything else."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _ForeignFileError("another format")
    if document.get("version") != VERSION or document.get("scope") != scope:
        raise _ForeignFileError("another version or key")
    saved_at = document["saved_at"]
    fields = document["learned"]
    if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)):
        raise ValueError("saved_at")
    if not math.isfinite(saved_at) or not isinstance(fields, dict) or not fields.keys() <= _FIELDS:
        raise ValueError("learned")
    return float(saved_at), Learned(**fields)  # its validators refuse bad values


def _ignored(path: Path, why: str) -> None:
    logger.warning("ignoring the rate store file %s: %s; learning the rate afresh", path, why)
