"""The rollups of LLM calls the dashboards read (migration 9): ``llm_calls_1m`` and ``llm_calls_10m``.

At 10M spans a day, every panel that scanned ``otel_traces`` over 24 hours read tens of millions of values (and
the finish-reason and environment panels the whole attribute maps); the rollup holds one row per minute,
service, environment, model and operation (about 50 rows a minute at that volume, 1/150 of the spans), filled
by a materialized view as spans are inserted, whoever inserts them (Pharos or the OTel Collector's exporter).

Counts and sums are plain sums (exact); latency, time to first chunk and time per output token are
``quantiles`` states (the same sampling quantile the panels used on raw spans: exact up to 8192 values per
merged group); ``Slowest``/``SlowestFailed`` keep the slowest call (and the slowest failed call) of each row for
the "slowest and failed calls" table (all zeros where a row has none). The view picks them with ``argMaxIf``, which
compares Durations only; merges take the ``max`` tuple, which is the same call since Duration comes first. Times are
minute-grained: a range's partial first and last minute are counted whole or left out, and panels over the rollup
have a 1-minute minimum interval.

A ``quantiles`` state keeps every value up to 8192, so per-minute states are as big as the spans: merging a
day of them costs as much as the raw scan. ``llm_calls_10m`` holds the same three distributions as t-digests
per 10 minutes, service, environment and model (about 100 centroids each instead of every value): panels read
it for ranges over :data:`SHORT_RANGE_S` (approximate quantiles, 10-minute points) and the exact per-minute
states below it.

``otel_traces`` itself is not changed: the exporter, Grafana's trace view and ad-hoc SQL see the exporter schema.
"""

from __future__ import annotations

from collections.abc import Callable

from pharos.collector.store.schema import TRACES, SchemaOptions, _distributed

__all__ = ["ROLLUP", "DIGESTS", "SHORT_RANGE_S", "LATENCY_LEVELS", "TTFT_LEVELS", "rollup_tables", "filled_by_view",
           "migration_9", "migration_11"]

ROLLUP = "llm_calls_1m"
DIGESTS = "llm_calls_10m"
SHORT_RANGE_S = 6 * 3600  # longer ranges read the 10-minute digests
LATENCY_LEVELS = "0.5, 0.95, 0.99"  # Duration state: [1] p50, [2] p95, [3] p99 (nanoseconds)
TTFT_LEVELS = "0.5, 0.95"  # time to first chunk and time per output token states: [1] p50, [2] p95 (seconds)

# Kept in step with pharos.dashboards.sql (not imported: the store must not need the dashboards' dependencies).
_LLM_CALL = "GenAIOperationName IN ('chat', 'text_completion', 'generate_content', 'embeddings')"
_TPOT = ("if(GenAIOutputTokens > 1 AND GenAITimeToFirstChunk IS NOT NULL, "
         "(Duration / 1e9 - GenAITimeToFirstChunk) / (GenAIOutputTokens - 1), "
         "if(GenAIOutputTokens > 0, Duration / 1e9 / GenAIOutputTokens, NULL))")
# One call, as the table of slowest calls shows it; compared as a tuple, the longest Duration wins.
_CALL = ("tuple(Duration, Timestamp, SpanName, GenAITimeToFirstChunk, GenAIInputTokens, GenAIOutputTokens, "
         "ErrorType, TraceId)")
_CALL_TYPE = ("Tuple(Duration UInt64, Timestamp DateTime64(9), SpanName String, Ttft Nullable(Float64), "
              "InputTokens UInt64, OutputTokens UInt64, ErrorType String, TraceId String)")

_KEYS = """
    Time DateTime CODEC(Delta, ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Environment LowCardinality(String) CODEC(ZSTD(1)),
    GenAIRequestModel LowCardinality(String) CODEC(ZSTD(1)),
    GenAIResponseModel LowCardinality(String) CODEC(ZSTD(1)),
    GenAIProviderName LowCardinality(String) CODEC(ZSTD(1)),
    GenAIOperationName LowCardinality(String) CODEC(ZSTD(1)),
    Project LowCardinality(String) CODEC(ZSTD(1)),"""
