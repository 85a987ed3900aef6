"""A render the command started, seen through: followed, its video printed, its files fetched.

``videos create`` and ``videos render`` end the same way once the render job exists:
with ``--no-wait`` the job is printed (and how to follow it); else it is followed with
its progress on stderr (``follow``), the video printed (its URL, duration, project),
then, with ``--download DIR``, its files downloaded without the key and listed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import redact_url
from ._common import EXIT_FAILED, EXIT_OK, count_of, dumps, jsonable, printable
from ._follow import follow

if TYPE_CHECKING:
    from .. import AsyncPictory, Video, VideoJob
    from ._options import Polling

__all__ = ["see_render_through"]


async def see_render_through(
    client: AsyncPictory,
    job: VideoJob,
    *,
    wait: bool,
    download: Path | None,
    polling: Polling,
    json_output: bool,
) -> int:
    """Print the job (``wait`` false), or follow it, print the video, download its files.

    Returns:
        The exit code: 1 when the render failed or did not end in time (why is on
        stderr).
    """
    if not wait:
        _show_started(job, json_output)
        return EXIT_OK
    video = await follow(
        client, job, what="Render", label="Rendering", polling=polling, json_output=json_output
    )
    if video is None:
        return EXIT_FAILED
    _show_video(video, json_output)  # before the download: a failed one leaves the URL
    if download is not None:
        assets = await client.videos.download(video, download)
        _show_files(assets, download, json_output)
    return EXIT_OK


def _show_started(job: VideoJob, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(dumps(jsonable(job)) + "\n")
        return
    sys.stdout.write(f"Render started: job {printable(job.id)}\n")
    sys.stderr.write(f"Follow it with: pictory jobs wait {printable(job.id)}\n")


def _show_video(video: Video, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(dumps(jsonable(video)) + "\n")
        return
    from ._console import make_console
    from ._layout import print_fields

    duration = f"{video.duration:.0f} s" if video.duration is not None else None
    rows = [
        ("Video", video.video_url),
        ("Duration", duration),
        ("Project", video.project_id),
        ("Job", video.job_id),
        ("Share link", video.share_url),
        ("Thumbnail", video.thumbnail),
    ]
    print_fields(make_console(), [(label, value) for label, value in rows if value is not None])


def _show_files(assets: dict[str, Any], dest: Path, json_output: bool) -> None:
    """Each file downloaded: a line of JSON (as ``projects download``), or a table."""
    if json_output:
        for asset in assets.values():
            # The file is on disk; a signed URL's query is a credential, not output.
            sys.stdout.write(dumps(jsonable(asset) | {"url": redact_url(asset.url)}) + "\n")
        return
    from ._console import make_console
    from ._layout import print_table

    console = make_console()
    rows = [[kind, str(asset.path), f"{asset.size:,}"] for kind, asset in assets.items()]
    print_table(console, ["Kind", "File", "Bytes"], rows, wrap=1)
    console.print(f"{count_of(len(assets), 'file')} in {dest}")
