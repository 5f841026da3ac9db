"""The store's DDL.

The ``otel_*`` tables are exactly those the OpenTelemetry Collector's ClickHouse exporter creates
(columns, types, codecs, skip indexes, partitioning, ORDER BY), so the real exporter and Grafana's
ClickHouse plugin work on the same tables. Created with ``IF NOT EXISTS``: tables the exporter
already made are adopted as they are. Pharos adds MATERIALIZED columns for the hot GenAI attributes
and its own tables (``scores``).

With a ``cluster``, every statement runs ``ON CLUSTER``; each table becomes a ``<name>_local``
ReplicatedMergeTree plus a Distributed ``<name>`` over it (inserts and queries use ``<name>``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SchemaOptions", "TRACES", "GENAI_COLUMNS", "COST_ATTRIBUTE", "exporter_tables", "genai_columns",
           "pharos_tables", "feedback_scores_view", "SCORE_COLUMNS"]

TRACES = "otel_traces"
COST_ATTRIBUTE = "pharos.cost.usd"  # the SDK records the price of a call here (USD)

# name, type, expression over SpanAttributes -- what dashboards and evaluators read without map lookups.
GENAI_COLUMNS: list[tuple[str, str, str]] = [
    ("GenAIOperationName", "LowCardinality(String)", "SpanAttributes['gen_ai.operation.name']"),
    ("GenAIProviderName", "LowCardinality(String)",
     "if(mapContains(SpanAttributes, 'gen_ai.provider.name'), SpanAttributes['gen_ai.provider.name'], "
     "SpanAttributes['gen_ai.system'])"),
    ("GenAIRequestModel", "LowCardinality(String)", "SpanAttributes['gen_ai.request.model']"),
    ("GenAIResponseModel", "LowCardinality(String)", "SpanAttributes['gen_ai.response.model']"),
    ("GenAIInputTokens", "UInt64", "toUInt64OrZero(SpanAttributes['gen_ai.usage.input_tokens'])"),
    ("GenAIOutputTokens", "UInt64", "toUInt64OrZero(SpanAttributes['gen_ai.usage.output_tokens'])"),
    ("GenAITimeToFirstChunk", "Nullable(Float64)",
     "toFloat64OrNull(SpanAttributes['gen_ai.response.time_to_first_chunk'])"),
    ("GenAICostUsd", "Nullable(Float64)", f"toFloat64OrNull(SpanAttributes['{COST_ATTRIBUTE}'])"),
    ("GenAIConversationId", "String", "SpanAttributes['gen_ai.conversation.id']"),
    ("ErrorType", "LowCardinality(String)", "SpanAttributes['error.type']"),
]


@dataclass(frozen=True)
class SchemaOptions:
    database: str = "otel"
    cluster: str | None = None
    retention_days: int = 0

    @property
    def on_cluster(self) -> str:
        return f"ON CLUSTER {quote(self.cluster)}" if self.cluster else ""

    def ttl(self, column: str) -> str:
        return f"TTL toDateTime({column}) + toIntervalDay({self.retention_days})" if self.retention_days else ""

    def local_name(self, name: str) -> str:
        """Name of the table that holds the data (the ``_local`` replicated table on a cluster)."""
        return name + "_local" if self.cluster else name

    def table(self, name: str) -> str:
        """Quoted ``database.table`` of the table that holds the data."""
        return f"{quote(self.database)}.{quote(self.local_name(name))}"

    def engine(self, kind: str = "MergeTree", args: str = "") -> str:
        if self.cluster:
            zk = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"
            return f"Replicated{kind}({zk}{', ' + args if args else ''})"
        return f"{kind}({args})"


def quote(identifier: str) -> str:
    return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _distributed(opts: SchemaOptions, name: str, sharding_key: str) -> list[str]:
    if not opts.cluster:
        return []
    db = quote(opts.database)
    return [
        f"CREATE TABLE IF NOT EXISTS {db}.{quote(name)} {opts.on_cluster} AS {opts.table(name)} "
        f"ENGINE = Distributed({quote(opts.cluster)}, {db}, {quote(name + '_local')}, {sharding_key})"
    ]


_ATTR_MAP = "Map(LowCardinality(String), String)"
_METRIC_COMMON = f"""
    ResourceAttributes {_ATTR_MAP} CODEC(ZSTD(1)),
    ResourceSchemaUrl String CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    ScopeAttributes {_ATTR_MAP} CODEC(ZSTD(1)),
    ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
    ScopeSchemaUrl String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    MetricName String CODEC(ZSTD(1)),
    MetricDescription String CODEC(ZSTD(1)),
    MetricUnit String CODEC(ZSTD(1)),
    Attributes {_ATTR_MAP} CODEC(ZSTD(1)),
    StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
    TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),"""
_EXEMPLARS = f"""
    Exemplars Nested (
        FilteredAttributes {_ATTR_MAP},
        TimeUnix DateTime64(9),
        Value Float64,
        SpanId String,
        TraceId String
    ) CODEC(ZSTD(1)),"""
_METRIC_INDEXES = """
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1"""
_METRIC_TAIL = """
PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))
{ttl}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"""

_METRIC_BODIES = {
    "otel_metrics_gauge": f"""{_METRIC_COMMON}
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),{_EXEMPLARS}""",
    "otel_metrics_sum": f"""{_METRIC_COMMON}
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),{_EXEMPLARS}
    AggregationTemporality Int32 CODEC(ZSTD(1)),
    IsMonotonic Boolean CODEC(Delta, ZSTD(1)),""",
    "otel_metrics_histogram": f"""{_METRIC_COMMON}
    Count UInt64 CODEC(Delta, ZSTD(1)),
    Sum Float64 CODEC(ZSTD(1)),
    BucketCounts Array(UInt64) CODEC(ZSTD(1)),
    ExplicitBounds Array(Float64) CODEC(ZSTD(1)),{_EXEMPLARS}
    Flags UInt32 CODEC(ZSTD(1)),
    Min Float64 CODEC(ZSTD(1)),
    Max Float64 CODEC(ZSTD(1)),
    AggregationTemporality Int32 CODEC(ZSTD(1)),""",
}
METRIC_TABLES = list(_METRIC_BODIES)


def exporter_tables(opts: SchemaOptions) -> list[str]:
    """The OTel Collector ClickHouse exporter's traces and metrics DDL."""
    traces = opts.table(TRACES)
    lookup = opts.table(TRACES + "_trace_id_ts")
    stmts = [
        f"""CREATE TABLE IF NOT EXISTS {traces} {opts.on_cluster} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes {_ATTR_MAP} CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes {_ATTR_MAP} CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes {_ATTR_MAP}
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes {_ATTR_MAP}
    ) CODEC(ZSTD(1)),
    ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),
    SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
    INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = {opts.engine()}
PARTITION BY toDate(Timestamp)
PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)
{opts.ttl('Timestamp')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1""",
        *_distributed(opts, TRACES, "cityHash64(TraceId)"),
        f"""CREATE TABLE IF NOT EXISTS {lookup} {opts.on_cluster} (
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
) ENGINE = {opts.engine('AggregatingMergeTree')}
PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)
{opts.ttl('Start')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1""",
        *_distributed(opts, TRACES + "_trace_id_ts", "cityHash64(TraceId)"),
        f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {opts.table(TRACES + '_trace_id_ts_mv')} {opts.on_cluster}
TO {lookup}
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End
FROM {traces}
WHERE TraceId != ''
GROUP BY TraceId""",
    ]
    for name, body in _METRIC_BODIES.items():
        stmts.append(f"CREATE TABLE IF NOT EXISTS {opts.table(name)} {opts.on_cluster} ({body}{_METRIC_INDEXES}\n) "
                     f"ENGINE = {opts.engine()}{_METRIC_TAIL.format(ttl=opts.ttl('TimeUnix'))}")
        stmts += _distributed(opts, name, "rand()")
    return stmts


def genai_columns(opts: SchemaOptions) -> list[str]:
    """MATERIALIZED GenAI columns on ``otel_traces`` (and its Distributed table on a cluster)."""
    targets = [opts.table(TRACES)]
    if opts.cluster:
        targets.append(f"{quote(opts.database)}.{quote(TRACES)}")
    stmts = []
    for target in targets:
        adds = ",\n".join(f"ADD COLUMN IF NOT EXISTS {name} {type_} MATERIALIZED {expr}"
                          for name, type_, expr in GENAI_COLUMNS)
        stmts.append(f"ALTER TABLE {target} {opts.on_cluster}\n{adds}")
    return stmts


# The columns a writer fills in ``scores``, in this order (the API, the evaluators and the console write rows so).
SCORE_COLUMNS = ["Timestamp", "TraceId", "SpanId", "ScoreId", "Name", "Source", "Value", "Label", "Explanation",
                 "EvaluatorVersion", "ServiceName", "Attributes"]


def pharos_tables(opts: SchemaOptions) -> list[str]:
    """Pharos' own tables. ``scores``: one row per score of a span, by an evaluator, a user or a human.
    ReplacingMergeTree on (Name, TraceId, SpanId, ScoreId): writing the same score twice keeps one."""
    scores = opts.table("scores")
    return [
        f"""CREATE TABLE IF NOT EXISTS {scores} {opts.on_cluster} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    CreatedAt DateTime64(6) DEFAULT now64(6) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ScoreId String CODEC(ZSTD(1)),
    Name LowCardinality(String) CODEC(ZSTD(1)),
    Source LowCardinality(String) CODEC(ZSTD(1)),
    Value Float64 CODEC(ZSTD(1)),
    Label LowCardinality(String) CODEC(ZSTD(1)),
    Explanation String CODEC(ZSTD(1)),
    EvaluatorVersion LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Attributes {_ATTR_MAP} CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = {opts.engine('ReplacingMergeTree', 'CreatedAt')}
PARTITION BY toDate(Timestamp)
ORDER BY (Name, TraceId, SpanId, ScoreId)
{opts.ttl('Timestamp')}
SETTINGS index_granularity = 8192""",
        *_distributed(opts, "scores", "cityHash64(TraceId)"),
    ]


def feedback_scores_view(opts: SchemaOptions) -> list[str]:
    """Scores sent as spans (the SDK's ``pharos.feedback``: ``gen_ai.evaluation.*`` attributes plus
    ``pharos.score.id``) become ``scores`` rows as they are inserted, whichever collector wrote them.
    A score without a value (a label only) is stored with Value = nan."""
    a = "SpanAttributes"
    return [f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {opts.table('scores_from_spans_mv')} {opts.on_cluster}
TO {opts.table('scores')}
AS SELECT
    Timestamp,
    if({a}['pharos.score.target.trace_id'] != '', {a}['pharos.score.target.trace_id'], TraceId) AS TraceId,
    if({a}['pharos.score.target.trace_id'] != '', {a}['pharos.score.target.span_id'], ParentSpanId) AS SpanId,
    {a}['pharos.score.id'] AS ScoreId,
    {a}['gen_ai.evaluation.name'] AS Name,
    if({a}['pharos.score.source'] IN ('user', 'human', 'evaluator'), {a}['pharos.score.source'], 'user') AS Source,
    ifNull(toFloat64OrNull({a}['gen_ai.evaluation.score.value']), nan) AS Value,
    {a}['gen_ai.evaluation.score.label'] AS Label,
    {a}['gen_ai.evaluation.explanation'] AS Explanation,
    ServiceName,
    mapFilter((k, v) -> k NOT IN ('pharos.score.id', 'pharos.score.source', 'pharos.score.target.trace_id',
        'pharos.score.target.span_id', 'gen_ai.evaluation.name', 'gen_ai.evaluation.score.value',
        'gen_ai.evaluation.score.label', 'gen_ai.evaluation.explanation'), {a}) AS Attributes
FROM {opts.table(TRACES)}
WHERE {a}['pharos.score.id'] != '' AND {a}['gen_ai.evaluation.name'] != ''"""]


