"""What an application sees of the pipeline: the ``pictory_async`` logger and OTel spans.

Both run on the default (aiohttp) transport against ``RawServer`` on 127.0.0.1: every
request goes through ``httpx.AsyncClient.send``, so httpx instrumentation sees it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _rawserver import RawServer, Seen, response
from _support import API_KEY, PROJECTS_PATH, FakeTime
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from pictory_async import AsyncPictory
from pictory_async._logs import setup_from_env

JSON = [("Content-Type", "application/json")]
PROJECT = b'{"projectName": "observed"}'
EMPTY_PAGE = b'{"items": [], "pageKey": null}'
UNAVAILABLE = response(503, b'{"message": "busy"}', JSON, "Service Unavailable")


def scripted(*answers: bytes) -> Callable[[Seen], bytes]:
    """Answer with ``answers`` in turn, then keep answering with the last one."""
    queue = list(answers)
    return lambda seen: queue.pop(0) if len(queue) > 1 else queue[0]


def api(server: RawServer, fake_time: FakeTime, **options: Any) -> AsyncPictory:
    """A default client for ``server`` that waits on fake time."""
    return AsyncPictory(
        api_key=API_KEY,
        base_url=server.url,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        **options,
    )


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the machine running the tests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# -- logging ---------------------------------------------------------------------------


@pytest.fixture
def library_logger() -> Iterator[logging.Logger]:
    """The ``pictory_async`` logger, restored (handlers, level) after the test."""
    logger = logging.getLogger("pictory_async")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def env_handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers ``PICTORY_LOG`` attached."""
    return [h for h in logger.handlers if getattr(h, "_pictory_env", False)]


def test_the_library_logger_has_a_null_handler(library_logger: logging.Logger) -> None:
    """An application without logging configured gets no stray output from the library."""
    assert any(isinstance(h, logging.NullHandler) for h in library_logger.handlers)


def test_pictory_log_debug_adds_one_stderr_handler_once(library_logger: logging.Logger) -> None:
    """``PICTORY_LOG=debug`` attaches one stderr handler at DEBUG, however often it runs."""
    before = list(library_logger.handlers)
    setup_from_env({"PICTORY_LOG": "debug"})
    setup_from_env({"PICTORY_LOG": " DEBUG "})
    added = [h for h in library_logger.handlers if h not in before]
    assert 1 == len(added)
    assert added == env_handlers(library_logger)
    handler = added[0]
    assert isinstance(handler, logging.StreamHandler)
    assert sys.stderr is handler.stream
    assert logging.DEBUG == library_logger.level


def test_pictory_log_info_sets_info(library_logger: logging.Logger) -> None:
    """``PICTORY_LOG=info`` attaches the handler at INFO."""
    setup_from_env({"PICTORY_LOG": "info"})
    assert 1 == len(env_handlers(library_logger))
    assert logging.INFO == library_logger.level


def test_pictory_log_info_after_debug_lowers_the_level_keeping_one_handler(
    library_logger: logging.Logger,
) -> None:
    """A second call changes the level and still leaves one handler."""
    setup_from_env({"PICTORY_LOG": "debug"})
    setup_from_env({"PICTORY_LOG": "info"})
    assert 1 == len(env_handlers(library_logger))
    assert logging.INFO == library_logger.level


@pytest.mark.parametrize("environ", [{}, {"PICTORY_LOG": ""}, {"PICTORY_LOG": "verbose"}])
def test_other_pictory_log_values_do_nothing(
    environ: dict[str, str], library_logger: logging.Logger
) -> None:
    """Without ``PICTORY_LOG=debug|info`` the logger is left as it was."""
    handlers, level = list(library_logger.handlers), library_logger.level
    setup_from_env(environ)
    assert handlers == library_logger.handlers
    assert level == library_logger.level


LINE = re.compile(
    r"(?P<what>GET \S+) -> (?P<status>\d{3}) \(attempt (?P<attempt>\d+), "
    r"(?P<ms>\d+\.\d) ms(?:, request id (?P<rid>\S+))?\)"
)


