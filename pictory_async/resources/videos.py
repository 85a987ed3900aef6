"""``client.videos``: making videos: storyboards, renders, templates, and the one-call flow.

Each job-starting method takes its body as a request model (``VideoRequest``, ...) or
as a plain mapping (Pictory's own JSON), checked before anything is sent
(``_payload``), sends it once (``_start``) and returns the job's handle;
``client.jobs.wait(handle)`` returns its result. ``create`` does the common flow in one
call: a script, a URL or a request in, the finished ``Video`` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from .._assets import DEFAULT_MAX_ASSET_BYTES, Asset
from .._download import Downloader
from .._exceptions import InvalidInputError
from .._jobs import validate_job_id
from .._models.lookups import Brand, Voice
from .._models.results import Storyboard, StoryboardJob, Video, VideoJob
from .._models.videos import TemplateVideoRequest, VideoRequest
from .._paths import (
    STORYBOARD,
    STORYBOARD_RENDER,
    VIDEO_FROM_TEMPLATE,
    VIDEO_RENDER,
    job_path,
)
from .._payload import template_body, video_body
from .._polling import check_on_poll
from .._project_assets import check_download, download_assets_into
from .._script import script_request
from .._types import NOT_GIVEN, Duration, NotGiven
from ._base import Resource
from ._start import start_job
from ._video_bulk import VideoBulk
from .jobs import DEFAULT_POLL_INTERVAL, Jobs, WaitOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Unpack

    from .._call_options import RequestOptions
    from .._models import Job

__all__ = ["CreateOptions", "Videos"]


class CreateOptions(WaitOptions, total=False):
    """The per-call options of ``create``: the wait's, and ``extra_body`` for the render."""

    extra_body: Mapping[str, Any]


def _storyboard_id(storyboard: StoryboardJob | Storyboard | str) -> str:
    if isinstance(storyboard, Storyboard):
        return storyboard.job_id
    return validate_job_id(storyboard)


