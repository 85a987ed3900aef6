"""Ctrl-C during a bulk run: in-flight work finishes, the summary accounts, the journal resumes.

The interrupt is a real SIGINT, raised by the display once it has shown N items, so it
arrives at the same point of every run; nothing waits on a timer.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pictory_async import BulkRun, ItemResult, Outcome
from pictory_async.cli._bulkrun import run_bulk
from pictory_async.cli._display import Display
from pictory_async.emulator import Emulator

from .conftest import Invoke, old_ids

INTERRUPT_AFTER = 5


@pytest.fixture
def ctrl_c_after_five(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first bulk display to show its fifth item sends this process a SIGINT."""
    original = Display.advance
    sent = False

    def advance(self: Display, item: ItemResult[Any]) -> None:
        nonlocal sent
        original(self, item)
        if self.done == INTERRUPT_AFTER and not sent:
            sent = True
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(Display, "advance", advance)


def _journaled(path: Path, outcome: str) -> list[object]:
    lines = [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]
    return [line["id"] for line in lines if line["outcome"] == outcome]


@pytest.mark.usefixtures("ctrl_c_after_five")
def test_ctrl_c_mid_prune_finishes_in_flight_and_the_journal_resumes(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Exit 130 with done + not done = all; run again with the journal: the rest, once each."""
    expected = old_ids(emulator)
    journal = tmp_path / "prune.jsonl"
    args = ("projects", "prune", "--older-than", "90d", "--yes", "--concurrency", "2")
    first = invoke(*args, "--journal", str(journal))
    assert 130 == first.exit_code, first.output
    assert "Stopping: nothing new starts" in first.stderr
    deleted = emulator.stats.deletes_applied
    assert INTERRUPT_AFTER <= deleted < len(expected)
    assert sorted(map(str, _journaled(journal, "deleted"))) == sorted(
        str(i) for i in expected if not emulator.has_project(i)
    )
    assert f"Deleted {deleted} of {len(expected)} projects" in first.stdout
    assert f"not started {len(expected) - deleted}" in first.stdout
    assert "cancelled" not in first.stdout  # what was in flight finished
    assert "Interrupted" in first.stdout

    second = invoke(*args, "--journal", str(journal))  # the display does not interrupt twice
    assert 0 == second.exit_code, second.output
    assert len(expected) == emulator.stats.deletes_applied
    assert len(expected) == emulator.stats.count(method="DELETE")  # none sent twice
    assert not any(emulator.has_project(i) for i in expected)


@pytest.mark.usefixtures("ctrl_c_after_five")
def test_ctrl_c_json_accounts_every_id_exactly_once(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--json after Ctrl-C: one outcome line per previewed id, the rest ``not_started``."""
    ids = [str(i) for i in old_ids(emulator)]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids))
    journal = tmp_path / "delete.jsonl"
    args = ("projects", "delete", "--ids-from", str(path), "--yes", "--concurrency", "2")
    first = invoke(*args, "--journal", str(journal), "--json")
    assert 130 == first.exit_code
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    outcomes = [line for line in lines if line["outcome"] != "would_delete"]
    assert sorted(ids) == sorted(str(line["id"]) for line in outcomes)
    by_outcome = {
        o: sum(1 for x in outcomes if x["outcome"] == o) for o in ("deleted", "not_started")
    }
    assert len(ids) == sum(by_outcome.values())
    assert emulator.stats.deletes_applied == by_outcome["deleted"]

    second = invoke(*args, "--journal", str(journal))
    assert 0 == second.exit_code, second.output
    assert f"{by_outcome['deleted']} already done by an earlier run (journal)" in second.stdout
    assert len(ids) == emulator.stats.count(method="DELETE")  # a redo would also be a 404


class _Notes(Display):
    def __init__(self) -> None:
        super().__init__(verb="deleted")
        self.notes: list[str] = []
        self.noted = asyncio.Event()

    def note(self, message: str) -> None:
        self.notes.append(message)
        self.noted.set()


class _Started:
    """Ids the operation started; ``reached`` is set once ``count`` have started."""

    def __init__(self, count: int) -> None:
        self.ids: list[int] = []
        self.count = count
        self.reached = asyncio.Event()

    def add(self, project_id: int | str) -> None:
        assert isinstance(project_id, int)
        self.ids.append(project_id)
        if len(self.ids) == self.count:
            self.reached.set()


async def test_a_second_ctrl_c_cancels_what_is_in_flight() -> None:
    """Ctrl-C twice: done items stay done, the hung ones are cancelled, the rest not started."""
    started = _Started(4)

    async def operation(project_id: int | str) -> ItemResult[None]:
        started.add(project_id)
        if project_id in (3, 4):
            await asyncio.Event().wait()  # hangs until cancelled
        return ItemResult(item=project_id, outcome=Outcome.DELETED)

    def start(source: AsyncIterator[Any]) -> BulkRun[None]:
        return BulkRun(source, operation, concurrency=2)

    display = _Notes()
    previous = signal.getsignal(signal.SIGINT)
    task = asyncio.create_task(run_bulk(start, list(range(1, 11)), display, description="x"))
    await started.reached.wait()
    signal.raise_signal(signal.SIGINT)
    await display.noted.wait()
    signal.raise_signal(signal.SIGINT)
    summary = await task

    assert summary.stopped
    assert 10 == summary.total
    assert 2 == summary.count(Outcome.DELETED)
    assert [3, 4] == sorted(summary.result.cancelled)
    assert list(range(5, 11)) == summary.not_started_ids
    assert previous == signal.getsignal(signal.SIGINT)  # the handler was put back


async def test_the_run_accounts_the_items_when_its_caller_is_cancelled() -> None:
    """Cancelling the command's task: in flight ``cancelled``, the rest not started."""
    started = _Started(3)

    async def operation(project_id: int | str) -> ItemResult[None]:
        started.add(project_id)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    runs: list[BulkRun[None]] = []

    def start(source: AsyncIterator[Any]) -> BulkRun[None]:
        runs.append(BulkRun(source, operation, concurrency=3))
        return runs[0]

    task = asyncio.create_task(run_bulk(start, list(range(1, 8)), _Notes(), description="x"))
    await started.reached.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [1, 2, 3] == sorted(runs[0].result.cancelled)
    assert 3 == runs[0].result.total
