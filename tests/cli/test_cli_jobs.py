"""``pictory projects render`` and ``pictory jobs ...`` against the emulator over loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from pictory_async import AsyncPictory
from pictory_async.cli import app, projects
from pictory_async.cli._common import Settings, open_client
from pictory_async.cli.demo import serving
from pictory_async.emulator import Emulator, FakeClock

from .conftest import Invoke


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _render(invoke: Invoke, project_id: object) -> str:
    result = invoke("projects", "render", str(project_id), "--json")
    assert 0 == result.exit_code, result.output
    [job] = _lines(result.stdout)
    return str(job["id"])


def test_render_prints_the_job_it_started(invoke: Invoke, emulator: Emulator) -> None:
    """The job id is the emulator's; the table names it and its status."""
    record = emulator.projects()[0]
    result = invoke("projects", "render", str(record.id))
    assert 0 == result.exit_code, result.output
    [job] = emulator.jobs()
    assert job.id in result.stdout
    assert "Status" in result.stdout


def test_render_wait_follows_the_job_to_the_video(invoke: Invoke, emulator: Emulator) -> None:
    """--wait: the completed job with its video URL, exit 0."""
    emulator.set_render_duration(0)
    record = emulator.projects()[0]
    result = invoke("projects", "render", str(record.id), "--wait", "--json")
    assert 0 == result.exit_code, result.output
    [job] = _lines(result.stdout)
    assert "completed" == job["status"]
    assert emulator.asset_url(record.id, "video") == job["video_url"]


def test_jobs_get_shows_a_finished_job(invoke: Invoke, emulator: Emulator) -> None:
    """``jobs get`` of a completed render: status and video, as a table or JSON."""
    emulator.set_render_duration(0)
    job_id = _render(invoke, emulator.projects()[1].id)
    human = invoke("jobs", "get", job_id)
    assert 0 == human.exit_code, human.output
    assert "completed" in human.stdout
    [data] = _lines(invoke("jobs", "get", job_id, "--json").stdout)
    assert (job_id, "completed") == (data["id"], data["status"])
    assert "raw" not in data


def test_a_failed_render_is_exit_1_with_its_code(invoke: Invoke, emulator: Emulator) -> None:
    """``jobs wait`` of a failed job: its code and message on stderr, exit 1."""
    emulator.set_render_duration(0)
    emulator.fail_next_render(error_code="E42", error_message="font missing")
    job_id = _render(invoke, emulator.projects()[2].id)
    result = invoke("jobs", "wait", job_id)
    assert 1 == result.exit_code
    assert "E42" in result.stderr
    assert "font missing" in result.stderr
    assert 1 == invoke("jobs", "get", job_id).exit_code


def test_a_failed_job_cleaned_before_the_wait_is_exit_1(invoke: Invoke, emulator: Emulator) -> None:
    """``jobs wait`` of a failed job that was then cleaned: not a success, exit 1, says why."""
    emulator.set_render_duration(0)
    emulator.fail_next_render(error_code="E42")
    job_id = _render(invoke, emulator.projects()[2].id)
    emulator.clean_job(job_id)
    result = invoke("jobs", "wait", job_id, "--json")
    assert 1 == result.exit_code, result.output
    [last] = _lines(result.stdout)
    assert "cleaned" == last["status"]
    assert "may have completed or failed" in result.stderr


def test_projects_wait_on_a_failed_render_is_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """``projects wait`` while a render runs that then fails: its code on stderr, exit 1."""
    clock = FakeClock(start=1000.0)  # the emulator's and the command's: nothing waits
    emulator = Emulator(
        projects=3, seed=11, in_progress_share=0.0, clock=clock.time, sleep=clock.sleep
    )
    emulator.set_render_duration(40)
    emulator.fail_next_render(error_code="E_FONT", error_message="font missing")
    record = emulator.projects()[0]
    emulator.start_render(record.id)  # started elsewhere: the wait finds its job

    def on_fake_time(settings: Settings, **options: Any) -> AsyncPictory:
        return open_client(settings, clock=clock.time, sleep=clock.sleep, **options)

    monkeypatch.setattr(projects, "open_client", on_fake_time)
    with serving(emulator) as running:
        env = {"PICTORY_API_KEY": running.api_key, "PICTORY_BASE_URL": running.base_url}
        result = CliRunner().invoke(app, ["projects", "wait", str(record.id)], env=env)

    assert 1 == result.exit_code, result.output
    assert "[E_FONT]: font missing" in result.stderr
    assert "Rendered" not in result.stdout
    assert emulator.project_json(record.id)["videoURL"]  # the earlier video, still there


def test_projects_wait_with_the_job_of_a_render_that_already_failed_is_exit_1(
    invoke: Invoke, emulator: Emulator
) -> None:
    """``projects wait ID --job JOB`` after the render failed: exit 1, though a video shows."""
    emulator.set_render_duration(0)
    emulator.fail_next_render(error_code="E_FONT")
    record = emulator.projects()[0]
    job_id = _render(invoke, record.id)
    result = invoke("projects", "wait", str(record.id), "--job", job_id)
    assert 1 == result.exit_code, result.output
    assert "[E_FONT]" in result.stderr
    assert emulator.project_json(record.id)["videoURL"]  # the earlier video


def test_projects_wait_with_an_unsafe_job_id_is_a_usage_error(
    invoke: Invoke, emulator: Emulator
) -> None:
    """``--job ../x``: exit 2, nothing sent."""
    result = invoke("projects", "wait", str(emulator.projects()[0].id), "--job", "../x")
    assert 2 == result.exit_code
    assert 0 == emulator.stats.total


def test_the_wait_deadline_is_exit_1_with_the_last_state(
    invoke: Invoke, emulator: Emulator
) -> None:
    """A render still running at the deadline: the last state is shown, exit 1."""
    job_id = _render(invoke, emulator.projects()[3].id)  # 60 s: still running
    result = invoke("jobs", "wait", job_id, "--timeout", "0", "--json")
    assert 1 == result.exit_code
    [last] = _lines(result.stdout)
    assert "in-progress" == last["status"]
    assert "not finished" in result.stderr


def test_an_unknown_job_is_404_and_a_bad_id_a_usage_error(invoke: Invoke) -> None:
    """Unknown: one line with the status, exit 1; an unsafe id: exit 2, nothing sent."""
    missing = invoke("jobs", "get", "no-such-job")
    assert 1 == missing.exit_code
    assert missing.stderr.startswith("error: HTTP 404")
    assert 2 == invoke("jobs", "get", "../projects").exit_code


def test_jobs_list_newest_first_with_a_limit(invoke: Invoke, emulator: Emulator) -> None:
    """``jobs list --limit 2 --json``: the two newest jobs, nothing else."""
    emulator.set_render_duration(0)
    started = [_render(invoke, record.id) for record in emulator.projects()[:3]]
    listed = _lines(invoke("jobs", "list", "--limit", "2", "--json").stdout)
    assert [job.id for job in emulator.jobs()][:2] == [job["id"] for job in listed]
    assert set(started) == {job.id for job in emulator.jobs()}
    table = invoke("jobs", "list")
    assert 0 == table.exit_code, table.output
    assert "3 jobs" in table.stdout
