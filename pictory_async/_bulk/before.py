"""What a bulk run asks the API before it reads its input, shared by its workers.

Two things, in order, each at most once per run: the operation's ``prepare`` (a dry
run of ``create_many`` reads the quota), then the confirmation of what an earlier
run's journal says may have been applied (``delete_many``: a 404 confirms a delete).
Every worker takes part: the first asks ``prepare`` while the others wait, and the
ids to confirm are shared out among all of them; none reads input before both ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .._exceptions import AuthenticationError, ClientClosedError
from .._journal import Journal
from .._logs import logger
from .._types import ProjectId
from .result import BulkResult, Outcome

__all__ = ["Before", "Confirm", "Prepare"]

Confirm = Callable[[ProjectId], Awaitable[bool]]
"""Whether an earlier run's request for an id, which may have been applied, was: ``True``
(a delete's project is gone), ``False`` (it is still there); raises when it cannot tell."""
Prepare = Callable[[], Awaitable[None]]
"""Asked once before the input is read (what it raises stops the run)."""


class Before:
    """The run's questions before its input, asked by its ``workers`` together.

    Args:
        workers: How many workers call ``ask``.
        prepare: Asked once, first.
        confirm: Asks about one id of ``journal.unconfirmed``.
        result: Where ids confirmed done are listed (``confirmed_gone``).
    """

    def __init__(
        self,
        workers: int,
        prepare: Prepare | None,
        confirm: Confirm | None,
        result: BulkResult[Any],
    ) -> None:
        self._prepare = prepare
        self._preparing = asyncio.Lock()
        self._confirm = confirm
        self._result = result
        self._journal: Journal | None = None
        self._unconfirmed: list[ProjectId] = []
        self._confirming = workers  # workers still asking
        self._confirmed = asyncio.Event()
        self._confirmed.set()

    def load(self, journal: Journal | None) -> None:
        """Take the ids to confirm from the opened ``journal`` (none for a dry run)."""
        if journal is not None and self._confirm is not None:
            self._journal = journal
            self._unconfirmed = sorted(journal.unconfirmed, key=str, reverse=True)
            if self._unconfirmed:
                self._confirmed.clear()

    async def ask(self, fail: Callable[[BaseException], None], stopped: Callable[[], bool]) -> None:
        """One worker's part; returns when every question was asked (or the run stopped).

        Args:
            fail: Stops the run with an error.
            stopped: Whether the run stopped.
        """
        if self._prepare is not None:
            async with self._preparing:  # the first worker asks; the others wait for it
                prepare, self._prepare = self._prepare, None
                if prepare is not None:
                    try:
                        await prepare()
                    except Exception as exc:
                        fail(exc)
        if not self._confirmed.is_set():
            await self._confirm_earlier(fail, stopped)

    async def _confirm_earlier(
        self, fail: Callable[[BaseException], None], stopped: Callable[[], bool]
    ) -> None:
        """Ask about the ids an earlier run may have applied, before any input is read.

        Each answer is journaled: done (``deleted``, reason ``confirmed_gone``) or
        ``not_applied``. An id the API cannot answer about stays unconfirmed; an input
        item naming it is sent as usual, and its own answer confirms it.
        """
        journal, confirm = self._journal, self._confirm
        try:
            while self._unconfirmed and not stopped() and journal and confirm:
                key = self._unconfirmed.pop()
                try:
                    done = await confirm(key)
                except (AuthenticationError, ClientClosedError) as exc:
                    fail(exc)  # every other request would fail too
                    return
                except Exception as exc:  # cannot tell: it stays unconfirmed
                    logger.info("could not confirm %r: %s", key, type(exc).__name__)
                    continue
                try:
                    if done:
                        journal.record(key, Outcome.DELETED.value, reason="confirmed_gone")
                        self._result.confirmed_gone.append(key)
                    else:
                        journal.record(key, "not_applied")
                except OSError as exc:
                    fail(exc)
                    return
        finally:
            self._confirming -= 1
            if self._confirming == 0:
                self._confirmed.set()
        await self._confirmed.wait()
