"""The journal: checked before any request, refused when not ours, locked per run.

A write failure mid-run stops the run without losing an id.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pictory_async import AsyncPictory, BulkRun, InvalidInputError, Outcome, ProjectSummary
from pictory_async._journal import Journal
from pictory_async.emulator import Emulator

pytestmark = pytest.mark.pictory_emulator(projects=12, seed=4)

HEADER = '{"format": "pictory-async-journal", "version": 1, "operation": "delete"}\n'


async def _drain(run: BulkRun[Any]) -> None:
    """Read a bulk stream to its end."""
    async with run:
        async for _ in run:
            pass


async def _first(run: BulkRun[Any]) -> None:
    """Read one item of a bulk stream, then leave it."""
    async with run:
        async for _ in run:
            break


def _ids(emulator: Emulator) -> list[int | str]:
    return [record.id for record in emulator.projects()]


def _entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id\n1\n2\n", "not a pictory-async journal"),
        ('{"format": "pictory-async-journal", "version": 1, "operation": "exp\n', "not a"),
        ('{"format": "pictory-async-journal", "version": 1, "operation": "delete"}', "not a"),
        ('["pictory-async-journal"]\n', "not a pictory-async journal"),
        ('{"format": "pictory-async-journal", "version": 9, "operation": "delete"}\n', "9"),
        ('{"format": "pictory-async-journal", "version": true, "operation": "delete"}\n', "v"),
        ('{"format": "pictory-async-journal", "version": 1, "operation": "copy"}\n', "'copy'"),
    ],
    ids=["csv", "torn-header", "unterminated", "json-list", "newer", "bool-version", "other-op"],
)
async def test_a_file_that_is_not_our_journal_is_refused_before_any_request(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    """Not a journal, a garbled header, another version or operation: refused, nothing sent."""
    path = tmp_path / "j.jsonl"
    path.write_text(content)

    with pytest.raises(InvalidInputError, match=re.escape(message)):
        await pictory_client.projects.delete_many(_ids(pictory_emulator), journal=path)

    assert content == path.read_text()
    assert 0 == pictory_emulator.stats.count(method="DELETE")


@pytest.mark.parametrize(
    ("where", "error"),
    [("parent-is-file", NotADirectoryError), ("under-a-file", NotADirectoryError)],
)
async def test_an_unwritable_journal_path_raises_before_any_request(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    where: str,
    error: type[OSError],
) -> None:
    """A journal under a file raises a clear OSError at once; nothing is sent, nothing hangs."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = blocker / "j.jsonl" if where == "parent-is-file" else blocker / "sub" / "j.jsonl"

    with pytest.raises(error, match="journal"):
        await pictory_client.projects.delete_many(_ids(pictory_emulator), journal=path)

    assert 0 == pictory_emulator.stats.count(method="DELETE")


@pytest.mark.parametrize("kind", ["directory", "device"])
async def test_a_journal_that_is_not_a_regular_file_is_refused(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path, kind: str
) -> None:
    """A directory, or a device such as /dev/full, is not a journal."""
    path = tmp_path if kind == "directory" else Path("/dev/full")
    if not path.exists():  # pragma: no cover - not Linux
        pytest.skip("no /dev/full here")

    with pytest.raises((InvalidInputError, IsADirectoryError)):
        await pictory_client.projects.delete_many(_ids(pictory_emulator), journal=path)
    with pytest.raises(InvalidInputError, match="regular file"):
        await pictory_client.projects.delete_many(
            _ids(pictory_emulator), journal=path, dry_run=True
        )

    assert 0 == pictory_emulator.stats.count(method="DELETE")


