"""The example apps (docs/examples/) over a real server, against the emulator on loopback.

Both apps have the same routes and answer the same way; every test runs for each.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone

import aiohttp_app
import fastapi_app
import httpx
import pytest

from pictory_async.emulator import Emulator

from .support import Factory, Served, aiohttp_serving, uvicorn_serving

pytestmark = pytest.mark.parametrize("framework", ["fastapi", "aiohttp"])


@contextlib.asynccontextmanager
async def running(framework: str, factory: Factory) -> AsyncIterator[httpx.AsyncClient]:
    """The example app for ``framework`` served on loopback, and an HTTP client for it."""
    server: contextlib.AbstractAsyncContextManager[Served]
    if framework == "fastapi":
        server = uvicorn_serving(fastapi_app.create_app(factory))
    else:
        server = aiohttp_serving(aiohttp_app.create_app(factory))
    async with server as served, httpx.AsyncClient(base_url=served.base_url) as http:
        yield http


async def test_get_project(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """A project is answered as JSON with its id and name."""
    record = pictory_emulator.projects()[0]
    async with running(framework, factory()) as http:
        response = await http.get(f"/projects/{record.id}")

    assert 200 == response.status_code
    assert record.name == response.json()["name"]
    assert str(record.id) == str(response.json()["id"])


async def test_missing_project_is_404(framework: str, factory: Callable[..., Factory]) -> None:
    """A project that does not exist answers 404 with a JSON detail."""
    async with running(framework, factory()) as http:
        response = await http.get("/projects/no-such-project")

    assert 404 == response.status_code
    assert {"detail": "Not found."} == response.json()


async def test_another_accounts_project_is_403(
    framework: str, factory: Callable[..., Factory], other_project: str
) -> None:
    """Another account's project answers 403."""
    async with running(framework, factory()) as http:
        response = await http.get(f"/projects/{other_project}")

    assert 403 == response.status_code
    assert {"detail": "Access to this resource is denied."} == response.json()


async def test_unsafe_id_is_422(framework: str, factory: Callable[..., Factory]) -> None:
    """An id the client refuses to send (a space in it) answers 422, naming the problem."""
    async with running(framework, factory()) as http:
        response = await http.get("/projects/a%20b")

    assert 422 == response.status_code
    assert "project id" in response.json()["detail"].lower()


async def test_rate_limit_is_429_with_retry_after(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """A 429 that outlasts the client's retries answers 429 with the API's Retry-After."""
    record = pictory_emulator.projects()[0]
    pictory_emulator.fail_next(429)
    async with running(framework, factory()) as http:
        response = await http.get(f"/projects/{record.id}")

    assert 429 == response.status_code
    assert "1" == response.headers["retry-after"]


async def test_upstream_failure_is_502(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """A 5xx from the API that outlasts the retries answers 502."""
    record = pictory_emulator.projects()[0]
    pictory_emulator.fail_next(503)
    async with running(framework, factory()) as http:
        response = await http.get(f"/projects/{record.id}")

    assert 502 == response.status_code


async def test_wrong_key_is_502_without_the_key(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """Our key refused (401) is an upstream failure, 502, and the key is not in the answer."""
    record = pictory_emulator.projects()[0]
    key = "pictai_wrong_key_0123456789"
    async with running(framework, factory(api_key=key)) as http:
        response = await http.get(f"/projects/{record.id}")

    assert 502 == response.status_code
    assert key not in response.text
    assert pictory_emulator.api_key not in response.text


async def test_delete_then_get_is_404(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """DELETE answers 204 and the project is gone; deleting it again answers 404."""
    record = pictory_emulator.projects()[0]
    async with running(framework, factory()) as http:
        deleted = await http.delete(f"/projects/{record.id}")
        again = await http.delete(f"/projects/{record.id}")

    assert (204, 404) == (deleted.status_code, again.status_code)
    assert not pictory_emulator.has_project(record.id)


async def test_list_with_filters(
    framework: str, factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """The list is filtered by folder and age, and cut at ``limit``."""
    folder = next(p.folder for p in pictory_emulator.projects() if p.folder)
    cutoff = datetime.now(timezone.utc) - timedelta(days=30)
    expected = [
        str(p.id)
        for p in pictory_emulator.projects()
        if p.folder == folder and p.saved is not None and p.saved < cutoff
    ]
    async with running(framework, factory()) as http:
        everything = await http.get(
            "/projects", params={"folder": folder, "older_than_days": 30, "limit": 500}
        )
        first = await http.get("/projects", params={"folder": folder, "limit": 1})
        bad = await http.get("/projects", params={"limit": 0})

    assert expected == [str(item["id"]) for item in everything.json()]
    assert 1 == len(first.json())
    assert 422 == bad.status_code
