"""An append-only JSONL journal of bulk outcomes, so an interrupted run can resume.

Each outcome is written with one ``os.write`` as soon as it is known, so it survives
the process crashing; the file is fsynced every ``FSYNC_EVERY`` seconds (in a thread, off
the event loop) and on close, so it also survives the machine going down, but for the
last fraction of a second. On resume, ids recorded as done (deleted or already absent)
are skipped: nothing done is redone. A torn last line from a crash is ignored.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._exceptions import InvalidInputError
from ._types import ProjectId

if TYPE_CHECKING:
    from ._bulk import ItemResult

__all__ = ["Journal"]

FORMAT = "pictory-async-journal"
VERSION = 1
DONE = frozenset({"deleted", "already_absent"})
RECORDED = DONE | {"failed"}
FSYNC_EVERY = 0.25


class Journal:
    """The journal of one kind of operation in one file.

    Args:
        path: The JSONL file; created if missing, appended to if not.
        operation: What the journal records (``delete``); a journal of another kind is
            refused rather than misread.
    """

    def __init__(self, path: str | os.PathLike[str], *, operation: str) -> None:
        self.path = Path(path)
        self.operation = operation
        self._done: set[ProjectId] = set()
        self._fd: int | None = None
        self._last_sync = 0.0
        self._sync_task: asyncio.Task[None] | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as file:
            for number, line in enumerate(file, 1):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash
                if not isinstance(entry, dict):
                    continue
                if number == 1 and entry.get("format") == FORMAT:
                    if entry.get("operation") != self.operation:
                        raise InvalidInputError(
                            f"{self.path} is a journal of {entry.get('operation')!r}, "
                            f"not of {self.operation!r}"
                        )
                    continue
                item = entry.get("id")
                if entry.get("outcome") in DONE and isinstance(item, (str, int)):
                    self._done.add(item)

    @property
    def done(self) -> frozenset[ProjectId]:
        """Ids recorded as done by earlier runs."""
        return frozenset(self._done)

    def is_done(self, key: ProjectId) -> bool:
        """Whether an earlier run finished ``key``."""
        return key in self._done

    def _open(self) -> int:
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if new:
            header = {"format": FORMAT, "version": VERSION, "operation": self.operation}
            os.write(fd, json.dumps(header).encode() + b"\n")
        else:
            os.write(fd, b"\n")  # end a line a crash may have torn
        return fd

    def record(self, key: ProjectId, result: ItemResult[Any]) -> None:
        """Append one outcome."""
        if result.outcome.value not in RECORDED:
            return  # skips, cancellations, unstarted items: nothing to remember
        fd = self._fd if self._fd is not None else self._open()
        self._fd = fd
        entry: dict[str, Any] = {"id": key, "outcome": result.outcome.value}
        if result.error is not None:
            entry["error"] = f"{type(result.error).__name__}: {result.error}"
        os.write(fd, json.dumps(entry).encode() + b"\n")
        if result.outcome.value in DONE:
            self._done.add(key)
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_EVERY and self._sync_task is None:
            self._last_sync = now
            self._sync_task = asyncio.get_running_loop().create_task(self._fsync(fd))

    async def _fsync(self, fd: int) -> None:
        try:
            await asyncio.to_thread(os.fsync, fd)
        finally:
            self._sync_task = None

    async def aclose(self) -> None:
        """Flush to disk and close. Idempotent."""
        task = self._sync_task
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        fd, self._fd = self._fd, None
        if fd is not None:
            os.fsync(fd)
            os.close(fd)