async def test_a_journal_in_use_by_another_run_is_refused(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Two runs on one journal at once: the second is refused before it sends anything."""
    ids = _ids(pictory_emulator)
    path = tmp_path / "j.jsonl"

    async with pictory_client.projects.delete_many_stream(ids[:2], journal=path) as first:
        with pytest.raises(InvalidInputError, match="in use by another run"):
            await pictory_client.projects.delete_many(ids, journal=path)
        async for _ in first:
            pass
    second = await pictory_client.projects.delete_many(ids, journal=path)

    assert sorted(map(str, ids[:2])) == sorted(map(str, second.skipped_because("journal")))
    assert len(ids) - 2 == len(second.deleted)
    assert len(ids) == pictory_emulator.stats.count(method="DELETE")
    assert 1 == path.read_text().count('"format"')


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EIO])
async def test_a_journal_write_failure_mid_run_stops_and_accounts_for_every_id(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    """A full disk, a read-only remount, an I/O error: the run stops, raises, loses no id."""
    ids = _ids(pictory_emulator)
    path = tmp_path / "j.jsonl"
    writes: list[bytes] = []
    real_append = Journal._append

    def failing_append(fd: int, data: bytes) -> None:
        writes.append(data)
        if len(writes) > 4:  # the header and three outcomes, then the disk is full
            raise OSError(code, "injected")
        real_append(fd, data)

    monkeypatch.setattr(Journal, "_append", staticmethod(failing_append))
    run = pictory_client.projects.delete_many_stream(ids, concurrency=2, journal=path)

    with pytest.raises(OSError, match="cannot write the journal") as raised:
        await _drain(run)

    assert code == raised.value.errno
    result = run.result
    assert raised.value is result.error
    assert len(ids) == result.total
    assert result.interrupted
    assert not result.ok
    assert 3 == len(_entries(path))
    deleted = {str(i) for i in result.deleted}
    assert {str(e["id"]) for e in _entries(path)} <= deleted
    gone = {str(i) for i in ids if not pictory_emulator.has_project(i)}
    assert deleted <= gone <= deleted | {str(i) for i in result.cancelled}
    assert all(pictory_emulator.has_project(i) for i in result.not_started)


async def test_delete_many_raises_a_journal_write_failure(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``delete_many`` itself raises the OSError (it never hangs or swallows it)."""
    path = tmp_path / "j.jsonl"
    path.write_text(HEADER)

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Journal, "_append", staticmethod(full))

    with pytest.raises(OSError, match="No space left"):
        await pictory_client.projects.delete_many(_ids(pictory_emulator), journal=path)

    assert 1 == pictory_emulator.stats.deletes_applied


