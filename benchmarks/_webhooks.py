"""Webhook receivers: how fast a delivery is answered when 200 arrive at once.

Each server runs on 127.0.0.1 in this process: our receiver behind FastAPI + uvicorn and
behind aiohttp.web, and beside each a bare handler that answers 200 doing nothing (the
framework's own cost, measured in the same run). The sender, a child process on the
other CPU, POSTs 200 job bodies at once over 200 kept-alive connections (opened by an
unmeasured first round); the servers take turns, a round each, with fresh job ids. Two
figures: the time in the application (the request reaching it to its answer starting:
what the handler costs), and the round trip the sender sees, which queues behind the
199 other requests on the server's one event loop. The receiver confirms each event in
the background against an emulator in another child process, as it would in
production (the ids are unknown there: each confirmation is one real GET answered 404),
and that work shares the server's loop.

``serving`` (a receiver or a bare handler, served by either framework) is also what the
acceptance test of the webhooks serves its receivers with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import aiohttp
import uvicorn
from aiohttp import web
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from pictory_async import AsyncPictory
from pictory_async.emulator import spawn
from pictory_async.webhooks import WebhookReceiver, new_secret
from pictory_async.webhooks import aiohttp as webhooks_aiohttp
from pictory_async.webhooks.fastapi import webhook_router

from ._report import table

__all__ = ["Framework", "main", "serving"]

Framework = Literal["fastapi", "aiohttp"]
PATH = "/pictory/webhook"
DELIVERIES = 200


@contextlib.asynccontextmanager
async def serving(
    framework: Framework, receiver: WebhookReceiver | None, times: list[float] | None = None
) -> AsyncIterator[str]:
    """Serve ``receiver`` (``None``: a bare handler answering 200) on 127.0.0.1.

    Args:
        framework: ``fastapi`` (with uvicorn) or ``aiohttp``.
        receiver: The receiver, or ``None`` for the bare handler.
        times: If given, each request's time in the application (ms) is appended: from
            the request reaching it to its answer's start.

    Yields:
        The URL deliveries go to (no token).
    """
    if framework == "fastapi":
        async with _uvicorn(receiver, times) as url:
            yield url
    else:
        async with _aiohttp(receiver, times) as url:
            yield url


class _Timed:
    """An ASGI middleware: each request's time until its answer starts, in ms."""

    def __init__(self, app: Any, times: list[float]) -> None:
        self.app, self.times = app, times

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        began = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.times.append((time.perf_counter() - began) * 1000)
            await send(message)

        await self.app(scope, receive, timed)


@contextlib.asynccontextmanager
async def _uvicorn(
    receiver: WebhookReceiver | None, times: list[float] | None
) -> AsyncIterator[str]:
    app = FastAPI()
    if receiver is not None:
        app.include_router(webhook_router(PATH, receiver=receiver))
    else:

        @app.post(PATH)
        async def bare(request: Request) -> JSONResponse:
            await request.body()
            return JSONResponse({"detail": "ok"})

    config = uvicorn.Config(
        app if times is None else _Timed(app, times),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        backlog=1024,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}{PATH}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def _aiohttp(
    receiver: WebhookReceiver | None, times: list[float] | None
) -> AsyncIterator[str]:
    app = web.Application()
    if times is not None:
        timings = times

        @web.middleware
        async def timed(request: web.Request, handler: Any) -> web.StreamResponse:
            began = time.perf_counter()
            response: web.StreamResponse = await handler(request)
            timings.append((time.perf_counter() - began) * 1000)
            return response

        app.middlewares.append(timed)
    if receiver is not None:
        app[webhooks_aiohttp.RECEIVER_KEY] = receiver
        app.router.add_post(PATH, webhooks_aiohttp.handler)
    else:

        async def bare(request: web.Request) -> web.Response:
            await request.read()
            return web.json_response({"detail": "ok"})

        app.router.add_post(PATH, bare)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}{PATH}"
    finally:
        await runner.cleanup()


def _body(job_id: str) -> bytes:
    data = {"jobId": job_id, "status": "completed", "videoURL": "https://cdn.example/v.mp4"}
    return json.dumps({"job_id": job_id, "success": True, "data": data}).encode()


async def _round(session: aiohttp.ClientSession, url: str, prefix: str) -> list[float]:
    """Answer times (ms) of ``DELIVERIES`` POSTs sent at once."""
    start = asyncio.Event()

    async def one(number: int) -> float:
        body = _body(f"{prefix}-{number:04d}")
        await start.wait()
        began = time.perf_counter()
        async with session.post(url, data=body) as response:
            await response.read()
            if response.status >= 300:
                raise SystemExit(f"{url}: answered {response.status}")
        return (time.perf_counter() - began) * 1000

    tasks = [asyncio.create_task(one(n)) for n in range(DELIVERIES)]
    await asyncio.sleep(0)
    start.set()
    return list(await asyncio.gather(*tasks))


