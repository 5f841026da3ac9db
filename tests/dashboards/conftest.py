"""A store seeded with known LLM calls, scores, GPU samples and sandbox runs, and a way to run any dashboard
or alert query against it with Grafana's macros expanded as the ClickHouse plugin expands them.

Times are relative to the moment the tests start (no absolute times); expectations are computed from the
seed below, independently of the SQL under test."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("grafana_foundation_sdk", reason="needs the dashboards extra: pip install -e '.[dashboards]'")
pytest.importorskip("clickhouse_connect", reason="needs the server extra (chdb, clickhouse-connect)")
pytest.importorskip("chdb", reason="needs the server extra (chdb)")

from pharos.dashboards import macros  # noqa: E402
from pharos.dashboards.settings import DashboardSettings  # noqa: E402

NS = 1_000_000_000
ENV = "deployment.environment.name"


@dataclass
class Call:
    offset_s: int  # seconds before "now"
    service: str
    env: str
    model: str
    duration_s: float
    input_tokens: int
    output_tokens: int
    ttft_s: float | None = None
    cost: float | None = None
    error: str | None = None  # None = ok; '' = failed without error.type
    finish: str | None = None
    operation: str = "chat"
    trace_id: str = ""
    span_id: str = ""
    parent: str = ""
    provider: str = "openai"


def _calls() -> list[Call]:
    calls = []
    # chat-api/prod on gpt-4o: 10 streaming calls, 1..10 s, every 5 minutes from 55 to 10 minutes ago.
    for i in range(10):
        calls.append(Call(offset_s=55 * 60 - i * 300, service="chat-api", env="prod", model="gpt-4o",
                          duration_s=i + 1.0, input_tokens=100 * (i + 1), output_tokens=50, ttft_s=0.1 * (i + 1),
                          cost=0.01, error={3: "429", 7: "timeout"}.get(i),
                          finish='["length"]' if i == 9 else '["stop"]', trace_id=f"trace{i:02d}", span_id=f"span{i:02d}"))
    # chat-api/prod on llama-3-8b: 5 non-streaming calls of 0.5 s, 20 tokens out; one failure without error.type.
    for i in range(5):
        calls.append(Call(offset_s=50 * 60 - i * 60, service="chat-api", env="prod", model="llama-3-8b",
                          duration_s=0.5, input_tokens=40, output_tokens=20, error="" if i == 0 else None,
                          finish="stop", trace_id=f"llama{i}", span_id=f"lspan{i}", provider="vllm"))
    # batch-job/staging on gpt-4o: 3 calls of 2 s, $0.02 each, no finish reason recorded.
    for i in range(3):
        calls.append(Call(offset_s=40 * 60 - i * 60, service="batch-job", env="staging", model="gpt-4o",
                          duration_s=2.0, input_tokens=1000, output_tokens=200, cost=0.02,
                          trace_id=f"batch{i}", span_id=f"bspan{i}"))
    return calls


# Spans that are not LLM calls in range: a tool call inside trace00, and a call two hours ago.
EXTRA = [
    Call(offset_s=55 * 60 - 1, service="chat-api", env="prod", model="", duration_s=0.2, input_tokens=0,
         output_tokens=0, operation="execute_tool", trace_id="trace00", span_id="tool00", parent="span00"),
    Call(offset_s=2 * 3600, service="chat-api", env="prod", model="gpt-4o", duration_s=30.0, input_tokens=5,
         output_tokens=5, ttft_s=9.0, cost=5.0, error="500", trace_id="old", span_id="old"),
]


@dataclass
class Score:
    offset_s: int
    trace_id: str
    span_id: str
    name: str
    value: float
    label: str = ""
    source: str = "evaluator"
    created_offset_s: int = 0  # seconds before "now" the score was written
    explanation: str = ""
    service: str = "chat-api"


def _scores(calls: list[Call]) -> list[Score]:
    gpt = [c for c in calls if c.model == "gpt-4o" and c.service == "chat-api"]
    scores = []
    for i, c in enumerate(gpt):
        flagged = i in (2, 5)
        scores.append(Score(c.offset_s, c.trace_id, c.span_id, "toxicity", 0.9 if flagged else 0.1,
                            "flagged" if flagged else "pass", explanation="insult" if flagged else ""))
        scores.append(Score(c.offset_s, c.trace_id, c.span_id, "relevance", 0.5 if c.offset_s <= 3600 else 0.8))
    # A rewrite of one score (ReplacingMergeTree keeps the newest CreatedAt): the first write must not count.
    scores.append(Score(gpt[0].offset_s, gpt[0].trace_id, gpt[0].span_id, "relevance", 0.0, created_offset_s=600))
    scores.append(Score(gpt[1].offset_s, gpt[1].trace_id, gpt[1].span_id, "thumbs", 1.0, source="user"))
    # relevance history: 20 scores of 0.8 spread over the 24 hours before the last hour.
    for k in range(20):
        scores.append(Score(2 * 3600 + k * 3600, f"hist{k}", f"hspan{k}", "relevance", 0.8))
    return scores


@dataclass
class Seed:
    now: int  # epoch seconds
    calls: list[Call] = field(default_factory=_calls)

    def __post_init__(self) -> None:
        self.scores = _scores(self.calls)

    def ts(self, offset_s: float) -> int:
        return self.now - int(offset_s)


class Store:
    """Talks to tests/dashboards/store_worker.py."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("store_worker.py")), str(path)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert json.loads(self.proc.stdout.readline()).get("ready")

    def _call(self, **req: Any) -> dict[str, Any]:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        if "error" in out:
            raise AssertionError(f"{out['error']}\nSQL: {req.get('sql', req.get('table'))}")
        return out

    def command(self, sql: str) -> None:
        self._call(op="command", sql=sql)

    def insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        self._call(op="insert", table=table, columns=columns, rows=rows)

    def query(self, sql: str) -> list[dict[str, Any]]:
        out = self._call(op="query", sql=sql)
        return [dict(zip(out["columns"], row)) for row in out["rows"]]

    def serve_sql(self) -> int:
        return self._call(op="serve_sql")["port"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _span_row(seed: Seed, c: Call) -> list[Any]:
    attrs = {"gen_ai.operation.name": c.operation}
    if c.model:
        attrs.update({"gen_ai.request.model": c.model, "gen_ai.response.model": c.model + "-2024",
                      "gen_ai.provider.name": c.provider, "gen_ai.usage.input_tokens": str(c.input_tokens),
                      "gen_ai.usage.output_tokens": str(c.output_tokens)})
    if c.ttft_s is not None:
        attrs["gen_ai.response.time_to_first_chunk"] = repr(c.ttft_s)
    if c.cost is not None:
        attrs["pharos.cost.usd"] = repr(c.cost)
    if c.error:
        attrs["error.type"] = c.error
    if c.finish:
        attrs["gen_ai.response.finish_reasons"] = c.finish
    name = f"{c.operation} {c.model}".strip()
    return [seed.ts(c.offset_s) * NS, c.trace_id, c.span_id, c.parent, name, "Client", c.service,
            {"service.name": c.service, ENV: c.env}, attrs, int(c.duration_s * NS),
            "Error" if c.error is not None else "Unset"]


SPAN_COLUMNS = ["Timestamp", "TraceId", "SpanId", "ParentSpanId", "SpanName", "SpanKind", "ServiceName",
                "ResourceAttributes", "SpanAttributes", "Duration", "StatusCode"]
GPU = {  # device -> metric -> (table, first value, last value)
    "gpu0": {"hw.gpu.utilization": ("gauge", 0.5, 0.9), "hw.gpu.memory.usage": ("sum", 70e9, 79e9),
             "hw.gpu.memory.limit": ("sum", 80e9, 80e9), "hw.power": ("gauge", 300.0, 500.0),
             "hw.temperature": ("gauge", 60.0, 80.0), "hw.energy": ("sum", 0.0, 3.6e6)},
    "gpu1": {"hw.gpu.utilization": ("gauge", 0.1, 0.3), "hw.gpu.memory.usage": ("sum", 40e9, 40e9),
             "hw.gpu.memory.limit": ("sum", 80e9, 80e9), "hw.power": ("gauge", 100.0, 100.0),
             "hw.temperature": ("gauge", 40.0, 50.0), "hw.energy": ("sum", 0.0, 1.8e6)},
}
GPU_OFFSETS = (30 * 60, 2 * 60)  # first and last sample, seconds before now


def _seed(store: Store, seed: Seed) -> None:
    from pharos.collector.store import schema
    from pharos.dashboards.rollup import rollup_tables
    from pharos.dashboards.sandbox import ASSUMED_DDL

    opts = schema.SchemaOptions(database="otel")
    store.command("CREATE DATABASE IF NOT EXISTS otel")
    for stmt in [*schema.exporter_tables(opts), *schema.genai_columns(opts), *schema.pharos_tables(opts),
                 *rollup_tables(opts), *[s.replace("{db}", "otel") for s in ASSUMED_DDL]]:
        store.command(stmt)
    store.insert("otel.otel_traces", SPAN_COLUMNS, [_span_row(seed, c) for c in seed.calls + EXTRA])
    store.insert("otel.scores", ["Timestamp", "CreatedAt", "TraceId", "SpanId", "ScoreId", "Name", "Source", "Value",
                                 "Label", "Explanation", "EvaluatorVersion", "ServiceName"],
                 [[seed.ts(s.offset_s) * NS, (seed.now - s.created_offset_s) * 1_000_000, s.trace_id, s.span_id,
                   "1", s.name, s.source, s.value, s.label, s.explanation, "1", s.service] for s in seed.scores])
    for table in ("gauge", "sum"):
        rows = []
        for device, metrics in GPU.items():
            for metric, (tbl, first, last) in metrics.items():
                if tbl == table:
                    for offset, value in zip(GPU_OFFSETS, (first, last)):
                        rows.append([seed.ts(offset) * NS, "chat-api", metric, {"hw.id": device}, value])
        store.insert(f"otel.otel_metrics_{table}", ["TimeUnix", "ServiceName", "MetricName", "Attributes", "Value"],
                     rows)
    store.insert("otel.sandbox_load_runs",
                 ["RunId", "Timestamp", "Model", "Revision", "RequestRate", "Concurrency", "Completed", "Failed",
                  "RequestThroughput", "OutputThroughput", "MeanTtftMs", "P99TtftMs", "MeanTpotMs", "P99TpotMs",
                  "MeanItlMs", "MeanE2elMs", "P99E2elMs"],
                 [["load1", seed.ts(3000) * NS, "tiny", "r1", 2.0, 4, 100, 0, 1.9, 150.0, 40.0, 120.0, 5.0, 9.0,
                   5.0, 400.0, 900.0],
                  ["load2", seed.ts(1200) * NS, "tiny", "r2", 2.0, 4, 98, 2, 1.8, 140.0, 45.0, 150.0, 5.5, 10.0,
                   5.5, 420.0, 950.0]])
    store.insert("otel.sandbox_eval_runs",
                 ["RunId", "Timestamp", "Model", "Revision", "Task", "Metric", "Value", "Stderr", "BaselineRunId",
                  "BaselineValue", "Verdict"],
                 [["eval1", seed.ts(2400) * NS, "tiny", "r1", "qa", "exact_match", 0.80, 0.02, "", None, "pass"],
                  ["eval2", seed.ts(600) * NS, "tiny", "r2", "qa", "exact_match", 0.60, 0.03, "eval1", 0.80,
                   "regression"]])


@pytest.fixture(scope="session")
def seed() -> Seed:
    return Seed(now=int(time.time()) // 60 * 60)


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory, seed: Seed):
    s = Store(tmp_path_factory.mktemp("chdb") / "store")
    try:
        _seed(s, seed)
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def settings() -> DashboardSettings:
    return DashboardSettings.model_construct(**{k: f.default for k, f in DashboardSettings.model_fields.items()})


@pytest.fixture(scope="session")
def run(store: Store, seed: Seed):
    """Run a panel's SQL over the last hour (or ``window_s``) with the given variables."""

    def _run(sql: str, *, window_s: int = 3600, end_offset_s: int = 0, interval_s: int = 600,
             **variables: Any) -> list[dict[str, Any]]:
        end = datetime.fromtimestamp(seed.now - end_offset_s, tz=timezone.utc)
        start = datetime.fromtimestamp(seed.now - end_offset_s - window_s, tz=timezone.utc)
        return store.query(macros.expand(sql, start=start, end=end, interval_s=interval_s, variables=variables))

    return _run


@pytest.fixture(scope="session")
def panels(settings: DashboardSettings) -> dict[tuple[str, str], str]:
    """(dashboard uid, panel title) -> rawSql of every panel of every dashboard."""
    from pharos.dashboards.build import dashboards

    out = {}
    for model in dashboards(settings).values():
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                out[(model["uid"], panel["title"])] = target["rawSql"]
    return out


@pytest.fixture(scope="session")
def gpu():
    return GPU, GPU_OFFSETS


@pytest.fixture(scope="session")
def q():
    return quantile


def quantile(values: list[float], q: float) -> float:
    """ClickHouse's quantile() on fewer than 8192 values: linear interpolation between closest ranks."""
    xs = sorted(values)
    idx = q * (len(xs) - 1)
    lo, hi = math.floor(idx), math.ceil(idx)
    return xs[lo] + (xs[hi] - xs[lo]) * (idx - lo)


@pytest.fixture(scope="session")
def spans(seed: Seed):
    """The seeded spans: ``spans.all`` (the calls and the EXTRA spans), ``spans.rows(calls)`` as insert rows in
    ``spans.COLUMNS`` order."""

    class Spans:
        COLUMNS = SPAN_COLUMNS
        all = seed.calls + EXTRA

        @staticmethod
        def rows(calls: list[Call]) -> list[list[Any]]:
            return [_span_row(seed, c) for c in calls]

    return Spans
