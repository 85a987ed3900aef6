"""A pretend user's code: the kind of module the pytest plugin is there to test."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import httpx

from pictory_async import AsyncPictory, ProjectId


async def delete_older_than(
    client: AsyncPictory, cutoff: datetime, *, folder: str | None = None
) -> list[ProjectId]:
    """Delete every project saved before ``cutoff``; return the ids deleted."""
    doomed = [
        summary.id
        async for summary in client.projects.list(folder=folder)
        if summary.saved_date is not None and summary.saved_date < cutoff
    ]
    deleted = []
    for project_id in doomed:
        result = await client.projects.delete(project_id, missing_ok=True)
        if result.success:
            deleted.append(project_id)
    return deleted


async def back_up_video(
    client: AsyncPictory, http: httpx.AsyncClient, project_id: ProjectId, directory: Path
) -> tuple[Path, str]:
    """Download a project's video into ``directory``; return the file and its SHA-256."""
    project = await client.projects.get(project_id)
    if project.video_url is None:
        raise LookupError(f"project {project_id} has no video yet")
    response = await http.get(project.video_url)
    response.raise_for_status()
    path = directory / f"{project_id}.mp4"
    path.write_bytes(response.content)
    return path, hashlib.sha256(response.content).hexdigest()
