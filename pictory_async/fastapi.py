"""FastAPI integration: one client per application, and our errors as HTTP answers.

::

    from fastapi import FastAPI

    from pictory_async.fastapi import PictoryClient, install_exception_handlers, lifespan

    app = FastAPI(lifespan=lifespan())
    install_exception_handlers(app)


    @app.get("/projects/{project_id}")
    async def get_project(project_id: str, client: PictoryClient) -> dict[str, object]:
        project = await client.projects.get(project_id)  # a NotFoundError answers 404
        return {"id": project.id, "name": project.project_name}

The lifespan opens one :class:`~pictory_async.AsyncPictory` when the application starts
and closes it after the server has stopped taking requests, so every request of every
route shares one connection pool and one rate-limit state. Needs the ``fastapi`` extra
(``pip install "pictory-async[fastapi]"``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any, Final, TypeAlias

from fastapi import Depends, FastAPI
from fastapi.requests import HTTPConnection, Request
from fastapi.responses import JSONResponse

from ._client import AsyncPictory
from ._exceptions import PictoryError
from ._web import answer_for

__all__ = [
    "STATE_KEY",
    "PictoryClient",
    "error_handler",
    "get_client",
    "install_exception_handlers",
    "lifespan",
]

STATE_KEY: Final = "pictory_async_client"
"""The key of the client in the lifespan state (``request.state.pictory_async_client``)."""

Lifespan: TypeAlias = Callable[[FastAPI], AbstractAsyncContextManager[Mapping[str, Any] | None]]


def lifespan(
    wrapped: Lifespan | None = None,
    /,
    *,
    factory: Callable[[], AsyncPictory] = AsyncPictory,
) -> Callable[[FastAPI], AbstractAsyncContextManager[dict[str, Any]]]:
    """A FastAPI lifespan that opens one ``AsyncPictory`` for the application.

    The client is made by ``factory`` and opened at startup, in the server's event loop,
    and closed at shutdown, after the server has stopped taking requests. Routes get it
    with :data:`PictoryClient` (or :func:`get_client`).

    Args:
        wrapped: Your own lifespan, run while the client is open (so it can use it
            through ``app``'s routes or the state); the state it yields is merged in.
        factory: Makes the client, e.g. ``functools.partial(AsyncPictory,
            max_connections=50)``. By default ``AsyncPictory()``: the key and base URL
            come from ``PICTORY_API_KEY`` and ``PICTORY_BASE_URL``, read at startup.

    Returns:
        A lifespan for ``FastAPI(lifespan=...)``.

    Raises:
        MissingAPIKeyError: At startup, when no key is configured (the application does
            not start, rather than failing at its first request).
    """

    @contextlib.asynccontextmanager
    async def pictory_lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with factory() as client:
            state: dict[str, Any] = {STATE_KEY: client}
            if wrapped is None:
                yield state
                return
            async with wrapped(app) as more:
                yield {**(more or {}), **state}

    return pictory_lifespan


def get_client(connection: HTTPConnection) -> AsyncPictory:
    """A FastAPI dependency: the application's client, opened by :func:`lifespan`.

    Args:
        connection: The request (or WebSocket), given by FastAPI.

    Returns:
        The one ``AsyncPictory`` of the application.

    Raises:
        RuntimeError: The application was not started with :func:`lifespan`.
    """
    client = connection.scope.get("state", {}).get(STATE_KEY)
    if not isinstance(client, AsyncPictory):
        raise RuntimeError(
            "no Pictory client in the application's state: create the application with "
            "FastAPI(lifespan=pictory_async.fastapi.lifespan())"
        )
    return client


PictoryClient: TypeAlias = Annotated[AsyncPictory, Depends(get_client)]
"""A route parameter annotated with it receives the application's client::

    @app.delete("/projects/{project_id}", status_code=204)
    async def delete_project(project_id: str, client: PictoryClient) -> None:
        await client.projects.delete(project_id, missing_ok=True)
"""


async def error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer one of our errors with the status it maps to and ``{"detail": ...}``.

    One table, shared with the aiohttp integration, picks the answer (the docs list it
    under "Errors: in a web service"): the caller's request gets a 4xx, Pictory's failures
    and the waits a 502 or 504, this service's own failures a 500. Pictory's text and the
    key stay in the log.

    Args:
        request: The request that failed.
        exc: The error (Starlette hands over the class it was registered for).

    Returns:
        The JSON answer.

    Raises:
        Exception: ``exc`` itself, unchanged, when it is not a ``PictoryError``.
    """
    if not isinstance(exc, PictoryError):  # pragma: no cover - registered for PictoryError
        raise exc
    answer = answer_for(exc)
    return JSONResponse(answer.body(), status_code=answer.status, headers=answer.headers)


def install_exception_handlers(app: FastAPI) -> None:
    """Answer every ``PictoryError`` a route raises with :func:`error_handler`.

    Handlers you register for a subclass (``app.exception_handler(NotFoundError)``)
    take precedence, as Starlette picks the handler of the closest class.

    Args:
        app: The application.
    """
    app.add_exception_handler(PictoryError, error_handler)