_DIGEST_KEYS = """
    Time DateTime CODEC(Delta, ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Environment LowCardinality(String) CODEC(ZSTD(1)),
    GenAIRequestModel LowCardinality(String) CODEC(ZSTD(1)),
    Project LowCardinality(String) CODEC(ZSTD(1)),"""
_VALUES = f"""
    Calls SimpleAggregateFunction(sum, UInt64),
    Errors SimpleAggregateFunction(sum, UInt64),
    ErrorKinds SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    FinishReasons SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    InputTokens SimpleAggregateFunction(sum, UInt64),
    OutputTokens SimpleAggregateFunction(sum, UInt64),
    CostUsd SimpleAggregateFunction(sum, Float64),
    CostCalls SimpleAggregateFunction(sum, UInt64),
    Latency AggregateFunction(quantiles({LATENCY_LEVELS}), UInt64),
    Ttft AggregateFunction(quantiles({TTFT_LEVELS}), Nullable(Float64)),
    Tpot AggregateFunction(quantiles({TTFT_LEVELS}), Nullable(Float64)),
    Slowest SimpleAggregateFunction(max, {_CALL_TYPE}),
    SlowestFailed SimpleAggregateFunction(max, {_CALL_TYPE})"""
_ORDER = ("Time, ServiceName, GenAIRequestModel, Environment, GenAIOperationName, GenAIProviderName, GenAIResponseModel, "
          "Project")
# the project the collector stamped (API keys): project-scoped readers see only their rows (collector/auth.py)
_PROJECT = "ResourceAttributes['pharos.project'] AS Project"

# finish_reasons: a JSON array (the conventions) or one string; '(none)' when not recorded. One count per reason.
_REASONS = ("if(empty(SpanAttributes['gen_ai.response.finish_reasons']), ['(none)'], "
            "if(startsWith(SpanAttributes['gen_ai.response.finish_reasons'], '['), "
            "JSONExtract(SpanAttributes['gen_ai.response.finish_reasons'], 'Array(String)'), "
            "[SpanAttributes['gen_ai.response.finish_reasons']]))")


_DIGEST_ORDER = "Time, ServiceName, GenAIRequestModel, Environment, Project"
_DIGEST_VALUES = f"""
    Calls SimpleAggregateFunction(sum, UInt64),
    Latency AggregateFunction(quantilesTDigest({LATENCY_LEVELS}), UInt64),
    Ttft AggregateFunction(quantilesTDigest({TTFT_LEVELS}), Nullable(Float64)),
    Tpot AggregateFunction(quantilesTDigest({TTFT_LEVELS}), Nullable(Float64))"""


def _select_digests(source: str, condition: str = "") -> str:
    return f"""SELECT
    toStartOfInterval(Timestamp, INTERVAL 10 MINUTE) AS Time, ServiceName,
    ResourceAttributes['deployment.environment.name'] AS Environment, GenAIRequestModel, {_PROJECT},
    count() AS Calls,
    quantilesTDigestState({LATENCY_LEVELS})(Duration) AS Latency,
    quantilesTDigestState({TTFT_LEVELS})(GenAITimeToFirstChunk) AS Ttft,
    quantilesTDigestState({TTFT_LEVELS})({_TPOT}) AS Tpot
FROM {source}
WHERE {_LLM_CALL}{condition}
GROUP BY {_DIGEST_ORDER}"""


