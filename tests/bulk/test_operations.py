"""The bulk operations on projects (``_bulk/projects.py``) over a fake ``client.projects``.

They need only the calls named by ``ProjectCalls``, so these tests run them without
HTTP: what each item's call returns or raises becomes its outcome.
"""

from __future__ import annotations

import asyncio

import attrs
import httpx
import pytest

from pictory_async import BulkRun, ClientClosedError, DeleteResult, NotFoundError, Outcome, Project
from pictory_async._backup import Backup
from pictory_async._bulk import projects as bulk_projects


def not_found(project_id: str | int) -> NotFoundError:
    """The API's 404 for a project."""
    url = f"https://api.pictory.ai/pictoryapis/v2/projects/{project_id}"
    response = httpx.Response(404, request=httpx.Request("GET", url))
    return NotFoundError("no such project", response=response, body=None)


@attrs.define
class Pool:
    """The client as a bulk run reads it."""

    max_connections: int = 4
    is_closed: bool = False


@attrs.define
class FakeProjects:
    """``client.projects`` over a set of ids, answering as the API would."""

    ids: set[str]
    _client: Pool = attrs.field(factory=Pool)
    failure: Exception | None = None

    async def get(self, project_id: str | int) -> Project:
        """The project, or ``NotFoundError``."""
        await asyncio.sleep(0)
        if project_id not in self.ids:
            raise not_found(project_id)
        return Project(id=project_id)

    async def delete(self, project_id: str | int, *, missing_ok: bool = False) -> DeleteResult:
        """Deletes the project (``failure`` raised instead when set)."""
        await asyncio.sleep(0)
        if self.failure is not None:
            raise self.failure
        if project_id not in self.ids:
            return DeleteResult(project_id=project_id, success=True, already_absent=True)
        self.ids.discard(str(project_id))
        return DeleteResult(project_id=project_id, success=True)

    async def _backup(self, *args: object, **kwargs: object) -> tuple[Backup, Project]:
        """Not called by these tests."""
        raise AssertionError("not backed up here")


def delete_many(
    projects: FakeProjects, ids: list[str], concurrency: int | None = None
) -> BulkRun[DeleteResult]:
    """``delete_many`` with the defaults of ``client.projects.delete_many``."""
    return bulk_projects.delete_many(
        projects,
        ids,
        concurrency=concurrency,
        dry_run=False,
        missing_ok=True,
        on_progress=None,
        journal=None,
    )


async def test_delete_many_needs_only_the_calls_of_projects() -> None:
    """A fake ``client.projects`` is enough: each id is deleted or already absent."""
    projects = FakeProjects({"p1", "p2"})
    result = await delete_many(projects, ["p1", "p3", "p2"]).wait()
    assert (["p1", "p2"], ["p3"]) == (sorted(result.deleted), result.already_absent)
    assert set() == projects.ids


async def test_a_call_the_client_was_closed_under_is_cancelled_whatever_it_raised() -> None:
    """A transport error under a closed client: ``cancelled`` with ``ClientClosedError``."""
    projects = FakeProjects({"p1"}, Pool(is_closed=True), OSError("connection reset"))
    run = delete_many(projects, ["p1", "p2"], concurrency=1)
    with pytest.raises(ClientClosedError):
        await run.wait()
    assert (["p1"], ["p2"]) == (run.result.cancelled, run.result.not_started)


async def test_get_many_fails_a_missing_project_unless_missing_ok() -> None:
    """``missing_ok=False``: a 404 is the item's failure, not ``already_absent``."""
    projects = FakeProjects({"p1"})
    run = bulk_projects.get_many(
        projects, ["p1", "p2"], concurrency=None, missing_ok=False, on_progress=None
    )
    result = await run.wait()
    assert {Outcome.FETCHED: 1, Outcome.FAILED: 1} == {o: n for o, n in result.counts.items() if n}
    assert ["p2"] == [item.item for item in result.failed]
