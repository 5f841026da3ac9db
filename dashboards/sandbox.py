"""Sandbox: load-test runs and eval regressions, as the sandbox stores them.

The sandbox's tables do not exist yet; :data:`ASSUMED_DDL` is the shape these panels assume (and the tests
create). Keep the two in step when the sandbox lands its own schema.
"""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import EVAL_RUNS, LOAD_RUNS

UID = "pharos-sandbox"

ASSUMED_DDL = [
    f"""CREATE TABLE IF NOT EXISTS {LOAD_RUNS} (
    RunId String, Timestamp DateTime64(9), Model LowCardinality(String), Revision String,
    RequestRate Float64, Concurrency UInt32, Completed UInt64, Failed UInt64,
    RequestThroughput Float64, OutputThroughput Float64,
    MeanTtftMs Float64, P99TtftMs Float64, MeanTpotMs Float64, P99TpotMs Float64,
    MeanItlMs Float64, MeanE2elMs Float64, P99E2elMs Float64
) ENGINE = MergeTree ORDER BY (Model, Timestamp)""",
    f"""CREATE TABLE IF NOT EXISTS {EVAL_RUNS} (
    RunId String, Timestamp DateTime64(9), Model LowCardinality(String), Revision String,
    Task LowCardinality(String), Metric LowCardinality(String), Value Float64, Stderr Float64,
    BaselineRunId String, BaselineValue Nullable(Float64), Verdict LowCardinality(String)
) ENGINE = MergeTree ORDER BY (Model, Task, Timestamp)""",
]


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Sandbox", "vLLM sandbox: load-test runs and regression evals.", variables=())
    where = "$__timeFilter(Timestamp)"
    b.table("Load runs",
            f"SELECT Timestamp AS time, RunId, Model, Revision, RequestRate AS rate, Concurrency, Completed, Failed, "
            f"RequestThroughput AS req_per_s, OutputThroughput AS out_tok_per_s, MeanTtftMs AS ttft_mean_ms, "
            f"P99TtftMs AS ttft_p99_ms, MeanTpotMs AS tpot_mean_ms, P99E2elMs AS e2e_p99_ms "
            f"FROM {LOAD_RUNS} WHERE {where} ORDER BY time DESC LIMIT 100", height=9)
    b.timeseries("p99 time to first token per run", f"SELECT Timestamp AS time, Model, P99TtftMs / 1000 AS ttft_p99 "
                                                    f"FROM {LOAD_RUNS} WHERE {where} ORDER BY time", unit="s")
    b.timeseries("Output throughput per run", f"SELECT Timestamp AS time, Model, OutputThroughput AS tokens_per_s "
                                              f"FROM {LOAD_RUNS} WHERE {where} ORDER BY time", unit="short")
    b.row("Evals")
    b.table("Eval regressions",
            f"SELECT Timestamp AS time, RunId, Model, Revision, Task, Metric, Value, Stderr, BaselineRunId, "
            f"BaselineValue, Value - BaselineValue AS delta FROM {EVAL_RUNS} "
            f"WHERE {where} AND Verdict = 'regression' ORDER BY time DESC LIMIT 100", height=8)
    b.timeseries("Eval score per run", f"SELECT Timestamp AS time, concat(Model, ' ', Task, ' ', Metric) AS series, "
                                       f"Value FROM {EVAL_RUNS} WHERE {where} ORDER BY time", unit="short", width=24)
    return b.build()
