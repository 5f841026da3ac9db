"""Trace: one trace in Grafana's trace view, through the ClickHouse plugin's OpenTelemetry trace format.
Every "TraceId" link on the other dashboards lands here (``var-trace_id``)."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import TRACE_DASHBOARD_UID, Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import TRACES

UID = TRACE_DASHBOARD_UID
LOOKUP = "{db}.otel_traces_trace_id_ts"

# The columns Grafana's trace view reads (as the plugin's own OTel trace query returns them); the lookup table
# bounds the scan to the trace's own time span.
TRACE_SQL = (
    f"WITH '${{trace_id}}' AS trace_id, "
    f"(SELECT min(Start) FROM {LOOKUP} WHERE TraceId = trace_id) AS trace_start, "
    f"(SELECT max(End) + 1 FROM {LOOKUP} WHERE TraceId = trace_id) AS trace_end "
    f"SELECT TraceId AS traceID, SpanId AS spanID, ParentSpanId AS parentSpanID, ServiceName AS serviceName, "
    f"SpanName AS operationName, toUnixTimestamp64Nano(Timestamp) / 1e6 AS startTime, Duration / 1e6 AS duration, "
    f"arrayMap(key -> map('key', key, 'value', SpanAttributes[key]), mapKeys(SpanAttributes)) AS tags, "
    f"arrayMap(key -> map('key', key, 'value', ResourceAttributes[key]), mapKeys(ResourceAttributes)) AS serviceTags, "
    f"if(StatusCode = 'Error', 2, 0) AS statusCode "
    f"FROM {TRACES} WHERE TraceId = trace_id AND Timestamp >= trace_start AND Timestamp <= trace_end "
    f"ORDER BY startTime"
)


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Trace", "One trace, span by span, with its GenAI attributes.", variables=())
    b.text_variable("trace_id", "Trace ID")
    b.traces("Trace ${trace_id}", TRACE_SQL)
    b.table("Spans", f"SELECT Timestamp AS time, SpanName AS span, ServiceName AS service, Duration / 1e9 AS duration, "
                     f"StatusCode AS status, GenAIRequestModel AS model, GenAIInputTokens AS input_tokens, "
                     f"GenAIOutputTokens AS output_tokens, GenAICostUsd AS cost, SpanId FROM {TRACES} "
                     f"WHERE TraceId = '${{trace_id}}' ORDER BY Timestamp", units={"duration": "s", "cost": "currencyUSD"})
    return b.build()
