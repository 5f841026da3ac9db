"""Dashboard benchmark: p50/p95 time of every Grafana panel query at 10M stored spans (goal: p95 < 300 ms).

    python tests/bench/bench_dashboards.py [--spans 10000000] [--runs 15] [--data-dir DIR] [--only TEXT]
                                           [--selection]

Builds an embedded store (chDB, in this process: one data directory per process) through the migrations, seeds
``--spans`` spans in the OTel exporter schema with ``INSERT ... SELECT FROM numbers()`` (in chunks): four
services in two environments, chat / embeddings / text-completion calls on six models plus tool and agent spans
that are not LLM calls, token counts, costs, durations, time to first chunk on streaming calls, finish reasons,
2% errors with an ``error.type``; 90% spread evenly over the last 24 hours and 10% in the last hour (so the last
hour is about 3.7x denser). One evaluator score per ten LLM calls goes to ``scores`` (relevance, toxicity with
1% flagged, pii), four GPUs report ``hw.*`` every 15 s, and a few sandbox runs are stored.

Then every panel target of every dashboard (``dashboards/``, as ``pharos dashboards build`` makes them) and every
template variable query is run with Grafana's macros expanded by :mod:`pharos.dashboards.macros` (as the tests do),
over the last hour (``$__interval_s`` 5) and the last 24 hours (120) -- at least the panel's minimum interval
(1 minute over the rollups) -- every variable on "All" (``--selection``:
one service and one model instead). Baseline measured in the same run: ``SELECT count()`` over the same range;
each panel is printed with its ratio to it, so the figures carry over between machines.

``--data-dir`` keeps the store for the next run (seeding 10M spans takes minutes on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta, timezone
from pathlib import Path

from bench_console import p95, timed  # the same timing (a sibling script: run from tests/bench/)

from pharos.collector.settings import StoreSettings
from pharos.collector.sql_api import reader_settings
from pharos.collector.store import Store
from pharos.collector.store.migrations import migrate
from pharos.dashboards import macros
from pharos.dashboards.build import dashboards
from pharos.dashboards.sandbox import ASSUMED_DDL
from pharos.dashboards.settings import DashboardSettings

DATABASE = "otel"
CHUNK = 1_000_000

# {start}/{count}: the chunk of numbers(); {n}: all spans; {now_ms}: the seed's "now" (epoch milliseconds).
SPANS = """
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
                         ResourceAttributes, SpanAttributes, Duration, StatusCode, StatusMessage)
SELECT
    fromUnixTimestamp64Milli(toInt64({now_ms} - if(number < {dense_from},
        intDiv(number * 86400000, {dense_from}), intDiv((number - {dense_from}) * 3600000, {n} - {dense_from}))))
        AS Timestamp,
    lower(hex(cityHash64(number, 'trace'))) || lower(hex(cityHash64(number, 't2'))) AS TraceId,
    lower(hex(cityHash64(number, 'span'))) AS SpanId,
    '' AS ParentSpanId,
    trimRight(concat(op, ' ', model)) AS SpanName,
    if(llm, 'Client', 'Internal') AS SpanKind,
    service AS ServiceName,
    map('service.name', service, 'deployment.environment.name', env, 'telemetry.sdk.name', 'opentelemetry',
        'telemetry.sdk.language', 'python', 'host.name', concat('pod-', toString(h % 17))) AS ResourceAttributes,
    if(llm, map(
        'gen_ai.operation.name', op, 'gen_ai.provider.name', provider, 'gen_ai.request.model', model,
        'gen_ai.response.model', concat(model, '-2024-08-06'), 'gen_ai.response.id', concat('chatcmpl-', SpanId),
        'gen_ai.usage.input_tokens', toString(input_tokens), 'gen_ai.usage.output_tokens', toString(output_tokens),
        'gen_ai.request.temperature', '0.2', 'gen_ai.request.max_tokens', '1024', 'server.address', 'llm.internal',
        'gen_ai.response.time_to_first_chunk', if(streaming, toString(round(duration_s * 0.12, 4)), ''),
        'gen_ai.response.finish_reasons', finish,
        'pharos.cost.usd', toString(round(input_tokens * 2.5e-6 + output_tokens * 1e-5, 8)),
        'error.type', error_type),
        map('gen_ai.operation.name', op, 'gen_ai.tool.name', 'search_orders', 'gen_ai.agent.name', 'shop-assistant'))
        AS SpanAttributes,
    toUInt64(duration_s * 1e9) AS Duration,
    if(error_type != '', 'Error', 'Unset') AS StatusCode,
    if(error_type != '', 'upstream failed', '') AS StatusMessage
