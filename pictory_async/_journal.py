"""An append-only JSONL journal of bulk outcomes: an audit log, and the way to resume.

The file starts with a header line (``{"format": "pictory-async-journal", "version": 1,
"operation": "delete"}``); each later line is one outcome, written with one ``os.write``
as soon as it is known, so it survives the process crashing::

    {"id": "p1", "outcome": "deleted", "at": "2026-11-23T09:41:07.123Z", "name": "Demo"}
    {"id": 42, "outcome": "failed", "at": "...", "error": "PermissionDeniedError: 403 ..."}
    {"id": 43, "outcome": "cancelled", "at": "...", "may_have_been_applied": true}
    {"id": 43, "outcome": "deleted", "at": "...", "reason": "confirmed_gone"}
    {"id": 44, "outcome": "not_applied", "at": "..."}
    {"input": "b'x'", "outcome": "failed", "at": "...", "error": "InvalidProjectIdError: ..."}

A run that starts jobs (``create_many``, operation ``create_videos``) writes a
``started`` line with the job's id as soon as the API names it, before it waits for
the job; its later lines carry the id too::

    {"id": "7f3a...c2", "outcome": "started", "at": "...", "job_id": "b1e2..."}
    {"id": "7f3a...c2", "outcome": "created", "at": "...", "job_id": "b1e2..."}
    {"id": "key:w12", "outcome": "unknown", "at": "...", "may_have_been_applied": true}

Every request that may have been applied has a line: a request in flight when the run
was stopped (``cancelled``) and one that failed after it may have reached the API carry
``"may_have_been_applied": true``. Lines are written synchronously, in the step that
learns the outcome, so a cancellation cannot come between an outcome and its line.

The file is fsynced every ``FSYNC_EVERY`` seconds (in a thread, off the event loop) and
on close. A run opens and checks the journal before it sends anything, and holds an
exclusive lock on it until it ends (``flock``; not on Windows). On resume, ids recorded
as done (deleted, already absent, created) are skipped: nothing done is redone. A key
with a job id and not done since has a job to follow (``job_of``): a run waits for it
rather than starting another, unless a line says the job itself ended ``failed``
(reason ``job_failed``: no video was made, so another may be started). Ids recorded
as ``may_have_been_applied`` and not done since are ``unconfirmed``: the run asks the
API about them again (a 404 confirms an earlier delete; a project still there is
``not_applied``), and never takes them for done or for never sent. A line torn by a
crash is otherwise ignored, but the id it begins with counts as unconfirmed: its
outcome was being written.

This module knows nothing of the bulk engine: it records plain values.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import stat
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._exceptions import InvalidInputError
from ._types import ProjectId

__all__ = ["Journal"]

FORMAT = "pictory-async-journal"
VERSION = 1
DONE = frozenset({"deleted", "already_absent", "created"})
NOT_APPLIED = "not_applied"  # a request that may have been applied was not: asked since
STARTED = "started"  # a job was started; its id is on the line
JOB_FAILED = "job_failed"  # the reason of a failure that is the job's own: no video made
RECORDED = DONE | {"failed", "cancelled", "unknown", STARTED, NOT_APPLIED}
FSYNC_EVERY = 0.25
_MAX_TEXT = 300  # characters of an error message or a bad input's repr kept per line
_TORN_ID = re.compile(rb'\{"id": (?:(-?[0-9]+)|("(?:[^"\\]|\\.)*")),')
"""The id a torn line begins with, when all of it was written (as ``record`` writes it)."""

if sys.platform != "win32":
    import fcntl

    def _lock(fd: int) -> bool:
        """Take the run's exclusive lock; ``False`` when another run holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

else:  # pragma: no cover - Windows: no advisory lock, and no crash either

    def _lock(fd: int) -> bool:
        return True