async def test_debug_logs_each_attempt_without_the_key(
    caplog: pytest.LogCaptureFixture, fake_time: FakeTime
) -> None:
    """At DEBUG each attempt logs method, path and query, status, attempt, duration, id."""
    caplog.set_level(logging.DEBUG)
    ok = response(200, EMPTY_PAGE, [*JSON, ("x-request-id", "req-42")])
    async with (
        RawServer(scripted(UNAVAILABLE, ok)) as server,
        api(server, fake_time) as client,
    ):
        assert [] == [summary async for summary in client.projects.list(folder="f 1")]
    lines = [
        match.groupdict()
        for record in caplog.records
        if record.name == "pictory_async"
        and record.levelno == logging.DEBUG
        and (match := LINE.fullmatch(record.getMessage()))
    ]
    what = f"GET {PROJECTS_PATH}?folder=f+1"
    assert [(what, "503", "1", None), (what, "200", "2", "req-42")] == [
        (line["what"], line["status"], line["attempt"], line["rid"]) for line in lines
    ]
    assert API_KEY not in caplog.text
    assert all(API_KEY not in record.getMessage() for record in caplog.records)


async def test_pictory_log_debug_writes_requests_to_stderr_without_the_key(
    library_logger: logging.Logger,
    capsys: pytest.CaptureFixture[str],
    fake_time: FakeTime,
) -> None:
    """The ``PICTORY_LOG`` handler shows the request line on stderr, never the key."""
    library_logger.propagate = False
    setup_from_env({"PICTORY_LOG": "debug"})
    async with (
        RawServer(scripted(response(200, PROJECT, JSON))) as server,
        api(server, fake_time) as client,
    ):
        await client.projects.get("p1")
    err = capsys.readouterr().err
    assert f"GET {PROJECTS_PATH}/p1 -> 200 (attempt 1, " in err
    assert API_KEY not in err


# -- OpenTelemetry -----------------------------------------------------------------------


def attribute(span: ReadableSpan, *names: str) -> object:
    """The first of ``names`` the span has (old or new HTTP semantic conventions)."""
    attributes = span.attributes or {}
    for name in names:
        if name in attributes:
            return attributes[name]
    return None


async def test_opentelemetry_sees_one_client_span_per_attempt(fake_time: FakeTime) -> None:
    """``instrument_client(client.http_client)``: a span per attempt, none with the key."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    ok = response(200, PROJECT, JSON)
    async with (
        RawServer(scripted(UNAVAILABLE, UNAVAILABLE, ok)) as server,
        api(server, fake_time) as client,
    ):
        HTTPXClientInstrumentor().instrument_client(client.http_client, tracer_provider=provider)
        try:
            await client.projects.get("p1")
        finally:
            HTTPXClientInstrumentor().uninstrument_client(client.http_client)
        await client.projects.get("p2")  # not traced any more
    spans = exporter.get_finished_spans()
    assert [SpanKind.CLIENT] * 3 == [span.kind for span in spans]
    assert ["GET"] * 3 == [attribute(span, "http.request.method", "http.method") for span in spans]
    assert [503, 503, 200] == [
        attribute(span, "http.response.status_code", "http.status_code") for span in spans
    ]
    assert [f"{server.url}{PROJECTS_PATH}/p1"] * 3 == [
        attribute(span, "url.full", "http.url") for span in spans
    ]
    for span in spans:
        assert API_KEY not in span.name
        assert API_KEY not in repr(dict(span.attributes or {}))
        assert API_KEY not in repr([(e.name, dict(e.attributes or {})) for e in span.events])
        assert API_KEY not in span.to_json()
    provider.shutdown()


async def test_opentelemetry_sees_requests_through_an_environment_proxy(
    fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proxied requests (an httpx mount per proxy) are traced too."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with RawServer(scripted(response(200, PROJECT, JSON))) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        client = AsyncPictory(
            api_key=API_KEY,
            base_url="http://api.pictory.invalid",
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
        async with client:
            HTTPXClientInstrumentor().instrument_client(
                client.http_client, tracer_provider=provider
            )
            try:
                await client.projects.get("p1")
            finally:
                HTTPXClientInstrumentor().uninstrument_client(client.http_client)
    assert 1 == len(proxy.seen)
    assert [200] == [
        attribute(span, "http.response.status_code", "http.status_code")
        for span in exporter.get_finished_spans()
    ]
    provider.shutdown()
