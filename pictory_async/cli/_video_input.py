"""What a ``pictory videos`` command makes a video of: its options, read and checked.

``create`` and ``preview`` take the same input (``--script FILE``, ``--text``, ``--url``
or ``--payload FILE``) and the same options for a script (``--voice``, ``--brand``,
``--template``, ...); ``create`` also takes ``--template`` alone (a video from a
template). Everything is checked before anything is sent, a bad value being a usage
error (exit 2): ``source_of`` checks the options as given, ``loaded`` reads the files
when the command runs. ``elements_of`` reads the element changes ``render`` sends.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer

from .. import NOT_GIVEN
from ._common import printable
from ._follow import http_url

__all__ = [
    "ASPECT_RATIOS",
    "AspectRatioOption",
    "BrandOption",
    "LanguageOption",
    "MusicOption",
    "NameOption",
    "PayloadOption",
    "SaveProjectOption",
    "ScriptOption",
    "SilentOption",
    "Source",
    "TemplateOption",
    "TextOption",
    "UrlOption",
    "VarOption",
    "VoiceOption",
    "checked_interval",
    "elements_of",
    "loaded",
    "script_keywords",
    "source_of",
]

ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:5")
"""The aspect ratios Pictory renders."""

ScriptOption = Annotated[
    str | None,
    typer.Option("--script", metavar="FILE", help="The script, a text file (- for stdin)."),
]
TextOption = Annotated[
    str | None, typer.Option("--text", metavar="TEXT", help="The script, given here.")
]
UrlOption = Annotated[
    str | None, typer.Option("--url", metavar="URL", help="An article's URL: Pictory reads it.")
]
PayloadOption = Annotated[
    str | None,
    typer.Option(
        "--payload",
        metavar="FILE",
        help="A request in Pictory's JSON (its names checked, then sent as given).",
    ),
]
NameOption = Annotated[
    str | None,
    typer.Option("--name", metavar="NAME", help="The video's name (default: its first words)."),
]
VoiceOption = Annotated[
    str | None,
    typer.Option(
        "--voice",
        metavar="NAME",
        help="The narrator (pictory voices list); default: the language's usual one.",
    ),
]
SilentOption = Annotated[
    bool, typer.Option("--silent", help="No narration (as for a language with no usual voice).")
]
BrandOption = Annotated[
    str | None,
    typer.Option("--brand", metavar="NAME", help="A brand's name (pictory brands list)."),
]
TemplateOption = Annotated[
    str | None,
    typer.Option("--template", metavar="ID", help="A template (pictory templates list)."),
]
VarOption = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="A template variable (repeatable)."),
]
AspectRatioOption = Annotated[
    str | None, typer.Option("--aspect-ratio", metavar="RATIO", help="16:9, 9:16, 1:1 or 4:5.")
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", metavar="LANG", help="The script's: en, de, ...")
]
MusicOption = Annotated[
    bool, typer.Option("--music/--no-music", help="Automatic background music.")
]
SaveProjectOption = Annotated[
    bool, typer.Option("--save-project", help="Also save it as a project.")
]


@attrs.frozen(kw_only=True)
class Source:
    """What the video is made of: a script (or a URL) and its options, a payload, or a template.

    Attributes:
        script: The script's text, or an article's URL (``--text``, ``--url``, or
            ``--script`` once read).
        payload: A request in Pictory's own JSON names (``--payload``, once read), sent
            as given.
        script_file: ``--script FILE``, not read yet (``-``: stdin).
        payload_file: ``--payload FILE``, not read yet.
        template_id: ``--template`` without a script: a video from the template alone.
        variables: ``--var`` values of such a template.
        video_name: ``--name``.
        voice: ``--voice`` (``None``: the language's default narrator).
        silent: ``--silent``: no narration.
        brand: ``--brand``, a brand's name.
        aspect_ratio: ``--aspect-ratio``.
        language: ``--language``.
        music: ``--music/--no-music``.
        save_project: ``--save-project``.
        extra_body: Fields added to a script's request (``--template``, ``--var``).
    """

    script: str | None = None
    payload: dict[str, Any] | None = None
    script_file: str | None = None
    payload_file: str | None = None
    template_id: str | None = None
    variables: dict[str, str] = attrs.field(factory=dict)
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


def _json_file(path: str, option: str, kind: type, what: str) -> Any:
    """A JSON file holding a ``kind`` (``what`` names it in the error), else a usage error."""
    try:
        value = json.loads(_read(path, option))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}", param_hint=option) from None
    if not isinstance(value, kind):
        raise typer.BadParameter(
            f"{path} holds a JSON {type(value).__name__}, not {what}", param_hint=option
        )
    return value


def elements_of(path: str) -> list[dict[str, Any]]:
    """``--elements FILE``: a non-empty JSON array of objects (element changes), else exit 2.

    Each change names the ``id`` of an element of the storyboard; the library checks
    that each has one, before anything is sent.
    """
    elements: list[dict[str, Any]] = _json_file(
        path, "--elements", list, "an array (of element changes)"
    )
    if not elements:
        raise typer.BadParameter(f"{path} holds no element change", param_hint="--elements")
    for index, element in enumerate(elements):
        if not isinstance(element, dict):
            raise typer.BadParameter(
                f"{path}: element {index} is a JSON {type(element).__name__}, not an object",
                param_hint="--elements",
            )
    return elements


def _variables(values: list[str] | None) -> dict[str, str]:
    """``--var NAME=VALUE`` (repeatable) as a mapping; a bad one is a usage error."""
    found: dict[str, str] = {}
    for text in values or ():
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{printable(text)!r} is not NAME=VALUE", param_hint="--var")
        found[name.strip()] = value
    return found


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


def _shortcuts(params: Mapping[str, Any]) -> dict[str, Any]:
    """The options for a script given, by their ``Source`` field, checked.

    Raises:
        typer.BadParameter: ``--silent`` with ``--voice``, or an unknown aspect ratio.
    """
    if params["silent"] and params["voice"] is not None:
        raise typer.BadParameter("--silent has no narrator: drop --voice or --silent")
    ratio = params["aspect_ratio"]
    if ratio is not None and ratio not in ASPECT_RATIOS:
        raise typer.BadParameter(f"{printable(ratio)!r}: choose from {', '.join(ASPECT_RATIOS)}")
    given = {
        "video_name": params["name"],
        "voice": params["voice"],
        "silent": True if params["silent"] else None,
        "brand": params["brand"],
        "aspect_ratio": ratio,
        "language": params["language"],
        "music": None if params["music"] else False,
        "save_project": True if params["save_project"] else None,
    }
    return {name: value for name, value in given.items() if value is not None}


def checked_interval(value: timedelta) -> timedelta:
    """``--poll-interval``: at least 1 s, else a usage error."""
    if value.total_seconds() < 1:
        raise typer.BadParameter("at least 1 s (Pictory advises 10-30 s)")
    return value


def source_of(params: Mapping[str, Any], *, template_alone: bool = False) -> Source:
    """What the video is made of, checked: one input, its options only with a script.

    Args:
        params: The command's parameters by name (``ctx.params``): ``script``,
            ``text``, ``url``, ``payload`` (the inputs), ``template``, ``variables``
            (``--var``), and the options for a script (``name``, ``voice``, ``silent``,
            ``brand``, ``aspect_ratio``, ``language``, ``music``, ``save_project``).
        template_alone: Whether ``--template`` without an input is a video from the
            template (``create``).

    Raises:
        typer.BadParameter: None or several inputs, a URL that is not ``http(s)``, an
            empty text, an option for a script with ``--payload`` or a template alone,
            or ``--var`` without ``--template``. A file is read by ``loaded``, when the
            command runs.
    """
    script, text, url, payload = (params[name] for name in ("script", "text", "url", "payload"))
    template, variables = params["template"], params["variables"]
    inputs = {"--script": script, "--text": text, "--url": url, "--payload": payload}
    given = [name for name, value in inputs.items() if value is not None]
    options = _shortcuts(params)
    if variables and template is None:
        raise typer.BadParameter("--var fills a template's variables: give --template too")
    if not given and template is not None and template_alone:
        return _template_alone(template, _variables(variables), options)
    if len(given) != 1:
        which = f"not {' and '.join(given)}" if given else "none was given"
        alone = " (or --template alone)" if template_alone else ""
        raise typer.BadParameter(f"give one of --script, --text, --url, --payload{alone} ({which})")
    extra: dict[str, Any] = {}
    if template is not None:
        extra["templateId"] = template
    if variables:
        extra["variables"] = _variables(variables)
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


def _template_alone(template: str, variables: dict[str, str], options: dict[str, Any]) -> Source:
    """``--template ID [--var ...]`` with no script: the template's own video."""
    if options:
        used = ", ".join(_OPTION_NAMES[name] for name in options)
        raise typer.BadParameter(
            f"{used} apply to a script; a video from a template alone takes --var only"
        )
    if not template.strip():
        raise typer.BadParameter("the template id is empty", param_hint="--template")
    return Source(template_id=template.strip(), variables=variables)


def loaded(source: Source) -> Source:
    """``source`` with its file read (``--script``, ``--payload``), before anything is sent.

    Raises:
        typer.BadParameter: The file cannot be read, a payload is not a JSON object, or
            a script is empty (a usage error: exit 2).
    """
    if source.payload_file is not None:
        payload = _json_file(source.payload_file, "--payload", dict, "an object (a request)")
        return attrs.evolve(source, payload=payload, payload_file=None)
    if source.script_file is not None:
        text = _read(source.script_file, "--script").strip()
        if not text:
            raise typer.BadParameter(f"{source.script_file} is empty", param_hint="--script")
        return attrs.evolve(source, script=text, script_file=None)
    return source


def script_keywords(source: Source) -> dict[str, Any]:
    """The library's keywords for a script's request (``videos.create``, ``storyboard``)."""
    return {
        "video_name": source.video_name,
        "voice": None if source.silent else NOT_GIVEN if source.voice is None else source.voice,
        "brand": source.brand,
        "aspect_ratio": source.aspect_ratio,
        "language": source.language,
        "music": source.music,
        "save_project": source.save_project,
        "extra_body": source.extra_body,
    }