_Sender = Callable[[str, str], Awaitable[list[float]]]


@contextlib.asynccontextmanager
async def _sender_process() -> AsyncIterator[_Sender]:
    """The sender in a child process (on the emulator's CPU): a round per call."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks._webhooks",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(process.pid, {0})
    assert process.stdin is not None
    assert process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    async def send(url: str, prefix: str) -> list[float]:
        stdin.write(f"{url} {prefix}\n".encode())
        await stdin.drain()
        answer = json.loads(await stdout.readline() or b'{"error": "the sender exited"}')
        if isinstance(answer, dict):
            raise SystemExit(f"{url}: {answer['error']}")
        times: list[float] = answer
        return times

    try:
        yield send
    finally:
        stdin.close()
        await process.wait()


async def _serve_rounds() -> None:
    """The child: for each ``URL PREFIX`` line on stdin, a round; its times as JSON."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=DELIVERIES)
    async with aiohttp.ClientSession(connector=connector) as session:
        while line := await asyncio.to_thread(sys.stdin.readline):
            url, prefix = line.split()
            try:
                answer: object = await _round(session, url, prefix)
            except (aiohttp.ClientError, SystemExit) as exc:
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)


def _row(name: str, times: list[float]) -> list[str]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return [name, f"{statistics.median(ordered):.1f}", f"{p99:.1f}", f"{ordered[-1]:.1f}"]


async def run(rounds: int) -> None:
    """Measure every server ``rounds`` times (taking turns) and print the table."""
    names: dict[tuple[Framework, bool], str] = {
        ("fastapi", True): "pictory-async receiver, FastAPI + uvicorn",
        ("fastapi", False): "bare handler (200, nothing done), FastAPI + uvicorn",
        ("aiohttp", True): "pictory-async receiver, aiohttp.web",
        ("aiohttp", False): "bare handler (200, nothing done), aiohttp.web",
    }
    times: dict[tuple[Framework, bool], list[float]] = {key: [] for key in names}
    inside: dict[tuple[Framework, bool], list[float]] = {key: [] for key in names}
    async with contextlib.AsyncExitStack() as stack:
        remote = await stack.enter_async_context(spawn(args=["--projects", "0"], cpu=0))
        client = await stack.enter_async_context(
            AsyncPictory(remote.api_key, base_url=remote.base_url)
        )
        sender = await stack.enter_async_context(_sender_process())
        urls: dict[tuple[Framework, bool], str] = {}
        receivers: list[WebhookReceiver] = []
        for framework, ours in names:
            receiver = None
            if ours:
                receiver = WebhookReceiver(client, secret=new_secret(), max_pending=10_000)
                receivers.append(await stack.enter_async_context(receiver))
            url = await stack.enter_async_context(
                serving(framework, receiver, inside[(framework, ours)])
            )
            urls[(framework, ours)] = url if receiver is None else receiver.url_for(url)
        for number in range(rounds + 1):  # round 0 opens the connections, unmeasured
            if number == 1:
                for measured in inside.values():
                    measured.clear()
            for key, url in urls.items():
                answered = await sender(url, f"r{number}-{key[0]}")
                if number:
                    times[key] += answered
                for receiver in receivers:
                    await receiver.join()
    table(
        f"Webhook answers in the application: {DELIVERIES} deliveries at once, {rounds} rounds "
        "(ms from the request reaching the application to its answer)",
        ["server", "p50", "p99", "max"],
        [_row(name, inside[key]) for key, name in names.items()],
    )
    table(
        f"Webhook answers seen by the sender: {DELIVERIES} deliveries at once, {rounds} rounds "
        "(ms per round trip, sent from another process)",
        ["server", "p50", "p99", "max"],
        [_row(name, times[key]) for key, name in names.items()],
    )
    print(
        "\nOur receiver's answer: the token (each delivery carries it), the parse, a place "
        "on the bounded queue; the confirmation and callback run after it, on the "
        "receiver's workers. A round trip queues behind the rest of the burst on the "
        "server's one event loop, the bare handler's too."
    )


def main(*, quick: bool = False) -> None:
    """``python -m benchmarks --only webhooks``."""
    asyncio.run(run(2 if quick else 5))


if __name__ == "__main__":  # the sender's child process
    asyncio.run(_serve_rounds())
