"""FastAPI: a lifespan that opens the client and its receiver, and a router for deliveries.

::

    from fastapi import FastAPI

    from pictory_async.webhooks import JobOutcome
    from pictory_async.webhooks.fastapi import lifespan, webhook_router


    async def on_outcome(outcome: JobOutcome) -> None: ...


    app = FastAPI(lifespan=lifespan(on_outcome, secret=SECRET))
    app.include_router(webhook_router("/pictory/webhook"))

The lifespan is :func:`pictory_async.fastapi.lifespan` (one client per application)
with a :class:`~pictory_async.webhooks.WebhookReceiver` on that client inside it: the
receiver stops taking deliveries and drains its queue before the client closes. Routes
get the client with ``pictory_async.fastapi.PictoryClient`` and the receiver with
:data:`Receiver`. Needs the ``fastapi`` extra.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeAlias

from fastapi import APIRouter, Depends, FastAPI
from fastapi.requests import HTTPConnection, Request
from fastapi.responses import JSONResponse

from .._client import AsyncPictory
from ..fastapi import STATE_KEY, Lifespan
from ..fastapi import lifespan as client_lifespan
from ._read import read_capped
from ._receiver import Callback, ReceiverOptions, WebhookReceiver
from ._token import TOKEN_PARAM

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RECEIVER_KEY", "ROUTE_NAME", "Receiver", "get_receiver", "lifespan", "webhook_router"]

ROUTE_NAME: Final = "pictory_webhook"
"""The name of the deliveries' route: ``request.url_for(ROUTE_NAME)``."""

RECEIVER_KEY: Final = "pictory_async_webhooks"
"""The key of the receiver in the lifespan state (``request.state.pictory_async_webhooks``)."""


def lifespan(
    callback: Callback | None = None,
    /,
    *,
    wrapped: Lifespan | None = None,
    factory: Callable[[], AsyncPictory] = AsyncPictory,
    **options: Unpack[ReceiverOptions],
) -> Callable[[FastAPI], AbstractAsyncContextManager[dict[str, Any]]]:
    """A FastAPI lifespan: one client (as ``pictory_async.fastapi.lifespan``) and its receiver.

    Args:
        callback: The receiver's callback, awaited once per job outcome.
        wrapped: Your own lifespan, run while both are open.
        factory: Makes the client (see ``pictory_async.fastapi.lifespan``).
        **options: The receiver's options (``secret``, ``confirm``, ``max_pending``, ...).

    Returns:
        A lifespan for ``FastAPI(lifespan=...)``.

    Raises:
        InvalidInputError: A bad receiver option (at startup).
    """
    opened = client_lifespan(wrapped, factory=factory)

    @contextlib.asynccontextmanager
    async def webhooks_lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with opened(app) as state:
            receiver = WebhookReceiver(state[STATE_KEY], callback, **options)
            async with receiver:
                yield {**state, RECEIVER_KEY: receiver}

    return webhooks_lifespan


def get_receiver(connection: HTTPConnection) -> WebhookReceiver:
    """A FastAPI dependency: the application's receiver, opened by :func:`lifespan`.

    Raises:
        RuntimeError: The application was not started with :func:`lifespan`.
    """
    receiver = connection.scope.get("state", {}).get(RECEIVER_KEY)
    if not isinstance(receiver, WebhookReceiver):
        raise RuntimeError(
            "no webhook receiver in the application's state: create the application with "
            "FastAPI(lifespan=pictory_async.webhooks.fastapi.lifespan(...))"
        )
    return receiver


Receiver: TypeAlias = Annotated[WebhookReceiver, Depends(get_receiver)]
"""A route parameter annotated with it receives the application's receiver."""


def webhook_router(
    path: str = "/pictory/webhook",
    *,
    receiver: WebhookReceiver | None = None,
    name: str = ROUTE_NAME,
) -> APIRouter:
    """A router with one ``POST path`` route that hands each delivery to the receiver.

    The route reads at most ``max_body_bytes + 1`` bytes of the body, takes the token
    from the ``token`` query parameter and answers what ``WebhookReceiver.accept``
    says, at once: the confirmation and the callback run on the receiver's workers.

    Args:
        path: The route's path.
        receiver: A receiver of your own; by default the one :func:`lifespan` opened.
        name: The route's name: ``request.url_for(name)`` is its URL as this request
            reached the service (behind a proxy, run uvicorn with ``--proxy-headers``).

    Returns:
        The router, for ``app.include_router``.
    """
    router = APIRouter()

    @router.post(path, include_in_schema=False, name=name)
    async def pictory_webhook(request: Request) -> JSONResponse:
        the_receiver = receiver if receiver is not None else get_receiver(request)
        body = await read_capped(request.stream(), the_receiver.max_body_bytes)
        answer = the_receiver.accept(body, request.query_params.get(TOKEN_PARAM))
        return JSONResponse(answer.body(), status_code=answer.status, headers=dict(answer.headers))

    return router
