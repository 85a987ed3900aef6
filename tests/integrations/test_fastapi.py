"""pictory_async.fastapi: the lifespan, the dependency and the exception handlers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from pictory_async import NotFoundError, RenderTimeoutError
from pictory_async.emulator import Emulator
from pictory_async.fastapi import (
    STATE_KEY,
    PictoryClient,
    get_client,
    install_exception_handlers,
    lifespan,
)

from .support import Factory, assert_answered_as_ours, backup_and_wait, uvicorn_serving


async def test_one_client_open_while_serving_closed_after(
    factory: Callable[..., Factory], pictory_emulator: Emulator
) -> None:
    """Every request gets the one client the lifespan opened; shutdown closes it."""
    make = factory()
    app = FastAPI(lifespan=lifespan(factory=make))
    seen: list[int] = []

    @app.get("/whoami")
    async def whoami(client: PictoryClient) -> dict[str, bool]:
        seen.append(id(client))
        return {"closed": client.is_closed}

    async with uvicorn_serving(app) as served, httpx.AsyncClient(base_url=served.base_url) as http:
        answers = [(await http.get("/whoami")).json() for _ in range(3)]

    assert [{"closed": False}] * 3 == answers
    assert [id(make.clients[0])] * 3 == seen
    assert 1 == len(make.clients)
    assert make.clients[0].is_closed


async def test_wrapped_lifespan_runs_inside_and_merges_its_state(
    factory: Callable[..., Factory],
) -> None:
    """A wrapped lifespan runs while the client is open, and its state reaches routes."""
    make = factory()
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def mine(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append(f"start, client open: {not make.clients[0].is_closed}")
        yield {"greeting": "hello"}
        events.append(f"stop, client open: {not make.clients[0].is_closed}")

    app = FastAPI(lifespan=lifespan(mine, factory=make))

    @app.get("/state")
    async def state(request: Request, client: PictoryClient) -> dict[str, str]:
        return {"greeting": request.state.greeting}

    async with uvicorn_serving(app) as served, httpx.AsyncClient(base_url=served.base_url) as http:
        answer = (await http.get("/state")).json()

    assert {"greeting": "hello"} == answer
    assert ["start, client open: True", "stop, client open: True"] == events
    assert make.clients[0].is_closed


async def test_wrapped_lifespan_without_state(factory: Callable[..., Factory]) -> None:
    """A wrapped lifespan that yields nothing is fine."""

    @contextlib.asynccontextmanager
    async def mine(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(lifespan=lifespan(mine, factory=factory()))

    @app.get("/ok")
    async def ok(client: PictoryClient) -> bool:
        return not client.is_closed

    async with uvicorn_serving(app) as served, httpx.AsyncClient(base_url=served.base_url) as http:
        assert True is (await http.get("/ok")).json()


def test_get_client_without_the_lifespan() -> None:
    """Without the lifespan, the dependency says how to set it up."""
    request = Request({"type": "http", "state": {}})

    with pytest.raises(RuntimeError, match=r"lifespan=pictory_async\.fastapi\.lifespan\(\)"):
        get_client(request)


def test_get_client_refuses_something_else_under_its_key() -> None:
    """Something other than a client under the state key is refused, not handed to routes."""
    request = Request({"type": "http", "state": {STATE_KEY: object()}})

    with pytest.raises(RuntimeError, match="no Pictory client"):
        get_client(request)


async def test_handlers_of_subclasses_take_precedence(factory: Callable[..., Factory]) -> None:
    """An application's own handler for NotFoundError wins over ours."""
    from fastapi.responses import PlainTextResponse

    app = FastAPI(lifespan=lifespan(factory=factory()))
    install_exception_handlers(app)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse("nothing here", status_code=410)

    @app.get("/projects/{project_id}")
    async def get_project(project_id: str, client: PictoryClient) -> str:
        return str((await client.projects.get(project_id)).id)

    async with uvicorn_serving(app) as served, httpx.AsyncClient(base_url=served.base_url) as http:
        response = await http.get("/projects/nope")

    assert (410, "nothing here") == (response.status_code, response.text)


async def test_our_own_failures_answer_as_ours(
    factory: Callable[..., Factory], pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A backup our disk refused is a 500 naming no path; a wait past its deadline a 504."""
    project_id = pictory_emulator.projects()[0].id
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    app = FastAPI(lifespan=lifespan(factory=factory()))
    install_exception_handlers(app)

    @app.post("/backup")
    async def backup(client: PictoryClient) -> None:
        await client.projects.backup(project_id, not_a_directory)

    @app.get("/wait")
    async def wait() -> None:
        raise RenderTimeoutError("still rendering", project_id=1, last=None, waited=600.0)

    async with uvicorn_serving(app) as served:
        backed_up, waited = await backup_and_wait(served)

    assert_answered_as_ours(
        backed_up, waited, private=tmp_path, wait_detail="The render did not finish in time."
    )
