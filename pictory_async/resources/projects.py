"""``client.projects``: get, delete and list projects (and their bulk forms)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import attrs

from .._converter import decode_json, structure
from .._exceptions import (
    InvalidInputError,
    NotFoundError,
    ResponseValidationError,
    make_status_error,
)
from .._ids import project_path
from .._models import DeleteResult, Project, ProjectSummary
from .._types import ProjectId

if TYPE_CHECKING:
    from .._client import AsyncPictory

__all__ = ["Page", "Projects"]

LIST_PATH = "/pictoryapis/v2/projects"


@attrs.frozen(kw_only=True)
class Page:
    """One page of the project list.

    Attributes:
        items: The summaries on this page.
        page_key: The key of the next page, ``None`` on the last one.
    """

    items: tuple[ProjectSummary, ...]
    page_key: str | None


@attrs.frozen(kw_only=True)
class _DeleteBody:
    success: bool | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class _PageBody:
    items: tuple[ProjectSummary, ...] = ()
    page_key: str | None = None


class Projects:
    """Projects of the account the API key belongs to."""

    def __init__(self, client: AsyncPictory) -> None:
        self._client = client

    async def get(self, project_id: ProjectId) -> Project:
        """Fetch one project.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project.
            PermissionDeniedError: The project belongs to another account.
            ResponseValidationError: The API answered with something that is not a project.
        """
        path = project_path(project_id)
        reply = await self._client.request("GET", path)
        payload = decode_json(reply.response)
        project = structure(payload, Project, reply.response)
        if project.id is None:
            project = attrs.evolve(project, id=project_id, raw=project.raw)
        return project

    async def delete(self, project_id: ProjectId, *, missing_ok: bool = False) -> DeleteResult:
        """Delete one project, for good.

        A DELETE whose response was lost (timeout, reset, 5xx) and whose retry finds the
        project gone was applied by the lost attempt: that is a success
        (``inferred_from_retry=True``), never a failure.

        Args:
            project_id: A string (v3) or integer (v2 and older) id.
            missing_ok: Report a project that does not exist as ``already_absent``
                instead of raising ``NotFoundError``.

        Raises:
            InvalidProjectIdError: The id is unsafe; nothing was sent.
            NotFoundError: No such project, and ``missing_ok`` is false.
            PermissionDeniedError: The project belongs to another account.
        """
        path = project_path(project_id)
        reply = await self._client.request("DELETE", path, ok_statuses=(404,))
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
            error = make_status_error(response)
            assert isinstance(error, NotFoundError)
            raise error
        body = structure(decode_json(response), _DeleteBody, response)
        if body.success is False:
            raise ResponseValidationError(
                f"the API reported the delete as failed: {body.message or 'no message'}",
                response=response,
                body=response.text,
            )
        return DeleteResult(project_id=project_id, success=True, message=body.message)

    async def list_pages(
        self, *, folder: str | None = None, page_key: str | None = None
    ) -> AsyncIterator[Page]:
        """Walk the project list page by page, fetching each page when it is asked for.

        Args:
            folder: Only projects in this folder (by folder id).
            page_key: Start at this page (a ``Page.page_key`` from an earlier walk).

        Raises:
            ResponseValidationError: A page is malformed, or the API handed back the same
                page key twice (which would loop forever).
        """
        params: dict[str, str] = {}
        if folder is not None:
            if not isinstance(folder, str) or not folder.strip():
                raise InvalidInputError("folder must be a non-empty string")
            params["folder"] = folder
        seen: set[str] = set()
        while True:
            if page_key is not None:
                params["pagekey"] = page_key
            reply = await self._client.request("GET", LIST_PATH, params=params)
            body = structure(decode_json(reply.response), _PageBody, reply.response)
            yield Page(items=body.items, page_key=body.page_key)
            if not body.page_key:
                return
            if body.page_key in seen:
                raise ResponseValidationError(
                    "the API returned a page key it had returned before; stopping to avoid "
                    "an endless loop",
                    response=reply.response,
                )
            seen.add(body.page_key)
            page_key = body.page_key

    async def list(self, *, folder: str | None = None) -> AsyncIterator[ProjectSummary]:
        """Every project, as summaries, across all pages (fetched lazily).

        Args:
            folder: Only projects in this folder (by folder id).
        """
        async for page in self.list_pages(folder=folder):
            for summary in page.items:
                yield summary

