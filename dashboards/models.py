"""Models: the Overview split by requested model, the top models, and why generations stop (all from the
rollups of LLM calls, ``dashboards/rollup.py``)."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import ROLLUP, by_range, per_second, rollup_filter

UID = "pharos-models"
F = rollup_filter()
BY_MODEL = "$__timeInterval(Time) AS time, GenAIRequestModel AS model"
GROUP = "GROUP BY time, model ORDER BY time"


def _per_model(columns: str, select: str, having: str = "") -> str:
    """A per-bucket, per-model quantile series (see :func:`by_range`)."""
    return by_range(f"SELECT {BY_MODEL}, {select} FROM {{source}} WHERE {{where}} GROUP BY time, model",
                    columns=f"time, model, {columns}", having=having, order="time")


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Models", "Traffic, latency, errors, tokens and cost per requested model.")
    b.table("Top models",
            f"SELECT model, provider, calls, share, error_rate, q.p50 AS p50, q.p95 AS p95, q.ttft_p95 AS ttft_p95, "
            f"input_tokens, output_tokens, cost FROM ("
            f"SELECT GenAIRequestModel AS model, any(GenAIProviderName) AS provider, sum(Calls) AS calls, "
            f"calls / sum(calls) OVER () AS share, sum(Errors) / calls AS error_rate, "
            f"sum(InputTokens) AS input_tokens, sum(OutputTokens) AS output_tokens, "
            f"if(sum(CostCalls) > 0, sum(CostUsd), NULL) AS cost FROM {ROLLUP} WHERE {F} GROUP BY model) AS m "
            f"LEFT JOIN ("
            + by_range("SELECT GenAIRequestModel AS model, {latency} AS lat, lat[1] / 1e9 AS p50, lat[2] / 1e9 AS p95, "
                       "{ttft}[2] AS ttft_p95 FROM {source} WHERE {where} GROUP BY model",
                       columns="model, p50, p95, ttft_p95")
            + ") AS q ON m.model = q.model ORDER BY calls DESC LIMIT 20",
            units={"share": "percentunit", "error_rate": "percentunit", "p50": "s", "p95": "s", "ttft_p95": "s",
                   "cost": "currencyUSD"}, height=8)
    b.row("By model")
    b.timeseries("Requests/s by model", f"SELECT {BY_MODEL}, {per_second('sum(Calls)')} AS rps FROM {ROLLUP} "
                                        f"WHERE {F} {GROUP}", unit="reqps", stack=True)
    b.timeseries("Error rate by model", f"SELECT {BY_MODEL}, sum(Errors) / sum(Calls) AS error_rate "
                                        f"FROM {ROLLUP} WHERE {F} {GROUP}", unit="percentunit")
    b.timeseries("p95 latency by model", _per_model("p95", "{latency}[2] / 1e9 AS p95"), unit="s")
    b.timeseries("p95 time to first token by model", _per_model("ttft_p95", "{ttft}[2] AS ttft_p95",
                                                                having="NOT isNaN(ttft_p95)"), unit="s")
    b.timeseries("p50 time per output token by model", _per_model("tpot_p50", "{tpot}[1] AS tpot_p50",
                                                                  having="NOT isNaN(tpot_p50)"), unit="s")
    b.timeseries("Output tokens/s by model", f"SELECT {BY_MODEL}, {per_second('sum(OutputTokens)')} AS tps "
                                             f"FROM {ROLLUP} WHERE {F} {GROUP}", unit="short", stack=True)
    b.timeseries("Cost per hour by model",
                 f"SELECT {BY_MODEL}, sum(CostUsd) * 3600 / $__interval_s AS usd_per_hour FROM {ROLLUP} "
                 f"WHERE {F} GROUP BY time, model HAVING sum(CostCalls) > 0 ORDER BY time", unit="currencyUSD",
                 stack=True)
    b.bars("Finish reasons",
           f"SELECT reason, sum(n) AS calls FROM (SELECT sumMap(FinishReasons) AS reasons FROM {ROLLUP} WHERE {F}) "
           f"ARRAY JOIN mapKeys(reasons) AS reason, mapValues(reasons) AS n GROUP BY reason ORDER BY calls DESC",
           unit="short", x_field="reason",
           description="gen_ai.response.finish_reasons (a JSON array, or one string, per call); '(none)' when not recorded.")
    b.table("Served model per requested model",
            f"SELECT GenAIRequestModel AS requested, GenAIResponseModel AS served, sum(Calls) AS calls FROM {ROLLUP} "
            f"WHERE {F} GROUP BY requested, served ORDER BY calls DESC LIMIT 50", width=12, height=8)
    return b.build()
