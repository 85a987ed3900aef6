"""``client.account``: the account the API key belongs to: its usage, limits and AI credits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._decode import decode_json, structure, unwrap_data
from .._exceptions import InvalidInputError
from .._models.account import AiCreditTransaction, Quota
from .._paths import AI_CREDITS_USAGE, QUOTA
from ._base import Resource
from .lookups._parse import read_items

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import RequestOptions

__all__ = ["Account"]


def _month_query(year: object, month: object) -> dict[str, str] | None:
    """The ``year``/``month`` query of the AI credit ledger, checked.

    Raises:
        InvalidInputError: A month outside 1-12, a year that is not a positive
            integer, or a year without a month (the API refuses that).
    """
    if month is None:
        if year is not None:
            raise InvalidInputError("year needs a month: the API does not take a year alone")
        return None
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise InvalidInputError(f"month must be an integer from 1 to 12, got {month!r:.40}")
    if year is None:
        return {"month": str(month)}
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise InvalidInputError(f"year must be an integer such as 2026, got {year!r:.40}")
    return {"year": str(year), "month": str(month)}


class Account(Resource):
    """The account the API key belongs to."""

    async def quota(self, **options: Unpack[RequestOptions]) -> Quota:
        """Fetch the account's usage and limits (``GET /pictoryapis/v1/quota``).

        Args:
            **options: Per-call options (``timeout``, ``max_retries``, ``extra_headers``,
                ``extra_query``).

        Returns:
            The ``Quota``: video, transcription and voice-over minutes and AI credits,
            each ``used`` of its ``limit`` (``None`` for one the API did not send).

        Raises:
            AuthenticationError: The API refused the key.
            ResponseValidationError: The API answered with something that is not a quota.
        """
        response = (await self._client._request("GET", QUOTA, options=options)).response
        return structure(unwrap_data(decode_json(response), response), Quota, response)

    async def ai_credits(
        self,
        *,
        year: int | None = None,
        month: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> tuple[AiCreditTransaction, ...]:
        """The AI credit ledger of one month (``GET /pictoryapis/v1/aicredits/usage``).

        Pictory keeps the last 12 months.

        Args:
            year: The year (``2026``); needs ``month``. Default: the current year.
            month: The month, 1 to 12. Default: the current month.
            **options: Per-call options.

        Returns:
            Each ``AiCreditTransaction`` (credits spent or added), newest first.

        Raises:
            InvalidInputError: A bad month or year, or a year without a month; nothing
                was sent.
            AuthenticationError: The API refused the key.
            ResponseValidationError: The answer is not a list of transactions.
        """
        params = _month_query(year, month)
        received = await self._client._request(
            "GET", AI_CREDITS_USAGE, params=params, options=options
        )
        return read_items(received.response, AiCreditTransaction)