FROM (
    SELECT number, h, service, env, op, llm, model, provider, streaming, input_tokens, output_tokens, duration_s,
           finish, error_type, lower(hex(cityHash64(number, 'span'))) AS SpanId
    FROM (
        SELECT number, cityHash64(number) AS h,
               ['chat-api', 'rag-search', 'batch-job', 'support-agent'][h % 4 + 1] AS service,
               if(service = 'batch-job' OR bitShiftRight(h, 5) % 10 = 0, 'staging', 'prod') AS env,
               bitShiftRight(h, 8) % 100 AS k,
               multiIf(k < 80, 'chat', k < 88, 'embeddings', k < 92, 'text_completion', k < 96, 'execute_tool',
                       'invoke_agent') AS op,
               k < 92 AS llm,
               multiIf(NOT llm, '', op = 'embeddings', 'text-embedding-3-small',
                       ['gpt-4o', 'gpt-4o-mini', 'llama-3.1-8b', 'mistral-7b', 'claude-3-5-sonnet']
                       [bitShiftRight(h, 16) % 5 + 1]) AS model,
               multiIf(NOT llm, '', startsWith(model, 'llama') OR startsWith(model, 'mistral'), 'vllm',
                       startsWith(model, 'claude'), 'anthropic', 'openai') AS provider,
               op = 'chat' AND bitShiftRight(h, 40) % 10 < 6 AS streaming,
               if(llm, 50 + bitShiftRight(h, 44) % 2000, 0) AS input_tokens,
               if(llm AND op != 'embeddings', 10 + bitShiftRight(h, 50) % 800, 0) AS output_tokens,
               0.05 + pow((bitShiftRight(h, 32) % 10000) / 10000, 3) * if(op = 'embeddings', 1, 20) AS duration_s,
               if(op IN ('chat', 'text_completion'), multiIf(bitShiftRight(h, 56) % 100 < 90, '["stop"]',
                  bitShiftRight(h, 56) % 100 < 98, '["length"]', '["tool_calls"]'), '') AS finish,
               if(bitShiftRight(h, 24) % 100 < 2,
                  ['429', 'timeout', '500', 'RateLimitError'][bitShiftRight(h, 28) % 4 + 1], '')
                   AS error_type
        FROM numbers({start}, {count})))
"""
SCORES = """
INSERT INTO scores (Timestamp, TraceId, SpanId, ScoreId, Name, Source, Value, Label, Explanation, EvaluatorVersion,
                    ServiceName)
SELECT Timestamp + toIntervalSecond(2), TraceId, SpanId, 'bench', name, 'evaluator', value,
       if(name = 'toxicity' AND value > 0.99, 'flagged', ''), if(name = 'toxicity' AND value > 0.99, 'insult', ''),
       '1', ServiceName
FROM (SELECT Timestamp, TraceId, SpanId, ServiceName, cityHash64(SpanId) AS h,
             ['relevance', 'toxicity', 'pii'][intDiv(h, 10) % 3 + 1] AS name, (intDiv(h, 30) % 1000) / 999 AS value
      FROM otel_traces WHERE GenAIOperationName IN ('chat', 'text_completion') AND h % 10 = 0)
