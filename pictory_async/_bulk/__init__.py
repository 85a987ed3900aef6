"""The bulk engine: many calls at once, every item in exactly one outcome.

``run`` runs the calls (``BulkRun``), ``result`` accounts for them (``BulkResult``),
``keys`` reads an id from an input item, and ``projects`` holds the bulk operations of
``client.projects`` (``delete_many``, ``backup_and_delete``, ``get_many``), ``videos``
that of ``client.videos`` (``create_many``, its items in ``video_items``, its dry-run
plan in ``plan``). This module
only re-exports the engine's names.
"""

from __future__ import annotations

from .keys import as_project_id, dedupe_key, name_of
from .result import BulkProgress, BulkResult, ItemResult, Outcome, may_have_been_applied
from .run import YIELD_EVERY, BulkRun, Confirm, Operation, ProgressCallback, Sent

__all__ = [
    "YIELD_EVERY",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "Confirm",
    "ItemResult",
    "Operation",
    "Outcome",
    "ProgressCallback",
    "Sent",
    "as_project_id",
    "dedupe_key",
    "may_have_been_applied",
    "name_of",
]
