"""The files a download writes: the temporary file it fills, their mode, a durable rename.

A download writes into a temporary file in the destination directory (``Partial``: its
bytes, their hash, and what the CDN said of them so far), renamed over the final name
only once checked, after an ``fsync`` of the file and then of the directory
(``fsync_dir``); the file gets the mode a new file gets under the process's umask
(``file_mode``), read without changing it where the platform allows. A small file
written whole (a manifest, a report, the rate store's file) goes the same way in one
call (``write_atomically``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import IO

import httpx

from ._conditional import Validators

__all__ = ["Partial", "file_mode", "fsync_dir"]


class Partial:
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
        self.condition: Validators | None = None  # asked with, while it may still hold
        self.not_modified = False  # a 304 confirmed ``condition``: the file on disk stands
        self.headers: httpx.Headers | None = None  # those of the answer that began the body

    def unchanged(self, response: httpx.Response) -> bool:
        """Whether ``response`` (a 304 or 412 to ``condition``) confirms the file on disk.

        When it does not (a 412, or a 304 that does not repeat what was asked), the
        condition is dropped, so that the next request asks for the file itself.
        """
        if (
            self.condition is not None
            and response.status_code == 304
            and self.condition.confirmed_by(response.headers)
        ):
            self.not_modified = True
            return True
        self.condition = None
        return False

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


_PROC_STATUS = "/proc/self/status"
_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process's umask, read without changing it where the platform allows."""
    try:
        with open(_PROC_STATUS, encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8) & 0o777
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        # os.umask can only be read by setting it, process-wide: for that instant it is
        # the most private one, so a file another thread creates then is never more open
        current = os.umask(0o077)
        os.umask(current)
    return current


def file_mode() -> int:
    """The mode ``open()`` gives a new file under the current umask (``0o666 & ~umask``)."""
    return 0o666 & ~_umask()


def fsync_dir(directory: Path) -> None:
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


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsynced, then renamed.

    Args:
        path: The file; its directory must exist.
        data: Its whole content.
        mode: The file's mode; ``None``: what a new file gets under the umask.
    """
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, file_mode() if mode is None else mode)  # not mkstemp's 0600 by default
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
