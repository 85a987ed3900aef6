"""``client.account``: the account the API key belongs to: its usage and limits."""

from __future__ import annotations

from .._decode import decode_json, structure, unwrap_data
from .._models import Quota
from .._paths import QUOTA
from ._base import Client

__all__ = ["Account"]


class Account:
    """The account the API key belongs to."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def quota(self) -> Quota:
        """Fetch the account's usage and limits (``GET /pictoryapis/v1/quota``).

        Returns:
            The ``Quota``: video, transcription and voice-over minutes and AI credits,
            each ``used`` of its ``limit`` (``None`` for one the API did not send).

        Raises:
            AuthenticationError: The API refused the key.
            ResponseValidationError: The API answered with something that is not a quota.
        """
        response = (await self._client._request("GET", QUOTA)).response
        return structure(unwrap_data(decode_json(response), response), Quota, response)
