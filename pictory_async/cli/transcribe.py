"""``pictory transcribe URL``: a media file's transcript and subtitles, written where asked.

The command checks the URL and where each file goes before anything is sent (a bad one
exits 2), starts the transcription once (a request whose answer was lost is reported,
never resent), follows the job with its progress on stderr, then writes the SRT, WebVTT
and plain-text files asked for (``--srt``, ``--vtt``, ``--txt``) and lists them; with no
file asked for, the plain text goes to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import EXIT_FAILED, EXIT_OK, Settings, dumps, error, jsonable, printable
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

__all__ = ["MEDIA_TYPES", "command", "outputs_of", "transcribe"]

MEDIA_TYPES = ("video", "audio")
"""What ``--media-type`` takes (default: from the URL's extension)."""


def outputs_of(srt: Path | None, vtt: Path | None, txt: Path | None) -> dict[str, Path]:
    """The files asked for, by kind, each checked before anything is sent.

    Raises:
        typer.BadParameter: A file in a directory that does not exist, a path that is a
            directory, or one path for two kinds.
    """
    outputs = {
        kind: path for kind, path in (("srt", srt), ("vtt", vtt), ("txt", txt)) if path is not None
    }
    seen: dict[Path, str] = {}
    for kind, path in outputs.items():
        option = f"--{kind}"
        if path.is_dir():
            raise typer.BadParameter(f"{path} is a directory", param_hint=option)
        if not path.parent.is_dir():
            raise typer.BadParameter(f"no directory {path.parent}", param_hint=option)
        resolved = path.resolve()
        if resolved in seen:
            raise typer.BadParameter(f"{path} is also --{seen[resolved]}", param_hint=option)
        seen[resolved] = kind
    return outputs


def command(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="The video or audio file's URL.")],
    media_type: Annotated[
        str | None,
        typer.Option(
            "--media-type",
            metavar="TYPE",
            help="video or audio (default: from the URL's extension).",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="LANG",
            help="The spoken language (default en-US).",
            show_default=False,
        ),
    ] = None,
    srt: Annotated[
        Path | None, typer.Option("--srt", metavar="FILE", help="Write SRT here.")
    ] = None,
    vtt: Annotated[
        Path | None, typer.Option("--vtt", metavar="FILE", help="Write WebVTT here.")
    ] = None,
    txt: Annotated[
        Path | None, typer.Option("--txt", metavar="FILE", help="Write the plain text here.")
    ] = None,
    timeout: TimeoutOption = WAIT_TIMEOUT,
    poll_interval: PollOption = POLL_INTERVAL,
    json_output: JsonOption = False,
) -> None:
    """Transcribe a video or audio file; wait for it and write its subtitles and text."""
    url = http_url(url, "URL")
    if media_type is not None and media_type not in MEDIA_TYPES:
        raise typer.BadParameter(
            f"{printable(media_type)!r}: choose video or audio", param_hint="--media-type"
        )
    if language is not None and not language.strip():
        raise typer.BadParameter("an empty language", param_hint="--language")
    if poll_interval.total_seconds() < 1:
        raise typer.BadParameter(
            "at least 1 s (Pictory advises 10-30 s)", param_hint="--poll-interval"
        )
    call(
        ctx,
        transcribe,
        url,
        media_type=media_type,
        language=language,
        outputs=outputs_of(srt, vtt, txt),
        polling=Polling(timeout=timeout, interval=poll_interval),
        json_output=json_output,
    )


# -- worker ------------------------------------------------------------------------------


async def transcribe(
    settings: Settings,
    url: str,
    *,
    media_type: str | None,
    language: str | None,
    outputs: dict[str, Path],
    polling: Polling,
    json_output: bool,
) -> int:
    """``transcribe``: start the job once, follow it, write the files asked for."""
    from ._follow import follow, open_timed_client, start

    kind: Any = media_type  # checked by the command: "video", "audio" or None
    async with open_timed_client(settings) as client:
        job = await start(
            "transcription",
            lambda: client.transcriptions.create(url, media_type=kind, language=language),
        )
        if job is None:
            return EXIT_FAILED
        result = await follow(
            client,
            job,
            what="Transcription",
            label="Transcribing",
            polling=polling,
            json_output=json_output,
        )
    if result is None:
        return EXIT_FAILED
    written: dict[str, tuple[Path, int]] = {}
    missing = []
    for name, path in outputs.items():
        text = getattr(result, name)
        if text is None:
            missing.append(name)
            continue
        data = text.encode("utf-8")
        path.write_bytes(data)
        written[name] = (path, len(data))
    _show(result, written, json_output)
    if missing:
        error(f"the transcription has no {' or '.join(missing)}; nothing written for it")
        return EXIT_FAILED
    return EXIT_OK


def _show(result: Any, written: dict[str, tuple[Path, int]], json_output: bool) -> None:
    """The transcription as one JSON line, or the files written (else the text) on stdout."""
    if json_output:
        files = {name: str(path) for name, (path, _) in written.items()}
        sys.stdout.write(dumps(jsonable(result) | {"files": files}) + "\n")
        return
    sentences = len(result.transcript)
    sys.stderr.write(f"Transcribed: {sentences:,} sentence{'' if sentences == 1 else 's'}\n")
    if not written:
        for line in (result.txt or "").splitlines():  # server text: nothing steers the terminal
            sys.stdout.write(printable(line) + "\n")
        return
    from ._console import make_console
    from ._layout import print_table

    rows = [[name, str(path), f"{size:,}"] for name, (path, size) in written.items()]
    print_table(make_console(), ["Kind", "File", "Bytes"], rows, wrap=1)
