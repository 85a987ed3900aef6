"""Creating videos: storyboard previews, renders of them, of ``renderParams`` and of templates.

A storyboard job's result is a ``renderParams`` object (its scenes, and its elements each
with an ``id``) built from the request; ``PUT .../elements`` changes those elements. A
render makes a project record: listed when ``saveProject`` was true, else an unlisted
output the CDN still serves; either renders through ``State.start_render``, like a
project's render, and spends the account's quota (``charge``) before anything is made.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any, Final

from ._credits import debit
from ._lookups import premium_voice
from ._quota import charge
from ._references import reference_failure
from ._renders import JobRecord
from ._reply import Reply
from ._seed import ProjectFactory
from ._state import Handler, Routes
from ._store import ProjectRecord
from ._validate import (
    InvalidBodyError,
    check_elements,
    check_project,
    check_template_video,
    check_video,
    parse_json,
    parse_object,
)
from ._wire import (
    FORBIDDEN,
    PROJECT_NOT_FOUND,
    RENDER_RUNNING,
    ai_credits,
    dumps,
    job_started,
    project_body,
)

__all__ = ["VideoRoutes"]

_SIZES: Final = {
    "16:9": (1920, 1080),
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
}
_WORDS_PER_SECOND: Final = 2.5
_MIN_SCENE_SECONDS: Final = 3.0
_DEFAULT_SECONDS: Final = 30.0
_MAX_VIDEO_SECONDS: Final = 24 * 3600.0
_PROJECT_DEFAULTS: Final[dict[str, tuple[str, Any]]] = {
    # field: (wire name, the value when the body leaves it out)
    "script_language": ("scriptLanguage", "en"),
    "voice_over_id": ("voiceOverId", None),
    "audio_speed": ("audioSpeed", 100),
    "video_volume": ("videoVolume", 50),
    "brand_id": ("brandId", None),
    "smart_template_id": ("smartTemplateId", None),
    "scene_settings": ("scriptTxtSceneSettings", {}),
    "visual_filter": ("visualFilter", {"libraries": [], "styles": [], "categories": []}),
    "scenes": ("scenes", None),
    "project_type": ("projectType", None),
    "layout": ("layout", "16:9"),
}


def _scene_text(scene: Mapping[str, Any]) -> str:
    """What a scene says: its story, or a sentence standing for its other source."""
    if isinstance(scene.get("story"), str):
        return str(scene["story"]).strip()
    pilot = scene.get("storyCoPilot")
    if isinstance(pilot, Mapping):
        return f"A short {pilot.get('videoType', 'Explainer')} video: {pilot.get('prompt', '')}."
    for key, lead in (("blogUrl", "Highlights of"), ("pptUrl", "The slides of")):
        if scene.get(key):
            return f"{lead} {scene[key]}."
    for key in ("audioUrl", "videoUrl"):
        if scene.get(key):
            return f"What is said in {scene[key]}."
    return ""


def _seconds(scene: Mapping[str, Any], text: str) -> float:
    spoken = max(_MIN_SCENE_SECONDS, len(text.split()) / _WORDS_PER_SECOND) if text else 0.0
    minimum = scene.get("minimumDuration")
    if isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
        spoken = max(spoken, float(minimum))
    pause = scene.get("endPauseDuration")
    if isinstance(pause, (int, float)) and not isinstance(pause, bool):
        spoken += float(pause)
    return round(spoken or _MIN_SCENE_SECONDS, 2)


def _ids(seed: int, seq: int) -> Any:
    """Uuid-like ids for the scenes and elements of the job numbered ``seq``."""
    count = 0
    while True:
        digest = hashlib.sha256(f"element:{seed}:{seq}:{count}".encode()).hexdigest()
        yield f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"
        count += 1


def build_render_params(body: Mapping[str, Any], seed: int, seq: int) -> dict[str, Any]:
    """The ``renderParams`` of a checked video request: scenes, timed elements with ids."""
    ids = _ids(seed, seq)
    ratio = str(body.get("aspectRatio") or "16:9")
    width, height = _SIZES.get(ratio, _SIZES["16:9"])
    if "videoWidth" in body:
        width, height = body["videoWidth"], body["videoHeight"]
    voice = body.get("voiceOver") if isinstance(body.get("voiceOver"), Mapping) else None
    speakers = [v for v in (voice or {}).get("aiVoices") or [] if isinstance(v, Mapping)]
    scenes: list[dict[str, Any]] = []
    elements: list[dict[str, Any]] = []
    start = 0.0
    for index, scene in enumerate(body.get("scenes") or ()):
        text = _scene_text(scene)
        seconds = _seconds(scene, text)
        scene_id = str(scene.get("sceneId") or next(ids))
        scenes.append({"sceneId": scene_id, "story": text, "startTime": start, "duration": seconds})
        timing = {"sceneId": scene_id, "startTime": start, "duration": seconds}
        background = scene.get("background") if isinstance(scene.get("background"), Mapping) else {}
        elements.append(
            {
                "id": next(ids),
                "elementType": "background",
                "type": "color" if background.get("color") else background.get("type", "video"),
                **{k: background[k] for k in ("visualUrl", "color") if background.get(k)},
                **timing,
            }
        )
        if text and not scene.get("hideSubtitles"):
            elements.append(
                {"id": next(ids), "elementType": "subtitle", "type": "text", "text": text, **timing}
            )
        for given in scene.get("elements") or ():
            if isinstance(given, Mapping):
                kind = given.get("type", "text")
                elements.append(
                    {**given, "id": next(ids), "elementType": kind, "type": kind, **timing}
                )
        if text and voice is not None and voice.get("enabled") and speakers:
            speaker = speakers[index % len(speakers)].get("speaker")
            elements.append(
                {
                    "id": next(ids),
                    "elementType": "voiceOver",
                    "type": "audio",
                    "speaker": speaker,
                    **timing,
                }
            )
        start = round(start + seconds, 2)
    return {
        "videoName": body.get("videoName") or "Untitled video",
        "language": body.get("language") or "en",
        "output": {"width": width, "height": height, "aspectRatio": ratio, "format": "mp4"},
        "duration": start or _DEFAULT_SECONDS,
        "scenes": scenes,
        "elements": elements,
        "voiceOver": dict(voice) if voice is not None else {"enabled": False},
        "backgroundMusic": body.get("backgroundMusic") or {"enabled": False},
    }


def _from_template(
    request: Mapping[str, Any], templates: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """A video request made of a template's scenes, its variables filled in.

    ``request`` has ``templateId``, and may have ``variables`` (over the template's
    defaults), ``scenes`` (``{sceneId, story}`` replacing a scene's text) and ``videoName``.

    Raises:
        InvalidBodyError: No such template.
    """
    found = templates.get(str(request["templateId"]))
    if found is None:
        raise InvalidBodyError([("templateId", "no such template")])
    given = request.get("variables")
    variables = {**found["variables"], **(given if isinstance(given, Mapping) else {})}
    overrides = {s.get("sceneId"): s for s in request.get("scenes") or () if isinstance(s, Mapping)}
    scenes = []
    for scene in found["scenes"]:
        text = " ".join(line["text"] for line in scene["subtitles"])
        text = str(overrides.get(scene["sceneId"], {}).get("story") or text)
        for name, value in variables.items():
            text = text.replace("{{" + name + "}}", str(value))
        scenes.append({"sceneId": scene["sceneId"], "story": text})
    name = request.get("videoName") or found["name"]
    return {"videoName": name, "language": found["language"], "scenes": scenes}


def _project_scenes(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``scenes`` of the project of a render: the subtitles and transcript start with them."""
    return [
        {"sceneId": s.get("sceneId"), "text": str(s.get("story", "")), "sortOrder": n}
        for n, s in enumerate(params.get("scenes") or ())
        if isinstance(s, Mapping)
    ]


def _number(value: object) -> float | None:
    """``value`` as a finite number of seconds within a day, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= _MAX_VIDEO_SECONDS else None


def _duration(params: Mapping[str, Any]) -> float:
    """A render's length: ``duration``, else the end of its last element or scene."""
    given = _number(params.get("duration"))
    if given:
        return round(given, 2)
    ends = []
    for key in ("elements", "scenes"):
        items = params.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, Mapping):
                start, length = _number(item.get("startTime", 0)), _number(item.get("duration", 0))
                if start is not None and length is not None:
                    ends.append(start + length)
    return round(max(ends, default=0.0) or _DEFAULT_SECONDS, 2)


