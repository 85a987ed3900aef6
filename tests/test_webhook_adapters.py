"""The FastAPI and aiohttp adapters: lifespans, routes, the token, the capped body, imports."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from aiohttp import web
from fastapi import FastAPI

import pictory_async.aiohttp
from pictory_async import AsyncPictory
from pictory_async.emulator import RunningEmulator, serve
from pictory_async.webhooks import JobOutcome
from pictory_async.webhooks import aiohttp as webhooks_aiohttp
from pictory_async.webhooks._read import read_capped
from pictory_async.webhooks.fastapi import lifespan, webhook_router

SECRET = "adapter-secret-0123456789"


@pytest.fixture
async def running() -> AsyncIterator[RunningEmulator]:
    """The emulator on loopback; renders finish at once."""
    async with serve(projects=0, seed=1) as emulator:
        emulator.emulator.set_render_duration(0)
        yield emulator


async def finished_body(running: RunningEmulator) -> tuple[str, bytes]:
    """A completed job's id and its webhook body (what ``GET /jobs/{id}`` answers)."""
    async with AsyncPictory(running.api_key, base_url=running.base_url) as client:
        job = await client.videos.create("A video for the adapters.", wait=False)
        response = await client.get(f"/pictoryapis/v1/jobs/{job.id}", cast_to=httpx.Response)
    return job.id, response.content


def client_factory(running: RunningEmulator) -> functools.partial[AsyncPictory]:
    """What the lifespans open: a client of the emulator."""
    return functools.partial(AsyncPictory, running.api_key, base_url=running.base_url)


@contextlib.asynccontextmanager
async def uvicorn_app(app: FastAPI) -> AsyncIterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 (its lifespan run); its origin."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def aiohttp_app(app: web.Application) -> AsyncIterator[str]:
    """``app`` served by aiohttp on 127.0.0.1; its origin.

    aiohttp reads and discards an unread body for up to 10 s after the answer (its
    "lingering close"), which would hold the shutdown of the 413 test: not here.
    """
    runner = web.AppRunner(app, lingering_time=0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def deliver_three(origin: str, body: bytes) -> list[int]:
    """POST ``body`` without a token, with a wrong one, then with the right one."""
    async with httpx.AsyncClient(base_url=origin) as http:
        return [
            (await http.post("/pictory/webhook", content=body)).status_code,
            (
                await http.post("/pictory/webhook?token=nope-nope-nope-nope", content=body)
            ).status_code,
            (await http.post(f"/pictory/webhook?token={SECRET}", content=body)).status_code,
        ]


async def test_the_fastapi_lifespan_serves_a_receiver_on_the_app_s_client(
    running: RunningEmulator,
) -> None:
    """401, 403, then 202; the callback gets the confirmed job before shutdown ends."""
    job_id, body = await finished_body(running)
    outcomes: list[JobOutcome] = []
    on_outcome, factory = outcomes.append, client_factory(running)
    app = FastAPI(lifespan=lifespan(on_outcome, factory=factory, secret=SECRET))
    app.include_router(webhook_router())
    async with uvicorn_app(app) as origin:
        statuses = await deliver_three(origin, body)

    assert [401, 403, 202] == statuses
    assert [job_id] == [outcome.job_id for outcome in outcomes]  # drained at shutdown


async def test_the_aiohttp_setup_serves_a_receiver_on_the_app_s_client(
    running: RunningEmulator,
) -> None:
    """The same with aiohttp: the client first, then the receiver and its route."""
    job_id, body = await finished_body(running)
    outcomes: list[JobOutcome] = []
    on_outcome, factory = outcomes.append, client_factory(running)
    app = web.Application()
    pictory_async.aiohttp.setup(app, factory=factory)
    webhooks_aiohttp.setup(app, on_outcome, secret=SECRET)
    async with aiohttp_app(app) as origin:
        statuses = await deliver_three(origin, body)

    assert [401, 403, 202] == statuses
    assert [job_id] == [outcome.job_id for outcome in outcomes]


async def test_aiohttp_without_a_client_fails_at_startup() -> None:
    """The receiver's setup before the client's is a clear ``RuntimeError`` at startup."""
    app = web.Application()
    webhooks_aiohttp.setup(app)

    with pytest.raises(RuntimeError, match=r"pictory_async\.aiohttp\.setup"):
        async with aiohttp_app(app):
            pass


@pytest.mark.parametrize("framework", ["fastapi", "aiohttp"])
async def test_a_huge_body_is_answered_413_without_being_read_whole(
    running: RunningEmulator, framework: str
) -> None:
    """A 2 MB streamed body gets 413 from both adapters (the receiver caps at 256 KB)."""
    factory = client_factory(running)
    served: contextlib.AbstractAsyncContextManager[str]
    if framework == "fastapi":
        app = FastAPI(lifespan=lifespan(factory=factory))
        app.include_router(webhook_router())
        served = uvicorn_app(app)
    else:
        aio = web.Application()
        pictory_async.aiohttp.setup(aio, factory=factory)
        webhooks_aiohttp.setup(aio)
        served = aiohttp_app(aio)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2):
            yield b"x" * 1_000_000

    async with served as origin, httpx.AsyncClient(base_url=origin) as http:
        response = await http.post("/pictory/webhook", content=chunks())

    assert 413 == response.status_code


async def test_read_capped_stops_one_byte_past_the_limit() -> None:
    """An endless body is read only up to ``limit + 1`` bytes."""
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"y" * 1000

    body = await read_capped(endless(), 2500)

    assert (2501, 3) == (len(body), pulled)


async def test_the_fastapi_route_without_the_lifespan_is_a_clear_error() -> None:
    """A route used without the webhooks lifespan says how to set it up."""
    app = FastAPI()
    app.include_router(webhook_router())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        with pytest.raises(RuntimeError, match="lifespan"):
            await http.post("/pictory/webhook", content=b"{}")


def test_importing_the_webhooks_loads_no_web_framework() -> None:
    """``import pictory_async.webhooks`` leaves FastAPI, Starlette, aiohttp and uvicorn out."""
    script = "import json, sys, pictory_async.webhooks; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))

    assert set() == {"fastapi", "starlette", "aiohttp", "uvicorn"} & modules
