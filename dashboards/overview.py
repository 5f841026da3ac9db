"""Overview: the on-call screen. Is the LLM service up, how fast, how many errors, what it costs.

Every panel reads the rollups of LLM calls (``dashboards/rollup.py``), not the spans: a day of 10M spans is
about 100k rollup rows. The table of slowest calls lists the slowest (and the slowest failed) call of each
minute, service and model."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import ROLLUP, by_range, per_second, rollup_filter

UID = "pharos-overview"
F = rollup_filter()
BUCKET = "$__timeInterval(Time) AS time"
COST = "if(sum(CostCalls) > 0, sum(CostUsd), NULL)"  # NULL when no call in the set carried a price


def _slowest(column: str, status: str) -> str:
    """The 50 slowest calls kept in ``column`` (the slowest, or slowest failed, call of each rollup row; rows not
    merged yet may give two of a minute, both real calls)."""
    return (f"SELECT {column} AS c, '{status}' AS status, ServiceName AS service, GenAIRequestModel AS model "
            f"FROM {ROLLUP} WHERE {F} AND {column}.TraceId != '' ORDER BY {column}.Duration DESC LIMIT 50")


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Overview",
              "LLM calls at a glance: traffic, errors, latency, tokens and cost, per service, model and environment.")
    range_s = "greatest(toUnixTimestamp($__toTime) - toUnixTimestamp($__fromTime), 1)"
    b.stat("Requests/s", f"SELECT sum(Calls) / {range_s} AS rps FROM {ROLLUP} WHERE {F}", unit="reqps",
           description="LLM calls per second over the time range.", decimals=2)
    b.stat("Error rate", f"SELECT sum(Errors) / greatest(sum(Calls), 1) AS error_rate FROM {ROLLUP} WHERE {F}",
           unit="percentunit", thresholds=(settings.alert_error_rate / 2, settings.alert_error_rate),
           description="Share of LLM calls whose span status is Error.")
    b.stat("p95 latency", by_range("SELECT {latency}[2] / 1e9 AS p95 FROM {source} WHERE {where}"), unit="s",
           thresholds=(settings.alert_latency_p95_seconds / 2, settings.alert_latency_p95_seconds))
    b.stat("p95 time to first token", by_range("SELECT {ttft}[2] AS ttft_p95 FROM {source} WHERE {where}"),
           unit="s", thresholds=(settings.alert_ttft_p95_seconds / 2, settings.alert_ttft_p95_seconds),
           description="Streaming calls only (gen_ai.response.time_to_first_chunk).")
    b.stat("Tokens (in + out)", f"SELECT sum(InputTokens) + sum(OutputTokens) AS tokens FROM {ROLLUP} WHERE {F}",
           unit="short")
    b.stat("Cost", f"SELECT {COST} AS cost FROM {ROLLUP} WHERE {F}", unit="currencyUSD", decimals=2,
           description="Sum of pharos.cost.usd over the time range.")

    b.row("Traffic and errors")
    b.timeseries("Requests/s by service", f"SELECT {BUCKET}, ServiceName AS service, {per_second('sum(Calls)')} AS rps "
                                          f"FROM {ROLLUP} WHERE {F} GROUP BY time, service ORDER BY time", unit="reqps")
    b.timeseries("Error rate by error.type",
                 f"SELECT time, error_type, errors / calls AS error_rate FROM ("
                 f"SELECT {BUCKET}, sumMap(ErrorKinds) AS kinds, sum(Calls) AS calls FROM {ROLLUP} WHERE {F} "
                 f"GROUP BY time) ARRAY JOIN mapKeys(kinds) AS error_type, mapValues(kinds) AS errors "
                 f"WHERE errors > 0 ORDER BY time", unit="percentunit", stack=True,
                 description="Failed calls of each error.type over all calls in the bucket.")

    b.row("Latency")
    b.timeseries("Latency p50 / p95 / p99",
                 by_range("SELECT $__timeInterval(Time) AS time, {latency} AS q, q[1] / 1e9 AS p50, q[2] / 1e9 AS p95, "
                          "q[3] / 1e9 AS p99 FROM {source} WHERE {where} GROUP BY time",
                          columns="time, p50, p95, p99", order="time"),
                 unit="s")
    b.timeseries("Time to first token p50 / p95",
                 by_range("SELECT $__timeInterval(Time) AS time, {ttft} AS q, q[1] AS p50, q[2] AS p95 FROM {source} "
                          "WHERE {where} GROUP BY time", columns="time, p50, p95", having="NOT isNaN(p95)",
                          order="time"), unit="s")
    b.timeseries("Time per output token p50 / p95",
                 by_range("SELECT $__timeInterval(Time) AS time, {tpot} AS q, q[1] AS p50, q[2] AS p95 FROM {source} "
                          "WHERE {where} GROUP BY time", columns="time, p50, p95", having="NOT isNaN(p95)",
                          order="time"), unit="s",
                 description="(duration - time to first token) / (output tokens - 1) for streaming calls, "
                             "duration / output tokens otherwise.")

    b.row("Tokens and cost")
    b.timeseries("Tokens/s in and out",
                 f"SELECT {BUCKET}, {per_second('sum(InputTokens)')} AS input, "
                 f"{per_second('sum(OutputTokens)')} AS output FROM {ROLLUP} WHERE {F} "
                 f"GROUP BY time ORDER BY time", unit="short")
    b.timeseries("Cost per hour by model",
                 f"SELECT {BUCKET}, GenAIRequestModel AS model, sum(CostUsd) * 3600 / $__interval_s AS usd_per_hour "
                 f"FROM {ROLLUP} WHERE {F} GROUP BY time, model HAVING sum(CostCalls) > 0 ORDER BY time",
                 unit="currencyUSD", stack=True)

    b.row("Calls behind the numbers")
    b.table("Slowest and failed calls",
            f"SELECT c.Timestamp AS time, service, model, c.SpanName AS span, c.Duration / 1e9 AS duration, "
            f"c.Ttft AS ttft, c.InputTokens AS input_tokens, c.OutputTokens AS output_tokens, status, "
            f"c.ErrorType AS error_type, c.TraceId AS TraceId FROM ({_slowest('SlowestFailed', 'Error')} "
            f"UNION ALL {_slowest('Slowest', 'Ok')}) ORDER BY status = 'Error' DESC, c.Duration DESC LIMIT 50",
            units={"duration": "s", "ttft": "s"}, trace_column="TraceId",
            description="Failed calls first, then the slowest (the slowest of each minute, service and model); "
                        "click a TraceId for its trace.")
    return b.build()
