"""``rate_store=`` and ``PICTORY_RATE_STORE``: read before any request, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import respx
from _support import ClientFactory

from pictory_async import InvalidInputError
from pictory_async._ratestore import (
    FileRateStore,
    MemoryRateStore,
    RateStore,
    RedisRateStore,
    default_directory,
    resolve_rate_store,
)
from pictory_async._throttle._learned import Learned
from pictory_async.cli._common import Settings, open_client


@pytest.fixture(autouse=True)
def _no_env_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PICTORY_RATE_STORE", raising=False)


def test_the_default_is_memory() -> None:
    """Nothing given, nothing in the environment: today's behaviour, nothing shared."""
    store, made_here = resolve_rate_store(None, {})

    assert isinstance(store, MemoryRateStore)
    assert not made_here


def test_the_environment_names_the_store(tmp_path: Path) -> None:
    """PICTORY_RATE_STORE is read when the argument is not given."""
    store, _ = resolve_rate_store(None, {"PICTORY_RATE_STORE": f"file:{tmp_path}"})

    assert isinstance(store, FileRateStore)
    assert tmp_path == store.directory


def test_the_argument_wins_over_the_environment() -> None:
    """rate_store= beats PICTORY_RATE_STORE."""
    store, _ = resolve_rate_store("memory", {"PICTORY_RATE_STORE": "redis://localhost"})

    assert isinstance(store, MemoryRateStore)


def test_file_is_the_users_cache_directory() -> None:
    """'file' alone: the platform's cache directory."""
    store, made_here = resolve_rate_store("file", {})

    assert isinstance(store, FileRateStore)
    assert default_directory() == store.directory
    assert made_here


@pytest.mark.parametrize(
    "url", ["redis://localhost:6379/0", "rediss://h:6380", "unix:///tmp/r.sock"]
)
def test_redis_urls_make_a_redis_store_without_connecting(url: str) -> None:
    """A Redis URL makes a Redis store; nothing connects until the first request."""
    store, made_here = resolve_rate_store(url, {})

    assert isinstance(store, RedisRateStore)
    assert made_here
    assert "localhost" not in repr(store)


def test_a_store_object_is_used_as_given() -> None:
    """A RateStore of the user's is taken as is, and not the client's to close."""

    class Mine(RateStore):
        pass

    mine = Mine()

    assert (mine, False) == resolve_rate_store(mine, {})


@pytest.mark.parametrize(
    "value",
    ["", "mem", "file:", "postgres://db", "http://redis", "Memory", "redis:/x", "file"],
)
def test_bad_values_are_refused(value: str, tmp_path: Path) -> None:
    """Anything else is an InvalidInputError (a file where a directory is wanted included)."""
    if value == "file":
        (tmp_path / "a-file").write_text("")
        value = f"file:{tmp_path / 'a-file'}"

    with pytest.raises(InvalidInputError):
        resolve_rate_store(value, {})


def test_a_bad_type_is_refused() -> None:
    """Not a str nor a RateStore: InvalidInputError naming the type."""
    with pytest.raises(InvalidInputError, match="int"):
        resolve_rate_store(6379, {})  # type: ignore[arg-type]


def test_a_password_in_a_bad_value_is_never_echoed() -> None:
    """A mistyped URL with credentials: the message does not show it."""
    with pytest.raises(InvalidInputError) as caught:
        resolve_rate_store("redsi://user:hunter2@cache:6379", {})

    assert "hunter2" not in str(caught.value)


def test_a_bad_environment_value_is_refused_naming_the_variable() -> None:
    """A bad PICTORY_RATE_STORE says where the value came from."""
    with pytest.raises(InvalidInputError, match="PICTORY_RATE_STORE"):
        resolve_rate_store(None, {"PICTORY_RATE_STORE": "sqlite"})


async def test_a_bad_value_fails_the_client_before_any_request(
    make_client: ClientFactory, router: respx.Router
) -> None:
    """AsyncPictory(rate_store=bad) raises at once: nothing is sent."""
    with pytest.raises(InvalidInputError):
        make_client(rate_store="bogus")

    assert 0 == len(router.calls)


async def test_the_environment_reaches_the_client(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PICTORY_RATE_STORE=file:<dir> gives the client a file store there."""
    monkeypatch.setenv("PICTORY_RATE_STORE", f"file:{tmp_path}")

    async with make_client() as client:
        store = client._rates.store

    assert isinstance(store, FileRateStore)
    assert tmp_path == store.directory


async def test_the_client_keeps_what_it_learned_only_when_new(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """A client that sent nothing writes nothing: a no-op run does not refresh old state."""
    async with make_client(rate_store=FileRateStore(tmp_path)):
        pass

    assert [] == _listing(tmp_path)


async def test_a_store_that_fails_to_keep_does_not_break_aclose(make_client: ClientFactory) -> None:
    """A user's store raising in keep: aclose still closes the client."""

    class Broken(RateStore):
        def recall(self, scope: str) -> Learned | None:
            return Learned(rate=5.0, limit=6.0, window=12.0, events=1)

        async def keep(self, scope: str, learned: Learned) -> None:
            raise OSError("disk full")

    client = make_client(rate_store=Broken())
    client._shared.throttle.release(client._shared.throttle.ready() or 0.0, 200)

    await client.aclose()

    assert client.is_closed


def _listing(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def test_the_cli_defaults_to_the_file_store() -> None:
    """The CLI remembers across commands, unless PICTORY_RATE_STORE says otherwise."""
    client = open_client(Settings(api_key="pictai_x"))

    assert isinstance(client._rates.store, FileRateStore)


def test_the_cli_honours_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PICTORY_RATE_STORE=memory turns the CLI's file store off."""
    monkeypatch.setenv("PICTORY_RATE_STORE", "memory")

    client = open_client(Settings(api_key="pictai_x"))

    assert isinstance(client._rates.store, MemoryRateStore)


def test_a_file_directory_may_start_with_a_tilde(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """file:~/cache is under the home directory, as a shell would read it."""
    monkeypatch.setenv("HOME", str(tmp_path))

    store, _ = resolve_rate_store("file:~/cache", {})

    assert isinstance(store, FileRateStore)
    assert tmp_path / "cache" == store.directory
