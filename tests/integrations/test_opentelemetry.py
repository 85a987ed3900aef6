"""OpenTelemetry's httpx instrumentation on ``client.http_client`` sees every attempt."""

from __future__ import annotations

import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pictory_async import AsyncPictory
from pictory_async.emulator import Emulator


@pytest.mark.pictory_emulator(transport="socket")
async def test_one_span_per_attempt_without_the_key(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """A retried call gives a span per attempt, over the default transport; no key in them."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    HTTPXClientInstrumentor().instrument_client(pictory_client.http_client, provider)
    record = pictory_emulator.projects()[0]
    pictory_emulator.fail_next(503)

    await pictory_client.projects.get(record.id)

    spans = exporter.get_finished_spans()
    assert [503, 200] == [span.attributes["http.status_code"] for span in spans if span.attributes]
    assert pictory_emulator.api_key not in repr([dict(s.attributes or {}) for s in spans])
    HTTPXClientInstrumentor().uninstrument_client(pictory_client.http_client)
