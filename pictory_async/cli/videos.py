"""``pictory videos``: make a video from a script, a text, a URL, a payload or a template.

``create`` reads its input and checks its options before anything is sent (a bad one
exits 2), starts the render once (a request whose answer was lost is reported, never
resent), then by default follows the job with its progress on stderr and prints the
video: its URL, duration and project; ``--download DIR`` fetches its files without the
key. The library does the work: ``client.videos.create`` builds the request from a
script (a narrated scene per sentence, Pictory's default voice for the language,
automatic music) or checks a payload's field names (a typo names the nearest field);
``--template ID`` alone makes the template's video (``client.videos.from_template``).
``preview`` and ``render`` (``_preview``) are the storyboard's steps: review, change
elements, render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .. import AsyncPictory
from ._common import EXIT_FAILED, Settings
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    JsonOption,
    Polling,
    PollOption,
    TimeoutOption,
    call,
)
from ._preview import preview_command, render_command
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
    TextOption,
    UrlOption,
    VarOption,
    VoiceOption,
    checked_interval,
    loaded,
    script_keywords,
    source_of,
)
from .create_many import create_many_command

__all__ = ["app", "create_video"]

app = typer.Typer(
    help="Make videos from a script, URL, payload, template or spreadsheet; preview, render.",
    no_args_is_help=True,
)


@app.command("create")
def _create(
    ctx: typer.Context,
    script: ScriptOption = None,
    text: TextOption = None,
    url: UrlOption = None,
    payload: PayloadOption = None,
    name: NameOption = None,
    voice: VoiceOption = None,
    silent: SilentOption = False,
    brand: BrandOption = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="ID",
            help="A template (pictory templates list); alone, the template's own video.",
        ),
    ] = None,
    variables: VarOption = None,
    aspect_ratio: AspectRatioOption = None,
    language: LanguageOption = None,
    music: MusicOption = True,
    save_project: SaveProjectOption = False,
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
    """Make a video from a script, a text, a URL, a payload or a template; wait and print it."""
    if download is not None and not wait:
        raise typer.BadParameter("--download needs the video: drop --no-wait")
    source = source_of(ctx.params, template_alone=True)
    polling = Polling(timeout=timeout, interval=checked_interval(poll_interval))
    call(
        ctx,
        create_video,
        source,
        wait=wait,
        download=download,
        polling=polling,
        json_output=json_output,
    )


app.command("preview")(preview_command)
app.command("render")(render_command)
app.command("create-many")(create_many_command)


# -- worker ------------------------------------------------------------------------------


async def create_video(
    settings: Settings,
    source: Source,
    *,
    wait: bool,
    download: Path | None,
    polling: Polling,
    json_output: bool,
) -> int:
    """``videos create``: start the render once; follow it, print the video, download it."""
    from ._follow import open_timed_client, start
    from ._rendered import see_render_through

    source = loaded(source)
    async with open_timed_client(settings) as client:
        job = await start("render", lambda: _render(client, source))
        if job is None:
            return EXIT_FAILED
        return await see_render_through(
            client, job, wait=wait, download=download, polling=polling, json_output=json_output
        )


async def _render(client: AsyncPictory, source: Source) -> Any:
    """The render's one request: a payload as given, a template's video, or a script."""
    if source.payload is not None:
        return await client.videos.create(source.payload, wait=False)
    if source.template_id is not None:
        from .. import TemplateVideoRequest

        request = TemplateVideoRequest(
            template_id=source.template_id, variables=source.variables or None
        )
        return await client.videos.from_template(request)
    return await client.videos.create(source.script or "", wait=False, **script_keywords(source))