"""
GPU = """
INSERT INTO otel_metrics_{table} (ServiceName, MetricName, Attributes, TimeUnix, StartTimeUnix, Value)
SELECT 'vllm', metric, map('hw.id', concat('gpu', toString(device)), 'hw.type', 'gpu'),
       fromUnixTimestamp64Milli(toInt64({now_ms} - step * 15000)),
       fromUnixTimestamp64Milli(toInt64({now_ms} - 86400000)),
       multiIf(metric = 'hw.gpu.utilization', 0.3 + 0.6 * ((step + device) % 40) / 40,
               metric = 'hw.power', 200 + 300 * ((step + device) % 40) / 40,
               metric = 'hw.temperature', 50 + (step + device) % 30,
               metric = 'hw.gpu.memory.usage', 60e9 + 1e8 * ((step + device) % 100),
               metric = 'hw.gpu.memory.limit', 80e9,
               (5760 - step) * 15 * 350)
FROM (SELECT number AS step FROM numbers(5760)) AS s CROSS JOIN (SELECT number AS device FROM numbers(4)) AS d
     ARRAY JOIN {metrics} AS metric
"""
GPU_METRICS = {"gauge": ["hw.gpu.utilization", "hw.power", "hw.temperature"],
               "sum": ["hw.gpu.memory.usage", "hw.gpu.memory.limit", "hw.energy"]}
SANDBOX = """
INSERT INTO {table} SELECT * REPLACE (fromUnixTimestamp64Milli(toInt64({now_ms} - rowNumberInAllBlocks() * 3600000))
    AS Timestamp, concat('run', toString(rowNumberInAllBlocks())) AS RunId) FROM generateRandom() LIMIT 30
