"""The request bodies of the job-starting endpoints: videos, templates, transcriptions.

The ``Legacy*`` classes describe the older storyboard body of Pictory's first public
examples (``audio``, scene ``text``, ...), which a plain mapping may still use; they
are only read for its names.

Plain, frozen attrs classes with snake_case names and no I/O; ``_converter.request_body``
sends them with Pictory's camelCase names, leaving out every field left ``None`` (the
API's default applies). A name the class does not have is a ``TypeError`` at
construction; the documented rules between fields (``brand_id`` with ``brand_name``,
...) are checked by ``_payload`` before the request, for these bodies and for plain
mappings alike. Levels the library does not model (scene ``elements``, ``background``,
font styles, avatars) are mappings sent as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from .._converter import spread, wire

__all__ = [
    "AiVoice",
    "BackgroundMusic",
    "ExternalVoice",
    "HighlightsRequest",
    "LegacyAudio",
    "LegacyScene",
    "LegacyVideoRequest",
    "Logo",
    "PremiumVoiceSettings",
    "TemplateVideoRequest",
    "TranscriptionRequest",
    "VideoRequest",
    "VideoScene",
    "VoiceOver",
]

JSONObject = Mapping[str, Any]


@attrs.frozen(kw_only=True)
class PremiumVoiceSettings:
    """ElevenLabs settings of an AI voice (``premiumVoiceSettings``); percentages as ``"60%"``."""

    model_id: str | None = None
    stability: str | None = None
    similarity_boost: str | None = None
    style: str | None = None
    use_speaker_boost: bool | None = None


@attrs.frozen(kw_only=True)
class AiVoice:
    """One AI narrator (``voiceOver.aiVoices[]``); several rotate across the scenes.

    Attributes:
        speaker: A voice name (``"Martin"``), numeric track id or provider voice id
            (``client.voices`` lists them).
        speed: 50-200 (the API's default 100).
        amplification_level: -1 to 1.
        premium_voice_settings: ElevenLabs voices only.
    """

    speaker: str | int
    speed: int | None = None
    amplification_level: float | None = None
    premium_voice_settings: PremiumVoiceSettings | None = None


@attrs.frozen(kw_only=True)
class ExternalVoice:
    """A recorded narration (``voiceOver.externalVoice``) instead of AI voices."""

    voice_url: str
    sync_voice: bool | None = None
    amplification_level: float | None = None


@attrs.frozen(kw_only=True)
class VoiceOver:
    """Narration (``voiceOver``). Without one the video is silent.

    ``ai_voices`` and ``external_voice`` exclude each other.
    """

    enabled: bool = True
    ai_voices: Sequence[AiVoice] | None = None
    external_voice: ExternalVoice | None = None


@attrs.frozen(kw_only=True)
class BackgroundMusic:
    """Background music (``backgroundMusic``): ``auto_music`` or a ``music_url``, not both.

    Attributes:
        enabled: Whether music plays.
        auto_music: Pictory picks a track that fits.
        music_url: A track of your own (``client.music`` searches Pictory's).
        volume: 0-1. Set it: the API plays music at full volume when it is left out.
        clips: Parts of the track (``{"start", "end"}`` in seconds, at most 10).
    """

    enabled: bool = True
    auto_music: bool | None = None
    music_url: str | None = None
    volume: float | None = None
    clips: Sequence[JSONObject] | None = None


@attrs.frozen(kw_only=True)
class Logo:
    """A logo over the whole video (``logo``): e.g. ``position="top-right"``, ``width="10%"``."""

    url: str
    position: str | None = None
    width: str | None = None


@attrs.frozen(kw_only=True)
class VideoScene:
    """One scene (``scenes[]``): one content source, or only a ``background``.

    The sources are ``story`` (text), ``story_co_pilot`` (a prompt Pictory writes the
    script from), ``blog_url``, ``ppt_url``, ``audio_url`` and ``video_url``; exactly one,
    or none with a ``background`` (a visual-only scene). ``audio_url`` and ``video_url``
    need ``audio_language``. ``background``, ``elements``, ``subtitle_style`` and
    ``avatar`` are sent as given (see Pictory's request schema); ``extra`` carries any
    other scene field, merged into the scene.
    """

    story: str | None = None
    is_ssml_story: bool | None = attrs.field(default=None, metadata=wire("isSSMLStory"))
    story_co_pilot: JSONObject | None = None
    blog_url: str | None = None
    ppt_url: str | None = None
    audio_url: str | None = None
    video_url: str | None = None
    audio_language: str | None = None
    transcript: Sequence[JSONObject] | None = None
    media_repurpose_settings: JSONObject | None = None
    caption: str | None = None
    create_scene_on_new_line: bool | None = None
    create_scene_on_end_of_sentence: bool | None = None
    max_subtitle_lines: int | None = None
    highlight_keywords: bool | None = None
    hide_subtitles: bool | None = None
    minimum_duration: float | None = None
    end_pause_duration: float | None = None
    scene_transition: str | None = None
    subtitle_style: JSONObject | None = None
    background: JSONObject | None = None
    background_brolls: Sequence[JSONObject] | None = None
    background_corpus: Sequence[JSONObject] | None = None
    voice_over: VoiceOver | None = None
    background_music: JSONObject | None = None
    avatar: JSONObject | None = None
    elements: Sequence[JSONObject] | None = None
    extra: JSONObject = attrs.field(factory=dict, metadata=spread())


@attrs.frozen(kw_only=True)
class VideoRequest:
    """The body of ``POST /v2/video/storyboard`` and ``.../storyboard/render``.

    Every field is optional on the wire but ``video_name`` and ``scenes`` (not needed
    with a ``template_id``). Sizes are ``aspect_ratio`` (``"16:9"``, ``"9:16"``,
    ``"1:1"``, ``"4:5"``) or ``video_width`` with ``video_height``. Name a brand, a
    subtitle style and a smart layout by id or by name, not both.
    """

    video_name: str | None = None
    video_width: int | None = None
    video_height: int | None = None
    aspect_ratio: str | None = None
    language: str | None = None
    save_project: bool | None = None
    webhook: str | None = None
    webhook_input: JSONObject | None = None
    template_id: str | None = None
    variables: Mapping[str, str] | None = None
    brand_id: str | int | None = None
    brand_name: str | None = None
    smart_layout_id: str | None = None
    smart_layout_name: str | None = None
    subtitle_style_id: str | None = None
    subtitle_style_name: str | None = None
    subtitle_style: JSONObject | None = None
    voice_over: VoiceOver | None = None
    background_music: BackgroundMusic | None = None
    logo: Logo | None = None
    avatar: JSONObject | None = None
    visual_library_id: str | None = None
    visual_selection_preference: str | None = None
    destinations: Sequence[JSONObject] | None = None
    aws_connection_id: str | None = None
    vimeo_connection_id: str | None = None
    project_metadata: JSONObject | None = None
    storyboard_version: str | None = None
    scenes: Sequence[VideoScene] | None = None


@attrs.frozen(kw_only=True)
class TemplateVideoRequest:
    """The body of ``POST /v1/video/from-template``.

    Attributes:
        template_id: The template (``client.templates`` lists them).
        variables: Values of the template's variables, by name.
        scenes: Changes to the template's scenes (``{"sceneId": ..., ...}``), as given.
        audio: The audio settings, as given.
        webhook: A URL Pictory posts the result to.
    """

    template_id: str
    variables: Mapping[str, str] | None = None
    scenes: Sequence[JSONObject] | None = None
    audio: JSONObject | None = None
    webhook: str | None = None


@attrs.frozen(kw_only=True)
class TranscriptionRequest:
    """The body of ``POST /v2/transcription``.

    Attributes:
        file_url: The video or audio to transcribe (a URL Pictory can fetch).
        media_type: ``"video"`` or ``"audio"``.
        language: The spoken language, e.g. ``"en-US"``.
        webhook: A URL Pictory posts the result to.
        transcript: A transcript of your own to align, as given.
    """

    file_url: str
    media_type: Literal["video", "audio"] = "video"
    language: str = "en-US"
    webhook: str | None = None
    transcript: Sequence[JSONObject] | None = None


@attrs.frozen(kw_only=True)
class HighlightsRequest:
    """The body of ``POST /v2/transcription/{jobId}/highlights`` (or ``.../highlights``).

    Attributes:
        highlight_duration: Seconds of highlights wanted (sent as ``highlight_duration``).
        language: The spoken language, e.g. ``"en-US"``.
        webhook: A URL Pictory posts the result to.
        transcript: A transcript of your own (segments with timed ``words``), for
            ``POST /v2/transcription/highlights``; the job path takes the job's.
    """

    highlight_duration: float | None = attrs.field(
        default=None, metadata=wire("highlight_duration")
    )
    language: str | None = None
    webhook: str | None = None
    transcript: Sequence[JSONObject] | None = None


@attrs.frozen(kw_only=True)
class LegacyVoice:
    """``audio.aiVoiceOver`` of the older body."""

    speaker: str | int | None = None
    speed: int | None = None
    amplify_level: float | None = None


@attrs.frozen(kw_only=True)
class LegacyAudio:
    """``audio`` of the older body: the voice-over and the music in one object."""

    auto_background_music: bool | str | None = None
    back_ground_music_volume: float | None = None
    ai_voice_over: LegacyVoice | None = None
    voice_over_uri: str | None = None
    auto_sync_voice_over: bool | None = None


@attrs.frozen(kw_only=True)
class LegacyLogo:
    """``brandLogo`` of the older body."""

    url: str | None = None
    vertical_alignment: str | None = None
    horizontal_alignment: str | None = None


@attrs.frozen(kw_only=True)
class LegacyScene:
    """A scene of the older body: ``text`` or ``article_url``, and its text style."""

    text: str | None = None
    article_url: str | None = attrs.field(default=None, metadata=wire("article_url"))
    font_family: str | None = None
    text_color: str | None = None
    font_size: int | None = None
    text_background_color: str | None = None
    voice_over: bool | None = None
    split_text_on_new_line: bool | None = None
    split_text_on_period: bool | None = None
    background_uri: str | None = None
    background_type: str | None = None
    background_video_segments: Sequence[JSONObject] | None = None


@attrs.frozen(kw_only=True)
class LegacyVideoRequest:
    """The older storyboard body of Pictory's first public examples (names only)."""

    video_name: str | None = None
    video_description: str | None = None
    language: str | None = None
    webhook: str | None = None
    audio: LegacyAudio | None = None
    brand_logo: LegacyLogo | None = None
    scenes: Sequence[LegacyScene] | None = None
