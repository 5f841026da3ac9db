"""The official OpenTelemetry exporters (HTTP and gRPC) send to a running `pharos serve`; what they
sent is read back through the SQL endpoint with clickhouse-connect, field by field."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from pharos_testing import assert_stored_attributes

KIND_NAMES = {SpanKind.INTERNAL: "Internal", SpanKind.SERVER: "Server", SpanKind.CLIENT: "Client",
              SpanKind.PRODUCER: "Producer", SpanKind.CONSUMER: "Consumer"}
STATUS_NAMES = {StatusCode.UNSET: "Unset", StatusCode.OK: "Ok", StatusCode.ERROR: "Error"}


def _exporters(protocol: str, server):
    if protocol == "http":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return (OTLPSpanExporter(endpoint=f"{server.otlp_http}/v1/traces"),
                OTLPMetricExporter(endpoint=f"{server.otlp_http}/v1/metrics"))
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return (OTLPSpanExporter(endpoint=server.otlp_grpc, insecure=True),
            OTLPMetricExporter(endpoint=server.otlp_grpc, insecure=True))


def _send_llm_trace(provider: TracerProvider, run: str) -> None:
    tracer = provider.get_tracer("pharos.tests", "1.2.3")
    with tracer.start_as_current_span("invoke_agent support", kind=SpanKind.INTERNAL,
                                      attributes={"test.run": run}) as parent:
        with tracer.start_as_current_span(
            "chat gpt-4o-mini", kind=SpanKind.CLIENT,
            links=[Link(parent.get_span_context(), {"link.kind": "follows"})],
            attributes={
                "test.run": run,
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                "gen_ai.usage.input_tokens": 812,
                "gen_ai.usage.output_tokens": 64,
                "gen_ai.request.temperature": 0.25,
                "gen_ai.request.stream": True,
                "gen_ai.response.finish_reasons": ["stop", "length"],
                "gen_ai.response.time_to_first_chunk": 0.125,
                "pharos.cost.usd": 0.00042,
                "gen_ai.conversation.id": "conv-7",
                "server.port": 443,
            },
        ) as span:
            span.add_event("gen_ai.choice", {"index": 0, "note": "first chunk"})
            span.set_status(Status(StatusCode.ERROR, "upstream 502"))
            span.set_attribute("error.type", "502")


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_spans_round_trip_field_by_field(pharos_server, protocol):
    span_exporter, _ = _exporters(protocol, pharos_server)
    memory = InMemorySpanExporter()
    resource = Resource.create({"service.name": f"checkout-{protocol}", "deployment.environment.name": "test",
                                "service.version": "9.9"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    _send_llm_trace(provider, protocol)
    provider.shutdown()
    sent = {format(s.context.span_id, "016x"): s for s in memory.get_finished_spans()}
    assert len(sent) == 2

    where = f"SpanAttributes['test.run'] = '{protocol}'"
    assert pharos_server.wait_for_rows(f"SELECT count() FROM otel_traces WHERE {where}", 2) == 2
    client = pharos_server.sql_client()
    rows = list(client.query(f"""
        SELECT SpanId, TraceId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName,
               ScopeVersion, SpanAttributes, toUnixTimestamp64Nano(Timestamp) AS StartNs, Duration, StatusCode, StatusMessage,
               Events.Name, arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS EventNs, Events.Attributes,
               Links.TraceId, Links.SpanId, Links.Attributes,
               GenAIOperationName, GenAIProviderName, GenAIRequestModel, GenAIResponseModel, GenAIInputTokens,
               GenAIOutputTokens, GenAITimeToFirstChunk, GenAICostUsd, GenAIConversationId, ErrorType
        FROM otel_traces WHERE {where}""").named_results())
    assert len(rows) == 2
    for row in rows:
        span = sent[row["SpanId"]]
        assert row["TraceId"] == format(span.context.trace_id, "032x")
        assert row["ParentSpanId"] == (format(span.parent.span_id, "016x") if span.parent else "")
        assert row["SpanName"] == span.name
        assert row["SpanKind"] == KIND_NAMES[span.kind]
        assert row["ServiceName"] == f"checkout-{protocol}"
        assert row["ResourceAttributes"]["deployment.environment.name"] == "test"
        assert row["ResourceAttributes"]["service.version"] == "9.9"
        assert row["ResourceAttributes"]["telemetry.sdk.language"] == "python"
        assert (row["ScopeName"], row["ScopeVersion"]) == ("pharos.tests", "1.2.3")
        assert row["StartNs"] == span.start_time  # nanosecond exact
        assert row["Duration"] == span.end_time - span.start_time
        assert row["StatusCode"] == STATUS_NAMES[span.status.status_code]
        assert row["StatusMessage"] == (span.status.description or "")
        assert_stored_attributes(row["SpanAttributes"], span.attributes)
        assert row["Events.Name"] == [e.name for e in span.events]
        assert row["EventNs"] == [e.timestamp for e in span.events]
        assert row["Events.Attributes"] == [{k: str(v) for k, v in e.attributes.items()} for e in span.events]
        assert row["Links.SpanId"] == [format(l.context.span_id, "016x") for l in span.links]
        assert row["Links.TraceId"] == [format(l.context.trace_id, "032x") for l in span.links]
        assert row["Links.Attributes"] == [dict(l.attributes) for l in span.links]
        if span.name.startswith("chat"):
            assert row["SpanAttributes"]["gen_ai.response.finish_reasons"] == '["stop","length"]'
            assert row["SpanAttributes"]["gen_ai.request.stream"] == "true"
            assert (row["GenAIOperationName"], row["GenAIProviderName"], row["GenAIRequestModel"],
                    row["GenAIResponseModel"]) == ("chat", "openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            assert (row["GenAIInputTokens"], row["GenAIOutputTokens"]) == (812, 64)
            assert row["GenAITimeToFirstChunk"] == pytest.approx(0.125)
            assert row["GenAICostUsd"] == pytest.approx(0.00042)
            assert (row["GenAIConversationId"], row["ErrorType"]) == ("conv-7", "502")
        else:
            assert row["GenAIRequestModel"] == "" and row["GenAICostUsd"] is None

    # The exporter's trace-id lookup table is fed by its materialized view (its part is committed just after
    # the span table's, in the same insert).
    trace_id = rows[0]["TraceId"]
    assert pharos_server.wait_for_rows(
        f"SELECT count() FROM otel_traces_trace_id_ts WHERE TraceId = '{trace_id}'", 1, timeout=10) >= 1


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_metrics_round_trip(pharos_server, protocol):
    _, metric_exporter = _exporters(protocol, pharos_server)
    reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=Resource.create({"service.name": f"metrics-{protocol}"}),
                             metric_readers=[reader])
    meter = provider.get_meter("pharos.tests", "1.0")
    tokens = meter.create_counter("gen_ai.client.token.usage.count", unit="{token}", description="tokens")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s",
                                      explicit_bucket_boundaries_advisory=[0.1, 1.0, 10.0])
    gauge = meter.create_gauge("hw.gpu.utilization", unit="1")
    tokens.add(100, {"gen_ai.token.type": "input"})
    tokens.add(23, {"gen_ai.token.type": "input"})
    for value in (0.05, 0.5, 5.0, 50.0):
        duration.record(value, {"gen_ai.request.model": "m"})
    gauge.set(0.75, {"hw.id": "gpu0"})
    provider.shutdown()  # collects and exports once

    svc = f"ServiceName = 'metrics-{protocol}'"
    assert pharos_server.wait_for_rows(f"SELECT count() FROM otel_metrics_histogram WHERE {svc}", 1) == 1
    client = pharos_server.sql_client()
    total = client.query(f"SELECT Value, IsMonotonic, AggregationTemporality, Attributes, MetricUnit, "
                         f"MetricDescription, ScopeName FROM otel_metrics_sum WHERE {svc}").result_rows
    assert total == [(123.0, True, 2, {"gen_ai.token.type": "input"}, "{token}", "tokens", "pharos.tests")]
    hist = client.query(f"SELECT Count, Sum, BucketCounts, ExplicitBounds, Min, Max FROM otel_metrics_histogram "
                        f"WHERE {svc}").result_rows
    assert hist == [(4, 55.55, [1, 1, 1, 1], [0.1, 1.0, 10.0], 0.05, 50.0)]
    assert client.query(f"SELECT MetricName, Value, Attributes['hw.id'] FROM otel_metrics_gauge WHERE {svc}"
                        ).result_rows == [("hw.gpu.utilization", 0.75, "gpu0")]


def test_feedback_spans_become_scores(pharos_server):
    """A score sent as a span (what pharos.feedback does) lands in `scores`, keyed to the scored call."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": "feedback-app"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{pharos_server.otlp_http}/v1/traces")))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("chat m") as call:
        pass
    target_trace, target_span = format(call.get_span_context().trace_id, "032x"), format(call.get_span_context().span_id, "016x")
    with tracer.start_as_current_span("feedback thumbs", attributes={
            "gen_ai.evaluation.name": "thumbs", "gen_ai.evaluation.score.value": 1.0,
            "gen_ai.evaluation.score.label": "up", "gen_ai.evaluation.explanation": "great answer",
            "pharos.score.id": "score-1", "pharos.score.source": "user",
            "pharos.score.target.trace_id": target_trace, "pharos.score.target.span_id": target_span,
            "app.user": "u-9"}):
        pass
    provider.shutdown()
    assert pharos_server.wait_for_rows("SELECT count() FROM scores WHERE ScoreId = 'score-1'", 1) == 1
    row = pharos_server.sql_client().query(
        "SELECT TraceId, SpanId, Name, Source, Value, Label, Explanation, ServiceName, Attributes FROM scores FINAL "
        "WHERE ScoreId = 'score-1'").result_rows[0]
    assert row == (target_trace, target_span, "thumbs", "user", 1.0, "up", "great answer", "feedback-app",
                   {"app.user": "u-9"})