"""

RANGES = {"1h": (3600, 5), "24h": (86400, 120)}  # range -> (seconds, $__interval_s Grafana picks at ~720 points)
SELECTION = {"service": ["chat-api"], "environment": None, "model": ["gpt-4o"], "evaluator": None}
ALL = {"service": None, "environment": None, "model": None, "evaluator": None}


def seed(store: Store, spans: int) -> None:
    """Fill what is missing (a kept store that has its spans only gets the rest)."""
    now_ms = int(time.time() * 1000)
    dense_from = spans * 9 // 10
    t0 = time.perf_counter()
    if store.count("otel_traces") != spans:
        for table in ("otel_traces", "otel_traces_trace_id_ts", "scores"):
            store.command(f"TRUNCATE TABLE {table}")
        for start in range(0, spans, CHUNK):
            store.command(SPANS.format(start=start, count=min(CHUNK, spans - start), n=spans, dense_from=dense_from,
                                       now_ms=now_ms))
            print(f"  {min(start + CHUNK, spans):,} spans ({time.perf_counter() - t0:.0f} s)", flush=True)
    else:
        now_ms = int(store.query("SELECT toUnixTimestamp64Milli(max(Timestamp)) FROM otel_traces")[0][0])
    if not store.count("scores"):
        store.command(SCORES)
        store.command("OPTIMIZE TABLE scores FINAL")
    for table, metrics in GPU_METRICS.items():
        if not store.count(f"otel_metrics_{table}"):
            store.command(GPU.format(table=table, now_ms=now_ms, metrics=metrics))
    for table in ("sandbox_load_runs", "sandbox_eval_runs"):
        if not store.count(table):
            store.command(SANDBOX.format(table=table, now_ms=now_ms))
    print(f"store has {spans:,} spans, {store.count('scores'):,} scores ({time.perf_counter() - t0:.0f} s)",
          flush=True)


def queries(trace_id: str) -> list[tuple[str, str, int]]:
    """(label, rawSql, minimum interval in seconds) of every panel target and template variable of every dashboard."""
    settings = DashboardSettings.model_construct(**{k: f.default for k, f in DashboardSettings.model_fields.items()})
    out: dict[str, tuple[str, int]] = {}  # SQL -> label (a variable shared by several dashboards is timed once)
    for name, model in dashboards(settings).items():
        for var in model["templating"]["list"]:
            if var["type"] == "query":
                out.setdefault(var["query"], (f"{name}: ${var['name']}", 0))
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                min_s = {"": 0, "1m": 60}[panel.get("interval", "")]  # Grafana never goes below a panel's own
                out.setdefault(target["rawSql"].replace("${trace_id}", trace_id), (f"{name}: {panel['title']}", min_s))
    return [(label, sql, min_s) for sql, (label, min_s) in out.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spans", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--data-dir", default=None, help="reuse a store made by an earlier run (kept when given)")
    ap.add_argument("--only", default="", help="time only the panels whose label contains this text")
    ap.add_argument("--selection", action="store_true", help="one service and one model instead of All")
    args = ap.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pharos-bench-dashboards-"))
    store = Store(StoreSettings(data_dir=data_dir, database=DATABASE))
    migrate(store)
    for stmt in ASSUMED_DDL:
        store.command(stmt.replace("{db}", DATABASE))
    seed(store, args.spans)
    newest = store.query("SELECT max(Timestamp) FROM otel_traces")[0][0].replace(tzinfo=timezone.utc)
    end = newest + timedelta(seconds=1)  # the store's "now" (a kept store was seeded earlier)
    trace_id = store.query("SELECT TraceId FROM otel_traces ORDER BY Timestamp DESC LIMIT 1")[0][0]
    variables = {**(SELECTION if args.selection else ALL), "trace_id": trace_id}
    todo = [q for q in queries(trace_id) if args.only.lower() in q[0].lower()]

    # the connection Grafana's queries get through the SQL endpoint (its session settings, readonly last)
    reader = store.new_client(settings=reader_settings(30.0, 1_000_000, 4 * 1024**3), database=DATABASE)

    def run(sql: str, range_key: str, min_interval_s: int = 0) -> None:
        seconds, interval = RANGES[range_key]
        reader.query(macros.expand(sql, start=end - timedelta(seconds=seconds), end=end,
                                         interval_s=max(interval, min_interval_s), variables=variables))

    load = os.getloadavg()
    print(f"\nstore: {store.count('otel_traces'):,} spans, {store.count('scores'):,} scores; {args.runs} runs per "
          f"query; variables: {'one service and model' if args.selection else 'All'}; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    base_sql = "SELECT count() FROM {db}.otel_traces WHERE $__timeFilter(Timestamp)".replace("{db}", DATABASE)
    base = {}
    for key in RANGES:
        xs = timed(lambda: run(base_sql, key), args.runs)
        base[key] = statistics.median(xs)
        print(f"baseline SELECT count() over {key}: p50 {base[key]:.1f} ms, p95 {p95(xs):.1f} ms")
    print(f"\n{'query':<58}{'range':>6}{'p50 ms':>9}{'p95 ms':>9}{'x count()':>11}  goal p95<300")
    worst: list[tuple[float, str]] = []
    for label, sql, min_s in todo:
        for key in RANGES:
            try:
                xs = timed(lambda: run(sql, key, min_s), args.runs)
            except Exception as exc:  # a broken panel is reported, the others still timed
                print(f"{label[:57]:<58}{key:>6}  FAILED: {str(exc).splitlines()[0][:200]}")
                continue
            worst.append((p95(xs), f"{label} ({key})"))
            print(f"{label[:57]:<58}{key:>6}{statistics.median(xs):>9.1f}{p95(xs):>9.1f}"
                  f"{statistics.median(xs) / base[key]:>11.1f}  {'ok' if p95(xs) < 300 else 'SLOW'}", flush=True)
    slow = sorted((x for x in worst if x[0] >= 300), reverse=True)
    load = os.getloadavg()
    print(f"\n{len(worst)} timings; {len(slow)} over 300 ms p95; worst {max(worst)[0]:.1f} ms ({max(worst)[1]}); "
          f"load average now {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for ms, label in slow:
        print(f"  SLOW {ms:8.1f} ms  {label}")


if __name__ == "__main__":
    main()
