"""Ctrl-C during a bulk run: in-flight work finishes, the summary accounts, the journal resumes.

The interrupt is a real SIGINT, raised by the display once it has shown N items (or by
the emulator once it holds N applied deletes unanswered), so it arrives at the same
point of every run; nothing waits on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pictory_async import BulkRun, ItemResult, Outcome
from pictory_async.cli import app
from pictory_async.cli._bulkrun import run_bulk
from pictory_async.cli._display import Display
from pictory_async.cli.demo import serving
from pictory_async.emulator import Emulator, Faults

from .conftest import Invoke, old_ids

INTERRUPT_AFTER = 5
HOLD_AT_MOST = 60.0  # seconds an emulator holds an answer if nothing releases it


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


class _HoldingEmulator:
    """An emulator that, once told to, applies each request and then holds its answer.

    Its latency is a sleep that returns at once until ``hold()``; from then on every
    request it serves has had its effect (a DELETE has deleted) and waits, unanswered,
    until ``release()``. When ``count`` requests are held it calls ``on_held`` in the
    client's loop.
    """

    def __init__(self, count: int) -> None:
        self.emulator = Emulator(
            projects=40,
            seed=11,
            page_size=10,
            in_progress_share=0.0,
            faults=Faults(latency=1.0),  # never slept: the sleep below decides
            sleep=self._sleep,
        )
        self.count = count
        self.holding = threading.Event()
        self.held: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.client_loop: asyncio.AbstractEventLoop | None = None
        self.on_held: Any = None

    def hold(self) -> None:
        if self.client_loop is None:  # once: the resume runs unheld
            self.client_loop = asyncio.get_running_loop()
            self.holding.set()

    def release(self) -> None:
        self.holding.clear()
        for loop, event in self.held:
            loop.call_soon_threadsafe(event.set)

    async def _sleep(self, seconds: float) -> None:  # in the emulator's thread
        if not self.holding.is_set():
            return
        event = asyncio.Event()
        self.held.append((asyncio.get_running_loop(), event))
        if len(self.held) == self.count and self.client_loop is not None:
            self.client_loop.call_soon_threadsafe(self.on_held)
        with contextlib.suppress(asyncio.TimeoutError):  # a bound, should the test go wrong
            await asyncio.wait_for(event.wait(), HOLD_AT_MOST)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]


def test_a_double_ctrl_c_mid_prune_journals_every_delete_the_api_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C twice with applied deletes unanswered: each gets a line; a resume confirms them."""
    concurrency = 4
    holding = _HoldingEmulator(concurrency)
    emulator = holding.emulator
    old = old_ids(emulator)
    expected = {str(i) for i in old}

    def ctrl_c_twice() -> None:
        signal.raise_signal(signal.SIGINT)  # stop starting work
        signal.raise_signal(signal.SIGINT)  # abandon what is in flight

    holding.on_held = ctrl_c_twice
    original = Display.advance

    def advance(self: Display, item: ItemResult[Any]) -> None:
        original(self, item)
        if self.done == INTERRUPT_AFTER:
            holding.hold()  # from now on, every delete is applied and left unanswered

    monkeypatch.setattr(Display, "advance", advance)
    journal = tmp_path / "prune.jsonl"
    args = ["projects", "prune", "--older-than", "90d", "--yes", "--concurrency", "4"]
    with serving(emulator) as server:
        env = {"PICTORY_API_KEY": server.api_key, "PICTORY_BASE_URL": server.base_url}
        first = CliRunner().invoke(app, [*args, "--journal", str(journal)], env=env)
        holding.release()
        lines = _lines(journal)
        gone = {str(i) for i in old if not emulator.has_project(i)}
        deleted = {str(line["id"]) for line in lines if line["outcome"] == "deleted"}
        unsure = {
            str(line["id"])
            for line in lines
            if line["outcome"] == "cancelled" and line.get("may_have_been_applied") is True
        }

        assert 130 == first.exit_code, first.output
        assert "Abandoning what is in flight: it may or may not have been applied" in (first.stderr)
        assert f"cancelled {concurrency}" in first.stdout
        assert concurrency == len(holding.held)
        assert concurrency == len(unsure)  # each applied, unanswered delete has its line
        assert gone == deleted | unsure
        assert len(gone) == emulator.stats.deletes_applied

        second = CliRunner().invoke(app, [*args, "--journal", str(journal)], env=env)
    lines = _lines(journal)
    deleted_lines = [str(line["id"]) for line in lines if line["outcome"] == "deleted"]
    confirmed = {str(line["id"]) for line in lines if line.get("reason") == "confirmed_gone"}

    assert 0 == second.exit_code, second.output
    assert not any(emulator.has_project(i) for i in old)
    assert expected == set(deleted_lines)  # the journal accounts for every applied delete
    assert emulator.stats.deletes_applied == len(deleted_lines)  # each once
    assert unsure == confirmed  # found gone by the resume: deleted by the first run
    assert not [line for line in lines if line["outcome"] == "already_absent"]
