"""``pictory videos preview`` and ``render``: the storyboard flow, one command a step.

``preview`` starts a storyboard (a video before it is rendered) from the same input as
``create``, waits for it with its progress on stderr, and prints its preview URL, its
job id and its elements (id, kind, text, timing; with ``--json`` each element whole, as
``render --elements`` takes it back). ``render STORYBOARD_JOB_ID`` renders it: with
``--elements FILE`` it first sends those element changes (``client.videos.
update_elements``), then renders the storyboard as it now is (``render_preview``) and
prints the video as ``create`` does. Input is checked before anything is sent (exit 2);
a job-starting request is sent once, a lost answer reported and not resent (exit 1).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import EXIT_FAILED, EXIT_OK, Settings, count_of, dumps, jsonable, printable
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    JsonOption,
    Polling,
    PollOption,
    TimeoutOption,
    call,
)
from ._video_input import (
    AspectRatioOption,
    BrandOption,
    LanguageOption,
    MusicOption,
    NameOption,
    PayloadOption,
    SaveProjectOption,
    ScriptOption,
    SilentOption,
    Source,
    TemplateOption,
    TextOption,
    UrlOption,
    VarOption,
    VoiceOption,
    checked_interval,
    elements_of,
    loaded,
    script_keywords,
    source_of,
)

if TYPE_CHECKING:
    from .. import AsyncPictory, Storyboard, StoryboardJob

__all__ = ["preview_command", "preview_video", "render_command", "render_storyboard"]


def preview_command(
    ctx: typer.Context,
    script: ScriptOption = None,
    text: TextOption = None,
    url: UrlOption = None,
    payload: PayloadOption = None,
    name: NameOption = None,
    voice: VoiceOption = None,
    silent: SilentOption = False,
    brand: BrandOption = None,
    template: TemplateOption = None,
    variables: VarOption = None,
    aspect_ratio: AspectRatioOption = None,
    language: LanguageOption = None,
    music: MusicOption = True,
    save_project: SaveProjectOption = False,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Preview a video (a storyboard): wait for it, print its preview URL, job and elements."""
    source = source_of(ctx.params)
    polling = Polling(timeout=timeout, interval=checked_interval(poll_interval))
    call(ctx, preview_video, source, polling=polling, json_output=json_output)


def render_command(
    ctx: typer.Context,
    job_id: Annotated[
        str,
        typer.Argument(metavar="STORYBOARD_JOB_ID", help="The job id `videos preview` printed."),
    ],
    elements: Annotated[
        str | None,
        typer.Option(
            "--elements",
            metavar="FILE",
            help="A JSON array of element changes, each with its id, sent first.",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the render to the video.")
    ] = True,
    download: Annotated[
        Path | None,
        typer.Option("--download", metavar="DIR", help="Download its files here (implies --wait)."),
    ] = None,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Render a previewed storyboard, with element changes if given; wait and print the video."""
    if download is not None and not wait:
        raise typer.BadParameter("--download needs the video: drop --no-wait")
    polling = Polling(timeout=timeout, interval=checked_interval(poll_interval))
    call(
        ctx,
        render_storyboard,
        job_id,
        elements_file=elements,
        wait=wait,
        download=download,
        polling=polling,
        json_output=json_output,
    )


# -- workers -----------------------------------------------------------------------------


async def preview_video(
    settings: Settings, source: Source, *, polling: Polling, json_output: bool
) -> int:
    """``videos preview``: start the storyboard once, follow it, print it."""
    from ._follow import follow, open_timed_client, start

    source = loaded(source)
    async with open_timed_client(settings) as client:
        job = await start("storyboard", lambda: _storyboard(client, source))
        if job is None:
            return EXIT_FAILED
        storyboard = await follow(
            client,
            job,
            what="Storyboard",
            label="Previewing",
            polling=polling,
            json_output=json_output,
        )
    if storyboard is None:
        return EXIT_FAILED
    _show_storyboard(storyboard, json_output)
    return EXIT_OK


async def render_storyboard(
    settings: Settings,
    job_id: str,
    *,
    elements_file: str | None,
    wait: bool,
    download: Path | None,
    polling: Polling,
    json_output: bool,
) -> int:
    """``videos render``: send the element changes, start the render once, see it through."""
    from ._follow import open_timed_client, start
    from ._rendered import see_render_through

    changes = elements_of(elements_file) if elements_file is not None else None
    async with open_timed_client(settings) as client:
        if changes is not None:
            await client.videos.update_elements(job_id, changes)
            if not json_output:
                count = count_of(len(changes), "element")
                sys.stderr.write(f"Changed {count} of storyboard {printable(job_id)}\n")
        job = await start("render", lambda: client.videos.render_preview(job_id))
        if job is None:
            return EXIT_FAILED
        return await see_render_through(
            client, job, wait=wait, download=download, polling=polling, json_output=json_output
        )


async def _storyboard(client: AsyncPictory, source: Source) -> StoryboardJob:
    """The storyboard's one request: a payload as given, or a script with its options."""
    if source.payload is not None:
        return await client.videos.storyboard(source.payload)
    return await client.videos.storyboard(source.script or "", **script_keywords(source))


def _elements(storyboard: Storyboard) -> list[Mapping[str, Any]]:
    """The storyboard's elements (``renderParams.elements``), those that are objects."""
    found = storyboard.render_params.get("elements")
    if not isinstance(found, list):
        return []
    return [element for element in found if isinstance(element, Mapping)]


def _show_storyboard(storyboard: Storyboard, json_output: bool) -> None:
    """The preview URL, the job and the elements: one JSON object, or fields and a table."""
    elements = _elements(storyboard)
    if json_output:
        shown = {
            "job_id": storyboard.job_id,
            "preview_url": storyboard.preview_url,
            "project_id": storyboard.project_id,
            "elements": [dict(element) for element in elements],
        }
        sys.stdout.write(dumps(jsonable(shown)) + "\n")
        return
    from ._console import make_console
    from ._layout import print_fields, print_table

    console = make_console()
    fields = [
        ("Preview", storyboard.preview_url),
        ("Job", storyboard.job_id),
        ("Project", storyboard.project_id),
    ]
    print_fields(console, [(label, value) for label, value in fields if value is not None])
    rows = [
        [
            _text(element.get("id")),
            _text(element.get("elementType")),
            _text(element.get("type")),
            _text(element.get("text")),
            _seconds(element.get("startTime")),
            _seconds(element.get("duration")),
        ]
        for element in elements
    ]
    print_table(console, ["Element", "Kind", "Type", "Text", "Start", "Duration"], rows, wrap=3)
    sys.stderr.write(
        f"{count_of(len(elements), 'element')}; to change some (a JSON array of them, each "
        f"with its id): pictory videos render {printable(storyboard.job_id)} --elements FILE\n"
    )


def _text(value: object) -> str:
    return "" if value is None else printable(str(value))


def _seconds(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g} s"
    return _text(value)
