"""aiohttp.web integration: one client per application, and our errors as HTTP answers.

::

    from aiohttp import web

    import pictory_async.aiohttp


    async def get_project(request: web.Request) -> web.Response:
        client = pictory_async.aiohttp.get_client(request)
        project = await client.projects.get(request.match_info["project_id"])  # 404 if none
        return web.json_response({"id": project.id, "name": project.project_name})


    app = web.Application()
    pictory_async.aiohttp.setup(app)
    app.router.add_get("/projects/{project_id}", get_project)

:func:`setup` adds a cleanup context that opens one :class:`~pictory_async.AsyncPictory`
at startup and closes it at cleanup, after the server has stopped taking requests, and
a middleware that answers our errors as HTTP errors. The module is named after the
framework, like ``svcs.aiohttp``; it imports the ``aiohttp`` package absolutely, so
there is no clash. aiohttp is a dependency of the client: nothing more to install.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from aiohttp import web

from ._client import AsyncPictory
from ._exceptions import PictoryError
from ._web import answer_for

__all__ = ["CLIENT_KEY", "cleanup_ctx", "error_middleware", "get_client", "setup"]

CLIENT_KEY: Final = web.AppKey("pictory_async.client", AsyncPictory)
"""Where the client is stored in the application: ``app[CLIENT_KEY]``."""

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cleanup_ctx(
    factory: Callable[[], AsyncPictory] = AsyncPictory,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that opens one ``AsyncPictory`` for the application.

    Append it to ``app.cleanup_ctx`` yourself when :func:`setup` does too much.

    Args:
        factory: Makes the client, e.g. ``functools.partial(AsyncPictory,
            max_connections=50)``. By default ``AsyncPictory()``: the key and base URL
            come from ``PICTORY_API_KEY`` and ``PICTORY_BASE_URL``, read at startup.

    Returns:
        A function for ``app.cleanup_ctx``: it stores the open client under
        :data:`CLIENT_KEY` at startup and closes it at cleanup.

    Raises:
        MissingAPIKeyError: At startup, when no key is configured.
    """

    async def pictory_client(app: web.Application) -> AsyncIterator[None]:
        async with factory() as client:
            app[CLIENT_KEY] = client
            yield

    return pictory_client


def get_client(request: web.Request) -> AsyncPictory:
    """The application's client, opened by :func:`setup` (or :func:`cleanup_ctx`).

    Args:
        request: The request being handled (a sub-application's request works too).

    Returns:
        The one ``AsyncPictory`` of the application.

    Raises:
        RuntimeError: No client was set up for the application.
    """
    client = request.config_dict.get(CLIENT_KEY)
    if client is not None:
        return client
    raise RuntimeError(
        "no Pictory client in the application: call pictory_async.aiohttp.setup(app) "
        "before running it"
    )


@web.middleware
async def error_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Answer a ``PictoryError`` a handler raises with its HTTP status and ``{"detail": ...}``.

    The status, headers and sentence are the FastAPI integration's too: one table decides
    them for both (the docs show it under "Errors: in a web service"). In short, 4xx for
    the caller's request, 502 or 504 for Pictory's API or a wait, 500 for this service's
    own failures; never the key, Pictory's text or a path of the service's disk.

    Args:
        request: The request.
        handler: The next handler.

    Returns:
        The handler's response, or the JSON error answer.
    """
    try:
        return await handler(request)
    except PictoryError as exc:
        answer = answer_for(exc)
        return web.json_response(answer.body(), status=answer.status, headers=answer.headers)


def setup(
    app: web.Application, *, factory: Callable[[], AsyncPictory] = AsyncPictory
) -> web.Application:
    """Give ``app`` one client for its lifetime and answer our errors as HTTP errors.

    Appends :func:`cleanup_ctx` to ``app.cleanup_ctx`` and :func:`error_middleware` to
    ``app.middlewares`` (last, so it sees the handlers' errors before any catch-all
    middleware of yours).

    Args:
        app: The application, before it starts.
        factory: Makes the client; see :func:`cleanup_ctx`.

    Returns:
        ``app``, for chaining.
    """
    app.cleanup_ctx.append(cleanup_ctx(factory))
    app.middlewares.append(error_middleware)
    return app
