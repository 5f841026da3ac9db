"""A call traced by Pharos' SDK and the same call traced by another GenAI-conventions instrumentation
(OpenTelemetry's own ``opentelemetry-instrumentation-openai-v2``) look the same to Pharos: both go through
the real OTLP exporter into a running ``pharos serve``, then the GenAI materialized columns and the
console's overview queries give the same fields for both.

What only Pharos records is checked to be there, and nothing else: ``pharos.cost.usd`` (cost column),
``gen_ai.response.time_to_first_chunk`` of streams. Known difference of the other instrumentation: its
``error.type`` is ``str()`` of the exception class (``<class 'openai.InternalServerError'>``), where the
conventions (and Pharos) give the class name.
"""

from __future__ import annotations

import openai
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import pharos
from pharos.dashboards import sql
from pharos.dashboards.console import data, overview

openai_v2 = pytest.importorskip("opentelemetry.instrumentation.openai_v2",
                                reason="the other instrumentation comes with the dev extra")

PHAROS, OTHER = "genai-pharos", "genai-openai-v2"
MESSAGES = [{"role": "user", "content": "Say hello"}]
# columns the conventions' attributes fill, and that dashboards and evaluators read
SAME = ["SpanName", "SpanKind", "StatusCode", "GenAIOperationName", "GenAIProviderName", "GenAIRequestModel",
        "GenAIResponseModel", "GenAIInputTokens", "GenAIOutputTokens", "GenAIConversationId"]


def make_calls(client: openai.OpenAI) -> None:
    """The same four calls for both: chat, streamed chat with usage, embeddings, and a failing chat."""
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2)
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                            stream_options={"include_usage": True}):
        pass
    client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="error-500", messages=MESSAGES)


@pytest.fixture(scope="module")
def both_sent(pharos_server, _server):
    client = openai.OpenAI(base_url=_server.base_url, api_key="k", max_retries=0)
    # Pharos: the provider is given, as the other instrumentation says "openai" for any base URL
    pharos.init(endpoint=pharos_server.otlp_http, service_name=PHAROS, provider="openai", set_global=False,
                gpu_sampling_interval_s=0, metrics=False)
    try:
        make_calls(client)
    finally:
        pharos.shutdown()  # also takes Pharos' wrappers off the client
    provider = TracerProvider(resource=Resource.create({"service.name": OTHER}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=pharos_server.otlp_http + "/v1/traces")))
    instrumentor = openai_v2.OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        make_calls(client)
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
    for service in (PHAROS, OTHER):
        assert pharos_server.wait_for_rows(f"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'", 4) == 4
    return pharos_server


def rows_of(server, service: str) -> list[dict]:
    return list(server.sql_client().query(
        f"SELECT {', '.join(SAME)}, ErrorType, GenAICostUsd, GenAITimeToFirstChunk, SpanAttributes, "
        f"{sql.LLM_CALL} AS llm_call, {sql.TPOT} AS tpot FROM otel_traces WHERE ServiceName = {{s:String}} "
        f"ORDER BY Timestamp", parameters={"s": service}).named_results())


def test_genai_columns_are_the_same(both_sent):
    ours, theirs = rows_of(both_sent, PHAROS), rows_of(both_sent, OTHER)
    assert [r["GenAIOperationName"] for r in ours] == ["chat", "chat", "embeddings", "chat"]
    for mine, other in zip(ours, theirs):
        assert {c: mine[c] for c in SAME} == {c: other[c] for c in SAME}
        assert mine["llm_call"] == other["llm_call"] == 1  # the dashboards' LLM-call predicate
        assert (mine["tpot"] is None) == (other["tpot"] is None)
        assert mine["GenAIProviderName"] == "openai" and mine["SpanKind"] == "Client"
    # the failing call: an error for both, with the exception class as error.type
    assert ours[3]["StatusCode"] == theirs[3]["StatusCode"] == "Error"
    assert ours[3]["ErrorType"] == "InternalServerError" and "InternalServerError" in theirs[3]["ErrorType"]
    assert all(r["ErrorType"] == "" for r in ours[:3] + theirs[:3])
    # what only Pharos records: the cost of priced models, time to first chunk of a stream
    assert [r["GenAICostUsd"] is not None for r in ours] == [True, True, True, False]
    assert all(r["GenAICostUsd"] is None for r in theirs)
    assert ours[1]["GenAITimeToFirstChunk"] > 0 and theirs[1]["GenAITimeToFirstChunk"] is None
    # the request parameters and response ids are stored under the same names
    for key in ("gen_ai.request.temperature", "gen_ai.response.id", "gen_ai.response.finish_reasons"):
        assert ours[0]["SpanAttributes"][key] == theirs[0]["SpanAttributes"][key], key


def test_console_queries_give_the_same_numbers(both_sent):
    readers = data.Readers(both_sent.sql_client, size=2)
    ours, theirs = (overview.overview(readers, data.Filters(service=s)) for s in (PHAROS, OTHER))
    keep = ("calls", "errors", "input_tokens", "output_tokens")
    assert {k: ours["head"][k] for k in keep} == {k: theirs["head"][k] for k in keep} == {
        "calls": 4, "errors": 1, "input_tokens": 11 + 11 + 7, "output_tokens": 5 + 5}
    strip = ("p95_ms", "cost_usd")
    assert sorted(({k: v for k, v in m.items() if k not in strip} for m in ours["models"]), key=str) == \
        sorted(({k: v for k, v in m.items() if k not in strip} for m in theirs["models"]), key=str)
    assert ours["head"]["cost_usd"] > 0 and theirs["head"]["cost_usd"] is None
    assert ours["head"]["ttft_p50_s"] > 0 and theirs["head"]["ttft_p50_s"] is None  # a Pharos-only measurement
    assert [n for _, n in ours["errors"]] == [n for _, n in theirs["errors"]] == [1]
