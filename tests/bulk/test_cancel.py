"""Cancellation of bulk runs: once, twice, by anyio cancel scopes and by Starlette.

anyio (and so Starlette and FastAPI) re-delivers a cancellation at every ``await`` inside a
cancelled scope; a plain ``task.cancel()`` can come twice. Either way every id must be
accounted for, the journal closed, and the result say that the run was interrupted.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from pictory_async import AsyncPictory, BulkProgress, BulkRun, DeleteResult, Outcome
from pictory_async.emulator import Emulator

pytestmark = pytest.mark.pictory_emulator(projects=100, seed=5, faults={"latency": 0.05})


def _ids(emulator: Emulator) -> list[int | str]:
    return [record.id for record in emulator.projects()]


def _check_accounting(result: Any, ids: list[int | str], emulator: Emulator) -> None:
    """Every id once; in-flight cancelled, the rest not started, nothing misreported.

    A stream's workers wait for a reader that stopped reading, so there may be nothing
    in flight when the cancellation lands.
    """
    assert len(ids) == result.total
    assert result.interrupted
    assert not result.ok
    assert sorted(map(str, ids)) == sorted(
        map(str, result.deleted + result.cancelled + result.not_started)
    )
    assert result.not_started
    assert not any(emulator.has_project(i) for i in result.deleted)
    assert all(emulator.has_project(i) for i in result.not_started)


def _journal_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:] if line]


async def test_an_anyio_cancel_scope_accounts_for_every_id(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Cancelled by an anyio scope (which cancels again at every await), nothing is lost."""
    ids = _ids(pictory_emulator)
    journal = tmp_path / "j.jsonl"
    run = pictory_client.projects.delete_many_stream(ids, concurrency=10, journal=journal)

    with anyio.CancelScope() as scope:
        async with run:
            async for _item in run:
                if run.result.counts[Outcome.DELETED] >= 20:
                    scope.cancel()
                await anyio.lowlevel.checkpoint()  # as a handler writing a response would

    assert scope.cancelled_caught
    _check_accounting(run.result, ids, pictory_emulator)
    assert None is run._journal._fd  # type: ignore[union-attr]  # closed: flushed
    deleted = {entry["id"] for entry in _journal_lines(journal)}
    assert {str(i) for i in run.result.deleted} == {str(i) for i in deleted}


async def test_a_double_task_cancel_accounts_for_every_id(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Two ``task.cancel()`` calls, the second during the stop, still account for all."""
    ids = _ids(pictory_emulator)
    run = pictory_client.projects.delete_many_stream(
        ids, concurrency=10, journal=tmp_path / "j.jsonl"
    )
    twenty = asyncio.Event()

    async def consume() -> None:
        async with run:
            async for _item in run:
                if run.result.total >= 20:
                    twenty.set()

    task = asyncio.ensure_future(consume())
    await twenty.wait()
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    _check_accounting(run.result, ids, pictory_emulator)
    assert None is run._journal._fd  # type: ignore[union-attr]


async def test_cancelling_delete_many_twice_raises_and_keeps_the_journal_whole(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Cancelled twice: every delete the API applied has a line; a resume confirms the rest."""
    ids = _ids(pictory_emulator)
    journal = tmp_path / "j.jsonl"
    seen: list[BulkProgress] = []

    def on_progress(progress: BulkProgress) -> None:
        seen.append(progress)
        if progress.done == 20:
            task.cancel()
            asyncio.get_running_loop().call_soon(task.cancel)

    task = asyncio.ensure_future(
        pictory_client.projects.delete_many(
            ids, concurrency=10, journal=journal, on_progress=on_progress
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)

    assert len(ids) == seen[-1].done
    lines = _journal_lines(journal)
    deleted = {str(entry["id"]) for entry in lines if entry["outcome"] == "deleted"}
    unsure = {str(entry["id"]) for entry in lines if entry.get("may_have_been_applied")}
    gone = {str(i) for i in ids if not pictory_emulator.has_project(i)}
    final = seen[-1].counts
    assert final[Outcome.DELETED] == len(deleted)
    assert final[Outcome.CANCELLED] == len(unsure) == 10
    assert {"deleted", "cancelled"} == {entry["outcome"] for entry in lines}
    assert deleted <= gone <= deleted | unsure  # every applied delete has its line
    assert len(gone) == pictory_emulator.stats.deletes_applied

    again = await pictory_client.projects.delete_many(ids, journal=journal, missing_ok=False)
    lines = _journal_lines(journal)
    deleted_lines = [str(entry["id"]) for entry in lines if entry["outcome"] == "deleted"]
    confirmed = {str(entry["id"]) for entry in lines if entry.get("reason") == "confirmed_gone"}
    not_applied = {str(entry["id"]) for entry in lines if entry["outcome"] == "not_applied"}
    assert again.ok
    assert gone - deleted == confirmed == set(map(str, again.confirmed_gone))
    assert unsure == confirmed | not_applied  # each asked about before the run went on
    assert len(gone) == len(again.skipped_because("journal"))
    assert sorted(map(str, ids)) == sorted(deleted_lines)  # each id deleted once, by a line
    assert len(ids) == pictory_emulator.stats.deletes_applied


async def test_a_cancellation_while_waiting_for_the_workers_is_safe() -> None:
    """A cancel that lands while the stop waits for its workers leaves the result complete."""
    gate = asyncio.Event()

    async def stuck(item: int | str) -> Any:
        try:
            await gate.wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # slow to react: the stop must wait for this
            await asyncio.sleep(0)
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    run: BulkRun[Any] = BulkRun(list(range(10)), stuck, concurrency=3)

    async def consume() -> None:
        async with run:
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            raise KeyError("leave the block")

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises((asyncio.CancelledError, KeyError)):
        await task

    assert 10 == run.result.total
    assert [0, 1, 2] == sorted(map(int, run.result.cancelled))
    assert 7 == len(run.result.not_started)


async def test_a_starlette_request_cancelled_mid_run_accounts_for_every_id(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A streaming endpoint whose client disconnects mid-run: every id is still accounted."""
    ids = _ids(pictory_emulator)
    runs: list[BulkRun[DeleteResult]] = []

    async def purge(request: Request) -> StreamingResponse:
        async def lines() -> AsyncIterator[str]:
            run = pictory_client.projects.delete_many_stream(
                ids, concurrency=4, journal=tmp_path / "j.jsonl"
            )
            runs.append(run)
            async with run:
                async for item in run:
                    yield f"{item.item} {item.outcome.value}\n"

        return StreamingResponse(lines(), media_type="text/plain")

    app = Starlette(routes=[Route("/purge", purge, methods=["POST"])])
    disconnected = asyncio.Event()
    bodies: list[bytes] = []

    async def receive() -> dict[str, Any]:
        if not bodies:
            bodies.append(b"")
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            bodies.append(message["body"])
            if len(bodies) > 10:
                disconnected.set()  # the browser tab was closed
        await anyio.lowlevel.checkpoint()  # a server's send yields to the event loop

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/purge",
        "raw_path": b"/purge",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    [run] = runs
    # Cancelled inside send(), the generator is closed only when it is collected; until
    # then the run waits for its reader instead of deleting on.
    assert len(bodies) + 2 * 4 >= pictory_emulator.stats.deletes_applied
    gc.collect()
    for _ in range(10):
        if run.result.total == len(ids):
            break
        await asyncio.sleep(0)

    _check_accounting(run.result, ids, pictory_emulator)
    assert None is run._journal._fd  # type: ignore[union-attr]
