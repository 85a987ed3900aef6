"""The seam for limiter shapes: a ``Schedule`` says when the next request may go.

Before each send the throttle asks the first schedule that ``binds`` to ``book`` the
call; it is told how each request ended. The pacer (a rate) and the quota batches (a
quota per pause) are the two there are; a new limiter shape is one new class, listed
in ``Throttle.__init__``. A schedule that stops binding hands back to the pace through
the callback it was given.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Schedule"]


class Schedule(Protocol):
    """When the next request may go, learned from how the last ones ended.

    Every time is the throttle's clock, in seconds; ``sent`` is a request's ticket.
    """

    @property
    def binds(self) -> bool:
        """Whether sends wait for this schedule now."""

    async def book(self) -> bool:
        """Book the current call's send: ``True`` when it may go now.

        ``False`` after waiting a while: the throttle checks the cool-down and the
        window again, then asks again.
        """

    def on_answer(self, sent: float) -> None:
        """A request sent at ``sent`` was answered or lost (after ``on_success``/``on_429``)."""

    def on_success(self, sent: float, now: float, event_at: float) -> None:
        """A request sent at ``sent`` succeeded at ``now``; the last event was at ``event_at``."""

    def on_429(self, sent: float) -> bool:
        """A 429 for a request sent at ``sent``; ``True`` when it was this schedule's probe.

        A refused probe is expected: it is no throttling event and pauses nobody.
        """

    def on_event(
        self, now: float, previous: float, retry_after: float | None, until: float
    ) -> int | None:
        """A new throttling event at ``now`` (the one before at ``previous``).

        Args:
            now: When the event's first 429 came.
            previous: When the event before it came (``-inf``: none).
            retry_after: The ``Retry-After`` the 429 carried, if any.
            until: When the shared cool-down ends.

        Returns:
            How many requests to let go at once when the API opens again, if the
            schedule knows (``None``: it does not).
        """

    def on_lift(self, now: float) -> None:
        """The cool-down was lifted at ``now``: a later request went through."""
