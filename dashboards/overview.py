"""Overview: the on-call screen. Is the LLM service up, how fast, how many errors, what it costs."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import ERROR_KIND, IS_ERROR, SECONDS, TPOT, TRACES, per_second, span_filter

UID = "pharos-overview"
F = span_filter()
BUCKET = "$__timeInterval(Timestamp) AS time"


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Overview",
              "LLM calls at a glance: traffic, errors, latency, tokens and cost, per service, model and environment.")
    range_s = "greatest(toUnixTimestamp($__toTime) - toUnixTimestamp($__fromTime), 1)"
    b.stat("Requests/s", f"SELECT count() / {range_s} AS rps FROM {TRACES} WHERE {F}", unit="reqps",
           description="LLM calls per second over the time range.", decimals=2)
    b.stat("Error rate", f"SELECT countIf({IS_ERROR}) / greatest(count(), 1) AS error_rate FROM {TRACES} WHERE {F}",
           unit="percentunit", thresholds=(settings.alert_error_rate / 2, settings.alert_error_rate),
           description="Share of LLM calls whose span status is Error.")
    b.stat("p95 latency", f"SELECT quantile(0.95)({SECONDS}) AS p95 FROM {TRACES} WHERE {F}", unit="s",
           thresholds=(settings.alert_latency_p95_seconds / 2, settings.alert_latency_p95_seconds))
    b.stat("p95 time to first token", f"SELECT quantile(0.95)(GenAITimeToFirstChunk) AS ttft_p95 FROM {TRACES} "
                                      f"WHERE {F}", unit="s",
           thresholds=(settings.alert_ttft_p95_seconds / 2, settings.alert_ttft_p95_seconds),
           description="Streaming calls only (gen_ai.response.time_to_first_chunk).")
    b.stat("Tokens (in + out)", f"SELECT sum(GenAIInputTokens + GenAIOutputTokens) AS tokens FROM {TRACES} "
                                f"WHERE {F}", unit="short")
    b.stat("Cost", f"SELECT sum(GenAICostUsd) AS cost FROM {TRACES} WHERE {F}", unit="currencyUSD", decimals=2,
           description="Sum of pharos.cost.usd over the time range.")

    b.row("Traffic and errors")
    b.timeseries("Requests/s by service", f"SELECT {BUCKET}, ServiceName AS service, {per_second('count()')} AS rps "
                                          f"FROM {TRACES} WHERE {F} GROUP BY time, service ORDER BY time", unit="reqps")
    b.timeseries("Error rate by error.type",
                 f"SELECT time, error_type, errors / calls AS error_rate FROM ("
                 f"SELECT {BUCKET}, {ERROR_KIND} AS error_type, countIf({IS_ERROR}) AS errors, "
                 f"sum(count()) OVER (PARTITION BY time) AS calls FROM {TRACES} WHERE {F} "
                 f"GROUP BY time, error_type) WHERE errors > 0 ORDER BY time", unit="percentunit", stack=True,
                 description="Failed calls of each error.type over all calls in the bucket.")

    b.row("Latency")
    b.timeseries("Latency p50 / p95 / p99",
                 f"SELECT {BUCKET}, quantile(0.5)({SECONDS}) AS p50, quantile(0.95)({SECONDS}) AS p95, "
                 f"quantile(0.99)({SECONDS}) AS p99 FROM {TRACES} WHERE {F} GROUP BY time ORDER BY time", unit="s")
    b.timeseries("Time to first token p50 / p95",
                 f"SELECT {BUCKET}, quantile(0.5)(GenAITimeToFirstChunk) AS p50, "
                 f"quantile(0.95)(GenAITimeToFirstChunk) AS p95 FROM {TRACES} "
                 f"WHERE {F} AND GenAITimeToFirstChunk IS NOT NULL GROUP BY time ORDER BY time", unit="s")
    b.timeseries("Time per output token p50 / p95",
                 f"SELECT {BUCKET}, quantile(0.5)(tpot) AS p50, quantile(0.95)(tpot) AS p95 FROM "
                 f"(SELECT Timestamp, {TPOT} AS tpot FROM {TRACES} WHERE {F} AND GenAIOutputTokens > 0) "
                 f"GROUP BY time ORDER BY time", unit="s",
                 description="(duration - time to first token) / (output tokens - 1) for streaming calls, "
                             "duration / output tokens otherwise.")

    b.row("Tokens and cost")
    b.timeseries("Tokens/s in and out",
                 f"SELECT {BUCKET}, {per_second('sum(GenAIInputTokens)')} AS input, "
                 f"{per_second('sum(GenAIOutputTokens)')} AS output FROM {TRACES} WHERE {F} "
                 f"GROUP BY time ORDER BY time", unit="short")
    b.timeseries("Cost per hour by model",
                 f"SELECT {BUCKET}, GenAIRequestModel AS model, sum(GenAICostUsd) * 3600 / $__interval_s AS usd_per_hour "
                 f"FROM {TRACES} WHERE {F} AND GenAICostUsd IS NOT NULL GROUP BY time, model ORDER BY time",
                 unit="currencyUSD", stack=True)

    b.row("Calls behind the numbers")
    b.table("Slowest and failed calls",
            f"SELECT Timestamp AS time, ServiceName AS service, GenAIRequestModel AS model, SpanName AS span, "
            f"{SECONDS} AS duration, GenAITimeToFirstChunk AS ttft, GenAIInputTokens AS input_tokens, "
            f"GenAIOutputTokens AS output_tokens, StatusCode AS status, ErrorType AS error_type, TraceId "
            f"FROM {TRACES} WHERE {F} ORDER BY ({IS_ERROR}) DESC, Duration DESC LIMIT 50",
            units={"duration": "s", "ttft": "s"}, trace_column="TraceId",
            description="Failed calls first, then the slowest; click a TraceId for its trace.")
    return b.build()
