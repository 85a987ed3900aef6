"""``client.transcriptions``: transcribing a video or audio file, and its highlights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._exceptions import InvalidInputError
from .._jobs import validate_job_id
from .._models.results import HighlightsJob, Transcription, TranscriptionJob
from .._models.videos import HighlightsRequest, TranscriptionRequest
from .._paths import TRANSCRIPTION, TRANSCRIPTION_HIGHLIGHTS, job_path
from .._payload import highlights_body, transcription_body
from ._base import Resource
from ._start import start_job

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import RequestOptions

__all__ = ["Transcriptions"]

_AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".wma")


def _media_type(url: str) -> Literal["video", "audio"]:
    """``audio`` for a URL whose path ends like an audio file, else ``video``."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return "audio" if path.endswith(_AUDIO_SUFFIXES) else "video"


class Transcriptions(Resource):
    """Transcripts (and subtitles) of media files, and highlights of a transcript."""

    async def create(
        self,
        file_url_or_request: str | TranscriptionRequest | Mapping[str, Any],
        *,
        media_type: Literal["video", "audio"] | None = None,
        language: str | None = None,
        webhook: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionJob:
        """Start transcribing a file (``POST /v2/transcription``).

        Args:
            file_url_or_request: The media's URL (Pictory fetches it), or a
                ``TranscriptionRequest`` or a mapping of Pictory's JSON names.
            media_type: ``"video"`` or ``"audio"``; default: from the URL's extension.
            language: The spoken language (default ``"en-US"``).
            webhook: A URL Pictory posts the result to.
            **options: Per-call options.

        Returns:
            The job; ``client.jobs.wait(job)`` returns its ``Transcription`` (transcript,
            ``srt``, ``vtt``, ``txt``).

        Raises:
            InvalidInputError: No URL, an unknown field name or media type, or keywords
                given with a request; nothing was sent.
            APIError: The request failed; it is never sent twice.
        """
        request: TranscriptionRequest | Mapping[str, Any]
        if isinstance(file_url_or_request, str):
            url = file_url_or_request.strip()
            if not url:
                raise InvalidInputError("file_url is empty")
            request = TranscriptionRequest(
                file_url=url,
                media_type=media_type or _media_type(url),
                language=language or "en-US",
                webhook=webhook,
            )
        else:
            if (media_type, language, webhook) != (None, None, None):
                raise InvalidInputError(
                    "media_type, language and webhook apply to a URL; set them in the request"
                )
            request = file_url_or_request
        body = transcription_body(request)
        return await start_job(self._client, TranscriptionJob, "POST", TRANSCRIPTION, body, options)

    async def highlights(
        self,
        transcription: TranscriptionJob | Transcription | str,
        *,
        duration: float | None = None,
        language: str | None = None,
        webhook: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> HighlightsJob:
        """Start picking highlights of a finished transcription.

        ``POST /v2/transcription/{jobId}/highlights``.

        Args:
            transcription: The transcription job (its handle, its ``Transcription`` or id).
            duration: Seconds of highlights wanted (``highlight_duration``).
            language: The spoken language.
            webhook: A URL Pictory posts the result to.
            **options: Per-call options.

        Returns:
            The job; ``client.jobs.wait(job)`` returns its ``Highlights``.

        Raises:
            InvalidInputError: An unsafe job id or a duration that is not positive;
                nothing was sent.
            APIError: The request failed; it is never sent twice.
        """
        job_id = (
            transcription.job_id
            if isinstance(transcription, Transcription)
            else validate_job_id(transcription)
        )
        path = job_path(job_id, under=TRANSCRIPTION) + "/highlights"
        body = highlights_body(
            HighlightsRequest(highlight_duration=duration, language=language, webhook=webhook)
        )
        return await start_job(self._client, HighlightsJob, "POST", path, body, options)

    async def highlights_from_transcript(
        self,
        transcript: Sequence[Mapping[str, Any]],
        *,
        duration: float | None = None,
        language: str | None = None,
        webhook: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> HighlightsJob:
        """Start picking highlights of a transcript of your own.

        ``POST /v2/transcription/highlights``.

        Args:
            transcript: The transcript: segments with timed ``words``, as a
                ``Transcription.transcript`` holds them.
            duration: Seconds of highlights wanted (``highlight_duration``).
            language: The spoken language.
            webhook: A URL Pictory posts the result to.
            **options: Per-call options.

        Returns:
            The job; ``client.jobs.wait(job)`` returns its ``Highlights``.

        Raises:
            InvalidInputError: An empty transcript or a duration that is not positive;
                nothing was sent.
            APIError: The request failed; it is never sent twice.
        """
        request = HighlightsRequest(
            highlight_duration=duration, language=language, webhook=webhook, transcript=transcript
        )
        body = highlights_body(request)
        return await start_job(
            self._client, HighlightsJob, "POST", TRANSCRIPTION_HIGHLIGHTS, body, options
        )
