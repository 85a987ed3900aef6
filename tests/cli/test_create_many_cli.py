"""``pictory videos create-many FILE`` against the emulator over loopback, on one fake clock.

Renders take 40 s of the emulator's clock and the command's polls sleep on the same
clock (``fake_time``), so every test runs at once. The emulator's ``jobs_created()``
counts what was really made: a test that says "never twice" counts there.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pictory_async.cli._display import Display, RichDisplay
from pictory_async.emulator import Emulator

from .conftest import Invoke
from .fake_time import clock, emulator, fake_time

__all__ = ["clock", "emulator", "fake_time"]  # the fixtures this module uses

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COLUMNS = ["key", "script", "name", "voice", "aspect_ratio"]
TITLE = "a\x1b]0;owned\x07\x1b]52;c;cg==\x07b"
"""Sets the terminal's title and writes its clipboard (OSC 0, OSC 52)."""


def _rows(count: int, **extra: str) -> list[dict[str, str]]:
    return [
        {
            "key": f"v{n}",
            "script": f"Video number {n} is short. It has two sentences.",
            "name": f"Video {n}",
            **extra,
        }
        for n in range(1, count + 1)
    ]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _made(emulator: Emulator) -> Counter[str]:
    """How many jobs the emulator made for each video name."""
    jobs = emulator.jobs_created()
    return Counter(str(job.request.get("videoName") or job.request["templateId"]) for job in jobs)


def _interrupt_once(
    monkeypatch: pytest.MonkeyPatch, method: str, reached: Callable[[Display], bool], times: int
) -> None:
    """Once ``reached(display)`` after a call of ``Display.<method>``: ``times`` SIGINTs."""
    original = getattr(Display, method)
    sent = False

    def hooked(self: Display, *args: Any) -> None:
        nonlocal sent
        original(self, *args)
        if reached(self) and not sent:
            sent = True
            for _ in range(times):
                signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(Display, method, hooked)


