"""The example apps under load: 200 concurrent requests through a real server.

Each app runs on a real server (uvicorn, aiohttp's ``AppRunner``) on loopback, in front
of the emulator in a child process (its own core), rate-limited. The figures
(requests/s, p50 and p99 latency) are printed, never asserted: they depend on the
machine. What is asserted: every answer is a success or the mapped status (429 with
``Retry-After``), the app made one client, nothing failed upstream (no pool timeouts,
no 502/504), nothing was logged at ERROR ("Event loop is closed", unclosed sessions,
unretrieved task exceptions), and a shutdown with requests in flight answers them all.
``test_dev_mode_run_is_clean`` runs this module again under ``PYTHONDEVMODE=1``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import aiohttp_app
import fastapi_app
import httpx
import pytest
from aiohttp import web

from .support import Factory, Served, aiohttp_serving, uvicorn_serving

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 200
LATENCY_MS = 20
FRAMEWORKS = ["fastapi", "aiohttp"]


class ChildEmulator:
    """The emulator in a child process, with its admin routes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pictory_async.emulator",
                "--projects",
                str(CONCURRENCY),
                "--latency-ms",
                str(LATENCY_MS),
                "--rate-limit",
                "1000",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        try:
            info = json.loads(self.process.stdout.readline())
        except ValueError:
            self.process.kill()
            self.process.wait()
            self.process.stdout.close()
            raise
        self.base_url: str = info["base_url"]
        self.api_key: str = info["api_key"]
        self.admin = httpx.Client(base_url=info["admin_url"], trust_env=False)
        self.ids: list[str] = [str(project_id) for project_id in self._project_ids()]

    def _project_ids(self) -> list[Any]:
        ids: list[Any] = []
        headers = {"Authorization": self.api_key}
        with httpx.Client(base_url=self.base_url, headers=headers, trust_env=False) as api:
            params: dict[str, str] = {}
            while True:
                page = api.get("/pictoryapis/v2/projects", params=params).json()
                ids.extend(item["id"] for item in page["items"])
                if not page.get("pageKey"):
                    return ids
                params["pagekey"] = page["pageKey"]

    def configure(self, **faults: Any) -> None:
        """Reset projects, counters and faults, then apply ``faults``."""
        self.admin.post("/reset", json={}).raise_for_status()
        self.admin.post("/faults", json=faults).raise_for_status()

    def stats(self) -> dict[str, Any]:
        """The emulator's counters."""
        stats: dict[str, Any] = self.admin.get("/stats").json()
        return stats

    def close(self) -> None:
        """Stop the child."""
        self.admin.close()
        self.process.terminate()
        self.process.wait(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture(scope="module")
def child() -> Iterator[ChildEmulator]:
    """The emulator in a child process, for the whole module."""
    emulator = ChildEmulator()
    try:
        yield emulator
    finally:
        emulator.close()


class Counted:
    """Counts the requests an app has started handling."""

    def __init__(self) -> None:
        self.started = 0


def _app(framework: str, factory: Factory, counted: Counted) -> Any:
    """The example app, wrapped so that ``counted`` sees each request as it starts."""
    if framework == "fastapi":
        inner = fastapi_app.create_app(factory)

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                counted.started += 1
            await inner(scope, receive, send)

        return counting

    @web.middleware
    async def count(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        counted.started += 1
        return await handler(request)

    app = aiohttp_app.create_app(factory)
    app.middlewares.insert(0, count)
    return app


@contextlib.asynccontextmanager
async def _serving(framework: str, app: Any) -> AsyncIterator[Served]:
    server = uvicorn_serving(app) if framework == "fastapi" else aiohttp_serving(app)
    async with server as served:
        yield served


class Answer:
    """One answer the load generator got, and how long it took."""

    def __init__(self, status: int, retry_after: str | None, seconds: float) -> None:
        self.status = status
        self.retry_after = retry_after
        self.seconds = seconds


async def _get(session: aiohttp.ClientSession, url: str) -> Answer:
    began = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
    seconds = time.perf_counter() - began
    return Answer(response.status, response.headers.get("Retry-After"), seconds)


async def _burst(base_url: str, ids: list[str]) -> tuple[list[Answer], float]:
    """``len(ids)`` concurrent GETs of one project each; the answers and the wall time."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(base_url, connector=connector) as session:
        await _get(session, f"/projects/{ids[0]}")  # the app is up and its pool warm
        began = time.perf_counter()
        answers = await asyncio.gather(*(_get(session, f"/projects/{i}") for i in ids))
        return list(answers), time.perf_counter() - began


def _report(label: str, answers: list[Answer], wall: float) -> str:
    latencies = sorted(answer.seconds for answer in answers)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    return (
        f"{label}: {len(answers)} concurrent requests in {wall:.2f} s = "
        f"{len(answers) / wall:.0f} requests/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"statuses {dict(sorted(statuses.items()))}"
    )


SCENARIOS = {
    # Under the emulator's limit: what the integration costs.
    "under-limit": ({"rate_limit": 5000, "burst": 1000}, {}),
    # Over it, whatever the pace of the machine (200 requests need at least 4.5 s at
    # 40/s with a burst of 20): the shared cool-down and retries absorb the 429s.
    "over-limit-retried": ({"rate_limit": 40, "burst": 20}, {}),
    # Over it with retries off: the 429s reach the callers, with Retry-After.
    "over-limit-no-retries": ({"rate_limit": 40, "burst": 20}, {"max_retries": 0}),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_200_concurrent_requests(
    framework: str,
    scenario: str,
    child: ChildEmulator,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """200 concurrent requests: each a success or a 429 with Retry-After, one client, no error."""
    faults, options = SCENARIOS[scenario]
    child.configure(latency=LATENCY_MS / 1000, **faults)
    factory = Factory(api_key=child.api_key, base_url=child.base_url, **options)
    with caplog.at_level(logging.WARNING):
        async with _serving(framework, _app(framework, factory, Counted())) as served:
            answers, wall = await _burst(served.base_url, child.ids)

    allowed = [a for a in answers if a.status == 200 or (a.status == 429 and a.retry_after)]
    assert len(answers) == len(allowed), sorted({a.status for a in answers})
    assert 1 == len(factory.clients)
    assert factory.clients[0].is_closed
    assert [] == [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert [] == [r.getMessage() for r in caplog.records if "answering 50" in r.getMessage()]
    if scenario == "under-limit":
        assert 0 == child.stats()["rate_limited"]
    else:
        assert child.stats()["rate_limited"] > 0
    if scenario == "over-limit-no-retries":
        assert any(a.status == 429 for a in answers)
    with capsys.disabled():
        print(f"\n{_report(f'{framework} {scenario}', answers, wall)}")


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_shutdown_with_requests_in_flight(
    framework: str, child: ChildEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopping the server with 200 requests in flight answers them all, then closes the client."""
    child.configure(latency=0.3, rate_limit=5000, burst=1000)
    factory = Factory(api_key=child.api_key, base_url=child.base_url)
    counted = Counted()
    with caplog.at_level(logging.WARNING):
        async with _serving(framework, _app(framework, factory, counted)) as served:
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(served.base_url, connector=connector) as session:
                requests = [
                    asyncio.ensure_future(_get(session, f"/projects/{i}")) for i in child.ids
                ]
                while counted.started < len(requests):  # noqa: ASYNC110 - no event to wait on
                    await asyncio.sleep(0.005)
                await served.stop()
                answers = await asyncio.gather(*requests)

    assert [200] * len(requests) == [answer.status for answer in answers]
    assert 1 == len(factory.clients)
    assert factory.clients[0].is_closed
    assert [] == [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_dev_mode_run_is_clean() -> None:
    """Under PYTHONDEVMODE=1, the load tests pass without a ResourceWarning or loop error."""
    env = {**os.environ, "PYTHONDEVMODE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-k", "not dev_mode", __file__],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert 0 == run.returncode, output[-4000:]
    for bad in ("ResourceWarning", "Event loop is closed", "Unclosed", "was never awaited"):
        assert bad not in output
    assert " passed" in run.stdout
