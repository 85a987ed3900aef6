"""Remembering which job outcomes were delivered, in bounded memory.

A job has one outcome (``completed`` or ``failed``); whatever number of deliveries,
duplicates or late ones, announce it, the callback runs once. The memory holds the
last ``size`` job ids delivered (least recently delivered forgotten first), so a
receiver that runs for months keeps a fixed amount of it; a duplicate arriving after
``size`` newer outcomes would be delivered again.
"""

from __future__ import annotations

from collections import OrderedDict

from .._exceptions import InvalidInputError

__all__ = ["DEFAULT_REMEMBER", "Delivered"]

DEFAULT_REMEMBER = 100_000
"""Job outcomes remembered by default (a few MB at most)."""


class Delivered:
    """The job ids whose outcome was delivered, the newest ``size`` of them."""

    def __init__(self, size: int = DEFAULT_REMEMBER) -> None:
        """Remember up to ``size`` job ids.

        Raises:
            InvalidInputError: ``size`` is not a positive integer.
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInputError("remember must be a positive integer")
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, job_id: object) -> bool:
        """Whether ``job_id``'s outcome was delivered (and is still remembered)."""
        return job_id in self._ids

    def __len__(self) -> int:
        """How many job ids are remembered (at most ``size``)."""
        return len(self._ids)

    def claim(self, job_id: str) -> bool:
        """Record ``job_id`` as delivered; ``False`` if it already was (do not deliver).

        No ``await`` runs between the check and the record, so two workers confirming
        the same job concurrently deliver it once.
        """
        if job_id in self._ids:
            self._ids.move_to_end(job_id)
            return False
        self._ids[job_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True
