"""Tables of the online evaluator worker (migration 5, appended to ``MIGRATIONS`` in the collector).

- ``evaluator_progress``: the durable watermark, per consumer and shard: spans older than ``LowerBound``
  are done (or past the lateness window); the worker scans from there.
- ``evaluator_done``: which spans a consumer has processed inside the lateness window (so late arrivals
  are scored once and early ones are not re-scored). TTL keeps it small.
- ``evaluator_retries``: one row per (evaluator, span) whose evaluator failed; retried with backoff until
  ``State`` is ``done`` or ``gave_up``. A failing evaluator never holds back the others.
- ``evaluator_workers``: heartbeats; live workers of a consumer split the shards between them.
- ``evaluator_health``: per worker and evaluator counters (scored, failed, retried, last error, latency).
"""

from __future__ import annotations

from pharos.collector.store.schema import SchemaOptions, _distributed

__all__ = ["evaluator_tables"]


def evaluator_tables(opts: SchemaOptions) -> list[str]:
    t, oc = opts.table, opts.on_cluster
    rmt = lambda version: opts.engine("ReplacingMergeTree", version)  # noqa: E731
    return [
        f"""CREATE TABLE IF NOT EXISTS {t('evaluator_progress')} {oc} (
    Consumer LowCardinality(String), Shard UInt16, LowerBound DateTime64(9),
    WorkerId String, UpdatedAt DateTime64(6) DEFAULT now64(6)
) ENGINE = {rmt('UpdatedAt')} ORDER BY (Consumer, Shard)""",
        *_distributed(opts, "evaluator_progress", "rand()"),
        f"""CREATE TABLE IF NOT EXISTS {t('evaluator_done')} {oc} (
    Consumer LowCardinality(String), Timestamp DateTime64(9), TraceId String, SpanId String,
    DoneAt DateTime64(6) DEFAULT now64(6)
) ENGINE = {rmt('DoneAt')} PARTITION BY toDate(Timestamp) ORDER BY (Consumer, TraceId, SpanId)
TTL toDateTime(Timestamp) + toIntervalDay(7)""",
        *_distributed(opts, "evaluator_done", "cityHash64(TraceId)"),
        f"""CREATE TABLE IF NOT EXISTS {t('evaluator_retries')} {oc} (
    Consumer LowCardinality(String), Evaluator LowCardinality(String), EvaluatorVersion LowCardinality(String),
    Timestamp DateTime64(9), TraceId String, SpanId String, Attempts UInt32,
    State LowCardinality(String), NextAt DateTime64(6), LastError String,
    UpdatedAt DateTime64(6) DEFAULT now64(6)
) ENGINE = {rmt('UpdatedAt')} PARTITION BY toDate(Timestamp) ORDER BY (Consumer, Evaluator, TraceId, SpanId)
TTL toDateTime(Timestamp) + toIntervalDay(30)""",
        *_distributed(opts, "evaluator_retries", "cityHash64(TraceId)"),
        f"""CREATE TABLE IF NOT EXISTS {t('evaluator_workers')} {oc} (
    Consumer LowCardinality(String), WorkerId String, Host String, StartedAt DateTime64(6),
    HeartbeatAt DateTime64(6), Shards Array(UInt16)
) ENGINE = {rmt('HeartbeatAt')} ORDER BY (Consumer, WorkerId) TTL toDateTime(HeartbeatAt) + toIntervalDay(1)""",
        *_distributed(opts, "evaluator_workers", "rand()"),
        f"""CREATE TABLE IF NOT EXISTS {t('evaluator_health')} {oc} (
    Consumer LowCardinality(String), WorkerId String, Evaluator LowCardinality(String),
    EvaluatorVersion LowCardinality(String), Scored UInt64, Failed UInt64, Retried UInt64, GaveUp UInt64,
    BreakerOpen UInt8, LastError String, LastErrorAt Nullable(DateTime64(6)), MeanLatencyMs Float64,
    UpdatedAt DateTime64(6) DEFAULT now64(6)
) ENGINE = {rmt('UpdatedAt')} ORDER BY (Consumer, Evaluator, WorkerId) TTL toDateTime(UpdatedAt) + toIntervalDay(7)""",
        *_distributed(opts, "evaluator_health", "rand()"),
    ]
