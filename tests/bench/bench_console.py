"""Console benchmark: server time per page at 1M stored LLM calls (goal: every page p95 < 300 ms).

    python tests/bench/bench_console.py [--calls 1000000] [--runs 20] [--data-dir DIR]

Builds an embedded store (chDB) with ``--calls`` synthetic LLM calls over the last 24 hours (5 services,
4 models, 2% errors, captured prompts/answers, one evaluator score per 10 calls) inserted with
``INSERT ... SELECT FROM numbers()``, then times each console page in-process (the ASGI app with the same
read-only reader connections `pharos serve` gives it; no network). Baselines measured in the same run:
a ``SELECT 1`` round trip on a reader and ``GET /healthz`` through the app; every page is printed as a
ratio to them, so the figures carry over between machines.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from pharos.collector.settings import StoreSettings
from pharos.collector.sql_api import reader_settings
from pharos.collector.store import Store
from pharos.collector.store.migrations import migrate
from pharos.dashboards.console import create_console_app

SEED = """
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
                         ResourceAttributes, SpanAttributes, Duration, StatusCode, StatusMessage)
SELECT
    now64(9) - toIntervalMillisecond(intDiv(number * 86400000, {n})) AS Timestamp,
    lower(hex(cityHash64(number, 'trace'))) || lower(hex(cityHash64(number, 't2'))) AS TraceId,
    lower(hex(cityHash64(number, 'span'))) AS SpanId,
    '' AS ParentSpanId,
    concat('chat ', model) AS SpanName,
    'Client' AS SpanKind,
    concat('service-', toString(number % 5)) AS ServiceName,
    map('service.name', concat('service-', toString(number % 5))) AS ResourceAttributes,
    map('gen_ai.operation.name', 'chat', 'gen_ai.provider.name', 'openai', 'gen_ai.request.model', model,
        'gen_ai.response.model', model,
        'gen_ai.usage.input_tokens', toString(20 + number % 400), 'gen_ai.usage.output_tokens', toString(5 + number % 200),
        'gen_ai.response.time_to_first_chunk', toString(0.05 + (number % 100) / 200),
        'pharos.cost.usd', toString((20 + number % 400) * 0.0000005),
        'error.type', if(number % 50 = 7, 'TimeoutError', ''),
        'gen_ai.input.messages', concat('[{{"role":"user","parts":[{{"type":"text","content":"Question ', toString(number),
            ' about order ', toString(number % 9973), ': where is my parcel and when will it arrive?"}}]}}]'),
        'gen_ai.output.messages', concat('[{{"role":"assistant","parts":[{{"type":"text","content":"Your parcel ',
            toString(number % 9973), ' is on its way and should arrive within three working days."}}]}}]')) AS SpanAttributes,
    toUInt64(50e6 + (number % 1000) * 2e6) AS Duration,
    if(number % 50 = 7, 'Error', 'Ok') AS StatusCode,
    '' AS StatusMessage
FROM (SELECT number, ['gpt-4o-mini', 'gpt-4o', 'llama-3-8b', 'mistral-7b'][number % 4 + 1] AS model
      FROM numbers({n}))
"""
SCORES = """
INSERT INTO scores (Timestamp, TraceId, SpanId, ScoreId, Name, Source, Value, Label, Explanation, EvaluatorVersion,
                    ServiceName)
SELECT Timestamp, TraceId, SpanId, 'bench', ['relevance', 'toxicity', 'pii'][number % 3 + 1], 'evaluator',
       (number % 100) / 100, if(number % 100 < 3, 'flagged', ''), 'synthetic', '1', ServiceName
FROM (SELECT Timestamp, TraceId, SpanId, ServiceName, rowNumberInAllBlocks() AS number FROM otel_traces
      WHERE cityHash64(SpanId) % 10 = 0)
"""


def timed(fn, runs: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--data-dir", default=None, help="reuse a store made by an earlier run (kept when given)")
    args = ap.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pharos-bench-console-"))
    store = Store(StoreSettings(data_dir=data_dir, database="bench_console"))
    migrate(store)
    have = store.count("otel_traces")
    if have < args.calls:
        t = time.perf_counter()
        store.command("TRUNCATE TABLE otel_traces")
        store.command("TRUNCATE TABLE scores")
        store.command(SEED.format(n=args.calls))
        store.command(SCORES)
        store.command("OPTIMIZE TABLE scores FINAL")
        print(f"seeded {args.calls:,} calls and {store.count('scores'):,} scores in {time.perf_counter() - t:.1f} s")
    limits = reader_settings(30, 1_000_000, 4 * 2**30)

    def reader():
        return store.new_client(settings=limits, database=store.database)

    app = create_console_app(store, reader)
    client = TestClient(app)
    one = reader()
    tid, sid = store.query("SELECT TraceId, SpanId FROM otel_traces ORDER BY Timestamp DESC LIMIT 1")[0]

    pages = {
        "overview 24h": "/?range=24h",
        "overview 1h, service": "/?range=1h&service=service-1",
        "calls": "/calls?range=24h",
        "calls page 20, model": "/calls?range=24h&model=gpt-4o&page=20",
        "calls errors": "/calls?range=24h&status=error",
        "calls search (text)": "/calls?range=24h&q=order+4242:",
        "calls search 1h": "/calls?range=1h&q=parcel+1",
        "calls flagged": "/calls?range=24h&flagged=any",
        "call detail": f"/calls/{tid}?span={sid}",
        "evaluations": "/evaluations?range=24h",
        "runs": "/runs",
    }
    base_sql = timed(lambda: one.query("SELECT 1"), args.runs)
    base_http = timed(lambda: client.get("/healthz"), args.runs)
    b1, b2 = statistics.median(base_sql), statistics.median(base_http)
    print(f"\nstore: {store.count('otel_traces'):,} spans, {store.count('scores'):,} scores; {args.runs} runs per page")
    print(f"baseline SELECT 1 round trip: p50 {b1:.2f} ms; GET /healthz: p50 {b2:.2f} ms\n")
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'x SELECT 1':>12}{'x healthz':>11}  goal p95<300")
    worst = 0.0
    for name, url in pages.items():
        status = client.get(url).status_code
        assert status == 200, (url, status)
        xs = timed(lambda: client.get(url), args.runs)
        worst = max(worst, p95(xs))
        print(f"{name:<24}{statistics.median(xs):>9.1f}{p95(xs):>9.1f}{statistics.median(xs) / b1:>12.0f}"
              f"{statistics.median(xs) / b2:>11.1f}  {'ok' if p95(xs) < 300 else 'SLOW'}")
    print(f"\nworst p95: {worst:.1f} ms ({'meets' if worst < 300 else 'misses'} the 300 ms goal)")


if __name__ == "__main__":
    main()
