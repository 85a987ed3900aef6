"""Following a job the command started: progress while it runs, one line for how it ended.

A command that starts a job (``videos create``, ``videos preview``, ``transcribe``)
sends its request once; an answer lost after the request may have been applied is
reported as such and never resent (``start``). Then ``follow`` waits for the job with
``client.jobs.wait(handle, on_poll=...)``, which returns its typed result, and shows
each poll's state on stderr (a live bar on a terminal, a line per change elsewhere,
nothing with ``--json``). A failed job, one cleaned before its end was seen, and the
deadline each print why on stderr and give ``None``: the command exits 1.

``http_url`` checks the URL such a command is given (an article, a media file).

The client a command follows with reads time from ``timing`` (the clock and the sleep
of its waits, retries and throttle), which tests replace with the emulator's fake clock.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar, overload

import attrs
import typer

from .. import APIError, AsyncPictory, Job, JobFailedError, JobOutcomeUnknownError, JobTimeoutError
from ._common import Settings, describe, error, open_client, printable
from .jobs import show_job

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .. import (
        Storyboard,
        StoryboardJob,
        Transcription,
        TranscriptionJob,
        Video,
        VideoJob,
    )
    from ._options import Polling

__all__ = ["Timing", "follow", "http_url", "open_timed_client", "start", "timing"]

R = TypeVar("R")


@attrs.frozen(kw_only=True)
class Timing:
    """The clock and the sleep the client a command follows with runs on."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


timing = Timing()
"""The real clock and sleep; tests set the emulator's ``FakeClock`` here."""


def http_url(text: str, option: str) -> str:
    """``text`` as an ``http(s)://`` URL without spaces, trimmed; else a usage error (exit 2).

    Raises:
        typer.BadParameter: Not such a URL (nothing is sent).
    """
    url = text.strip()
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise typer.BadParameter(f"{printable(text)!r} is not an http(s) URL", param_hint=option)
    return url


def open_timed_client(settings: Settings) -> AsyncPictory:
    """A client on ``timing``'s clock and sleep (its retries and throttle wait on them)."""
    return open_client(settings, clock=timing.clock, sleep=timing.sleep)


async def start(what: str, send: Callable[[], Awaitable[R]]) -> R | None:
    """Send a job-starting request once; ``None`` (reported) when its answer was lost.

    A request that failed where it may still have been applied (a connection dropped
    after it was sent, a 5xx) is not sent again, as a second one would spend credits on
    a duplicate; the error says so. Any other failure is raised.
    """
    try:
        return await send()
    except APIError as exc:
        if not exc.may_have_been_applied:
            raise
        error(
            f"the {what} request may have been applied; not resent (a second one could "
            f"make a duplicate): {describe(exc)}. See `pictory jobs list` before trying again."
        )
        return None


class _Lines:
    """A line on stderr whenever the job's status, progress or message changes."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._last: tuple[object, ...] | None = None

    def update(self, job: Job) -> None:
        seen = (job.status, job.progress, job.message)
        if seen == self._last:
            return
        self._last = seen
        parts = [job.status.value]
        if job.progress is not None:
            parts.append(f"{job.progress:.0f}%")
        if job.message:
            parts.append(job.message)
        sys.stderr.write(printable(f"{self._label}: {' '.join(parts)}") + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        """Nothing is left on screen to stop."""


class _Bar:
    """A live bar on the terminal: percent done, the job's message, time elapsed."""

    def __init__(self, label: str) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        from ._console import make_console

        self._progress: Progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=30),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[message]}"),
            console=make_console(stderr=True),
            refresh_per_second=4,
        )
        self._progress.start()
        self._task: TaskID = self._progress.add_task(label, total=100, message="")

    def update(self, job: Job) -> None:
        message = printable(job.message or job.status.value)
        self._progress.update(self._task, completed=job.progress or 0, message=message)

    def close(self) -> None:
        self._progress.stop()


class _Silent:
    """``--json``: stdout holds the result and stderr only errors."""

    def update(self, job: Job) -> None:
        """Show nothing."""

    def close(self) -> None:
        """Nothing to stop."""


def _display(label: str, json_output: bool) -> _Lines | _Bar | _Silent:
    if json_output:
        return _Silent()
    return _Bar(label) if sys.stderr.isatty() else _Lines(label)


@overload
async def follow(
    client: AsyncPictory,
    job: VideoJob,
    *,
    what: str,
    label: str,
    polling: Polling,
    json_output: bool,
) -> Video | None: ...


@overload
async def follow(
    client: AsyncPictory,
    job: StoryboardJob,
    *,
    what: str,
    label: str,
    polling: Polling,
    json_output: bool,
) -> Storyboard | None: ...


@overload
async def follow(
    client: AsyncPictory,
    job: TranscriptionJob,
    *,
    what: str,
    label: str,
    polling: Polling,
    json_output: bool,
) -> Transcription | None: ...


async def follow(
    client: AsyncPictory,
    job: VideoJob | StoryboardJob | TranscriptionJob,
    *,
    what: str,
    label: str,
    polling: Polling,
    json_output: bool,
) -> Video | Storyboard | Transcription | None:
    """Say the job started, wait for it showing its progress; its result, or ``None``.

    Args:
        client: The client to poll with.
        job: The job's handle (``client.jobs.wait`` returns its typed result).
        what: What started (``Render``: ``Render started: job ...`` on stderr).
        label: What the progress says the job does (``Rendering``).
        polling: The deadline and the interval.
        json_output: Show no progress; a failed job's state goes to stdout as JSON.

    Returns:
        The result, or ``None`` when the job failed, was cleaned or did not end in
        time (why is on stderr).
    """
    if not json_output:
        sys.stderr.write(f"{what} started: job {printable(job.id)}\n")
    display = _display(label, json_output)
    try:
        try:
            return await client.jobs.wait(
                job,
                timeout=polling.timeout,
                poll_interval=polling.interval,
                on_poll=display.update,
            )
        finally:
            display.close()
    except (asyncio.CancelledError, KeyboardInterrupt):  # Ctrl-C: the job itself goes on
        sys.stderr.write(
            f"Stopped waiting; the job goes on: pictory jobs wait {printable(job.id)}\n"
        )
        raise
    except (JobFailedError, JobOutcomeUnknownError) as exc:
        if json_output:
            show_job(exc.job, json_output)
        error(str(exc))
    except JobTimeoutError as exc:
        _timed_out(exc, polling, json_output)
    return None


def _timed_out(exc: JobTimeoutError, polling: Polling, json_output: bool) -> None:
    """The deadline: the last state seen (or why none was), and how to keep waiting."""
    last = exc.last
    if last is None:  # no poll answered before the deadline
        cause = exc.__cause__
        seen = describe(cause) if isinstance(cause, BaseException) else "no answer"
    else:
        if json_output:
            show_job(last, json_output)
        progress = f", {last.progress:.0f}%" if last.progress is not None else ""
        seen = f"{last.status.value}{progress}"
    error(
        f"job {exc.job_id} did not end within {polling.timeout} ({seen}); "
        f"it may still finish: pictory jobs wait {exc.job_id}"
    )
