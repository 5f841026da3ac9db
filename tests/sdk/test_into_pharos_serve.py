"""The SDK end to end: the real openai client against a loopback OpenAI-compatible server, exported by the
real OTLP exporter into a running `pharos serve`; every stored span is checked against what the SDK made."""

from __future__ import annotations

import openai
import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import pharos
from pharos_testing import assert_stored_attributes


def test_every_call_kind_is_stored_as_the_sdk_made_it(openai_server, pharos_server):
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "sdk-e2e"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    pharos.init(endpoint=pharos_server.otlp_http, tracer_provider=provider, capture_content=True,
                gpu_sampling_interval_s=0, metrics=False)
    try:
        client = openai.OpenAI(base_url=openai_server.base_url, api_key="sk-test", max_retries=0)
        messages = [{"role": "user", "content": "Say hello"}]
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0.2)
        for _ in client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True,
                                                stream_options={"include_usage": True}):
            pass
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say")
        client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
        client.responses.create(model="gpt-4o-mini", input="Say hello")
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="error-500", messages=messages)
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True)
        next(iter(stream))
        stream.close()  # abandoned after the first chunk
    finally:
        pharos.shutdown()
        provider.shutdown()

    made = {format(s.context.span_id, "016x"): s for s in memory.get_finished_spans()}
    assert len(made) == 7
    assert pharos_server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName = 'sdk-e2e'", 7) == 7
    rows = pharos_server.sql_client().query(
        "SELECT SpanId, SpanName, SpanKind, StatusCode, Duration, toUnixTimestamp64Nano(Timestamp) AS start, "
        "SpanAttributes, GenAIOperationName, GenAIRequestModel, GenAIInputTokens, GenAIOutputTokens, "
        "GenAITimeToFirstChunk, ErrorType FROM otel_traces WHERE ServiceName = 'sdk-e2e'").named_results()
    kinds = set()
    for row in rows:
        span = made[row["SpanId"]]
        assert row["SpanName"] == span.name and row["SpanKind"] == "Client"
        assert row["start"] == span.start_time and row["Duration"] == span.end_time - span.start_time
        assert_stored_attributes(row["SpanAttributes"], span.attributes)  # every attribute, as sent
        assert row["StatusCode"] == ("Error" if span.attributes.get("error.type") else "Unset")
        assert row["GenAIOperationName"] == span.attributes["gen_ai.operation.name"]
        assert row["GenAIRequestModel"] == span.attributes["gen_ai.request.model"]
        assert row["GenAIInputTokens"] == span.attributes.get("gen_ai.usage.input_tokens", 0)
        stream = span.attributes.get("gen_ai.request.stream")
        if stream:
            assert row["GenAITimeToFirstChunk"] == pytest.approx(span.attributes["gen_ai.response.time_to_first_chunk"])
        kinds.add((row["GenAIOperationName"], bool(stream), row["ErrorType"],
                   row["SpanAttributes"].get("pharos.stream.abandoned", "")))
    assert ("chat", False, "InternalServerError", "") in kinds
    assert ("chat", True, "", "true") in kinds  # the abandoned stream
    assert {k[0] for k in kinds} >= {"chat", "text_completion", "embeddings"}
    assert len([k for k in kinds if k[0] == "chat"]) >= 3
