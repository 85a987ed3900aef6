"""A FastAPI service on pictory-async: one client per application, errors as HTTP answers.

Run it (``pip install "pictory-async[fastapi]" uvicorn``)::

    PICTORY_API_KEY=pictai_... uvicorn fastapi_app:app

Routes:

- ``GET /projects/{project_id}``: one project (404 when there is none, 403 when it is
  another account's).
- ``DELETE /projects/{project_id}``: delete it (204; 404 when there is none).
- ``GET /projects?folder=...&older_than_days=...&limit=...``: summaries, filtered.

A 429 from Pictory that outlasts the client's retries answers 429 with ``Retry-After``;
a failure of Pictory's API answers 502 (504 for a timeout).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import FastAPI, Query, Response
from pydantic import BaseModel

from pictory_async import AsyncPictory
from pictory_async.fastapi import PictoryClient, install_exception_handlers, lifespan


class ProjectOut(BaseModel):
    """What this service tells about a project."""

    id: str | int
    name: str | None
    saved: datetime | None
    video_url: str | None
    in_progress: bool | None


class SummaryOut(BaseModel):
    """One item of the project list."""

    id: str | int
    name: str | None
    saved: datetime | None
    source: str | None


def create_app(factory: Callable[[], AsyncPictory] = AsyncPictory) -> FastAPI:
    """The application; ``factory`` makes its one client (tests point it at the emulator)."""
    app = FastAPI(title="Projects", lifespan=lifespan(factory=factory))
    install_exception_handlers(app)

    @app.get("/projects/{project_id}")
    async def get_project(project_id: str, client: PictoryClient) -> ProjectOut:
        project = await client.projects.get(project_id)
        return ProjectOut(
            id=project.id if project.id is not None else project_id,
            name=project.project_name,
            saved=project.save_date,
            video_url=project.video_url,
            in_progress=project.in_progress,
        )

    @app.delete("/projects/{project_id}", status_code=204)
    async def delete_project(project_id: str, client: PictoryClient) -> Response:
        await client.projects.delete(project_id)
        return Response(status_code=204)

    @app.get("/projects")
    async def list_projects(
        client: PictoryClient,
        folder: str | None = None,
        older_than_days: Annotated[int | None, Query(ge=0)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[SummaryOut]:
        older_than = timedelta(days=older_than_days) if older_than_days is not None else None
        found: list[SummaryOut] = []
        selection = client.projects.select(folder=folder, older_than=older_than)
        async for summary in selection:
            found.append(
                SummaryOut(
                    id=summary.id,
                    name=summary.name,
                    saved=summary.saved_date,
                    source=summary.source,
                )
            )
            if len(found) == limit:
                break
        return found

    return app


app = create_app()
