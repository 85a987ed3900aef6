"""``pictory projects backup``: back projects up (metadata, media, manifest), none deleted.

The command checks its options; the worker runs the library's backup of each project
as one bulk run from the command line (``run_bulk``: a progress bar, a graceful
Ctrl-C), then prints the summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import BulkRun, ItemResult, Outcome, ProjectId
from ._common import Settings, open_client
from ._options import IdsArgument, IdsFromOption, JsonOption, KindOption, call, ids_of

__all__ = ["backup_command", "backup_projects"]


def backup_command(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Option("--dest", help="Where each project's directory goes.")],
    ids: IdsArgument = None,
    ids_from: IdsFromOption = None,
    kind: KindOption = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Projects at once.")] = 8,
    json_output: JsonOption = False,
) -> None:
    """Back projects up (metadata, media, manifest); nothing is deleted."""
    found = ids_of(ids, ids_from)
    call(
        ctx,
        backup_projects,
        found,
        dest=dest,
        kinds=kind or [],
        concurrency=concurrency,
        json_output=json_output,
    )


async def backup_projects(
    settings: Settings,
    ids: Sequence[ProjectId],
    *,
    dest: Path,
    kinds: Sequence[str],
    concurrency: int,
    json_output: bool,
) -> int:
    """``projects backup``: back each project up into ``dest`` (nothing is deleted)."""
    from ._bulkrun import run_bulk
    from ._display import make_display
    from ._summary import finish

    display = make_display(json_output=json_output, verb="backed up")
    async with open_client(settings, concurrency) as client:

        async def backup_one(project_id: ProjectId) -> ItemResult[Any]:
            backup = await client.projects.backup(project_id, dest, kinds=kinds or None)
            return ItemResult(item=project_id, outcome=Outcome.FETCHED, value=backup)

        def start(source: AsyncIterator[Any]) -> BulkRun[Any]:
            return BulkRun(source, backup_one, concurrency=concurrency, keep_values=False)

        summary = await run_bulk(start, ids, display, description="Backing up")
    return finish(summary, json_output=json_output, noun="backed up", backups=dest)
