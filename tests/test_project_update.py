"""``client.projects.update``: the whole project replaced, unknown fields kept."""

from __future__ import annotations

import json

import attrs
import pytest
import respx
from _support import ClientFactory

from pictory_async import (
    AsyncPictory,
    InvalidInputError,
    InvalidProjectIdError,
    NotFoundError,
    Project,
    ResponseValidationError,
)
from pictory_async.emulator import Emulator

PROJECT = "/pictoryapis/v2/projects/p1"
WIRE = {"projectName": "old", "step": "EDIT", "futureField": {"kept": True}}


async def test_update_sends_the_whole_project_with_its_unmodelled_fields(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A fetched, evolved Project is sent whole: changed field, unknown fields kept."""
    router.get(PROJECT).respond(200, json=WIRE)
    put = router.put(PROJECT).respond(200, json={"success": True})
    async with make_client() as client:
        project = await client.projects.get("p1")
        updated = await client.projects.update(attrs.evolve(project, project_name="new"))
    sent = json.loads(put.calls.last.request.content)
    assert "new" == sent["projectName"]
    assert {"kept": True} == sent["futureField"]
    assert "EDIT" == sent["step"]
    assert {"projectName", "step", "futureField"} == set(sent)  # no nulls for absent fields
    assert "new" == updated.project_name
    assert "p1" == updated.id


async def test_update_returns_the_project_the_api_answers(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """When the answer holds the project, that is what update returns."""
    router.put(PROJECT).respond(
        200, json={"success": True, "data": {"id": "p1", "projectName": "server", "step": "X"}}
    )
    async with make_client() as client:
        updated = await client.projects.update({"id": "p1", "projectName": "mine"})
    assert "server" == updated.project_name


async def test_update_by_mapping_and_explicit_id(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A mapping without an id goes to project_id=."""
    put = router.put(PROJECT).respond(204)
    async with make_client() as client:
        updated = await client.projects.update({"projectName": "m"}, project_id="p1")
    assert {"projectName": "m"} == json.loads(put.calls.last.request.content)
    assert "p1" == updated.id


async def test_update_without_an_id_is_refused(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """No id anywhere: a typed error before sending."""
    async with make_client() as client:
        with pytest.raises(InvalidProjectIdError):
            await client.projects.update({"projectName": "m"})
        with pytest.raises(InvalidInputError):
            await client.projects.update(["not", "a", "project"])  # type: ignore[arg-type]
        with pytest.raises(InvalidProjectIdError):
            await client.projects.update(Project(project_name="x"))
    assert 0 == len(router.calls)


async def test_update_of_an_unknown_project_is_not_found(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 404 is NotFoundError."""
    router.put(PROJECT).respond(404, json={"message": "Project not found"})
    async with make_client() as client:
        with pytest.raises(NotFoundError):
            await client.projects.update({"id": "p1"})


async def test_update_the_api_reports_as_failed_is_an_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 200 with success: false is not an update."""
    router.put(PROJECT).respond(200, json={"success": False, "message": "locked"})
    async with make_client() as client:
        with pytest.raises(ResponseValidationError, match="locked"):
            await client.projects.update({"id": "p1"})


@pytest.mark.pictory_emulator(transport="socket", seed=5, projects=3)
async def test_update_round_trips_through_the_emulator(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """Over a real socket: a fetched project, renamed and put back, reads back renamed."""
    project_id = pictory_emulator.projects()[0].id
    project = await pictory_client.projects.get(project_id)
    updated = await pictory_client.projects.update(
        attrs.evolve(project, project_name="Renamed by update")
    )
    again = await pictory_client.projects.get(project_id)
    assert "Renamed by update" == updated.project_name == again.project_name
    assert project.raw.keys() <= again.raw.keys()  # nothing it had was dropped