def _select(source: str, condition: str = "") -> str:
    """The rollup rows of the LLM calls in ``source`` (the view's SELECT, and the backfill's)."""
    return f"""SELECT
    toStartOfMinute(Timestamp) AS Time, ServiceName,
    ResourceAttributes['deployment.environment.name'] AS Environment,
    GenAIRequestModel, GenAIResponseModel, GenAIProviderName, GenAIOperationName, {_PROJECT},
    count() AS Calls,
    countIf(StatusCode = 'Error') AS Errors,
    sumMapIf(map(if(ErrorType = '', '_OTHER', ErrorType), toUInt64(1)), StatusCode = 'Error') AS ErrorKinds,
    sumMap(mapFromArrays({_REASONS}, arrayMap(x -> toUInt64(1), {_REASONS}))) AS FinishReasons,
    sum(GenAIInputTokens) AS InputTokens,
    sum(GenAIOutputTokens) AS OutputTokens,
    sum(ifNull(GenAICostUsd, 0)) AS CostUsd,
    countIf(GenAICostUsd IS NOT NULL) AS CostCalls,
    quantilesState({LATENCY_LEVELS})(Duration) AS Latency,
    quantilesState({TTFT_LEVELS})(GenAITimeToFirstChunk) AS Ttft,
    quantilesState({TTFT_LEVELS})({_TPOT}) AS Tpot,
    argMaxIf(CAST({_CALL}, '{_CALL_TYPE}'), Duration, StatusCode != 'Error') AS Slowest,
    argMaxIf(CAST({_CALL}, '{_CALL_TYPE}'), Duration, StatusCode = 'Error') AS SlowestFailed
FROM {source}
WHERE {_LLM_CALL}{condition}
GROUP BY {_ORDER}"""


def filled_by_view(opts: SchemaOptions, name: str, create: str, select: Callable[..., str]) -> list[str]:
    """The statements of a table ``name`` (``create``: its CREATE TABLE) that a materialized view ``<name>_mv``
    fills from ``otel_traces`` with ``select(source, condition)``, after a backfill of the spans already there
    (a view sees only new inserts).

    Backfill first, then the view: spans inserted in between are left out (pharos serve migrates before it
    listens; a busy OTel Collector may slip a batch into that gap, never into both). Run again after an
    interruption, the backfill adds nothing once the view exists or the table has rows. On a cluster every
    statement runs ON CLUSTER, which INSERT cannot: backfill there by hand, through the Distributed tables."""
    table, view = opts.table(name), name + "_mv"
    stmts = [create, *_distributed(opts, name, "rand()")]
    if not opts.cluster:
        stmts.append(f"INSERT INTO {table} " + select(opts.table(TRACES), (
            f"\n  AND (SELECT count() FROM system.tables WHERE database = {_literal(opts.database)} "
            f"AND name = {_literal(view)}) = 0 AND (SELECT count() FROM {table}) = 0")))
    stmts.append(f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {opts.table(view)} {opts.on_cluster}
TO {table}
AS {select(opts.table(TRACES))}""")
    return stmts


def rollup_tables(opts: SchemaOptions) -> list[str]:
    """The two rollups, each filled by a view (with a backfill, see :func:`filled_by_view`)."""
    stmts: list[str] = []
    for name, keys, values, order, select in (
            (ROLLUP, _KEYS, _VALUES, _ORDER, _select),
            (DIGESTS, _DIGEST_KEYS, _DIGEST_VALUES, _DIGEST_ORDER, _select_digests)):
        create = f"CREATE TABLE IF NOT EXISTS {opts.table(name)} {opts.on_cluster} ("
        stmts += filled_by_view(opts, name, f"""{create}{keys}{values}
) ENGINE = {opts.engine('AggregatingMergeTree')}
PARTITION BY toDate(Time)
ORDER BY ({order})
{opts.ttl('Time')}
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1""", select)
    return stmts


def migration_9(opts: SchemaOptions) -> list[str]:
    """Migration 9: the rollups the dashboards and the console read, and the console's content search table."""
    from pharos.dashboards.content_index import content_tables

    return rollup_tables(opts) + content_tables(opts)


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def migration_11(opts: SchemaOptions) -> list[str]:
    """Migration 11: the per-minute rollup's view picks the slowest calls with ``argMaxIf`` (see the module
    docstring); the table and its rows are unchanged. ``MODIFY QUERY`` swaps the view's query in one step, so no
    insert falls between an old and a new view."""
    return [f"ALTER TABLE {opts.table(ROLLUP + '_mv')} {opts.on_cluster} MODIFY QUERY {_select(opts.table(TRACES))}"]
