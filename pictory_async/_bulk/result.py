"""The accounting of a bulk run: every item in exactly one ``Outcome``, kept in a few bytes.

``ItemResult`` is one item's outcome; ``BulkResult`` holds every item's, ids stored once
and by outcome (8 bytes per item, one more per skipped item for its reason), with the
per-item values only where they are the point of the run. ``may_have_been_applied`` says
which outcomes leave a request that may have changed something on the API's side.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from .._exceptions import APIError, BulkOperationError
from .._idstore import IdLog, IdStore
from .._types import ProjectId
from .keys import as_project_id

__all__ = ["BulkProgress", "BulkResult", "ItemResult", "Outcome", "may_have_been_applied"]

T = TypeVar("T")


class Outcome(str, enum.Enum):
    """How one item of a bulk operation ended."""

    DELETED = "deleted"
    """The project was deleted by this run."""
    FETCHED = "fetched"
    """The project was fetched (``get_many``)."""
    ALREADY_ABSENT = "already_absent"
    """The project did not exist (or was gone before we asked)."""
    CREATED = "created"
    """The video was made (``create_many``; with ``wait=False``: its job started)."""
    SKIPPED = "skipped"
    """Not sent: a dry run, a duplicate in the input, or done by an earlier run."""
    FAILED = "failed"
    """Failed for good; ``error`` says why."""
    CANCELLED = "cancelled"
    """In flight when the run stopped: it may or may not have been applied."""
    NOT_STARTED = "not_started"
    """Never sent, because the run was cancelled or stopped first."""
    UNKNOWN = "unknown"
    """A request that creates something may have been applied, and nothing says whether
    it was (its answer was lost, no job id came back): it is not sent again unless asked
    (``create_many(retry_unknown=True)``)."""


@attrs.frozen(kw_only=True)
class ItemResult(Generic[T]):
    """The outcome of one item.

    Attributes:
        item: The project id (or, for an input that is no id, the input itself); for
            ``create_many``, the row's key.
        outcome: How it ended.
        value: The result (``DeleteResult``, ``Project``, ``CreatedVideo``) when there
            is one.
        error: The exception, for ``failed`` items (and for ``cancelled`` ones when the
            client was closed under them).
        reason: Why it was skipped (``dry_run``, ``duplicate``, ``journal``), or how it
            ended (``confirmed_gone``; ``job_failed``; ``started``: its job had started).
        input: The object the id was read from (a ``ProjectSummary`` or ``Project``)
            when the input gave one rather than a bare id; for ``create_many``, the
            ``VideoItem`` saying where the row came from.
    """

    item: ProjectId
    outcome: Outcome
    value: T | None = None
    error: BaseException | None = None
    reason: str | None = None
    input: object = None


@attrs.frozen(kw_only=True)
class BulkProgress:
    """A snapshot for progress bars: ``done`` of ``total`` (``None`` when unknown)."""

    done: int
    total: int | None
    counts: Mapping[Outcome, int]


_REASONS = ["dry_run", "duplicate", "journal"]  # skip reasons, stored as one byte each


class BulkResult(Generic[T]):
    """Every item of a bulk operation, each in exactly one outcome.

    Ids are kept compactly by outcome: each id's bytes once, 8 bytes per item in its
    outcome's log, and one byte more per skipped item for its reason. Per-item results
    (``values``) are kept only where they are the point of the run (``get_many``); a
    delete keeps no ``DeleteResult`` per id (stream the run with ``delete_many_stream``
    to see each one). A dry run keeps the input object (a ``ProjectSummary``, when the
    input gave summaries) in ``previewed``.
    """

    def __init__(self, *, total: int | None = None, keep_values: bool = True) -> None:
        self.expected_total = total
        self._store = IdStore()  # every id's bytes, once; the engine's SeenSet shares it
        self._ids: dict[Outcome, IdLog] = {outcome: IdLog(self._store) for outcome in Outcome}
        self._skip_reasons = bytearray()  # one code per entry of _ids[SKIPPED]
        self._reasons = list(_REASONS)
        self._failures: list[ItemResult[T]] = []
        self._keep_values = keep_values
        self.values: dict[ProjectId, T] = {}
        """Results by id: a ``Project`` per fetch (``get_many``); empty for deletes."""
        self.interrupted = False
        """Whether the run stopped before every item was done (cancelled, or an error)."""
        self.confirmed_gone: list[ProjectId] = []
        """Ids an earlier run's request may have deleted (its journal said so), found gone
        before this run read its input, and journaled as ``deleted``. Not items of this
        run: an input item naming one is then skipped (reason ``journal``)."""
        self.plan: Any = None
        """A dry run's plan, when its operation makes one (``create_many``: a
        ``VideoPlan``); else ``None``."""
        self.error: BaseException | None = None
        """The error that stopped the run early (a bad API key, a journal that cannot be
        written, a closed client, a failing input or callback), or ``None``."""

    def add(self, result: ItemResult[T], *, handle: int | None = None) -> None:
        """Record one item's outcome (the engine calls this exactly once per item).

        Args:
            result: The outcome.
            handle: Where this result's store already holds ``result.item``, as the same
                kind of id (the engine stored it to find duplicates); else it is stored.
        """
        outcome = result.outcome
        if outcome is Outcome.SKIPPED:
            reason = result.reason or ""
            try:
                code = self._reasons.index(reason)
            except ValueError:
                code = len(self._reasons)
                self._reasons.append(reason)
            self._skip_reasons.append(code)
            if reason == "dry_run" and result.input is not None:
                self._ids[outcome].append(result.input)
            else:
                self._ids[outcome].append(result.item, handle)
            return
        self._ids[outcome].append(result.item, handle)
        if outcome is Outcome.FAILED:
            self._failures.append(result)
        if self._keep_values and result.value is not None:
            self.values[result.item] = result.value

    @property
    def total(self) -> int:
        """How many items were accounted for."""
        return sum(len(ids) for ids in self._ids.values())

    @property
    def counts(self) -> dict[Outcome, int]:
        """Number of items by outcome (every outcome present, zeros included)."""
        return {outcome: len(ids) for outcome, ids in self._ids.items()}

    def ids(self, outcome: Outcome) -> list[ProjectId]:
        """The ids that ended in ``outcome``, in the order they ended.

        Args:
            outcome: The ``Outcome`` asked about.

        Returns:
            A new list of ids.
        """
        if outcome is Outcome.SKIPPED:
            return [as_project_id(entry) for entry in self._ids[outcome]]
        return list(self._ids[outcome])

    @property
    def deleted(self) -> list[ProjectId]:
        """Ids deleted by this run."""
        return self.ids(Outcome.DELETED)

    @property
    def fetched(self) -> list[T]:
        """Fetched values (``get_many``), in the order they arrived."""
        return [self.values[item] for item in self._ids[Outcome.FETCHED]]

    @property
    def created(self) -> list[T]:
        """Each created item's value (``create_many``: a ``CreatedVideo``), in order."""
        values = self.values
        return [values[item] for item in self._ids[Outcome.CREATED] if item in values]

    @property
    def unknown(self) -> list[ProjectId]:
        """Items whose request may have been applied, with nothing to say whether it was."""
        return self.ids(Outcome.UNKNOWN)

    @property
    def already_absent(self) -> list[ProjectId]:
        """Ids that did not exist."""
        return self.ids(Outcome.ALREADY_ABSENT)

    @property
    def skipped(self) -> list[ProjectId]:
        """Ids not sent (dry run, duplicates, done in an earlier run)."""
        return self.ids(Outcome.SKIPPED)

    def skipped_because(self, reason: str) -> list[ProjectId]:
        """Ids skipped for ``reason``.

        Args:
            reason: ``dry_run``, ``duplicate`` or ``journal``.

        Returns:
            A new list of ids.
        """
        return [as_project_id(entry) for entry in self._skipped_entries(reason)]

    def _skipped_entries(self, reason: str) -> list[Any]:
        if reason not in self._reasons:
            return []
        code = self._reasons.index(reason)
        entries = self._ids[Outcome.SKIPPED]
        return [entry for entry, c in zip(entries, self._skip_reasons, strict=True) if c == code]

    @property
    def previewed(self) -> list[Any]:
        """What a dry run would have sent, in order, as the input gave it.

        A ``ProjectSummary`` (with its name and saved date) when the input was
        summaries, e.g. ``client.projects.select(...)``, so a report needs no second
        listing; the bare id when the input was ids.
        """
        return self._skipped_entries("dry_run")

    @property
    def failed(self) -> list[ItemResult[T]]:
        """Failed items, each with its typed ``error``."""
        return list(self._failures)

    @property
    def cancelled(self) -> list[ProjectId]:
        """Ids in flight when the run stopped (may or may not have been applied)."""
        return self.ids(Outcome.CANCELLED)

    @property
    def not_started(self) -> list[ProjectId]:
        """Ids never sent because the run stopped first."""
        return self.ids(Outcome.NOT_STARTED)

    @property
    def ok(self) -> bool:
        """The run went to the end, and no item failed, stopped, or was left unknown."""
        ids = self._ids
        return not (
            self.interrupted
            or ids[Outcome.FAILED]
            or ids[Outcome.CANCELLED]
            or ids[Outcome.NOT_STARTED]
            or ids[Outcome.UNKNOWN]
        )

    def failure_message(self) -> str:
        """One line on what went wrong: counts, the first failure, what stopped the run."""
        counts = self.counts
        message = f"{counts[Outcome.FAILED]} of {self.total} items failed"
        for outcome, label in (
            (Outcome.CANCELLED, "cancelled"),
            (Outcome.NOT_STARTED, "not started"),
            (Outcome.UNKNOWN, "unknown (may have been applied)"),
        ):
            if counts[outcome]:
                message += f", {counts[outcome]} {label}"
        if self._failures:
            first = self._failures[0]
            message += f"; first: {first.item!r}: {first.error}"
        if self.error is not None:
            message += f"; stopped by {type(self.error).__name__}: {self.error}"
        elif self.interrupted:
            message += "; the run was stopped early"
        return message

    def raise_for_failures(self) -> None:
        """Raise ``BulkOperationError`` unless ``ok``: an item failed, or the run stopped early.

        Raises:
            BulkOperationError: Carrying this result and a message naming the first failure.
        """
        if not self.ok:
            raise BulkOperationError(self, self.failure_message())

    def __repr__(self) -> str:
        counts = ", ".join(f"{o.value}={n}" for o, n in self.counts.items() if n)
        return f"BulkResult(total={self.total}, {counts or 'empty'})"


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_have_been_applied(result: ItemResult[Any]) -> bool:
    """Whether the item's request may have changed something on the API's side.

    A request in flight when the run stopped may have (``cancelled``); so may one that
    failed after it may have been received (the error's ``may_have_been_applied``),
    unless it only read (a GET of a backup). Such items are journaled as such, and a
    resume confirms them before it reports them.
    """
    if result.outcome in (Outcome.CANCELLED, Outcome.UNKNOWN):
        return True
    if result.outcome is not Outcome.FAILED:
        return False
    error = result.error
    if not isinstance(error, APIError) or not error.may_have_been_applied:
        return False
    return error.request.method not in _SAFE_METHODS
