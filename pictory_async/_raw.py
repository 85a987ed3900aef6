"""``with_raw_response``: a method's HTTP response beside (or instead of) its parsed value.

``client.projects.with_raw_response.get(project_id)`` runs ``client.projects.get`` as
is and hands back a ``RawResponse``: the status, the headers, the request id, and
``.parse()`` for the value the method returns. It works on every resource method that
sends requests and returns once, and on the client's own ``get``/``post``/``put``/
``delete``, with no code in the methods themselves: while the call runs, the client's
one request door (``AsyncPictory._request``) records each response it hands back in a
context variable that only this call's context sees.

A body the method could not parse does not hide the response: ``parse()`` raises the
``ResponseValidationError`` that the method raised, and the status and headers are
there to look at.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, Generic, TypeVar, final

import httpx

from ._error_body import request_id
from ._exceptions import PictoryError, ResponseValidationError

__all__ = ["RawResponse", "RawResponses", "capturing", "record"]

T = TypeVar("T")
R = TypeVar("R")

_CAPTURE: ContextVar[list[tuple[httpx.Response, int]] | None] = ContextVar(
    "pictory_async_raw_capture", default=None
)


def capturing() -> list[tuple[httpx.Response, int]] | None:
    """The list this context records responses in, if a raw call is running."""
    return _CAPTURE.get()


async def record(
    sent: Awaitable[Any], into: list[tuple[httpx.Response, int]]
) -> Any:  # Received: typed Any to keep this module free of the pipeline
    """Await ``sent`` (a pipeline call) and record its response and attempts."""
    received = await sent
    into.append((received.response, received.attempts))
    return received


@final
class RawResponse(Generic[T]):
    """A method's last HTTP response, and the value it parsed from it.

    Attributes:
        http_response: The ``httpx.Response`` (body read).
        status_code: Its HTTP status.
        headers: Its headers.
        request_id: The request id the API sent, if any.
        attempts: Attempts the request took (retries included).
    """

    __slots__ = ("_error", "_value", "attempts", "http_response")

    def __init__(
        self,
        http_response: httpx.Response,
        *,
        attempts: int,
        value: T | None = None,
        error: ResponseValidationError | None = None,
    ) -> None:
        self.http_response = http_response
        self.attempts = attempts
        self._value = value
        self._error = error

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The request id the API sent (``x-request-id`` and the like), if any."""
        return request_id(self.http_response.headers)

    def parse(self) -> T:
        """The value the method returns.

        Raises:
            ResponseValidationError: The body was not what the method expects.
        """
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # None only when T allows it

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<RawResponse [{self.status_code}] {request.method} {request.url.path}>"


class RawResponses(Generic[R]):
    """``resource.with_raw_response``: the resource's methods, returning ``RawResponse``."""

    __slots__ = ("_target",)

    def __init__(self, target: R) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Callable[..., Coroutine[Any, Any, RawResponse[Any]]]:
        method = getattr(self._target, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            raise AttributeError(
                f"with_raw_response has no {name!r}: it wraps the public methods that send "
                "requests and return once (not iterators such as list())"
            )

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            captured: list[tuple[httpx.Response, int]] = []
            token = _CAPTURE.set(captured)
            error: ResponseValidationError | None = None
            value: Any = None
            try:
                value = await method(*args, **kwargs)
            except ResponseValidationError as exc:
                if not captured:
                    raise
                error = exc
            finally:
                _CAPTURE.reset(token)
            if not captured:
                raise PictoryError(f"{name}() sent no request, so it has no raw response")
            response, attempts = captured[-1]
            return RawResponse(response, attempts=attempts, value=value, error=error)

        call.__name__ = name
        call.__doc__ = method.__doc__
        return call

    def __dir__(self) -> list[str]:
        return [
            name
            for name in dir(self._target)
            if not name.startswith("_")
            and inspect.iscoroutinefunction(getattr(self._target, name, None))
        ]

    def __repr__(self) -> str:
        return f"<RawResponses of {type(self._target).__name__}>"
