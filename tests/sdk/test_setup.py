"""pharos.init / shutdown: providers, sampling, resource, real OTLP/HTTP export, no-op defaults."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import pharos.sdk as sdk
from pharos.sdk._state import STATE


def test_api_is_a_noop_before_init():
    sdk.shutdown()
    with sdk.llm_span("chat", model="m") as s:
        s.set_usage(1, 2)
    assert sdk.feedback("thumbs", True) is not None  # nothing to send it to, and no error
    assert sdk.force_flush() is True


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="sample_rate"):
        sdk.init(sample_rate=0.5)


def test_env_settings_and_keyword_overrides(telemetry, monkeypatch):
    monkeypatch.setenv("PHAROS_SERVICE_NAME", "from-env")
    monkeypatch.setenv("PHAROS_ENVIRONMENT", "staging")
    monkeypatch.setenv("PHAROS_CONTENT_MAX_LENGTH", "77")
    t = telemetry(service_version="1.2.3")  # the fixture passes service_name="test-app"
    assert t.settings.content_max_length == 77 and STATE.content.max_length == 77
    with sdk.llm_span("chat", model="m"):
        pass
    resource = t.spans()[0].resource.attributes
    assert resource["service.name"] == "test-app"  # keyword wins over the env
    assert resource["deployment.environment.name"] == "staging"
    assert resource["service.version"] == "1.2.3"


def test_sampling_ratio_zero_drops_new_traces_but_follows_sampled_parents(telemetry):
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    t = telemetry(sample_ratio=0.0)
    with sdk.llm_span("chat", model="m"):
        pass
    assert t.spans() == []
    parent = SpanContext(0x1234, 0x5678, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    with trace.use_span(NonRecordingSpan(parent)):
        with sdk.llm_span("chat", model="m"):
            pass
    (span,) = t.spans()
    assert span.context.trace_id == 0x1234 and span.parent.span_id == 0x5678


def test_sampling_ratio_half_keeps_some(telemetry):
    t = telemetry(sample_ratio=0.5)
    for _ in range(400):
        with sdk.llm_span("chat", model="m"):
            pass
    assert 100 < len(t.spans()) < 300  # binomial(400, 0.5): far outside 6 sigma otherwise


def test_joins_an_existing_tracer_provider(telemetry):
    app_exporter = InMemorySpanExporter()
    app_provider = TracerProvider()
    app_provider.add_span_processor(SimpleSpanProcessor(app_exporter))
    t = telemetry(tracer_provider=app_provider)
    with sdk.llm_span("chat", model="m"):
        pass
    assert [s.name for s in app_exporter.get_finished_spans()] == ["chat m"]
    assert [s.name for s in t.spans()] == ["chat m"]
    sdk.shutdown()
    with app_provider.get_tracer("app").start_as_current_span("after"):
        pass  # the app's provider still works after Pharos shut down
    assert [s.name for s in app_exporter.get_finished_spans()] == ["chat m", "after"]
    assert STATE.initialized is False


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_exports_over_real_otlp_http():
    handler = type("R", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sdk.init(endpoint=f"http://127.0.0.1:{server.server_address[1]}", headers="x-api-key=secret",
                 service_name="otlp-test", environment="ci", set_global=False, gpu_sampling_interval_s=0)
        with sdk.llm_span("chat", model="gpt-4o", provider="openai") as s:
            s.set_usage(1000, 100)
        assert sdk.force_flush()
        traces = [r for r in handler.received if r[0] == "/v1/traces"]
        assert traces and traces[0][1]["x-api-key"] == "secret"
        request = ExportTraceServiceRequest()
        request.ParseFromString(traces[0][2])
        (rs,) = request.resource_spans
        resource = {kv.key: kv.value.string_value for kv in rs.resource.attributes}
        assert resource["service.name"] == "otlp-test" and resource["deployment.environment.name"] == "ci"
        (span,) = rs.scope_spans[0].spans
        attrs = {kv.key: kv.value for kv in span.attributes}
        assert span.name == "chat gpt-4o"
        assert attrs["gen_ai.provider.name"].string_value == "openai"
        assert attrs["gen_ai.usage.input_tokens"].int_value == 1000
        assert attrs["pharos.cost.usd"].double_value == pytest.approx((1000 * 2.5 + 100 * 10) / 1e6)
        assert any(r[0] == "/v1/metrics" for r in handler.received)
    finally:
        sdk.shutdown()
        server.shutdown()


def test_disabled_does_nothing():
    settings = sdk.init(enabled=False)
    assert settings.enabled is False and STATE.initialized is False


def test_lazy_forward_from_pharos():
    code = "import pharos; assert pharos.init is pharos.sdk.init and pharos.feedback and pharos.observe"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


def test_base_import_stays_light():
    code = ("import sys, pharos.sdk; pharos.sdk.init(set_global=False, gpu_sampling_interval_s=0, metrics=False); "
            "heavy = [m for m in ('chdb', 'clickhouse_connect', 'fastapi', 'grpc', 'torch', 'vllm') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
