"""Models: the Overview split by requested model, the top models, and why generations stop."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import IS_ERROR, SECONDS, TPOT, TRACES, per_second, span_filter

UID = "pharos-models"
F = span_filter()
BY_MODEL = "$__timeInterval(Timestamp) AS time, GenAIRequestModel AS model"
GROUP = "GROUP BY time, model ORDER BY time"


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Models", "Traffic, latency, errors, tokens and cost per requested model.")
    b.table("Top models",
            f"SELECT GenAIRequestModel AS model, any(GenAIProviderName) AS provider, count() AS calls, "
            f"calls / sum(calls) OVER () AS share, countIf({IS_ERROR}) / calls AS error_rate, "
            f"quantile(0.5)({SECONDS}) AS p50, quantile(0.95)({SECONDS}) AS p95, "
            f"quantile(0.95)(GenAITimeToFirstChunk) AS ttft_p95, sum(GenAIInputTokens) AS input_tokens, "
            f"sum(GenAIOutputTokens) AS output_tokens, sum(GenAICostUsd) AS cost "
            f"FROM {TRACES} WHERE {F} GROUP BY model ORDER BY calls DESC LIMIT 20",
            units={"share": "percentunit", "error_rate": "percentunit", "p50": "s", "p95": "s", "ttft_p95": "s",
                   "cost": "currencyUSD"}, height=8)
    b.row("By model")
    b.timeseries("Requests/s by model", f"SELECT {BY_MODEL}, {per_second('count()')} AS rps FROM {TRACES} "
                                        f"WHERE {F} {GROUP}", unit="reqps", stack=True)
    b.timeseries("Error rate by model", f"SELECT {BY_MODEL}, countIf({IS_ERROR}) / count() AS error_rate "
                                        f"FROM {TRACES} WHERE {F} {GROUP}", unit="percentunit")
    b.timeseries("p95 latency by model", f"SELECT {BY_MODEL}, quantile(0.95)({SECONDS}) AS p95 FROM {TRACES} "
                                         f"WHERE {F} {GROUP}", unit="s")
    b.timeseries("p95 time to first token by model",
                 f"SELECT {BY_MODEL}, quantile(0.95)(GenAITimeToFirstChunk) AS ttft_p95 FROM {TRACES} "
                 f"WHERE {F} AND GenAITimeToFirstChunk IS NOT NULL {GROUP}", unit="s")
    b.timeseries("p50 time per output token by model",
                 f"SELECT {BY_MODEL}, quantile(0.5)({TPOT}) AS tpot_p50 FROM {TRACES} "
                 f"WHERE {F} AND GenAIOutputTokens > 0 {GROUP}", unit="s")
    b.timeseries("Output tokens/s by model", f"SELECT {BY_MODEL}, {per_second('sum(GenAIOutputTokens)')} AS tps "
                                             f"FROM {TRACES} WHERE {F} {GROUP}", unit="short", stack=True)
    b.timeseries("Cost per hour by model",
                 f"SELECT {BY_MODEL}, sum(GenAICostUsd) * 3600 / $__interval_s AS usd_per_hour FROM {TRACES} "
                 f"WHERE {F} AND GenAICostUsd IS NOT NULL {GROUP}", unit="currencyUSD", stack=True)
    b.bars("Finish reasons",
           f"SELECT reason, count() AS calls FROM (SELECT arrayJoin(if(empty(raw), ['(none)'], "
           f"if(startsWith(raw, '['), JSONExtract(raw, 'Array(String)'), [raw]))) AS reason FROM (SELECT "
           f"SpanAttributes['gen_ai.response.finish_reasons'] AS raw FROM {TRACES} WHERE {F})) "
           f"GROUP BY reason ORDER BY calls DESC", unit="short", x_field="reason",
           description="gen_ai.response.finish_reasons (a JSON array, or one string, per call); '(none)' when not recorded.")
    b.table("Served model per requested model",
            f"SELECT GenAIRequestModel AS requested, GenAIResponseModel AS served, count() AS calls FROM {TRACES} "
            f"WHERE {F} GROUP BY requested, served ORDER BY calls DESC LIMIT 50", width=12, height=8)
    return b.build()
