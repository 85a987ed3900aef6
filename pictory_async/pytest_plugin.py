"""pytest fixtures for testing code that uses pictory-async, against the local emulator.

Installed with the package as the ``pictory`` plugin (a ``pytest11`` entry point), so
its fixtures are there in any test suite, with nothing to import:

- ``pictory_emulator``: an :class:`~pictory_async.emulator.Emulator`, seeded and on
  fake time; configure it with the ``pictory_emulator`` marker or at run time
  (``set_faults``, ``fail_next``, ``add_project``, ...).
- ``pictory_client``: an ``AsyncPictory`` already open and pointed at it, in process
  by default, over loopback with ``transport="socket"``.
- ``pictory_cdn``: an ``httpx.AsyncClient`` with no API key that can download the
  emulator's media URLs.
- ``pictory_server``: the emulator served over loopback (needs the ``emulator`` extra).
- ``pictory_clock``: the fake clock the emulator and the client share.
- ``pictory_emulator_options``: default options; override it in a ``conftest.py``.

The marker takes the :class:`Emulator` options (``projects``, ``seed``, ``page_size``,
``accounts``, ...) and: ``faults`` (a :class:`Faults` or a dict), ``transport``
(``"asgi"`` or ``"socket"``), ``client_options`` (a dict for ``AsyncPictory``) and
``real_time`` (use the real clock and sleep instead of the fake ones).

Async fixtures are ``pytest_asyncio`` fixtures, so they work in strict and auto mode.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_asyncio import fixture as _async_fixture
else:
    try:
        from pytest_asyncio import fixture as _async_fixture
    except ImportError:  # pragma: no cover - depends on the environment
        _async_fixture = pytest.fixture

if TYPE_CHECKING:
    import httpx

    from pictory_async import AsyncPictory
    from pictory_async.emulator import Emulator, FakeClock, RunningEmulator

__all__ = [
    "pictory_cdn",
    "pictory_client",
    "pictory_clock",
    "pictory_emulator",
    "pictory_emulator_options",
    "pictory_server",
    "pytest_configure",
]

_MARKER = "pictory_emulator"
_PLUGIN_KEYS = frozenset({"transport", "client_options", "real_time"})
_TRANSPORTS = ("asgi", "socket")
_SERVING: weakref.WeakKeyDictionary[Emulator, RunningEmulator] = weakref.WeakKeyDictionary()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``pictory_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): configure the pictory_emulator fixture: Emulator options "
        "(projects=, seed=, page_size=, ...), faults=Faults(...) or a dict, "
        "transport='asgi'|'socket', client_options={...}, real_time=False.",
    )


def _settings(request: pytest.FixtureRequest, defaults: dict[str, Any]) -> dict[str, Any]:
    settings = dict(defaults)
    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keyword arguments only")
        settings.update(marker.kwargs)
    transport = settings.get("transport", "asgi")
    if transport not in _TRANSPORTS:
        raise pytest.UsageError(
            f"{_MARKER}: transport must be 'asgi' or 'socket', not {transport!r}"
        )
    return settings


@contextlib.asynccontextmanager
async def _serving(emulator: Emulator) -> AsyncIterator[RunningEmulator]:
    """Serve ``emulator`` over loopback, or share the server a fixture already started.

    Fixtures are torn down in the reverse order of their set-up, so the one that
    started the server is always the last one to leave.
    """
    running = _SERVING.get(emulator)
    if running is not None:
        yield running
        return
    from pictory_async.emulator import serve

    async with serve(emulator) as running:
        _SERVING[emulator] = running
        try:
            yield running
        finally:
            del _SERVING[emulator]


@pytest.fixture
def pictory_emulator_options() -> dict[str, Any]:
    """Default options of ``pictory_emulator``; override in a ``conftest.py``."""
    return {}


@pytest.fixture
def pictory_clock() -> FakeClock:
    """The fake clock shared by the emulator and the client: nothing really waits."""
    from pictory_async.emulator import FakeClock

    return FakeClock(start=1000.0)


@pytest.fixture
def pictory_emulator(
    request: pytest.FixtureRequest,
    pictory_emulator_options: dict[str, Any],
    pictory_clock: FakeClock,
) -> Emulator:
    """A fresh emulator for this test, configured by options and the marker."""
    from pictory_async.emulator import Emulator, Faults

    settings = _settings(request, pictory_emulator_options)
    options = {key: value for key, value in settings.items() if key not in _PLUGIN_KEYS}
    faults = options.get("faults")
    if isinstance(faults, dict):
        options["faults"] = Faults(**faults)
    if not settings.get("real_time", False):
        options.setdefault("clock", pictory_clock.time)
        options.setdefault("sleep", pictory_clock.sleep)
    return Emulator(**options)


@_async_fixture
async def pictory_server(pictory_emulator: Emulator) -> AsyncIterator[RunningEmulator]:
    """The test's emulator served over loopback (127.0.0.1, free ports)."""
    async with _serving(pictory_emulator) as running:
        yield running


@_async_fixture
async def pictory_client(
    request: pytest.FixtureRequest,
    pictory_emulator_options: dict[str, Any],
    pictory_emulator: Emulator,
    pictory_clock: FakeClock,
) -> AsyncIterator[AsyncPictory]:
    """An open ``AsyncPictory`` with the main account's key, pointed at the emulator."""
    import httpx

    from pictory_async import AsyncPictory

    settings = _settings(request, pictory_emulator_options)
    options: dict[str, Any] = dict(settings.get("client_options", {}))
    if not settings.get("real_time", False):
        options.setdefault("sleep", pictory_clock.sleep)
        options.setdefault("clock", pictory_clock.time)
    options.setdefault("api_key", pictory_emulator.api_key)
    if settings.get("transport", "asgi") == "socket":
        async with (
            _serving(pictory_emulator) as running,
            AsyncPictory(base_url=running.base_url, **options) as client,
        ):
            yield client
        return
    http = httpx.AsyncClient(transport=pictory_emulator.transport())
    client = AsyncPictory(base_url=pictory_emulator.base_url, http_client=http, **options)
    async with http, client:
        yield client


@_async_fixture
async def pictory_cdn(
    request: pytest.FixtureRequest,
    pictory_emulator_options: dict[str, Any],
    pictory_emulator: Emulator,
) -> AsyncIterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` without any API key, for the emulator's media URLs."""
    import httpx

    settings = _settings(request, pictory_emulator_options)
    if settings.get("transport", "asgi") == "socket":
        async with _serving(pictory_emulator), httpx.AsyncClient(trust_env=False) as client:
            yield client
        return
    async with httpx.AsyncClient(transport=pictory_emulator.transport()) as client:
        yield client
