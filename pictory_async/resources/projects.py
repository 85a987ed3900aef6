"""``client.projects``: the project endpoints: get, delete, list and render.

Each method builds its request (a checked path from ``_paths``), sends it through the
client's one door (``_request``), and reads the answer (``_decode``, ``_models``). The
workflows over these endpoints (render waits, downloads, backups, selection) are
delegated by ``ProjectWorkflows``; the bulk forms by ``_bulk.projects``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import unstructure
from .._decode import decode_json, structure, unwrap_data
from .._exceptions import (
    APIError,
    InvalidInputError,
    InvalidProjectIdError,
    NotFoundError,
    ResponseValidationError,
)
from .._failures import make_status_error
from .._ids import validate_project_id
from .._jobs import Job, started_job
from .._models import DeleteBody, DeleteResult, Page, PageBody, Project, ProjectSummary
from .._paths import PROJECTS, project_path
from .._types import ProjectId
from ._base import Resource
from ._project_bulk import ProjectBulk
from ._project_workflows import ProjectWorkflows

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import RequestOptions

__all__ = ["Projects"]

_NOT_FOUND = frozenset({404})


def _delete_body(payload: object) -> DeleteBody | None:
    """The documented DELETE answer, read without the converter (this is the hot path).

    Returns ``None`` for anything else, which the converter then reads or explains.
    """
    if type(payload) is not dict:
        return None
    success = payload.get("success")
    message = payload.get("message")
    if (success is None or type(success) is bool) and (message is None or type(message) is str):
        return DeleteBody(success=success, message=message)
    return None


class Projects(ProjectWorkflows, ProjectBulk, Resource):
    """Projects of the account the API key belongs to."""

    async def get(self, project_id: ProjectId, **options: Unpack[RequestOptions]) -> Project:
        """Fetch one project.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.
            **options: Per-call options (``timeout``, ``max_retries``, ``extra_headers``,
                ``extra_query``).

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project.
            PermissionDeniedError: The project belongs to another account.
            ResponseValidationError: The API answered with something that is not a project.

        Returns:
            The ``Project`` (its ``id`` is the one asked for).
        """
        project, _ = await self._get_with_body(project_id, options)
        return project

    async def update(
        self,
        project: Project | Mapping[str, Any],
        *,
        project_id: ProjectId | None = None,
        **options: Unpack[RequestOptions],
    ) -> Project:
        """Replace a project as a whole (``PUT /pictoryapis/v2/projects/{id}``).

        The API has no partial update: send the whole project, e.g. one fetched with
        ``get`` and changed with ``attrs.evolve`` (its fields this library does not
        model travel with it, from ``Project.raw``), or the project's JSON as a mapping.

        Args:
            project: The whole project: a ``Project`` or its JSON object.
            project_id: The project to replace; not given: ``project``'s own id.
            **options: Per-call options (``extra_body`` merges into the JSON).

        Returns:
            The project as the API answered it, or as sent when the answer holds no
            project.

        Raises:
            InvalidProjectIdError: No id, or an unsafe one; nothing was sent.
            InvalidInputError: ``project`` is neither a ``Project`` nor a mapping.
            NotFoundError: No such project.
            ResponseValidationError: The answer is not a project, or says it failed.
        """
        if isinstance(project, Project):
            wire = unstructure(project, wire_names=True)
            # as received: a field the API did not send is not sent back empty
            body: dict[str, Any] = {
                key: value
                for key, value in wire.items()
                if key in project.raw or value not in (None, [], {})
            }
            if "id" not in project.raw:  # the API does not send it; the path names it
                body.pop("id", None)
            given_id = project.id
        elif isinstance(project, Mapping):
            body = dict(project)
            given_id = body.get("id", body.get("projectId"))
        else:
            raise InvalidInputError(
                f"project must be a Project or a mapping, not {type(project).__name__}"
            )
        the_id = project_id if project_id is not None else given_id
        if the_id is None:
            raise InvalidProjectIdError("give project_id=: the project has no id to update it by")
        path = project_path(the_id)
        response = (await self._client._request("PUT", path, json=body, options=options)).response
        payload = decode_json(response) if response.content.strip() else None
        answer = None
        if isinstance(payload, dict) and not (
            payload.get("success") is True and "data" not in payload
        ):
            answer = unwrap_data(payload, response)  # a success: false is raised here
        if isinstance(answer, dict) and set(answer) - {"success", "message"}:
            updated = structure(answer, Project, response)
        else:  # an acknowledgement without the project: the project is what was sent
            updated = structure(body, Project, response)
        if updated.id is None:
            updated = attrs.evolve(updated, id=validate_project_id(the_id), raw=updated.raw)
        return updated

    async def render(self, project: Project | ProjectId, **options: Unpack[RequestOptions]) -> Job:
        """Start rendering a project's video; returns the job to follow it by.

        Starting a render is not idempotent, so it is retried only after a 429 or a
        connection that never carried it (refused, connect timeout). After an ambiguous
        failure (a read timeout, a reset after sending, a 5xx) it is not retried: the
        error's ``may_have_been_applied`` is true, and a render may be running; look for
        it with ``client.jobs.list()`` before starting another.

        Args:
            project: A ``Project`` (with an id) or a project id.
            **options: Per-call options.

        Returns:
            A ``Job`` with the new job's ``id``, status ``pending`` and the
            ``project_id``; follow it with ``client.projects.wait_for_render(job)``
            (the project with its new video) or ``client.jobs.wait(job)`` (the job).

        Raises:
            InvalidProjectIdError: The id is unsafe (or the ``Project`` has none);
                nothing was sent.
            NotFoundError: No such project.
            PermissionDeniedError: The project belongs to another account.
            ConflictError: A render of this project is already running.
            APIError: The request failed; see ``may_have_been_applied``.
            ResponseValidationError: The answer has no job id.
        """
        project_id = project.id if isinstance(project, Project) else project
        if project_id is None:
            raise InvalidProjectIdError("this Project has no id to render it by")
        path = project_path(project_id) + "/render"
        response = (
            await self._client._request("POST", path, idempotent=False, options=options)
        ).response
        return started_job(decode_json(response), validate_project_id(project_id), response)

    async def _get_with_body(
        self, project_id: ProjectId, options: Mapping[str, Any] | None = None
    ) -> tuple[Project, bytes]:
        """The project and the body it was read from, byte for byte (for backups)."""
        path = project_path(project_id)
        response = (await self._client._request("GET", path, options=options)).response
        project = structure(decode_json(response), Project, response)
        if project.id is None:
            project = attrs.evolve(project, id=project_id, raw=project.raw)
        return project, response.content

    async def delete(
        self, project_id: ProjectId, *, missing_ok: bool = False, **options: Unpack[RequestOptions]
    ) -> DeleteResult:
        """Delete one project, for good.

        When an attempt may have reached the API without its answer reaching us (a read
        timeout, a reset after sending, a 408 or 5xx) and a retry then gets 404, the
        project is gone and the lost attempt most likely deleted it: that is reported as
        a success with ``inferred_from_retry=True``, not a failure. (Someone else may have
        deleted it in between; either way it no longer exists.) A 404 after failures that
        prove nothing was sent (refused, connect or pool timeout) stays a 404.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.
            missing_ok: Report a project that does not exist as ``already_absent``
                instead of raising ``NotFoundError``.
            **options: Per-call options.

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project, and ``missing_ok`` is false.
            PermissionDeniedError: The project belongs to another account.
            APIError: The delete failed; ``may_have_been_applied`` says whether an
                attempt may still have deleted it (a GET could not tell).

        Returns:
            The ``DeleteResult`` (``already_absent`` or ``inferred_from_retry`` say how
            it ended when it was not a plain success).
        """
        path = project_path(project_id)
        failure: APIError | None = None
        try:
            reply = await self._client._request(
                "DELETE", path, ok_statuses=_NOT_FOUND, options=options
            )
        except APIError as exc:
            if not exc.may_have_been_applied:
                raise
            failure = exc
        if failure is not None:
            # An attempt may have deleted it before the API kept failing: ask.
            if await self._is_gone(project_id):
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project deleted (an attempt's answer was lost; confirmed gone)",
                    inferred_from_retry=True,
                )
            raise failure
        response = reply.response
        if response.status_code == 404:
            if reply.lost_attempt:
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project deleted (an earlier attempt's response was lost)",
                    inferred_from_retry=True,
                )
            if missing_ok:
                return DeleteResult(
                    project_id=project_id,
                    success=True,
                    message="Project not found",
                    already_absent=True,
                )
            raise make_status_error(response, attempts=reply.attempts)
        if not response.content.strip():  # a 204, or a 200 with nothing to say
            return DeleteResult(project_id=project_id, success=True, message=None)
        payload = decode_json(response)
        body = _delete_body(payload) or structure(payload, DeleteBody, response)
        if body.success is False:
            raise ResponseValidationError(
                f"the API reported the delete as failed: {body.message or 'no message'}",
                response=response,
                body=payload,
            )
        return DeleteResult(project_id=project_id, success=True, message=body.message)

    async def _is_gone(self, project_id: ProjectId) -> bool:
        """Whether a GET says the project does not exist (``False`` if it cannot tell)."""
        try:
            await Projects(self._client.with_options(max_retries=1)).get(project_id)
        except NotFoundError:
            return True
        except APIError:
            return False
        return False

    async def list_pages(
        self, *, folder: str | None = None, page_key: str | None = None
    ) -> AsyncIterator[Page]:
        """Walk the project list page by page, fetching each page when it is asked for.

        Args:
            folder: Only projects in this folder (by folder id).
            page_key: Start at this page (a ``Page.page_key`` from an earlier walk).

        Yields:
            Each ``Page``, fetched when the previous one has been consumed.

        Raises:
            InvalidInputError: ``folder`` is empty or not a string.
            ResponseValidationError: A page is malformed, or the API handed back the same
                page key twice (which would loop forever).
        """
        params: dict[str, str] = {}
        if folder is not None:
            if not isinstance(folder, str) or not folder.strip():
                raise InvalidInputError("folder must be a non-empty string")
            params["folder"] = folder
        seen: set[str] = {page_key} if page_key else set()
        while True:
            if page_key is not None:
                params["pagekey"] = page_key
            response = (await self._client._request("GET", PROJECTS, params=params)).response
            body = structure(decode_json(response), PageBody, response)
            yield Page(items=body.items, page_key=body.page_key)
            if not body.page_key:
                return
            if body.page_key in seen:
                raise ResponseValidationError(
                    "the API returned a page key it had returned before; stopping to avoid "
                    "an endless loop",
                    response=response,
                )
            seen.add(body.page_key)
            page_key = body.page_key

    async def list(self, *, folder: str | None = None) -> AsyncIterator[ProjectSummary]:
        """Every project, as summaries, across all pages (fetched lazily).

        Args:
            folder: Only projects in this folder (by folder id).

        Yields:
            Each ``ProjectSummary``, page after page.

        Raises:
            InvalidInputError: ``folder`` is empty or not a string.
            ResponseValidationError: A page is malformed.
        """
        async for page in self.list_pages(folder=folder):
            for summary in page.items:
                yield summary
