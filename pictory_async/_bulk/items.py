"""What a bulk run reads from each input item: what it reports, its key, what it sends.

A bulk run is the same whatever its items are (project ids for ``delete_many``, rows of
a spreadsheet for ``create_many``); what differs is how one input item is read. An
``Items`` reads it into a ``Read``: the ``item`` the result reports, the ``key`` the run
deduplicates and journals it by, the ``payload`` its operation is given, and an
``error`` when the item is refused without a request. ``ProjectItems`` reads project
ids (bare, or from a ``ProjectSummary`` or ``Project``).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from .._exceptions import InvalidInputError
from .._ids import validate_project_id
from .._types import ProjectId
from .keys import as_project_id, dedupe_key, name_of

__all__ = ["PROJECT_ITEMS", "Items", "ProjectItems", "Read"]


class Read(NamedTuple):
    """One input item as a run sees it."""

    item: ProjectId
    """What the item's ``ItemResult.item`` reports."""
    key: ProjectId
    """Its identity: duplicates share it, the journal records it."""
    given: object
    """The input object kept on the result (``ItemResult.input``), or ``None``."""
    payload: object
    """What the run's operation is called with."""
    error: InvalidInputError | None
    """Why the item is refused without a request (it is then ``failed``)."""


class Items(Protocol):
    """How a run reads its input items (``read``) and names a result's item (``key``)."""

    def read(self, raw: object) -> Read:
        """The item ``raw`` is; never raises (a bad item is a ``Read`` with an error)."""
        ...

    def key(self, item: ProjectId) -> ProjectId:
        """The key a result's ``item`` is journaled by."""
        ...

    def name(self, given: object) -> str | None:
        """A name to journal beside the key, read from the item's input object."""
        ...

    def job_id(self, value: object) -> str | None:
        """A job id to journal beside the key, read from the item's result value."""
        ...


class ProjectItems:
    """Project ids: ``5`` and ``"5"`` are one project; summaries give their id and name."""

    def read(self, raw: object) -> Read:
        """The project id ``raw`` is or carries, checked."""
        item = as_project_id(raw)
        given = raw if raw is not item else None
        try:
            validate_project_id(item)
        except InvalidInputError as exc:
            return Read(item, item, given, item, exc)
        return Read(item, dedupe_key(item), given, item, None)

    def key(self, item: ProjectId) -> ProjectId:
        """The canonical id (``"5"`` as ``5``)."""
        return dedupe_key(item)

    def name(self, given: object) -> str | None:
        """The project name a summary or a project carries."""
        return name_of(given)

    def job_id(self, value: object) -> str | None:
        """Projects start no jobs."""
        return None


PROJECT_ITEMS = ProjectItems()
"""The reader of every bulk operation on projects."""
