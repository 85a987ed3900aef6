"""What ``videos create-many`` knows of a run: its options, its rows as seen, a row's line.

``ManyOptions`` is how a run goes; ``RowsSeen`` keeps what the run told the display of
each row (its render started, its line and name, whether its end was shown), so that the
summary can name every row; ``where`` and ``row_json`` are how one row reads, to a
person and as a JSON line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._common import describe, printable
from ._options import Polling

if TYPE_CHECKING:
    from .. import ItemResult
    from ._display import Display

__all__ = ["ManyOptions", "RowsSeen", "row_json", "where"]


@attrs.frozen(kw_only=True)
class ManyOptions:
    """How ``create-many`` runs.

    Attributes:
        file: The input file.
        journal: The journal (default: ``FILE.journal.jsonl`` beside the file).
        concurrency: Videos at once (default: the library's, 4).
        wait: Wait for each render (``--no-wait``: count a row once its render started).
        download: Download each video's files here.
        retry_unknown: Send again the rows an earlier run's answer was lost for.
        polling: Each render's deadline and poll interval.
        json_output: A JSON line per row and a summary line on stdout, nothing else.
    """

    file: Path
    journal: Path
    polling: Polling
    concurrency: int | None = None
    wait: bool = True
    download: Path | None = None
    retry_unknown: bool = False
    json_output: bool = False


class RowsSeen:
    """What the run tells the display besides ends: renders started, each row's line."""

    def __init__(self, display: Display, *, wait: bool) -> None:
        self.display = display
        self.wait = wait
        self.rendering: set[object] = set()
        self.started: dict[object, ItemResult[Any]] = {}  # key: its start (job id, line)
        self.inputs: dict[object, object] = {}  # key: where its row came from (line, name)
        self.shown: set[object] = set()  # keys whose end the display showed

    def on_started(self, item: ItemResult[Any]) -> None:
        """A row's render started (or an earlier run's is followed)."""
        self.started[item.item] = item
        self.inputs[item.item] = item.input
        if self.wait:  # without a wait, the row ends now: its outcome counts it
            self.rendering.add(item.item)
            self.display.stage("created")
            self.display.stage("rendering")

    def ended(self, item: ItemResult[Any]) -> None:
        """A row ended: it leaves ``rendering``."""
        self.shown.add(item.item)
        if item.input is not None:
            self.inputs.setdefault(item.item, item.input)
        if item.item in self.rendering:
            self.rendering.discard(item.item)
            self.display.stage("rendering", -1)


def where(item: ItemResult[Any]) -> str:
    """``line 7 (Green tea)``: how a row is named to the person watching."""
    line = getattr(item.input, "line", None)
    name = getattr(item.input, "name", None)
    where = f"line {line}" if line is not None else str(item.item)
    return f"{where} ({printable(name)})" if name else where


def row_json(item: ItemResult[Any]) -> dict[str, Any]:
    """A row's outcome as one JSON object: line, key, outcome, job, video, files, error."""
    value = item.value
    video = getattr(value, "video", None)
    files = getattr(value, "files", None) or {}
    line: dict[str, Any] = {
        "line": getattr(item.input, "line", None),
        "key": item.item,
        "outcome": item.outcome.value,
        "name": getattr(item.input, "name", None),
        "job_id": getattr(value, "job_id", None),
        "video_url": getattr(video, "video_url", None),
        "files": {kind: str(asset.path) for kind, asset in files.items()},
    }
    if item.reason is not None:
        line["reason"] = item.reason
    if item.error is not None:
        line["error"] = describe(item.error)
    return line