class VideoRoutes(Routes):
    """The video routes: each handler takes ``(account, ident, query, body, delay)``."""

    __slots__ = ()

    def handlers(self) -> dict[str, Handler]:
        """Route name to handler."""
        return {
            "storyboard": self._storyboard,
            "storyboard_render": self._storyboard_render,
            "render_preview": self._render_preview,
            "render_params": self._render_params,
            "elements": self._elements,
            "from_template": self._from_template,
            "update": self._update_project,
        }

    # -- making projects and jobs

    def _record(self, account: str, params: Mapping[str, Any], saved: bool) -> ProjectRecord:
        """A project (``saved``) or an unlisted output for the video of ``params``."""
        state = self._state
        factory: ProjectFactory = state.factory
        output = params.get("output")
        ratio = output.get("aspectRatio") if isinstance(output, Mapping) else None
        record = factory.make(
            account,
            name=str(params.get("videoName") or "Untitled video"),
            source="api",
            folder=None,
            schema_version="v3",
            layout=ratio if ratio in ("16:9", "9:16", "1:1") else "16:9",
            saved=state.wall(),
            generated=None,
            step="STORYBOARD",
            video_duration=_duration(params),
            script_language=str(params.get("language") or "en")[:2],
            voice_over_id=None,
            brand_id=None,
            smart_template_id=None,
            scenes=_project_scenes(params),
            project_type="text-to-video",
            in_progress=False,
        )
        (state.store if saved else state.outputs).add(record)
        return record

    def _charge(self, account: str, params: Mapping[str, Any]) -> None:
        """Spend the quota a render of ``params`` needs (all or nothing)."""
        seconds = _duration(params)
        minutes = max(1, math.ceil(seconds / 60))
        costs = {"videoMinutes": minutes, "aiCredits": ai_credits(seconds)}
        voice = params.get("voiceOver")
        if isinstance(voice, Mapping) and voice.get("enabled"):
            given = voice.get("aiVoices")
            voices = [v for v in given if isinstance(v, Mapping)] if isinstance(given, list) else []
            if any(premium_voice(v.get("speaker")) for v in voices):
                costs["elevenLabsVoiceOverMinutes"] = minutes
        state = self._state
        charge(state.quotas[account], costs)
        debit(state, account, costs["aiCredits"])

    def _render(
        self,
        account: str,
        params: dict[str, Any],
        saved: bool,
        delay: float,
        request: Mapping[str, Any] | None = None,
    ) -> Reply:
        """Start a render of ``params``, spending the quota it needs.

        A render whose ``request`` (default: ``params``) names an unknown voice or brand
        fails instead (``reference_failure``), and spends nothing.
        """
        brands = self._state.brands[account]
        failure = reference_failure(params if request is None else request, brands)
        if failure is None:
            self._charge(account, params)
        record = self._record(account, params, saved)
        job = self._state.start_render(record, failure)
        return job_started(job, delay)

    def _video_body(self, body: bytes) -> dict[str, Any]:
        """A checked video request; a ``templateId`` must exist, and gives missing scenes."""
        request = check_video(parse_object(body))
        if request.get("templateId") is not None:
            template = _from_template(request, self._state.templates)
            request.setdefault("scenes", template["scenes"])
        return request

    def _storyboard(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = self._video_body(body)
        state = self._state
        params = build_render_params(request, state.seed, len(state.jobs))
        failure = reference_failure(request, state.brands[account])
        saved = request.get("saveProject") is True and failure is None
        record = self._record(account, params, saved=True) if saved else None
        result = {
            "renderParams": params,
            "storyboard": {"videoName": params["videoName"], "scenes": params["scenes"]},
        }
        job = state.start_job(
            account,
            "storyboard",
            project=record,
            project_id=record.id if record is not None else None,
            result=result,
            failure=failure,
        )
        return job_started(job, delay)

    def _storyboard_render(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = self._video_body(body)
        params = build_render_params(request, self._state.seed, len(self._state.jobs))
        return self._render(account, params, request.get("saveProject") is True, delay, request)

    def _render_preview(
        self, account: str, job_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        if body.strip():
            parse_object(body)  # only ``webhook``: checked, then not used
        job = self._completed_storyboard(account, job_id, "storyboardJobId")
        params = job.result["renderParams"]
        record = job.project
        state = self._state
        if record is None or state.store.by_id.get(record.key) is not record:
            return self._render(account, params, False, delay)
        if state.fresh(record).in_progress:
            return Reply.answer(None, 409, RENDER_RUNNING, delay)
        # a changed element may name another voice
        failure = reference_failure(params, state.brands[account])
        if failure is None:
            self._charge(account, params)
        record.video_duration = _duration(params)
        record.scenes = _project_scenes(params)  # its subtitles say what the preview says
        started = state.start_render(record, failure)
        return job_started(started, delay)

    def _render_params(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        params = parse_object(body)
        if not any(isinstance(params.get(k), list) and params[k] for k in ("elements", "scenes")):
            raise InvalidBodyError(
                [("elements", "renderParams needs a non-empty elements or scenes array")]
            )
        return self._render(account, params, False, delay)

    def _elements(
        self, account: str, job_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        changes = check_elements(parse_json(body))
        job = self._completed_storyboard(account, job_id, "jobId")
        elements = {element["id"]: element for element in job.result["renderParams"]["elements"]}
        unknown = [
            (f"[{index}].id", f"no element {change['id']!r} in this storyboard")
            for index, change in enumerate(changes)
            if change["id"] not in elements
        ]
        if unknown:
            raise InvalidBodyError(unknown)
        for change in changes:
            elements[change["id"]].update(change)
        return Reply.answer("elements", 204, b"", delay, [(b"content-length", b"0")])

    def _from_template(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = check_template_video(parse_object(body))
        video = _from_template(request, self._state.templates)
        params = build_render_params(video, self._state.seed, len(self._state.jobs))
        params["templateId"] = request["templateId"]
        return self._render(account, params, request.get("saveProject") is True, delay)

    def _update_project(
        self, account: str, project_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        state = self._state
        record = state.store.by_id.get(project_id)
        if record is None:
            return Reply.answer("update", 404, PROJECT_NOT_FOUND, delay)
        if record.account != account:
            return Reply.answer("update", 403, FORBIDDEN, delay)
        given = check_project(parse_object(body))
        record.name = given["projectName"]
        for field, (wire, default) in _PROJECT_DEFAULTS.items():
            value = given.get(wire, default)
            setattr(record, field, dict(value) if isinstance(value, dict) else value)
        record.invalidate()
        state.fresh(record)
        return Reply.answer("update", 200, dumps(project_body(record, state.cdn_base_url)), delay)

    def _completed_storyboard(self, account: str, job_id: str, name: str) -> JobRecord:
        state = self._state
        job = state.jobs.get(job_id)
        if job is None or job.account != account or job.kind != "storyboard":
            raise InvalidBodyError([(name, f"no storyboard job {job_id!r}")])
        status = state.job_status(job)
        if status != "completed":
            raise InvalidBodyError([(name, f"the storyboard job is {status}, not completed")])
        return job
