"""Optional: send each score as a ``gen_ai.evaluation.result`` event to another OpenTelemetry backend.

Each score becomes a short span under the scored span (same trace, parent = the scored span) carrying the
``gen_ai.evaluation.result`` event with ``gen_ai.evaluation.name``, ``gen_ai.evaluation.score.value``,
``gen_ai.evaluation.score.label`` and ``gen_ai.evaluation.explanation``."""

from __future__ import annotations

import math
from typing import Any, Iterable

__all__ = ["ScoreExporter"]


class ScoreExporter:
    def __init__(self, endpoint: str, service_name: str = "pharos-evaluators") -> None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")))
        self.tracer = self.provider.get_tracer("pharos.evaluators")

    def export(self, scores: Iterable[tuple[Any, Any, Any]]) -> None:
        from opentelemetry import trace
        from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

        for ev, call, s in scores:
            try:
                parent = SpanContext(int(call.trace_id, 16), int(call.span_id, 16), is_remote=True,
                                     trace_flags=TraceFlags(TraceFlags.SAMPLED))
            except ValueError:
                continue
            ctx = trace.set_span_in_context(NonRecordingSpan(parent))
            attrs: dict[str, Any] = {"gen_ai.evaluation.name": s.name or ev.name,
                                     "gen_ai.evaluation.score.label": s.label or "",
                                     "gen_ai.evaluation.explanation": (s.explanation or "")[:1000],
                                     "pharos.evaluator.version": ev.version}
            if s.value is not None and not math.isnan(float(s.value)):
                attrs["gen_ai.evaluation.score.value"] = float(s.value)
            span = self.tracer.start_span("gen_ai.evaluation.result", context=ctx, attributes=attrs,
                                          start_time=call.timestamp_ns or None)
            span.add_event("gen_ai.evaluation.result", attributes=attrs)
            span.end()

    def shutdown(self) -> None:
        self.provider.shutdown()