async def test_a_header_that_cannot_be_written_raises_before_any_request(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No room even for the header: the run never starts."""

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Journal, "_append", staticmethod(full))

    with pytest.raises(OSError, match="cannot write the journal"):
        await pictory_client.projects.delete_many(
            _ids(pictory_emulator), journal=tmp_path / "j.jsonl"
        )
    assert 0 == pictory_emulator.stats.count(method="DELETE")


async def test_bad_items_in_a_journaled_run_fail_alone(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Bytes, objects and unsafe ids are failed items; the journal records them; the rest go."""
    a, b, c, d = _ids(pictory_emulator)[:4]
    path = tmp_path / "j.jsonl"
    bad: list[Any] = [b"x", object(), "../x", -1, 1.5]

    result = await pictory_client.projects.delete_many(
        [a, bad[0], b, bad[1], c, bad[2], bad[3], bad[4], d], journal=path, concurrency=1
    )

    assert [str(i) for i in (a, b, c, d)] == [str(i) for i in result.deleted]
    assert 5 == len(result.failed)
    entries = _entries(path)
    assert 4 == sum(e["outcome"] == "deleted" for e in entries)
    failed = [e for e in entries if e["outcome"] == "failed"]
    values = [e.get("id", e.get("input")) for e in failed]
    assert ["b'x'", "../x", -1, "1.5"] == [values[0], *values[2:]]
    assert str(values[1]).startswith("<object object at")
    assert all(e["error"].startswith("InvalidProjectIdError") for e in failed)


async def test_journal_lines_carry_the_time_and_the_project_name(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Each line says when; a run over summaries also says which project by name."""
    path = tmp_path / "j.jsonl"
    summaries = [s async for s in pictory_client.projects.list()][:3]
    names = {str(s.id): s.name for s in summaries}

    await pictory_client.projects.delete_many([*summaries, 987654321], journal=path)

    entries = _entries(path)
    assert 4 == len(entries)
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    assert all(stamp.fullmatch(e["at"]) for e in entries)
    assert names == {str(e["id"]): e["name"] for e in entries if "name" in e}
    assert {"already_absent"} == {e["outcome"] for e in entries if "name" not in e}
    assert all(isinstance(s, ProjectSummary) for s in summaries)


async def test_a_torn_last_line_is_ended_and_resumed_from(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """After a crash tore the last line, the next run ends it, asks about its id, appends."""
    ids = _ids(pictory_emulator)
    path = tmp_path / "j.jsonl"
    done = json.dumps({"id": ids[0], "outcome": "deleted"})
    path.write_text(HEADER + done + "\n" + '{"id": "garbage\x00\n' + '{"id": 7, "outc')

    result = await pictory_client.projects.delete_many(ids, journal=path)

    assert [str(ids[0])] == [str(i) for i in result.skipped_because("journal")]
    lines = path.read_text().splitlines()
    assert '{"id": 7, "outc' == lines[3]
    confirmation = json.loads(lines[4])  # its outcome was being written: 7 is gone
    assert {"id": 7, "outcome": "deleted", "reason": "confirmed_gone"} == {
        k: confirmation[k] for k in ("id", "outcome", "reason")
    }
    assert [7] == result.confirmed_gone
    assert all(json.loads(line)["outcome"] == "deleted" for line in lines[5:])
    assert len(ids) - 1 == len(lines[5:])


async def test_a_dry_run_checks_the_journal_but_never_writes_it(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A dry run reads and checks the journal, skips what it records, writes nothing."""
    ids = _ids(pictory_emulator)
    path = tmp_path / "j.jsonl"
    path.write_text(HEADER + json.dumps({"id": ids[0], "outcome": "deleted"}) + "\n")
    before = path.read_text()

    result = await pictory_client.projects.delete_many(ids, journal=path, dry_run=True)

    assert [ids[0]] == result.skipped_because("journal")
    assert len(ids) - 1 == len(result.skipped_because("dry_run"))
    assert before == path.read_text()
    assert Outcome.SKIPPED not in {e.outcome for e in result.failed}


def test_journal_close_reports_a_failed_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A final fsync that fails is raised (the last lines may be lost); the fd is closed."""
    journal = Journal(tmp_path / "j.jsonl", operation="delete")
    journal.open()

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("pictory_async._journal.os.fsync", failing_fsync)
    with pytest.raises(OSError, match="cannot flush the journal"):
        journal.close()
    journal.close()  # idempotent


async def test_a_journal_records_odd_ids_without_failing(tmp_path: Path) -> None:
    """An int json refuses, a hostile repr or str, a long error: the journal goes on."""

    class Weird:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    class LoudError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str")

    path = tmp_path / "j.jsonl"
    journal = Journal(path, operation="delete")
    journal.open()
    journal.record(Weird(), "failed", error=LoudError())
    journal.record("x" * 1000, "failed", error=RuntimeError("y" * 1000))
    journal.record(10**5000, "failed")  # json refuses ints this long
    journal.record("p1", "skipped")
    journal.close()

    entries = _entries(path)
    assert 3 == len(entries)
    assert ("<Weird>", "LoudError: <LoudError>") == (entries[0]["input"], entries[0]["error"])
    assert 300 == len(entries[1]["error"])
    assert "<int>" == entries[2]["input"]


def _journal_with(path: Path, *entries: dict[str, Any], torn: str = "") -> Path:
    path.write_text(HEADER + "".join(json.dumps(e) + "\n" for e in entries) + torn)
    return path


def test_lines_that_may_have_been_applied_are_unconfirmed_until_done(tmp_path: Path) -> None:
    """``may_have_been_applied`` lines are unconfirmed; a later done or not_applied line settles."""
    path = _journal_with(
        tmp_path / "j.jsonl",
        {"id": 1, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": 1, "outcome": "deleted", "reason": "confirmed_gone"},
        {"id": 2, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": 3, "outcome": "failed", "may_have_been_applied": True, "error": "APIError: 503"},
        {"id": 4, "outcome": "failed", "error": "PermissionDeniedError: 403"},
        {"id": 5, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": 5, "outcome": "not_applied"},
        {"id": "p6", "outcome": "cancelled", "may_have_been_applied": True},
        {"id": "p6", "outcome": "failed", "error": "APIError: 500"},  # still unsure
        {"id": 7, "outcome": "deleted"},
        {"id": 7, "outcome": "cancelled", "may_have_been_applied": True},  # done stays done
        {"id": True, "outcome": "cancelled", "may_have_been_applied": True},
        {"input": "b'x'", "outcome": "cancelled", "may_have_been_applied": True},
        {"id": 8, "outcome": "cancelled", "may_have_been_applied": "yes"},
    )
    journal = Journal(path, operation="delete")
    journal.open(write=False)

    assert frozenset({1, 7}) == journal.done
    assert frozenset({2, 3, "p6"}) == journal.unconfirmed
    assert journal.is_unconfirmed(2)
    assert not journal.is_unconfirmed(5)


@pytest.mark.parametrize(
    ("torn", "unconfirmed"),
    [
        ('{"id": 7, "outc', {7}),
        ('{"id": "p-1", "outcome": "dele', {"p-1"}),
        ('{"id": "a\\"b\\u00e9", ', {'a"b\u00e9'}),
        ('{"id": 12', set()),  # the id itself may be cut: 12 of 1234
        ('{"id": "p-', set()),
        ('{"id": "bad\\q", ', set()),
        ('{"input": "x", "outc', set()),
        ("garbage", set()),
        ('{"id": ' + "9" * 5000 + ", ", set()),  # more digits than int() reads
    ],
)
def test_a_torn_line_leaves_the_id_it_names_unconfirmed(
    tmp_path: Path, torn: str, unconfirmed: set[object]
) -> None:
    """Its outcome was being written: the whole id it begins with is asked about again."""
    path = _journal_with(tmp_path / "j.jsonl", {"id": 1, "outcome": "deleted"}, torn=torn)
    journal = Journal(path, operation="delete")
    journal.open(write=False)

    assert unconfirmed == set(journal.unconfirmed)
    assert frozenset({1}) == journal.done


async def test_a_resume_asks_about_unconfirmed_ids_before_it_reads_its_input(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """Gone: journaled deleted (confirmed); still there: not_applied, and deleted only if asked."""
    first, second, third, *rest = _ids(pictory_emulator)
    await pictory_client.projects.delete(first)  # the earlier run's cancelled delete
    path = _journal_with(
        tmp_path / "j.jsonl",
        {"id": first, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": second, "outcome": "cancelled", "may_have_been_applied": True},
        {"id": third, "outcome": "cancelled", "may_have_been_applied": True},
    )
    pictory_emulator.stats.reset()

    result = await pictory_client.projects.delete_many(
        [first, second, *rest], journal=path, missing_ok=False
    )

    entries = _entries(path)[3:]
    confirmations = [(e["id"], e["outcome"], e.get("reason")) for e in entries[:3]]
    expected = [
        (first, "deleted", "confirmed_gone"),
        (second, "not_applied", None),
        (third, "not_applied", None),
    ]
    assert sorted(expected, key=str) == sorted(confirmations, key=str)
    assert [first] == result.confirmed_gone
    assert [first] == result.skipped_because("journal")
    assert sorted(map(str, [second, *rest])) == sorted(map(str, result.deleted))
    assert result.ok
    assert pictory_emulator.has_project(third)  # asked about, never deleted: not in the input
    assert 3 == pictory_emulator.stats.count(method="GET")
    assert len(rest) + 1 == pictory_emulator.stats.count(method="DELETE")


async def test_an_unconfirmed_id_the_api_cannot_answer_about_is_confirmed_by_its_delete(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """The GET fails: the id stays unconfirmed, and its delete's 404 is the earlier delete."""
    first, *_ = _ids(pictory_emulator)
    await pictory_client.projects.delete(first)
    path = _journal_with(
        tmp_path / "j.jsonl", {"id": first, "outcome": "cancelled", "may_have_been_applied": True}
    )
    pictory_emulator.fail_next(500, times=20, method="GET")

    run = pictory_client.projects.delete_many_stream([first], journal=path, missing_ok=False)
    async with run:
        items = [item async for item in run]

    [item] = items
    assert (Outcome.DELETED, "confirmed_gone") == (item.outcome, item.reason)
    assert item.value is not None
    assert item.value.inferred_from_retry
    assert [] == run.result.confirmed_gone
    assert [("cancelled", None), ("deleted", "confirmed_gone")] == [
        (e["outcome"], e.get("reason")) for e in _entries(path)
    ]


async def test_a_dry_run_asks_nothing_about_unconfirmed_ids(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A dry run sends nothing: an unconfirmed id in its input is previewed, not settled."""
    first, *_ = _ids(pictory_emulator)
    path = _journal_with(
        tmp_path / "j.jsonl", {"id": first, "outcome": "cancelled", "may_have_been_applied": True}
    )
    before = path.read_text()
    pictory_emulator.stats.reset()

    result = await pictory_client.projects.delete_many([first], journal=path, dry_run=True)

    assert [first] == result.previewed
    assert 0 == pictory_emulator.stats.total
    assert before == path.read_text()


async def test_backup_and_delete_confirms_what_an_earlier_run_deleted(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """An unconfirmed id found gone is journaled deleted (confirmed) by backup_and_delete too."""
    first, *_ = _ids(pictory_emulator)
    await pictory_client.projects.delete(first)
    path = tmp_path / "j.jsonl"
    path.write_text(
        HEADER.replace('"delete"', '"backup_and_delete"')
        + json.dumps({"id": first, "outcome": "cancelled", "may_have_been_applied": True})
        + "\n"
    )

    result = await pictory_client.projects.backup_and_delete(
        [first], tmp_path / "backups", journal=path
    )

    assert [first] == result.confirmed_gone
    assert [first] == result.skipped_because("journal")
    last = _entries(path)[-1]
    assert ("deleted", "confirmed_gone") == (last["outcome"], last["reason"])


async def test_an_unconfirmed_id_that_is_no_safe_id_is_never_sent(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """A journal naming ``../x`` or a 300-digit id: nothing is sent for it; it stays unsure."""
    first, *_ = _ids(pictory_emulator)
    bad: list[object] = ["../x", "a/b", 10**300]
    path = _journal_with(
        tmp_path / "j.jsonl",
        *({"id": i, "outcome": "cancelled", "may_have_been_applied": True} for i in bad),
    )
    pictory_emulator.stats.reset()

    result = await pictory_client.projects.delete_many([first], journal=path)

    assert [first] == result.deleted
    assert 1 == pictory_emulator.stats.total  # the delete of the input's id, nothing else
    journal = Journal(path, operation="delete")
    journal.open(write=False)
    assert set(bad) == set(journal.unconfirmed)


async def test_an_item_cancelled_before_its_delete_was_sent_is_not_unconfirmed(
    pictory_client: AsyncPictory,
    pictory_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """backup_and_delete cancelled during the backups: no line says a delete may have gone.

    Such a line would have a resume report a project someone else deleted as deleted by
    this run (``confirmed_gone``), although its backup was never finished.
    """
    import asyncio

    ids = _ids(pictory_emulator)[:3]
    started: list[object] = []
    all_started, never = asyncio.Event(), asyncio.Event()

    async def stuck_backup(project_id: object, *args: Any, **kwargs: Any) -> Any:
        started.append(project_id)
        if len(started) == len(ids):
            all_started.set()
        await never.wait()

    monkeypatch.setattr(pictory_client.projects, "_backup", stuck_backup)
    path = tmp_path / "j.jsonl"
    task = asyncio.create_task(
        pictory_client.projects.backup_and_delete(
            ids, tmp_path / "backups", journal=path, concurrency=3
        )
    )
    await all_started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    entries = _entries(path)
    assert sorted(map(str, ids)) == sorted(str(e["id"]) for e in entries)
    assert {"cancelled"} == {e["outcome"] for e in entries}
    assert not any(e.get("may_have_been_applied") for e in entries)
    assert all(pictory_emulator.has_project(i) for i in ids)

    monkeypatch.undo()
    await pictory_client.projects.delete(ids[0])  # someone else deletes it meanwhile
    result = await pictory_client.projects.backup_and_delete(
        ids, tmp_path / "backups", journal=path
    )
    assert [] == result.confirmed_gone
    assert [ids[0]] == result.ids(Outcome.ALREADY_ABSENT)