# Tables that OTLP and score inserts from the write-ahead log land in (directly or through a view).
DEDUPLICATED_TABLES = [TRACES, TRACES + "_trace_id_ts", *METRIC_TABLES, "scores"]


def insert_deduplication(opts: SchemaOptions) -> list[str]:
    """Let a replayed write-ahead-log batch (same ``insert_deduplication_token``) be a no-op.

    Replicated tables (a cluster) deduplicate inserts by default; a plain MergeTree only with a
    ``non_replicated_deduplication_window``. After a crash only the last batch or so can be replayed,
    so a window of 1000 inserts is ample."""
    if opts.cluster:
        return []
    return [f"ALTER TABLE {opts.table(name)} MODIFY SETTING non_replicated_deduplication_window = 1000"
            for name in DEDUPLICATED_TABLES]


# Below this size (uncompressed) a part is written Compact: one data file instead of two files per column stream.
COMPACT_PART_BYTES = 256 * 1024 * 1024


def compact_parts(opts: SchemaOptions) -> list[str]:
    """Write each batch's parts Compact (ClickHouse's default switches to Wide at 10 MB, smaller than one batch).

    A Wide part of ``otel_traces`` is about 150 files, and every insert makes one in each table the batch
    reaches; creating and, after merges, deleting that many files cost about a tenth of the collector's CPU
    (ext4 inode allocation, in a profile of the ingest benchmark) and a write buffer per file. Merges still
    make Wide parts once they pass ``COMPACT_PART_BYTES``, so large data is read column by column as before."""
    from pharos.dashboards.content_index import CONTENT
    from pharos.dashboards.rollup import DIGESTS, ROLLUP

    return [f"ALTER TABLE {opts.table(name)} {opts.on_cluster} MODIFY SETTING min_bytes_for_wide_part = "
            f"{COMPACT_PART_BYTES}" for name in [*DEDUPLICATED_TABLES, ROLLUP, DIGESTS, CONTENT]]


# How many parts of about the same size otel_traces merges at once (ClickHouse's default: 5).
MERGE_SELECTOR_BASE = 8


def merge_fan_out(opts: SchemaOptions) -> list[str]:
    """Let ``otel_traces`` merge about 8 parts at a time instead of 5: each span is rewritten by fewer merge
    levels (log 8 instead of log 5 of the part count), which cut the CPU of inserting 1M spans and merging them
    until idle by about a tenth (in-process A/B), at the cost of a few more parts between merges."""
    return [f"ALTER TABLE {opts.table(TRACES)} {opts.on_cluster} MODIFY SETTING merge_selector_base = "
            f"{MERGE_SELECTOR_BASE}"]
