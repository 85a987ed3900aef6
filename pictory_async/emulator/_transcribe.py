"""Transcription and highlights jobs: a transcript made up from the media URL, deterministically.

The same ``fileUrl`` and seed always give the same media length, words and timings. A
transcription's result holds the ``transcript`` (segments of timed words, with pause
markers), the ``txt``, ``srt`` and ``vtt`` files' contents, and ``mediaInfo``; it spends
``transcriptionMinutes``. Highlights pick the sentences that fit ``highlight_duration``
from a completed transcription (or from a transcript sent with the request).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any, Final

from ._media import subtitles
from ._quota import charge
from ._reply import Reply
from ._state import Handler, Routes
from ._validate import InvalidBodyError, check_highlights, check_transcription, parse_object
from ._wire import job_started

__all__ = ["TranscribeRoutes", "transcript_of"]

_WORDS: Final = (
    "today", "we", "look", "at", "how", "our", "team", "builds", "better", "videos", "with",
    "clear", "stories", "and", "simple", "tools", "that", "help", "every", "customer", "learn",
    "faster", "the", "next", "step", "is", "to", "share", "what", "works",
)  # fmt: skip
_SECONDS_PER_WORD: Final = 0.4
_PAUSE_SECONDS: Final = 0.6


def transcript_of(seed: int, file_url: str, media_type: str) -> dict[str, Any]:
    """The completed data of a transcription of ``file_url``.

    Returns:
        ``transcript`` (segments ``{uid, speakerId, words[]}``, each word ``{uid, word,
        start_time, end_time, speakerId, sentence_index, is_pause}``, a pause with
        ``pause_size``), ``txt``, ``srt``, ``vtt`` (the files' contents) and ``mediaInfo``.
    """
    rng = random.Random(f"transcript:{seed}:{file_url}")
    duration = round(rng.uniform(30, 300), 2)
    sentences: list[tuple[float, float, str]] = []
    segments: list[dict[str, Any]] = []
    clock = 0.0
    index = 0
    while clock < duration - 3:
        speaker = 1 + index % 2 if rng.random() < 0.3 else 1
        words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 12))]
        start, timed = clock, []
        for number, word in enumerate(words):
            text = word.capitalize() if number == 0 else word
            if number == len(words) - 1:
                text += "."
            timed.append(
                {
                    "uid": f"w{index}-{number}",
                    "word": text,
                    "start_time": round(clock, 2),
                    "end_time": round(clock + _SECONDS_PER_WORD, 2),
                    "speakerId": speaker,
                    "sentence_index": index,
                    "is_pause": False,
                }
            )
            clock += _SECONDS_PER_WORD
        sentences.append((start, clock, " ".join(str(w["word"]) for w in timed)))
        timed.append(
            {
                "uid": f"p{index}",
                "word": "",
                "start_time": round(clock, 2),
                "end_time": round(clock + _PAUSE_SECONDS, 2),
                "speakerId": speaker,
                "sentence_index": index,
                "is_pause": True,
                "pause_size": "small",
            }
        )
        clock += _PAUSE_SECONDS
        segments.append({"uid": f"s{index}", "speakerId": speaker, "words": timed})
        index += 1
    info: dict[str, Any] = {"duration": duration, "mediaType": media_type, "fileUrl": file_url}
    if media_type == "video":
        info.update(width=1920, height=1080, aspectRatio="16:9")
    return {
        "transcript": segments,
        "txt": "\n".join(text for _, _, text in sentences) + "\n",
        "srt": subtitles(sentences, "srt"),
        "vtt": subtitles(sentences, "vtt"),
        "mediaInfo": info,
    }


def _seconds(value: object) -> float:
    """A word's time: a finite number, else 0 (a custom transcript may be sloppy)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


def _sentences(transcript: list[Any]) -> list[tuple[float, float, str]]:
    """``(start, end, text)`` of each sentence of a transcript (pauses left out)."""
    found: dict[int, list[Mapping[str, Any]]] = {}
    for segment in transcript:
        words = segment.get("words") if isinstance(segment, Mapping) else None
        for word in words if isinstance(words, list) else [segment]:
            if isinstance(word, Mapping) and not word.get("is_pause") and word.get("word"):
                index = word.get("sentence_index")
                key = index if isinstance(index, int) and not isinstance(index, bool) else 0
                found.setdefault(key, []).append(word)
    return [
        (
            _seconds(words[0].get("start_time")),
            _seconds(words[-1].get("end_time")),
            " ".join(str(w["word"]) for w in words),
        )
        for _, words in sorted(found.items())
    ]


def highlights_of(transcript: list[Any], seconds: float) -> dict[str, Any]:
    """The sentences of ``transcript`` that fit in ``seconds``, from the start, with their times."""
    chosen: list[dict[str, Any]] = []
    total = 0.0
    for start, end, text in _sentences(transcript):
        if chosen and total + (end - start) > seconds:
            break
        chosen.append({"startTime": start, "endTime": end, "text": text})
        total += end - start
    return {"highlightDuration": seconds, "duration": round(total, 2), "highlights": chosen}


class TranscribeRoutes(Routes):
    """The transcription routes: each handler takes ``(account, ident, query, body, delay)``."""

    __slots__ = ()

    def handlers(self) -> dict[str, Handler]:
        """Route name to handler."""
        return {
            "transcription": self._transcription,
            "highlights": self._highlights,
            "custom_highlights": self._custom_highlights,
        }

    def _transcription(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = check_transcription(parse_object(body))
        state = self._state
        result = transcript_of(state.seed, request["fileUrl"], request["mediaType"])
        if "transcript" in request:
            result["transcript"] = request["transcript"]
        minutes = max(1, math.ceil(result["mediaInfo"]["duration"] / 60))
        charge(state.quotas[account], {"transcriptionMinutes": minutes})
        result["language"] = request["language"]
        return job_started(state.start_job(account, "transcription", result=result), delay)

    def _highlights(
        self, account: str, job_id: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = check_highlights(parse_object(body) if body.strip() else {})
        state = self._state
        job = state.jobs.get(job_id)
        if job is None or job.account != account or job.kind != "transcription":
            raise InvalidBodyError([("jobId", f"no transcription job {job_id!r}")])
        status = state.job_status(job)
        if status != "completed":
            raise InvalidBodyError([("jobId", f"the transcription job is {status}, not completed")])
        result = highlights_of(job.result["transcript"], float(request["highlight_duration"]))
        result["transcriptionJobId"] = job.id
        return job_started(state.start_job(account, "highlights", result=result), delay)

    def _custom_highlights(
        self, account: str, ident: str, query: bytes, body: bytes, delay: float
    ) -> Reply:
        request = check_highlights(parse_object(body), custom=True)
        result = highlights_of(request["transcript"], float(request["highlight_duration"]))
        return job_started(self._state.start_job(account, "highlights", result=result), delay)
