"""pictory_async.aiohttp: setup, the cleanup context, get_client and the middleware."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

import pictory_async.aiohttp
from pictory_async import JobTimeoutError
from pictory_async.aiohttp import CLIENT_KEY, cleanup_ctx, error_middleware, get_client, setup
from pictory_async.emulator import Emulator

from .support import Factory, aiohttp_serving, assert_answered_as_ours, backup_and_wait


async def test_one_client_open_while_serving_closed_after(
    factory: Callable[..., Factory],
) -> None:
    """Every request gets the one client opened at startup; cleanup closes it."""
    make = factory()
    seen: list[int] = []

    async def whoami(request: web.Request) -> web.Response:
        client = get_client(request)
        seen.append(id(client))
        return web.json_response({"closed": client.is_closed})

    app = setup(web.Application(), factory=make)
    app.router.add_get("/whoami", whoami)
    async with (
        aiohttp_serving(app) as served,
        httpx.AsyncClient(base_url=served.base_url) as http,
    ):
        answers = [(await http.get("/whoami")).json() for _ in range(3)]

    assert [{"closed": False}] * 3 == answers
    assert [id(make.clients[0])] * 3 == seen
    assert 1 == len(make.clients)
    assert make.clients[0].is_closed
    assert error_middleware in app.middlewares


async def test_sub_application_finds_the_parents_client(
    factory: Callable[..., Factory],
) -> None:
    """A handler of a sub-application gets the client set up on the main one."""
    make = factory()

    async def closed(request: web.Request) -> web.Response:
        return web.json_response(get_client(request).is_closed)

    sub = web.Application(middlewares=[error_middleware])
    sub.router.add_get("/closed", closed)
    app = web.Application()
    app.cleanup_ctx.append(cleanup_ctx(make))
    app.add_subapp("/sub", sub)
    async with (
        aiohttp_serving(app) as served,
        httpx.AsyncClient(base_url=served.base_url) as http,
    ):
        response = await http.get("/sub/closed")

    assert (200, False) == (response.status_code, response.json())
    assert app[CLIENT_KEY] is make.clients[0]


def test_get_client_without_setup() -> None:
    """Without setup, get_client says how to set it up."""
    request = make_mocked_request("GET", "/", app=web.Application())

    with pytest.raises(RuntimeError, match=r"pictory_async\.aiohttp\.setup\(app\)"):
        get_client(request)


def test_module_name_does_not_shadow_aiohttp() -> None:
    """``pictory_async.aiohttp`` imports the real aiohttp (absolute imports)."""
    assert web is vars(pictory_async.aiohttp)["web"]


async def test_our_own_failures_answer_as_ours(
    factory: Callable[..., Factory], pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A backup our disk refused is a 500 naming no path; a job's wait past its deadline a 504."""
    project_id = pictory_emulator.projects()[0].id
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")

    async def backup(request: web.Request) -> web.Response:
        await get_client(request).projects.backup(project_id, not_a_directory)
        return web.json_response(None)

    async def wait(request: web.Request) -> web.Response:
        raise JobTimeoutError("not finished", job_id="j1", last=None, waited=600.0)

    app = setup(web.Application(), factory=factory())
    app.router.add_post("/backup", backup)
    app.router.add_get("/wait", wait)
    async with aiohttp_serving(app) as served:
        backed_up, waited = await backup_and_wait(served)

    assert_answered_as_ours(
        backed_up, waited, private=tmp_path, wait_detail="The render job did not finish in time."
    )
