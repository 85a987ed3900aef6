"""The clients we compare against, written the way their users would write them."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence

import aiohttp
import httpx
import requests

Ids = Sequence[int | str]


def _url(base_url: str, project_id: int | str) -> str:
    return f"{base_url}/pictoryapis/v2/projects/{project_id}"


async def httpx_loop(
    base_url: str,
    key: str,
    ids: Ids,
    concurrency: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """An ``httpx.AsyncClient`` with an ``asyncio.Semaphore``; returns the successes."""
    semaphore = asyncio.Semaphore(concurrency)
    ok = 0

    async def one(client: httpx.AsyncClient, project_id: int | str) -> None:
        nonlocal ok
        async with semaphore:
            response = await client.delete(_url(base_url, project_id))
            ok += response.status_code == 200

    headers = {"Authorization": key}
    async with httpx.AsyncClient(headers=headers, transport=transport) as client:
        await asyncio.gather(*(one(client, i) for i in ids))
    return ok


async def httpx_aiohttp_loop(base_url: str, key: str, ids: Ids, concurrency: int) -> int:
    """httpx over the ``httpx-aiohttp`` transport (what the OpenAI/Anthropic SDKs offer)."""
    from httpx_aiohttp import AiohttpTransport

    transport = AiohttpTransport(limits=httpx.Limits(max_connections=concurrency))
    return await httpx_loop(base_url, key, ids, concurrency, transport)


async def aiohttp_loop(base_url: str, key: str, ids: Ids, concurrency: int) -> int:
    """Raw ``aiohttp.ClientSession``, a bounded pool of workers over a queue."""
    ok = 0
    queue: asyncio.Queue[int | str] = asyncio.Queue()
    for project_id in ids:
        queue.put_nowait(project_id)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok
        while not queue.empty():
            project_id = queue.get_nowait()
            async with session.delete(_url(base_url, project_id)) as response:
                await response.read()
                ok += response.status == 200

    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": key}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return ok


def sequential_requests(base_url: str, key: str, ids: Ids) -> int:
    """Pictory's own example: ``requests.delete`` one project after the other."""
    ok = 0
    headers = {"Authorization": key}
    for project_id in ids:
        response = requests.delete(_url(base_url, project_id), headers=headers, timeout=30)
        ok += bool(response.json().get("success"))
    return ok


async def naive_retry_loop(
    base_url: str, key: str, ids: Ids, concurrency: int, *, max_retries: int = 8
) -> tuple[int, int]:
    """aiohttp where every request retries on its own after a 429 or 5xx: a retry storm.

    Honours ``Retry-After`` in seconds when given, else backs off 0.5 s * 2^n with jitter.
    Returns ``(successes, failures)``.
    """
    ok = failed = 0
    queue: asyncio.Queue[int | str] = asyncio.Queue()
    for project_id in ids:
        queue.put_nowait(project_id)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok, failed
        while not queue.empty():
            project_id = queue.get_nowait()
            for attempt in range(max_retries + 1):
                try:
                    async with session.delete(_url(base_url, project_id)) as response:
                        await response.read()
                        status = response.status
                        retry_after = response.headers.get("Retry-After", "")
                except aiohttp.ClientError:
                    status, retry_after = 599, ""
                if status in (200, 404):
                    ok += 1
                    break
                if attempt == max_retries:
                    failed += 1
                    break
                delay = (
                    float(retry_after)
                    if retry_after.isdigit()
                    else 0.5 * 2**attempt * random.uniform(0.75, 1)
                )
                await asyncio.sleep(delay)

    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": key}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return ok, failed


def timed_sync(fn: object, *args: object) -> tuple[object, float, float]:
    """Run a sync callable; return ``(result, wall seconds, CPU seconds)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)  # type: ignore[operator]
    return result, time.perf_counter() - wall, time.process_time() - cpu