def _clear(exc: OSError, action: str, path: Path) -> OSError:
    """The same kind of ``OSError``, saying which journal and what we were doing."""
    reason = exc.strerror or str(exc)
    if exc.errno is None:
        return type(exc)(f"cannot {action} the journal {str(path)!r}: {reason}")
    return type(exc)(exc.errno, f"cannot {action} the journal: {reason}", str(path))


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _now() -> str:
    moment = datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Journal:
    """The journal of one kind of operation in one file.

    Nothing is read or written until :meth:`open`.

    Args:
        path: The JSONL file; created if missing, appended to if not.
        operation: What the journal records (``delete``); a journal of another kind is
            refused rather than misread.
    """

    def __init__(self, path: str | os.PathLike[str], *, operation: str) -> None:
        self.path = Path(path)
        self.operation = operation
        self._done: set[ProjectId] = set()
        self._unsure: set[ProjectId] = set()  # may have been applied; not done since
        self._jobs: dict[ProjectId, str] = {}  # a job started for the key; not done since
        self._fd: int | None = None
        self._fd_lock = threading.Lock()  # no fsync in a thread while the fd is closed
        self._last_sync = 0.0
        self._syncing = False

    # -- opening -------------------------------------------------------------------

    def open(self, *, write: bool = True) -> None:
        """Check the file, load what earlier runs did, and (``write``) open it to append.

        Raises:
            InvalidInputError: The file is not a journal (or a garbled one), is a journal
                of another operation, or another run is using it.
            OSError: The file cannot be read, created or written (the same subclass,
                e.g. ``NotADirectoryError``, with the journal's path in the message).
        """
        if not write:
            self._load()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where a directory should be
            raise NotADirectoryError(
                errno.ENOTDIR,
                "cannot create the journal: a parent of it is a file, not a directory",
                str(self.path),
            ) from None
        except OSError as exc:
            raise _clear(exc, "create", self.path) from None
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise _clear(exc, "create", self.path) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InvalidInputError(f"the journal {str(self.path)!r} is not a regular file")
            if not _lock(fd):
                raise InvalidInputError(
                    f"the journal {str(self.path)!r} is in use by another run; wait for it "
                    "to end, or give this run a journal of its own"
                )
            size, torn = self._load()
            if not size:
                header = {"format": FORMAT, "version": VERSION, "operation": self.operation}
                self._append(fd, json.dumps(header).encode() + b"\n")
            elif torn:
                self._append(fd, b"\n")  # end the line a crash tore
        except OSError as exc:
            os.close(fd)
            raise _clear(exc, "write", self.path) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _load(self) -> tuple[int, bool]:
        """Check the header and read the done ids; ``(size, last line torn)``."""
        try:
            if self.path.exists() and not self.path.is_file():
                raise InvalidInputError(f"the journal {str(self.path)!r} is not a regular file")
            file = self.path.open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return 0, False  # nothing yet (a dry run does not create the file)
        except OSError as exc:
            raise _clear(exc, "read", self.path) from None
        size, line = 0, b""
        with file:
            for number, line in enumerate(file, 1):
                size += len(line)
                if number == 1:
                    self._check_header(line)
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:  # a line torn by a crash: its outcome is unknown
                    self._note(_torn_id(line), "torn", may_have_been_applied=True)
                    continue
                if isinstance(entry, dict):
                    self._note(
                        entry.get("id"),
                        entry.get("outcome"),
                        may_have_been_applied=entry.get("may_have_been_applied") is True,
                        job_id=entry.get("job_id"),
                        reason=entry.get("reason"),
                    )
        return size, not line.endswith(b"\n")

    def _note(
        self,
        item: object,
        outcome: object,
        *,
        may_have_been_applied: bool,
        job_id: object = None,
        reason: object = None,
    ) -> None:
        """Track what a line says of ``item``: done, a job to follow, or unconfirmed."""
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            return
        if outcome in DONE:
            self._done.add(item)
            self._unsure.discard(item)
            self._jobs.pop(item, None)
            return
        if item in self._done:
            return
        if outcome == NOT_APPLIED or (outcome == "failed" and reason == JOB_FAILED):
            self._unsure.discard(item)
            self._jobs.pop(item, None)  # the job ended failed: no video came of it
            return
        if isinstance(job_id, str) and job_id:
            self._jobs[item] = job_id
        if may_have_been_applied:
            self._unsure.add(item)

    def _check_header(self, line: bytes) -> None:
        name = repr(str(self.path))
        try:
            header = json.loads(line) if line.endswith(b"\n") else None
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InvalidInputError(
                f"{name} is not a pictory-async journal (its first line is not a journal "
                "header); give a new path, or the journal of an earlier run"
            )
        version = header.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
            raise InvalidInputError(
                f"{name} is a journal of version {version!r}; this library reads version {VERSION}"
            )
        if header.get("operation") != self.operation:
            raise InvalidInputError(
                f"{name} is a journal of {header.get('operation')!r}, not of {self.operation!r}"
            )

    # -- reading -------------------------------------------------------------------

    @property
    def done(self) -> frozenset[ProjectId]:
        """Ids recorded as done, by earlier runs or this one."""
        return frozenset(self._done)

    def is_done(self, key: ProjectId) -> bool:
        """Whether ``key`` is recorded as done."""
        return key in self._done

    @property
    def unconfirmed(self) -> frozenset[ProjectId]:
        """Ids whose request may have been applied, not recorded as done since."""
        return frozenset(self._unsure)

    def job_of(self, key: ProjectId) -> str | None:
        """The id of a job started for ``key`` (by an earlier run or this one), not done.

        A run follows it (waits for it) rather than starting another.
        """
        return self._jobs.get(key)

    def is_unconfirmed(self, key: ProjectId) -> bool:
        """Whether a request for ``key`` may have been applied without its outcome known.

        A run sends it again to find out: for a delete, a 404 confirms it is gone.
        """
        return key in self._unsure

    # -- writing -------------------------------------------------------------------

    @staticmethod
    def _append(fd: int, data: bytes) -> None:
        """Write all of ``data`` (``os.write`` may write part of it)."""
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written <= 0:  # pragma: no cover - os.write raises rather than returning 0
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]

    def record(
        self,
        key: object,
        outcome: str,
        *,
        error: BaseException | None = None,
        name: str | None = None,
        may_have_been_applied: bool = False,
        reason: str | None = None,
        job_id: str | None = None,
    ) -> None:
        """Append one outcome's line (other outcomes than ``RECORDED`` are not kept).

        Kept: ``deleted``, ``already_absent``, ``created``, ``started``, ``failed``,
        ``cancelled``, ``unknown``, and ``not_applied`` (an earlier request that may
        have been applied was not).

        The line is written with one ``os.write`` before this returns: nothing is awaited,
        so a cancellation cannot separate an outcome from its line.

        Args:
            key: The project id; anything that is not one (a bad input item) is written
                as its ``repr`` under ``input``.
            outcome: The outcome's name.
            error: Why it failed.
            name: The project's name, when known.
            may_have_been_applied: The request may have reached the API and done its
                work (in flight when cancelled, or failed after it may have been
                received); a later run confirms it before it reports the id.
            reason: How the outcome was known (``confirmed_gone``: a 404 after a
                request that may have deleted it; ``job_failed``: the job ended failed).
            job_id: The job started for the key (``started`` and the lines after it).

        Raises:
            OSError: The line could not be written; the journal is closed.
        """
        fd = self._fd
        if fd is None or outcome not in RECORDED:
            return
        entry: dict[str, Any] = {}
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            entry["id"] = key
        else:
            entry["input"] = _short(_safe_repr(key))
        entry["outcome"] = outcome
        if job_id is not None:
            entry["job_id"] = job_id
        entry["at"] = _now()
        if name is not None:
            entry["name"] = name
        if may_have_been_applied:
            entry["may_have_been_applied"] = True
        if reason is not None:
            entry["reason"] = reason
        if error is not None:
            entry["error"] = _short(f"{type(error).__name__}: {_safe_str(error)}")
        try:
            line = json.dumps(entry).encode() + b"\n"
        except (TypeError, ValueError):  # an id subclass that json refuses
            entry.pop("id", None)
            entry["input"] = _short(_safe_repr(key))
            line = json.dumps(entry).encode() + b"\n"
        try:
            self._append(fd, line)
        except OSError as exc:
            self.close(raise_errors=False)
            raise _clear(exc, "write", self.path) from None
        if "id" in entry:
            self._note(
                key,
                outcome,
                may_have_been_applied=may_have_been_applied,
                job_id=job_id,
                reason=reason,
            )
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_EVERY and not self._syncing:
            self._last_sync = now
            self._syncing = True
            asyncio.get_running_loop().run_in_executor(None, self._fsync)

    def _fsync(self) -> None:
        try:
            with self._fd_lock:
                if self._fd is not None:
                    os.fsync(self._fd)
        except OSError:
            pass  # close() syncs again and reports it
        finally:
            self._syncing = False

    def close(self, *, raise_errors: bool = True) -> None:
        """Flush to disk, release the lock and close. Idempotent; never waits on the loop.

        Raises:
            OSError: The final fsync failed (``raise_errors``): the last lines may be lost.
        """
        with self._fd_lock:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            try:
                os.fsync(fd)
            except OSError as exc:
                if raise_errors:
                    raise _clear(exc, "flush", self.path) from None
            finally:
                os.close(fd)


def _torn_id(line: bytes) -> ProjectId | None:
    """The id a torn line begins with, or ``None`` when it was torn before its id ended."""
    found = _TORN_ID.match(line)
    if found is None:
        return None
    number, text = found.groups()
    try:
        item = int(number) if number is not None else json.loads(text)
    except ValueError:
        return None
    return item if isinstance(item, (str, int)) else None


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # a hostile __repr__
        return f"<{type(value).__name__}>"


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a hostile __str__
        return f"<{type(value).__name__}>"
