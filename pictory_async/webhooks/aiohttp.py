"""aiohttp.web: a handler that hands Pictory's webhook deliveries to a ``WebhookReceiver``.

::

    from aiohttp import web

    import pictory_async.aiohttp
    import pictory_async.webhooks.aiohttp

    app = web.Application()
    pictory_async.aiohttp.setup(app)  # the client, first
    pictory_async.webhooks.aiohttp.setup(app, on_outcome, secret=SECRET)

:func:`setup` appends a cleanup context that opens the receiver on the application's
client (so it is closed, its queue drained, before the client) and a ``POST`` route.
aiohttp is a dependency of the client: nothing more to install.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Final

from aiohttp import web

from ..aiohttp import CLIENT_KEY
from ._read import read_capped
from ._receiver import Callback, ReceiverOptions, WebhookReceiver
from ._token import TOKEN_PARAM

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RECEIVER_KEY", "ROUTE_NAME", "cleanup_ctx", "get_receiver", "handler", "setup"]

RECEIVER_KEY: Final = web.AppKey("pictory_async.webhooks.receiver", WebhookReceiver)
"""Where the receiver is stored in the application: ``app[RECEIVER_KEY]``."""

ROUTE_NAME: Final = "pictory_webhook"
"""The name of the deliveries' route: ``app.router[ROUTE_NAME].url_for()`` is its path."""

_CHUNK = 64 * 1024


def cleanup_ctx(
    callback: Callback | None = None, /, **options: Unpack[ReceiverOptions]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that opens a receiver on the application's client.

    Append it after ``pictory_async.aiohttp.cleanup_ctx`` (or ``setup``), which opens
    the client it uses.

    Args:
        callback: The receiver's callback, awaited once per job outcome.
        **options: The receiver's options (``secret``, ``confirm``, ...).

    Returns:
        A function for ``app.cleanup_ctx``.

    Raises:
        RuntimeError: At startup, when the application has no client yet.
    """

    async def pictory_webhooks(app: web.Application) -> AsyncIterator[None]:
        client = app.get(CLIENT_KEY)
        if client is None:
            raise RuntimeError(
                "no Pictory client in the application: call pictory_async.aiohttp.setup(app) "
                "before pictory_async.webhooks.aiohttp.setup(app, ...)"
            )
        async with WebhookReceiver(client, callback, **options) as receiver:
            app[RECEIVER_KEY] = receiver
            yield

    return pictory_webhooks


def get_receiver(request: web.Request) -> WebhookReceiver:
    """The application's receiver, opened by :func:`setup` (or :func:`cleanup_ctx`).

    Raises:
        RuntimeError: No receiver was set up for the application.
    """
    receiver = request.config_dict.get(RECEIVER_KEY)
    if receiver is None:
        raise RuntimeError(
            "no webhook receiver in the application: call "
            "pictory_async.webhooks.aiohttp.setup(app, ...) before running it"
        )
    return receiver


async def handler(request: web.Request) -> web.Response:
    """Hand one delivery to the application's receiver; answer what it says, at once.

    Reads at most ``max_body_bytes + 1`` bytes of the body; the token is the ``token``
    query parameter.
    """
    receiver = get_receiver(request)
    body = await read_capped(request.content.iter_chunked(_CHUNK), receiver.max_body_bytes)
    answer = receiver.accept(body, request.query.get(TOKEN_PARAM))
    return web.json_response(answer.body(), status=answer.status, headers=dict(answer.headers))


def setup(
    app: web.Application,
    callback: Callback | None = None,
    /,
    *,
    path: str = "/pictory/webhook",
    **options: Unpack[ReceiverOptions],
) -> web.Application:
    """Give ``app`` a receiver for its lifetime and a ``POST path`` route for deliveries.

    Call ``pictory_async.aiohttp.setup(app)`` first: the receiver uses that client.

    Args:
        app: The application, before it starts.
        callback: The receiver's callback, awaited once per job outcome.
        path: The route's path.
        **options: The receiver's options (``secret``, ``confirm``, ...).

    Returns:
        ``app``, for chaining.
    """
    app.cleanup_ctx.append(cleanup_ctx(callback, **options))
    app.router.add_post(path, handler, name=ROUTE_NAME)
    return app
