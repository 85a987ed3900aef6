"""The AI credit ledger: a debit per render, listed one month at a time.

``GET /v1/aicredits/usage`` answers the transactions of one month, newest first: the
month of ``year`` and ``month`` when given (``month`` alone: of the current year), else
the current month, all on the emulator's clock. A ``year`` without a ``month``, or
either one that is not a number of its range, is a 400 ``INVALID_REQUEST_BODY``.
"""

from __future__ import annotations

import hashlib
from datetime import timezone
from typing import Any, Final
from urllib.parse import parse_qsl

from ._state import State
from ._validate import InvalidBodyError
from ._wire import iso

__all__ = ["debit", "month_ledger"]

_RANGES: Final = {"year": (1, 9999), "month": (1, 12)}


def debit(state: State, account: str, amount: int) -> None:
    """Log ``amount`` AI credits spent by a render of ``account`` now."""
    moment = state.wall()
    log = state.credit_log[account]
    digest = hashlib.sha256(f"credit:{state.seed}:{account}:{len(log)}".encode()).hexdigest()
    log.append(
        {
            "transactionId": moment.strftime("%Y%m%d%H%M%S") + digest[:33],
            "type": "debit",
            "amount": amount,
            "source": "Video Render",
            "description": "Credits consumed by a video render",
            "plan": "API Annual",
            "transactionDate": iso(moment),
        }
    )


def _month(query: bytes, state: State) -> tuple[int, int]:
    """The ``(year, month)`` a ledger query asks for.

    Raises:
        InvalidBodyError: A year without a month, or a value that is not a whole number
            in its range.
    """
    given = dict(parse_qsl(query.decode("latin-1"))) if query else {}
    now = state.wall().astimezone(timezone.utc)
    asked = {"year": now.year, "month": now.month}
    errors: list[tuple[str, str]] = []
    if given.get("year") and not given.get("month"):
        errors.append(("month", "month is required when year is provided"))
    for name, (low, high) in _RANGES.items():
        text = given.get(name)
        if not text:
            continue
        if text.isdigit() and low <= int(text) <= high:
            asked[name] = int(text)
        else:
            errors.append((name, f"must be a whole number from {low} to {high}"))
    if errors:
        raise InvalidBodyError(errors)
    return asked["year"], asked["month"]


def month_ledger(state: State, account: str, query: bytes) -> list[dict[str, Any]]:
    """The transactions of the month ``query`` asks for, newest first.

    Raises:
        InvalidBodyError: A bad ``year``/``month`` (see ``_month``).
    """
    year, month = _month(query, state)
    prefix = f"{year:04d}-{month:02d}-"
    return [
        entry
        for entry in reversed(state.credit_log[account])
        if str(entry["transactionDate"]).startswith(prefix)
    ]
