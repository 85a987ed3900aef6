"""``pictory videos``: make a video from a script, a text, an article's URL or a payload.

``create`` reads its input and checks its options before anything is sent (a bad one
exits 2), starts the render once (a request whose answer was lost is reported, never
resent), then by default follows the job with its progress on stderr and prints the
video: its URL, duration and project; ``--download DIR`` fetches its files without the
key. The library does the work: ``client.videos.create`` builds the request from a
script (a narrated scene per sentence, Pictory's default voice for the language,
automatic music) or checks a payload's field names (a typo names the nearest field).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer

from .. import NOT_GIVEN, AsyncPictory, redact_url
from ._common import EXIT_FAILED, EXIT_OK, Settings, count_of, dumps, jsonable, printable
from ._follow import http_url
from ._options import (
    POLL_INTERVAL,
    WAIT_TIMEOUT,
    JsonOption,
    Polling,
    PollOption,
    TimeoutOption,
    call,
)

__all__ = ["ASPECT_RATIOS", "Source", "app", "create_video", "loaded", "source_of"]

app = typer.Typer(
    help="Make videos: from a script, a text, a URL or a payload.", no_args_is_help=True
)

ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:5")
"""The aspect ratios Pictory renders."""


@attrs.frozen(kw_only=True)
class Source:
    """What the video is made of: a script (or a URL) and its options, or a payload.

    Attributes:
        script: The script's text, or an article's URL (``--text``, ``--url``, or
            ``--script`` once read).
        payload: A request in Pictory's own JSON names (``--payload``, once read), sent
            as given.
        script_file: ``--script FILE``, not read yet (``-``: stdin).
        payload_file: ``--payload FILE``, not read yet.
        video_name: ``--name``.
        voice: ``--voice`` (``None``: the language's default narrator).
        silent: ``--silent``: no narration.
        brand: ``--brand``, a brand's name.
        aspect_ratio: ``--aspect-ratio``.
        language: ``--language``.
        music: ``--music/--no-music``.
        save_project: ``--save-project``.
        extra_body: Fields added to the render request (``--template``, ``--var``).
    """

    script: str | None = None
    payload: dict[str, Any] | None = None
    script_file: str | None = None
    payload_file: str | None = None
    video_name: str | None = None
    voice: str | None = None
    silent: bool | None = None
    brand: str | None = None
    aspect_ratio: str | None = None
    language: str | None = None
    music: bool = True
    save_project: bool | None = None
    extra_body: dict[str, Any] = attrs.field(factory=dict)


def _read(path: str, option: str) -> str:
    """A file's UTF-8 text (``-``: stdin); an unreadable one is a usage error."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise typer.BadParameter(f"cannot read {path}: {reason}", param_hint=option) from None


def _payload(path: str) -> dict[str, Any]:
    """``--payload FILE``: one JSON object (Pictory's request), else a usage error."""
    try:
        value = json.loads(_read(path, "--payload"))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}", param_hint="--payload") from None
    if not isinstance(value, dict):
        raise typer.BadParameter(
            f"{path} holds a JSON {type(value).__name__}, not an object (a request)",
            param_hint="--payload",
        )
    return value


def _variables(values: list[str] | None) -> dict[str, str]:
    """``--var NAME=VALUE`` (repeatable) as a mapping; a bad one is a usage error."""
    found: dict[str, str] = {}
    for text in values or ():
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{printable(text)!r} is not NAME=VALUE", param_hint="--var")
        found[name.strip()] = value
    return found


def source_of(
    *,
    script: str | None,
    text: str | None,
    url: str | None,
    payload: str | None,
    shortcuts: dict[str, Any],
    template: str | None,
    variables: list[str] | None,
) -> Source:
    """What ``create`` makes the video of, checked: one input, its options only with a script.

    Args:
        script: ``--script FILE``.
        text: ``--text``.
        url: ``--url``.
        payload: ``--payload FILE``.
        shortcuts: The options for a script, by their ``Source`` field (``None``, or
            ``music`` ``True``: not given).
        template: ``--template``.
        variables: ``--var`` values.

    Raises:
        typer.BadParameter: None or several inputs, a URL that is not ``http(s)``, an
            empty text, an option for a script with ``--payload``, or ``--var`` without
            ``--template``. A file is read by ``loaded``, when the command runs.
    """
    inputs = {"--script": script, "--text": text, "--url": url, "--payload": payload}
    given = [name for name, value in inputs.items() if value is not None]
    if len(given) != 1:
        which = f"not {' and '.join(given)}" if given else "none was given"
        raise typer.BadParameter(f"give one of --script, --text, --url, --payload ({which})")
    extra: dict[str, Any] = {}
    if template is not None:
        extra["templateId"] = template
    if variables:
        if template is None:
            raise typer.BadParameter("--var fills a template's variables: give --template too")
        extra["variables"] = _variables(variables)
    options = {
        name: value
        for name, value in shortcuts.items()
        if value is not None and not (name == "music" and value is True)
    }
    if payload is not None:
        used = [_OPTION_NAMES[name] for name in options] + (["--template"] if extra else [])
        if used:
            raise typer.BadParameter(
                f"{', '.join(used)} apply to a script; with --payload, set them in the payload"
            )
        return Source(payload_file=payload)
    if url is not None:
        url = http_url(url, "--url")
    if script is not None:
        return Source(script_file=script, extra_body=extra, **options)
    body = (url or text or "").strip()
    if not body:
        raise typer.BadParameter("the script is empty", param_hint="--text")
    return Source(script=body, extra_body=extra, **options)


