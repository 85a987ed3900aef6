"""Reading a response body: capped after decompression, or a piece of an error answer.

An API response's body is read whole, but never more than the client's
``max_response_bytes`` of it, counted after decompression, so memory stays bounded
whatever the server sends (``read_capped``); a body our transport read in one go is
taken as it is by the pipeline (a fast twin of httpx's ``aread()``, held equal to it by
``tests/test_twins.py``). An error answer from the CDN is read only as far as its
message needs (``read_some``).
"""

from __future__ import annotations

import httpx

from ._exceptions import ResponseTooLargeError

__all__ = ["check_size", "read_capped", "read_some"]


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, refusing to hold more than ``limit`` bytes of it.

    Raises:
        ResponseTooLargeError: The body is larger than ``limit`` bytes.
        httpx.DecodingError: The body cannot be decoded (its ``Content-Encoding``).
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        check_size(response, size, limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_size(response: httpx.Response, size: int, limit: int) -> None:
    """Refuse a body of ``size`` bytes (so far) above ``limit``.

    Raises:
        ResponseTooLargeError: ``size`` is above ``limit``.
    """
    if size > limit:
        raise ResponseTooLargeError(
            f"the response body is larger than max_response_bytes ({limit} bytes, "
            "counted after decompression); reading stopped there",
            request=response.request,
            status_code=response.status_code,
            limit=limit,
        )


async def read_some(response: httpx.Response, limit: int) -> bytes:
    """Up to ``limit`` bytes of an error answer's body (enough for its message)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except httpx.HTTPError:
        pass  # the status says what went wrong; the body was a courtesy
    return b"".join(chunks)[:limit]