class Videos(VideoBulk, Resource):
    """Making videos: from a script, a URL, a full request, a template or a preview."""

    async def storyboard(
        self,
        request: str | VideoRequest | Mapping[str, Any],
        *,
        video_name: str | None = None,
        voice: str | Voice | NotGiven | None = NOT_GIVEN,
        brand: str | int | Brand | None = None,
        aspect_ratio: str | None = None,
        language: str | None = None,
        music: bool | str = True,
        save_project: bool | None = None,
        webhook: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> StoryboardJob:
        """Start a storyboard (a preview to review before rendering).

        Args:
            request: The body: a ``VideoRequest`` or a mapping of Pictory's JSON names;
                or a script (or an article's URL), made into a request as ``create``
                does, with the keywords below (for a script only).
            video_name: As for ``create``.
            voice: As for ``create``.
            brand: As for ``create``.
            aspect_ratio: As for ``create``.
            language: As for ``create``.
            music: As for ``create``.
            save_project: As for ``create``.
            webhook: As for ``create``.
            **options: Per-call options (``extra_body`` adds fields not modelled yet).

        Returns:
            The job; ``client.jobs.wait(job)`` returns its ``Storyboard``.

        Raises:
            InvalidInputError: An unknown field name in a mapping (the nearest known
                one named), a documented rule broken, a bad script, or keywords given
                with a request; nothing was sent.
            APIError: The request failed; ``may_have_been_applied`` says whether a job
                may have started anyway (it is never sent twice).
        """
        request = script_request(
            request,
            video_name=video_name,
            voice=voice,
            brand=brand,
            aspect_ratio=aspect_ratio,
            language=language,
            music=music,
            save_project=save_project,
            webhook=webhook,
        )
        body = video_body(request)
        return await start_job(self._client, StoryboardJob, "POST", STORYBOARD, body, options)

    async def render(
        self, request: VideoRequest | Mapping[str, Any], **options: Unpack[RequestOptions]
    ) -> VideoJob:
        """Start rendering a video directly from a request (no preview).

        Args:
            request: The body: a ``VideoRequest`` or a mapping of Pictory's JSON names.
            **options: Per-call options.

        Returns:
            The job; ``client.jobs.wait(job)`` returns its ``Video``.

        Raises:
            InvalidInputError: As ``storyboard``; nothing was sent.
            APIError: As ``storyboard``.
        """
        body = video_body(request)
        return await start_job(self._client, VideoJob, "POST", STORYBOARD_RENDER, body, options)

    async def render_preview(
        self,
        storyboard: StoryboardJob | Storyboard | str,
        *,
        webhook: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> VideoJob:
        """Render a completed storyboard as it is (``PUT /v2/video/render/{jobId}``).

        Args:
            storyboard: The storyboard job (its handle, its ``Storyboard`` or its id).
            webhook: A URL Pictory posts the result to.
            **options: Per-call options.

        Returns:
            The render job; ``client.jobs.wait(job)`` returns its ``Video``.

        Raises:
            InvalidInputError: An unsafe job id; nothing was sent.
            APIError: As ``storyboard``.
        """
        path = job_path(_storyboard_id(storyboard), under=VIDEO_RENDER)
        body = {} if webhook is None else {"webhook": webhook}
        return await start_job(self._client, VideoJob, "PUT", path, body, options)

    async def render_changed(
        self, render_params: Mapping[str, Any] | Storyboard, **options: Unpack[RequestOptions]
    ) -> VideoJob:
        """Render a storyboard's ``renderParams``, changed (``POST /v2/video/render``).

        Args:
            render_params: ``Storyboard.render_params`` as you changed it (or the
                ``Storyboard``, rendered as its parameters say).
            **options: Per-call options.

        Returns:
            The render job; ``client.jobs.wait(job)`` returns its ``Video``.

        Raises:
            InvalidInputError: Not a non-empty mapping; nothing was sent.
            APIError: As ``storyboard``.
        """
        if isinstance(render_params, Storyboard):
            render_params = render_params.render_params
        if not isinstance(render_params, Mapping) or not render_params:
            raise InvalidInputError("render_params must be a non-empty mapping (renderParams)")
        body = dict(render_params)
        return await start_job(self._client, VideoJob, "POST", VIDEO_RENDER, body, options)

    async def update_elements(
        self,
        storyboard: StoryboardJob | Storyboard | str,
        elements: Sequence[Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Change elements of a completed storyboard (``PUT .../storyboard/{id}/elements``).

        Only elements the storyboard has can be changed: each names its ``id``. Render
        the result with ``render_preview``.

        Args:
            storyboard: The storyboard job (its handle, its ``Storyboard`` or its id).
            elements: The changed elements (``{"id", "elementType", "type", "startTime",
                "duration", ...}``), as Pictory names them.
            **options: Per-call options.

        Raises:
            InvalidInputError: No elements, or one that is not a mapping with an ``id``;
                nothing was sent.
            APIError: The request failed.
        """
        path = job_path(_storyboard_id(storyboard), under=STORYBOARD) + "/elements"
        if isinstance(elements, (str, bytes, Mapping)) or not isinstance(elements, Sequence):
            raise InvalidInputError("elements must be a sequence of mappings")
        if not elements:
            raise InvalidInputError("elements is empty: nothing to change")
        for index, element in enumerate(elements):
            if not isinstance(element, Mapping) or element.get("id") in (None, ""):
                raise InvalidInputError(
                    f"elements[{index}] must be a mapping with the id of an existing element"
                )
        body = [dict(element) for element in elements]
        await self._client._request("PUT", path, json=body, options=options)

    async def from_template(
        self,
        request: TemplateVideoRequest | Mapping[str, Any],
        **options: Unpack[RequestOptions],
    ) -> VideoJob:
        """Start a video from a template (``POST /v1/video/from-template``).

        Args:
            request: A ``TemplateVideoRequest`` or a mapping of Pictory's JSON names.
            **options: Per-call options.

        Returns:
            The render job; ``client.jobs.wait(job)`` returns its ``Video``.

        Raises:
            InvalidInputError: An unknown field name, or no ``templateId``; nothing sent.
            APIError: As ``storyboard``.
        """
        body = template_body(request)
        return await start_job(self._client, VideoJob, "POST", VIDEO_FROM_TEMPLATE, body, options)

    @overload
    async def create(
        self,
        script_or_request: str | VideoRequest | Mapping[str, Any],
        *,
        wait: Literal[True] = ...,
        video_name: str | None = ...,
        voice: str | Voice | NotGiven | None = ...,
        brand: str | int | Brand | None = ...,
        aspect_ratio: str | None = ...,
        language: str | None = ...,
        music: bool | str = ...,
        save_project: bool | None = ...,
        webhook: str | None = ...,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        **options: Unpack[CreateOptions],
    ) -> Video: ...

    @overload
    async def create(
        self,
        script_or_request: str | VideoRequest | Mapping[str, Any],
        *,
        wait: Literal[False],
        video_name: str | None = ...,
        voice: str | Voice | NotGiven | None = ...,
        brand: str | int | Brand | None = ...,
        aspect_ratio: str | None = ...,
        language: str | None = ...,
        music: bool | str = ...,
        save_project: bool | None = ...,
        webhook: str | None = ...,
        timeout: Duration = ...,
        poll_interval: Duration = ...,
        on_poll: Callable[[Job], object] | None = ...,
        **options: Unpack[CreateOptions],
    ) -> VideoJob: ...

    async def create(
        self,
        script_or_request: str | VideoRequest | Mapping[str, Any],
        *,
        wait: bool = True,
        video_name: str | None = None,
        voice: str | Voice | NotGiven | None = NOT_GIVEN,
        brand: str | int | Brand | None = None,
        aspect_ratio: str | None = None,
        language: str | None = None,
        music: bool | str = True,
        save_project: bool | None = None,
        webhook: str | None = None,
        timeout: Duration = 1800.0,
        poll_interval: Duration = DEFAULT_POLL_INTERVAL,
        on_poll: Callable[[Job], object] | None = None,
        **options: Unpack[CreateOptions],
    ) -> Video | VideoJob:
        """Make a video in one call: render it and (by default) wait until it is done.

        A script becomes one narrated scene split at each sentence; an ``http(s)://``
        URL becomes a blog-to-video scene (Pictory reads the article). A
        ``VideoRequest`` or a mapping is rendered as it is (the shortcuts below are for
        a script only).

        Args:
            script_or_request: The script, a URL, a ``VideoRequest`` or a mapping.
            wait: Wait for the video (``True``), or return the render job at once.
            video_name: The video's name (default: the script's first words).
            voice: The narrator: a ``Voice`` from ``client.voices.list()`` or its name;
                default: Pictory's
                documented voice for ``language`` (``Martin`` for English); ``None``: a
                silent video.
            brand: A ``Brand`` from ``client.brands.list()`` (sent by its id), or a
                brand's name (a ``str``, sent as ``brandName``).
            aspect_ratio: ``"16:9"``, ``"9:16"``, ``"1:1"`` or ``"4:5"``.
            language: The script's language (``"en"``, ``"de"``, ...).
            music: Automatic background music (``True``), a track URL, or none.
            save_project: Also save it as a project in the account.
            webhook: A URL Pictory posts the result to.
            timeout: How long to wait, in seconds or a ``timedelta``.
            poll_interval: Seconds between polls (Pictory advises 10-30).
            on_poll: Called with the render's ``Job`` at each poll (see
                ``client.jobs.wait``).
            **options: ``extra_body`` for the render request; ``max_retries``,
                ``extra_headers`` and ``extra_query`` for every request.

        Returns:
            The ``Video`` (with ``wait=True``), else the ``VideoJob``.

        Raises:
            InvalidInputError: A bad script or request, or shortcuts given with a
                request; nothing was sent.
            JobFailedError: The render failed (Pictory's code and message in it).
            JobTimeoutError: ``timeout`` passed first; the render may still finish.
            APIError: A request failed (the render is never sent twice).
        """
        check_on_poll(on_poll)
        request = script_request(
            script_or_request,
            video_name=video_name,
            voice=voice,
            brand=brand,
            aspect_ratio=aspect_ratio,
            language=language,
            music=music,
            save_project=save_project,
            webhook=webhook,
        )
        job = await self.render(request, **cast("RequestOptions", options))
        if not wait:
            return job
        poll_options = cast(
            "WaitOptions", {key: value for key, value in options.items() if key != "extra_body"}
        )
        return await Jobs(self._client).wait(
            job, timeout=timeout, poll_interval=poll_interval, on_poll=on_poll, **poll_options
        )

    async def download(
        self,
        video: Video,
        dest_dir: str | PathLike[str],
        *,
        kinds: Iterable[str] | None = None,
        concurrency: int = 4,
        max_bytes: int = DEFAULT_MAX_ASSET_BYTES,
    ) -> dict[str, Asset]:
        """Download a video's files into ``dest_dir``, as ``projects.download_assets`` does.

        Streamed through the client's pipeline without the API key, each checked and
        renamed into place; named ``<project or job id>-<kind>.<ext>``.

        Args:
            video: The finished ``Video``.
            dest_dir: The directory (created if missing).
            kinds: Only these kinds (``video``, ``thumbnail``, ``srt``, ``vtt``, ``txt``);
                default: all the video has.
            concurrency: Files downloaded at once.
            max_bytes: Largest file accepted.

        Returns:
            The downloaded ``Asset`` of each kind.

        Raises:
            InvalidInputError: Not a ``Video``, an unknown kind, or a bad
                ``concurrency`` or ``max_bytes``.
            AssetDownloadError: A file could not be downloaded or written.
        """
        if not isinstance(video, Video):
            raise InvalidInputError(f"expected a Video, not {type(video).__name__}")
        check_download(kinds, concurrency, max_bytes)
        owner = video.project_id if video.project_id is not None else video.job_id
        downloader = Downloader(self._client._pipeline, max_bytes=max_bytes)
        return await download_assets_into(
            downloader, owner, video.assets, dest_dir, kinds=kinds, concurrency=concurrency
        )