def loaded(source: Source) -> Source:
    """``source`` with its file read (``--script``, ``--payload``), before anything is sent.

    Raises:
        typer.BadParameter: The file cannot be read, a payload is not a JSON object, or
            a script is empty (a usage error: exit 2).
    """
    if source.payload_file is not None:
        return attrs.evolve(source, payload=_payload(source.payload_file), payload_file=None)
    if source.script_file is not None:
        text = _read(source.script_file, "--script").strip()
        if not text:
            raise typer.BadParameter(f"{source.script_file} is empty", param_hint="--script")
        return attrs.evolve(source, script=text, script_file=None)
    return source


_OPTION_NAMES = {
    "video_name": "--name",
    "voice": "--voice",
    "silent": "--silent",
    "brand": "--brand",
    "aspect_ratio": "--aspect-ratio",
    "language": "--language",
    "music": "--no-music",
    "save_project": "--save-project",
}


def _aspect_ratio(value: str | None) -> str | None:
    if value is not None and value not in ASPECT_RATIOS:
        raise typer.BadParameter(f"{printable(value)!r}: choose from {', '.join(ASPECT_RATIOS)}")
    return value


def _interval(value: Any) -> Any:
    if value.total_seconds() < 1:
        raise typer.BadParameter("at least 1 s (Pictory advises 10-30 s)")
    return value


FileOption = Annotated[str | None, typer.Option(metavar="FILE", show_default=False)]


@app.command("create")
def _create(
    ctx: typer.Context,
    script: Annotated[
        str | None,
        typer.Option("--script", metavar="FILE", help="The script, a text file (- for stdin)."),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", metavar="TEXT", help="The script, given here.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", help="An article's URL: Pictory reads it."),
    ] = None,
    payload: Annotated[
        str | None,
        typer.Option(
            "--payload",
            metavar="FILE",
            help="A request in Pictory's JSON (its names checked, then sent as given).",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="The video's name (default: its first words)."),
    ] = None,
    voice: Annotated[
        str | None,
        typer.Option(
            "--voice",
            metavar="NAME",
            help="The narrator (pictory voices list); default: the language's usual one.",
        ),
    ] = None,
    silent: Annotated[
        bool, typer.Option("--silent", help="No narration (as for a language with no usual voice).")
    ] = False,
    brand: Annotated[
        str | None,
        typer.Option("--brand", metavar="NAME", help="A brand's name (pictory brands list)."),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", metavar="ID", help="A template (pictory templates list)."),
    ] = None,
    variables: Annotated[
        list[str] | None,
        typer.Option("--var", metavar="NAME=VALUE", help="A template variable (repeatable)."),
    ] = None,
    aspect_ratio: Annotated[
        str | None,
        typer.Option("--aspect-ratio", metavar="RATIO", help="16:9, 9:16, 1:1 or 4:5."),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", metavar="LANG", help="The script's: en, de, ...")
    ] = None,
    music: Annotated[
        bool, typer.Option("--music/--no-music", help="Automatic background music.")
    ] = True,
    save_project: Annotated[
        bool, typer.Option("--save-project", help="Also save it as a project.")
    ] = False,
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
    """Make a video from a script, a text, a URL or a payload; wait for it and print it."""
    if download is not None and not wait:
        raise typer.BadParameter("--download needs the video: drop --no-wait")
    if silent and voice is not None:
        raise typer.BadParameter("--silent has no narrator: drop --voice or --silent")
    shortcuts = {
        "video_name": name,
        "voice": voice,
        "silent": True if silent else None,
        "brand": brand,
        "aspect_ratio": _aspect_ratio(aspect_ratio),
        "language": language,
        "music": music,
        "save_project": True if save_project else None,
    }
    source = source_of(
        script=script,
        text=text,
        url=url,
        payload=payload,
        shortcuts=shortcuts,
        template=template,
        variables=variables,
    )
    polling = Polling(timeout=timeout, interval=_interval(poll_interval))
    call(
        ctx,
        create_video,
        source,
        wait=wait,
        download=download,
        polling=polling,
        json_output=json_output,
    )


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
    from ._follow import follow, open_timed_client, start

    source = loaded(source)
    async with open_timed_client(settings) as client:
        job = await start("render", lambda: _render(client, source))
        if job is None:
            return EXIT_FAILED
        if not wait:
            _show_started(job, json_output)
            return EXIT_OK
        video = await follow(
            client,
            job,
            what="Render",
            label="Rendering",
            polling=polling,
            json_output=json_output,
        )
        if video is None:
            return EXIT_FAILED
        _show_video(video, json_output)  # before the download: a failed one leaves the URL
        if download is not None:
            assets = await client.videos.download(video, download)
            _show_files(assets, download, json_output)
    return EXIT_OK


def _render(client: AsyncPictory, source: Source) -> Awaitable[Any]:
    """The render's one request: a payload as given, or a script with its options."""
    if source.payload is not None:
        return client.videos.create(source.payload, wait=False)
    return client.videos.create(
        source.script or "",
        wait=False,
        video_name=source.video_name,
        voice=None if source.silent else NOT_GIVEN if source.voice is None else source.voice,
        brand=source.brand,
        aspect_ratio=source.aspect_ratio,
        language=source.language,
        music=source.music,
        save_project=source.save_project,
        extra_body=source.extra_body,
    )


def _show_started(job: Any, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(dumps(jsonable(job)) + "\n")
        return
    sys.stdout.write(f"Render started: job {printable(job.id)}\n")
    sys.stderr.write(f"Follow it with: pictory jobs wait {printable(job.id)}\n")


def _show_video(video: Any, json_output: bool) -> None:
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
