"""An aiohttp.web service on pictory-async: one client per application, errors as HTTP answers.

Run it::

    PICTORY_API_KEY=pictai_... python aiohttp_app.py

Routes:

- ``GET /projects/{project_id}``: one project (404 when there is none, 403 when it is
  another account's).
- ``DELETE /projects/{project_id}``: delete it (204; 404 when there is none).
- ``GET /projects?folder=...&older_than_days=...&limit=...``: summaries, filtered.

A 429 from Pictory that outlasts the client's retries answers 429 with ``Retry-After``;
a failure of Pictory's API answers 502 (504 for a timeout).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

import pictory_async.aiohttp
from pictory_async import AsyncPictory

routes = web.RouteTableDef()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _query_int(request: web.Request, name: str, *, low: int, high: int) -> int | None:
    value = request.query.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"detail": f"{name} must be an integer from {low} to {high}"}),
            content_type="application/json",
        )
    return number


@routes.get("/projects/{project_id}")
async def get_project(request: web.Request) -> web.Response:
    """One project."""
    client = pictory_async.aiohttp.get_client(request)
    project_id = request.match_info["project_id"]
    project = await client.projects.get(project_id)
    return web.json_response(
        {
            "id": project.id if project.id is not None else project_id,
            "name": project.project_name,
            "saved": _iso(project.save_date),
            "video_url": project.video_url,
            "in_progress": project.in_progress,
        }
    )


@routes.delete("/projects/{project_id}")
async def delete_project(request: web.Request) -> web.Response:
    """Delete one project."""
    client = pictory_async.aiohttp.get_client(request)
    await client.projects.delete(request.match_info["project_id"])
    return web.Response(status=204)


@routes.get("/projects")
async def list_projects(request: web.Request) -> web.Response:
    """Summaries, filtered by folder and age, at most ``limit``."""
    client = pictory_async.aiohttp.get_client(request)
    days = _query_int(request, "older_than_days", low=0, high=100_000)
    limit = _query_int(request, "limit", low=1, high=500) or 50
    selection = client.projects.select(
        folder=request.query.get("folder"),
        older_than=timedelta(days=days) if days is not None else None,
    )
    found: list[dict[str, Any]] = []
    async for summary in selection:
        found.append(
            {
                "id": summary.id,
                "name": summary.name,
                "saved": _iso(summary.saved_date),
                "source": summary.source,
            }
        )
        if len(found) == limit:
            break
    return web.json_response(found)


def create_app(factory: Callable[[], AsyncPictory] = AsyncPictory) -> web.Application:
    """The application; ``factory`` makes its one client (tests point it at the emulator)."""
    app = web.Application()
    pictory_async.aiohttp.setup(app, factory=factory)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    # backlog: aiohttp listens with 128 by default, too few for bursts of new connections.
    web.run_app(create_app(), host="127.0.0.1", port=8080, backlog=1024)