@pytest.fixture
def ctrl_c_after_three(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first display to show its third row sends this process a SIGINT."""
    _interrupt_once(monkeypatch, "advance", lambda display: display.done == 3, 1)


@pytest.fixture
def ctrl_c_twice_once_two_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once two renders started, this process gets two SIGINTs."""
    _interrupt_once(monkeypatch, "stage", lambda display: display.stages["created"] == 2, 2)


@pytest.mark.parametrize("example", ["videos.csv", "videos.jsonl"])
def test_the_example_file_becomes_three_videos_with_progress(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, example: str
) -> None:
    """docs/examples/videos.*: three videos, progress on stderr, a summary, exit 0."""
    file = Path(shutil.copy(EXAMPLES / example, tmp_path))

    result = invoke("videos", "create-many", str(file))

    assert 0 == result.exit_code, result.output
    template = "20251223e350c53815b8bf8f991da0662d4777e9116b92e9"
    assert Counter({"Green tea": 1, "Oceans": 1, template: 1}) == _made(emulator)
    [welcome] = [job for job in emulator.jobs_created() if "templateId" in job.request]
    assert {"Name": "Ada"} == welcome.request["variables"]
    assert "Making videos: 3 to go" in result.stderr
    assert "created 3 · rendering 0 · done 3" in result.stderr
    assert "Made 3 of 3 videos" in result.stdout
    assert f"Journal: {file}.journal.jsonl" in result.stdout


def test_json_is_a_line_per_row_then_a_summary(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--json: each row's line, key, outcome, job and video URL; a summary line; no stderr."""
    file = _csv(tmp_path / "v.csv", _rows(3))

    result = invoke("videos", "create-many", str(file), "--json")

    assert 0 == result.exit_code, result.output
    *rows, last = _lines(result.stdout)
    jobs = {job.request["videoName"]: job.id for job in emulator.jobs_created()}
    assert [2, 3, 4] == sorted(row["line"] for row in rows)
    for row in rows:
        assert "created" == row["outcome"]
        assert f"key:v{row['line'] - 1}" == row["key"]
        assert jobs[row["name"]] == row["job_id"]
        assert row["video_url"].endswith(".mp4")
        assert {} == row["files"]
    assert {"rows": 3, "created": 3, "interrupted": False, "error": None} == {
        name: last["summary"][name] for name in ("rows", "created", "interrupted", "error")
    }
    assert "" == result.stderr


def test_a_second_run_with_the_journal_makes_nothing_again(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """The same command twice: the second skips every row (journal); still one job a row."""
    file = _csv(tmp_path / "v.csv", _rows(4))
    first = invoke("videos", "create-many", str(file))
    second = invoke("videos", "create-many", str(file))

    assert (0, 0) == (first.exit_code, second.exit_code), second.output
    assert 4 == len(emulator.jobs_created())
    assert "4 made by an earlier run (journal): not made again" in second.stdout


@pytest.mark.usefixtures("ctrl_c_after_three")
def test_ctrl_c_midway_then_the_same_command_makes_each_video_once(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Ctrl-C: in flight finishes, exit 130, a hint naming the journal; a rerun: one each."""
    file = _csv(tmp_path / "v.csv", _rows(12))
    journal = tmp_path / "run.jsonl"
    args = ("videos", "create-many", str(file), "--concurrency", "2", "--journal", str(journal))

    first = invoke(*args)

    assert 130 == first.exit_code, first.output
    assert "Stopping: nothing new starts" in first.stderr
    made = len(emulator.jobs_created())
    assert 3 <= made < 12
    assert "cancelled" not in first.stdout  # what was in flight finished
    assert f"not started {12 - made}" in first.stdout
    assert f"the journal {journal} skips the videos made" in first.stdout

    second = invoke(*args)

    assert 0 == second.exit_code, second.output
    assert Counter({f"Video {n}": 1 for n in range(1, 13)}) == _made(emulator)
    assert f"{made} made by an earlier run" in second.stdout


@pytest.mark.usefixtures("ctrl_c_after_three")
def test_ctrl_c_with_json_accounts_for_every_row_once(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--json after Ctrl-C: one line per row (made or not started), then the summary."""
    file = _csv(tmp_path / "v.csv", _rows(10))

    result = invoke("videos", "create-many", str(file), "--concurrency", "2", "--json")

    assert 130 == result.exit_code, result.output
    *rows, last = _lines(result.stdout)
    assert list(range(2, 12)) == sorted(row["line"] for row in rows)
    outcomes = Counter(row["outcome"] for row in rows)
    assert len(emulator.jobs_created()) == outcomes["created"]
    assert 10 == outcomes["created"] + outcomes["not_started"]
    assert last["summary"]["interrupted"]
    assert 10 == last["summary"]["rows"]


def test_a_lost_answer_is_reported_and_not_resent_unless_asked(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """A POST whose answer is lost: 'unknown', exit 1, NOT resent; --retry-unknown resends."""
    file = _csv(tmp_path / "v.csv", _rows(3))
    emulator.fail_next("drop_after_apply", method="POST")

    first = invoke("videos", "create-many", str(file), "--concurrency", "1")

    assert 1 == first.exit_code, first.output
    [lost] = [job for job in emulator.jobs_created() if job.answer_lost]
    assert "unknown 1" in first.stdout
    assert "NOT sent again" in first.stdout
    assert "--retry-unknown: each may then make a duplicate video" in first.stdout
    assert "line 2" in first.stdout  # the first row's POST was the one lost

    again = invoke("videos", "create-many", str(file), "--json")
    assert 1 == again.exit_code, again.output
    assert 3 == len(emulator.jobs_created())  # still not resent
    assert "unknown" == _lines(again.stdout)[0]["outcome"]
    assert "NOT sent again" in again.stderr  # --json: the warning on stderr

    retried = invoke("videos", "create-many", str(file), "--retry-unknown")
    assert 0 == retried.exit_code, retried.output
    assert 2 == _made(emulator)[lost.request["videoName"]]  # what --retry-unknown may cost
    assert 4 == len(emulator.jobs_created())


def test_bad_rows_refuse_the_run_naming_their_lines(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """A row with no script and one with a bad ratio: exit 2, both lines named, nothing sent."""
    rows = _rows(4)
    rows[1]["script"] = ""
    rows[3]["save_project"] = "perhaps"
    file = _csv(tmp_path / "v.csv", rows)

    result = invoke("videos", "create-many", str(file))

    assert 2 == result.exit_code, result.output
    assert "error: line 3: a row needs exactly one of script, url and template" in result.stderr
    assert "error: line 5:" in result.stderr
    assert "2 rows bad; nothing was sent" in result.stderr
    assert 0 == emulator.stats.total


def test_a_misspelt_column_is_refused(invoke: Invoke, emulator: Emulator, tmp_path: Path) -> None:
    """``nmae`` for ``name``: exit 2 naming it (it would be dropped silently), nothing sent."""
    file = _csv(tmp_path / "v.csv", [{"script": "Hello there.", "nmae": "Hi"}])

    result = invoke("videos", "create-many", str(file))

    assert 2 == result.exit_code, result.output
    assert "unknown column 'nmae'" in result.stderr
    assert 0 == emulator.stats.total


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.csv", "cannot read"),
        ("videos.txt", "cannot tell the format"),
        ("empty.csv", "holds no row"),
        ("folder.csv", "cannot read"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, name: str, expected: str
) -> None:
    """Missing, an unknown suffix, no rows, a directory: exit 2 with why, nothing sent."""
    (tmp_path / "videos.txt").write_text("script\nHello.\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("script,name\n\n", encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()

    result = invoke("videos", "create-many", str(tmp_path / name))

    assert 2 == result.exit_code, result.output
    assert expected in result.stderr
    assert 0 == emulator.stats.total


def test_dry_run_names_each_bad_row_and_sends_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--dry-run over bad rows: their lines and why, the minutes, exit 2, no POST."""
    rows = _rows(5)
    rows[0]["script"] = ""
    rows[3]["voice"] = "none"
    rows[3]["music"] = "loud"
    file = _csv(tmp_path / "v.csv", rows)

    result = invoke("videos", "create-many", str(file), "--dry-run")

    assert 2 == result.exit_code, result.output
    assert "line 2: a row needs exactly one of script, url and template" in result.stdout
    assert "line 5:" in result.stdout
    assert "5 rows: 3 to make, 2 bad" in result.stdout
    assert "Video minutes: about 3 needed, 600 left: they fit." in result.stdout
    assert 0 == emulator.stats.count(method="POST")


def test_dry_run_that_does_not_fit_the_quota_exits_1(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--dry-run with 2 minutes left for 3 videos: says so, exit 1; a fitting file exits 0."""
    file = _csv(tmp_path / "v.csv", _rows(3))
    emulator.set_quota(video_minutes={"used": 598, "limit": 600})

    short = invoke("videos", "create-many", str(file), "--dry-run")
    emulator.set_quota(video_minutes={"used": 0})
    fits = invoke("videos", "create-many", str(file), "--dry-run", "--json")

    assert 1 == short.exit_code, short.output
    assert "about 3 needed, only 2 left: they do not fit" in short.stdout
    assert 0 == fits.exit_code, fits.output
    *rows, last = _lines(fits.stdout)
    assert ["would_create"] * 3 == [row["outcome"] for row in rows]
    assert [1, 1, 1] == [row["minutes"] for row in rows]
    assert {"rows": 3, "rows_ok": 3, "minutes_needed": 3, "fits": True} == {
        name: last["summary"][name] for name in ("rows", "rows_ok", "minutes_needed", "fits")
    }
    assert 0 == emulator.stats.count(method="POST")


def test_hostile_text_in_rows_never_reaches_the_terminal(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Escape sequences in names, voices and bad cells are printed as escapes, never raw."""
    rows = _rows(2)
    rows[0]["name"] = TITLE
    rows[1]["name"] = TITLE
    rows[1]["voice"] = f"Evil{TITLE}"  # an unknown voice: the render fails, naming it
    file = _csv(tmp_path / "v.csv", rows)
    bad = _csv(tmp_path / "bad.csv", [{"url": f"javascript:{TITLE}", "name": TITLE}])

    run = invoke("videos", "create-many", str(file))
    dry = invoke("videos", "create-many", str(bad), "--dry-run")
    refused = invoke("videos", "create-many", str(bad))

    assert (1, 2, 2) == (run.exit_code, dry.exit_code, refused.exit_code), run.output
    for result in (run, dry, refused):
        assert "\x1b" not in result.stdout + result.stderr
        assert "\x07" not in result.stdout + result.stderr
    assert "failed line 3 (a\\x1b]0;owned\\x07" in run.stderr  # the note as it failed
    assert "\\x1b]0;owned\\x07" in run.stdout
    assert "line 2: url must start with http" in dry.stdout


def test_download_fetches_each_videos_files(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--download DIR: each video's files in DIR, named in the JSON lines."""
    file = _csv(tmp_path / "v.csv", _rows(2))
    dest = tmp_path / "out"

    result = invoke("videos", "create-many", str(file), "--download", str(dest), "--json")

    assert 0 == result.exit_code, result.output
    *rows, _ = _lines(result.stdout)
    for row in rows:
        assert row["files"]["video"].endswith(".mp4")
        assert Path(row["files"]["video"]).parent == dest
        assert Path(row["files"]["video"]).is_file()


def test_no_wait_counts_a_row_once_its_render_started(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--no-wait: each row 'created' with its job id, no poll of any job."""
    file = _csv(tmp_path / "v.csv", _rows(3))

    result = invoke("videos", "create-many", str(file), "--no-wait", "--json")
    text = invoke("videos", "create-many", str(file), "--no-wait", "--journal", str(tmp_path / "j"))

    assert 0 == result.exit_code, result.output
    *rows, _ = _lines(result.stdout)
    assert {row["job_id"] for row in rows} < {job.id for job in emulator.jobs_created()}
    assert 0 == emulator.stats.count(method="GET", route="job")
    assert "3/3 (100%)" in text.stderr
    assert text.stderr.strip().endswith("; created 3")  # counted once, as its outcome


def test_download_without_waiting_is_a_usage_error(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--download with --no-wait: exit 2 before the file is even read."""
    result = invoke(
        "videos", "create-many", str(tmp_path / "v.csv"), "--no-wait", "--download", "out"
    )

    assert 2 == result.exit_code, result.output
    assert "--download needs the videos" in result.stderr


@pytest.mark.usefixtures("ctrl_c_after_three")
def test_a_hostile_file_name_is_shown_as_escapes_after_ctrl_c(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """The journal beside a file named with escapes: the resume hint shows them escaped."""
    file = _csv(tmp_path / "v\x1b[2K.csv", _rows(8))

    result = invoke("videos", "create-many", str(file), "--concurrency", "1")

    assert 130 == result.exit_code, result.output
    assert "\x1b" not in result.stdout + result.stderr
    assert "v\\x1b[2K.csv.journal.jsonl skips the videos made" in result.stdout


@pytest.mark.usefixtures("ctrl_c_after_three")
def test_faults_a_ctrl_c_and_a_resume_make_no_video_twice(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """5xx and lost answers, Ctrl-C, the same command: each row once, lost ones named."""
    file = _csv(tmp_path / "v.csv", _rows(60))
    emulator.set_faults(create_error_rate=0.05, drop_after_create_rate=0.05)
    args = ("videos", "create-many", str(file), "--concurrency", "4", "--json")

    first = invoke(*args)
    emulator.set_faults(create_error_rate=0.0, drop_after_create_rate=0.0)
    second = invoke(*args)

    assert (130, 1) == (first.exit_code, second.exit_code), second.output
    made = _made(emulator)
    assert {1} == set(made.values())  # never a video made twice
    *rows, last = _lines(second.stdout)
    assert list(range(2, 62)) == sorted(row["line"] for row in rows)  # every row, once
    assert 60 == last["summary"]["rows"]
    unknown = {f"Video {row['line'] - 1}" for row in rows if row["outcome"] == "unknown"}
    lost = {job.request["videoName"] for job in emulator.jobs_created() if job.answer_lost}
    assert lost  # the faults lost some answers
    assert lost <= unknown  # each reported, none resent
    done = {f"Video {row['line'] - 1}" for row in rows if row["outcome"] != "unknown"}
    assert done | lost == set(made)


@pytest.mark.usefixtures("ctrl_c_twice_once_two_render")
def test_a_second_ctrl_c_stops_waiting_and_the_next_run_follows_the_renders(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Ctrl-C twice mid-render: no row unknown, jobs journaled; the rerun follows, not resends."""
    emulator.set_render_duration(1_000_000)  # the renders outlast the first run
    file = _csv(tmp_path / "v.csv", _rows(6))
    slow = ("--poll-interval", "100000", "--timeout", "10000000")

    first = invoke("videos", "create-many", str(file), "--concurrency", "2", "--json")
    second = invoke("videos", "create-many", str(file), "--concurrency", "2", *slow)

    assert 130 == first.exit_code, first.output
    assert "Not waiting for the renders any more" in first.stderr
    *rows, _ = _lines(first.stdout)
    started = [row for row in rows if row["outcome"] == "cancelled"]
    assert ["started", "started"] == [row["reason"] for row in started]
    assert {job.id for job in emulator.jobs_created()[:2]} == {row["job_id"] for row in started}
    assert {"cancelled": 2, "not_started": 4} == Counter(row["outcome"] for row in rows)
    assert 0 == second.exit_code, second.output
    assert "2 renders an earlier run started were followed, not resent" in second.stdout
    assert Counter({f"Video {n}": 1 for n in range(1, 7)}) == _made(emulator)


def test_dry_run_with_a_refused_key_cannot_tell_and_exits_1(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """--dry-run whose quota read is refused (401): says it cannot tell, exit 1, no POST."""
    file = _csv(tmp_path / "v.csv", _rows(2))

    result = invoke("videos", "create-many", str(file), "--dry-run", PICTORY_API_KEY="pictai_x")

    assert 1 == result.exit_code, result.output
    assert "cannot tell whether they fit: AuthenticationError" in result.stdout
    assert "pictai_x" not in result.output
    assert 0 == emulator.stats.count(method="POST")


def test_a_key_given_twice_is_one_video_and_the_summary_says_so(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Two rows with one key: one video, the second row skipped and counted as a repeat."""
    rows = _rows(3)
    rows[2]["key"] = rows[0]["key"]
    file = _csv(tmp_path / "v.csv", rows)

    result = invoke("videos", "create-many", str(file))

    assert 0 == result.exit_code, result.output
    assert 2 == len(emulator.jobs_created())
    assert "1 repeating an earlier row's key: skipped" in result.stdout


@pytest.mark.parametrize(("journal", "code"), [("folder", 1), ("v.csv", 2)])
def test_a_journal_that_cannot_be_one_sends_nothing(
    invoke: Invoke, emulator: Emulator, tmp_path: Path, journal: str, code: int
) -> None:
    """--journal naming a directory (1) or the input file itself (2): why, no request."""
    file = _csv(tmp_path / "v.csv", _rows(2))
    (tmp_path / "folder").mkdir()

    result = invoke("videos", "create-many", str(file), "--journal", str(tmp_path / journal))

    assert code == result.exit_code, result.output
    assert "; nothing was sent" in result.stderr
    assert "" == result.stdout
    assert 0 == emulator.stats.total
    assert "key,script,name" == file.read_text(encoding="utf-8").splitlines()[0]


def test_a_failed_download_is_fetched_by_the_next_run_without_a_second_video(
    invoke: Invoke, emulator: Emulator, tmp_path: Path
) -> None:
    """Downloads cut off: the rows fail (exit 1); the rerun follows the jobs and downloads."""
    file = _csv(tmp_path / "v.csv", _rows(2))
    args = ("videos", "create-many", str(file), "--download", str(tmp_path / "out"))
    emulator.set_faults(media_truncate_rate=1.0)
    first = invoke(*args)
    emulator.set_faults(media_truncate_rate=0.0)
    second = invoke(*args)

    assert (1, 0) == (first.exit_code, second.exit_code), second.output
    assert "failed 2" in first.stdout
    assert "2 renders an earlier run started were followed, not resent" in second.stdout
    assert 2 == len(emulator.jobs_created())
    assert 2 == len(list((tmp_path / "out").glob("*-video.mp4")))


def test_the_live_bar_shows_a_started_render_at_once() -> None:
    """On a terminal's bar, a render started moves 'created' and 'rendering' before any end."""
    out = io.StringIO()
    display = RichDisplay(verb="done", console=Console(file=out, width=200))
    display.stages.update(created=0, rendering=0)
    display.start(3, "Making videos")
    display.stage("created")
    display.stage("rendering")
    display.close()

    assert "0/3" in out.getvalue()
    assert "created 1 · rendering 1" in out.getvalue()
