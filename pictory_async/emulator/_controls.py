"""The facade's controls of jobs and catalogues: durations, failures, webhooks, templates, brands.

A mixin of ``Emulator``: each control reads or changes the ``State`` the routes share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._deliveries import WebhookStats
from ._lookups import make_brand, make_template
from ._renders import JobKind, JobRecord
from ._starts import created_jobs
from ._state import State, check_seconds
from ._webhooks import WebhookSender

__all__ = ["JobControls"]


class JobControls:
    """Jobs (their duration, failures, records) and the templates and brands the API lists."""

    _state: State
    webhooks: WebhookSender

    @property
    def render_duration(self) -> float:
        """Seconds a render started through the API takes on the emulator's clock."""
        return self._state.render_duration

    def set_render_duration(self, seconds: float) -> None:
        """Make renders started from now on take ``seconds`` on the clock (0: at once).

        Raises:
            ValueError: Not a finite number >= 0.
        """
        self._state.render_duration = check_seconds(seconds, "seconds")

    def fail_next_render(
        self,
        *,
        error_code: str = "RENDER_FAILED",
        error_message: str = "The render failed",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` renders fail when they end, with this code and message.

        The job then answers ``{"success": false, "data": {"status": "failed",
        "error_code": ..., "error_message": ...}}`` and the project gets no new video: it
        keeps an earlier render's (as Pictory's does), without its ``generatedDate``.

        Raises:
            ValueError: An empty code or message, or ``times`` below 1.
        """
        self._state.script_job_failures(error_code, error_message, times, "render")

    def fail_next_job(
        self,
        *,
        error_code: str = "TEXT_TO_VIDEO_FAILED",
        error_message: str = "The video could not be created",
        times: int = 1,
        kind: JobKind | None = None,
    ) -> None:
        """Make the next ``times`` jobs (of ``kind``, if given) fail when they end.

        Kinds: ``render`` (any video: a project's, a storyboard's, a template's),
        ``storyboard``, ``transcription``, ``highlights``. Failures scripted here and with
        :meth:`fail_next_render` share one queue, taken in order by the jobs they match.

        Raises:
            ValueError: An empty code or message, ``times`` below 1, or an unknown kind.
        """
        self._state.script_job_failures(error_code, error_message, times, kind)

    def start_render(self, project_id: int | str) -> JobRecord:
        """Start a render of a project, as ``POST .../render`` does, and return its job.

        Raises:
            KeyError: No such project.
            ValueError: The project is already rendering.
        """
        return self._state.start_render(self._state.record(project_id))

    def job(self, job_id: str) -> JobRecord | None:
        """The job with this id (of any kind), or None."""
        job = self._state.jobs.get(job_id)
        if job is not None:
            self._state.job_status(job)
        return job

    def job_status(self, job_id: str) -> str:
        """The status the API gives a job now: ``in-progress``, ``completed``, ...

        Raises:
            KeyError: No such job.
        """
        return self._state.job_status(self._state.job(job_id))

    def jobs(self, account: str | None = None) -> list[JobRecord]:
        """The jobs of an account (default: the main one), newest first."""
        state = self._state
        return state.account_jobs(state.account(account))

    def jobs_created(
        self, *, kind: JobKind | None = None, route: str | None = None, account: str | None = None
    ) -> list[JobRecord]:
        """The jobs API requests made since the start or ``reset``, oldest first.

        Lost answers included (``job.answer_lost``); requests refused (a 400, a 402, an
        injected 5xx) made none. Each job carries its ``route``, its ``request`` (the JSON
        body) and its ``webhook``: ``Counter(j.request["videoName"] for j in ...)`` counts
        the videos made per name.

        Args:
            kind: Only jobs of this kind (``render``, ``storyboard``, ...).
            route: Only jobs of this route (``storyboard_render``, ``from_template``, ...).
            account: Only jobs of this account.
        """
        return created_jobs(self._state, kind=kind, route=route, account=account)

    @property
    def webhook_stats(self) -> WebhookStats:
        """What the webhook sender sent, was answered, lost and refused (see ``WebhookStats``)."""
        return self.webhooks.stats

    def forge_webhook(
        self, url: str, *, job_id: str | None = None, status: str = "completed"
    ) -> str:
        """Send ``url`` a made-up webhook claiming a job is ``status``, as an attacker would.

        Sent at once by the running sender (``serve`` or ``spawn``), counted as ``forged``.

        Args:
            url: A loopback URL (as every webhook).
            job_id: The job it claims to be about: one still running, one of another
                account, or (default) an id no job has.
            status: ``completed`` (with made-up media), ``failed`` or ``in-progress``.

        Returns:
            The job id the body carries.

        Raises:
            ValueError: A URL not on loopback, or an unknown status.
        """
        if job_id is None:
            job_id = f"forged-{self._state.dice.webhooks.getrandbits(64):016x}"
        self.webhooks.forge(url, job_id, status)
        return job_id

    def clean_job(self, job_id: str) -> None:
        """Clean a finished job's data, as ``DELETE /pictoryapis/v1/jobs/{id}/clean`` does.

        Idempotent: cleaning a cleaned job does nothing.

        Raises:
            KeyError: No such job.
            ValueError: The job is still running.
        """
        self._state.clean(self._state.job(job_id))

    def templates(self) -> list[dict[str, Any]]:
        """The templates ``GET /v1/templates`` lists: three built in, then those added."""
        return list(self._state.templates.values())

    def add_template(
        self,
        *,
        name: str,
        scenes: Sequence[str],
        variables: Mapping[str, str] | None = None,
        template_id: str | None = None,
        language: str = "en",
    ) -> dict[str, Any]:
        """Add a template to ``GET /v1/templates``, for ``from-template`` and storyboards.

        Args:
            name: Its name.
            scenes: The subtitle text of each scene; ``{{Name}}`` is a variable.
            variables: Variable name to its default value.
            template_id: Its id (default: one made from the name).
            language: Its language.

        Returns:
            The template as ``GET /v1/templates`` lists it.

        Raises:
            ValueError: No scenes, a value of the wrong type, or the id is taken.
        """
        template = make_template(
            name, dict(variables or {}), tuple(scenes), template_id=template_id, language=language
        )
        templates = self._state.templates
        if template["templateId"] in templates:
            raise ValueError(f"a template with id {template['templateId']!r} already exists")
        templates[template["templateId"]] = template
        return template

    def brands(self, account: str | None = None) -> list[dict[str, Any]]:
        """The brands ``GET /v1/brands/video`` lists to an account (default: the main one)."""
        state = self._state
        return list(state.brands[state.account(account)])

    def add_brand(
        self, *, name: str, brand_id: str | None = None, account: str | None = None
    ) -> dict[str, Any]:
        """Give an account (default: the main one) a brand, which videos may then name.

        A video naming a brand its account lacks (``brandId`` or ``brandName``) fails.

        Args:
            name: Its name (``brandName`` matches it in any case).
            brand_id: Its id (default: one made from the name).
            account: The account.

        Returns:
            The brand as ``GET /v1/brands/video`` lists it: ``{id, name}``.

        Raises:
            ValueError: An empty name or id, an unknown account, or the id is taken.
        """
        state = self._state
        listed = state.brands[state.account(account)]
        brand = make_brand(name, brand_id)
        if any(known["id"] == brand["id"] for known in listed):
            raise ValueError(f"a brand with id {brand['id']!r} already exists")
        listed.append(brand)
        return brand
