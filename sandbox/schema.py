"""The sandbox's tables (migration 5) and how run records reach them.

``sandbox_load_runs``   one row per load run (a sweep gives one row per rate/concurrency point)
``sandbox_eval_runs``   one row per (eval run, task, metric): value, stderr, baseline and verdict
``sandbox_eval_samples`` one row per (eval run, task, item, metric): prompt, target, response, score

How records get there: the store of a running ``pharos serve`` belongs to that process (embedded chDB
is one process per data directory), so the sandbox sends each record as an OTLP **span** named
``pharos.sandbox.<kind>`` whose attributes are ``pharos.sandbox.record = <kind>`` plus one
``pharos.sandbox.r.<Column>`` per column. A materialized view per table (created here) turns those
spans into rows as they are inserted into ``otel_traces`` -- the same path ``scores`` uses for
feedback spans -- so records arrive through any collector that writes the exporter schema
(``pharos serve`` over chDB or a ClickHouse server, or the real OTel Collector), with no second
writer and no credentials. When no server owns the store (``--store``), rows are inserted directly
with the same column mapping (:func:`row_values`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pharos.collector.store.schema import SchemaOptions, quote

__all__ = ["LOAD_COLUMNS", "EVAL_COLUMNS", "SAMPLE_COLUMNS", "TABLES", "sandbox_tables", "record_attributes",
           "row_values", "RECORD_KEY", "ATTR_PREFIX", "RUN_ID_ATTR"]

RECORD_KEY = "pharos.sandbox.record"
ATTR_PREFIX = "pharos.sandbox.r."
RUN_ID_ATTR = "pharos.sandbox.run_id"  # on every request span of a load run: links the run to its traces

_STATS = ["Mean", "Median", "P90", "P99"]
_LAT = ["Ttft", "Tpot", "Itl", "E2el"]

LOAD_COLUMNS: list[tuple[str, str]] = [
    ("RunId", "String"), ("Timestamp", "DateTime64(9)"), ("Model", "LowCardinality(String)"),
    ("Revision", "String"), ("SweepId", "String"), ("BaseUrl", "String"),
    ("Mode", "LowCardinality(String)"), ("Arrival", "LowCardinality(String)"), ("PromptSet", "String"),
    ("Stream", "UInt8"), ("MaxTokens", "UInt32"),
    ("RequestRate", "Float64"), ("Concurrency", "UInt32"), ("DurationS", "Float64"),
    ("Requested", "UInt64"), ("Completed", "UInt64"), ("Failed", "UInt64"), ("AchievedRate", "Float64"),
    ("RequestThroughput", "Float64"), ("OutputThroughput", "Float64"),
    ("InputTokens", "UInt64"), ("OutputTokens", "UInt64"),
    *[(f"{s}{m}Ms", "Float64") for m in _LAT for s in _STATS],
]
EVAL_COLUMNS: list[tuple[str, str]] = [
    ("RunId", "String"), ("Timestamp", "DateTime64(9)"), ("Model", "LowCardinality(String)"), ("Revision", "String"),
    ("Suite", "LowCardinality(String)"), ("Task", "LowCardinality(String)"), ("Metric", "LowCardinality(String)"),
    ("Value", "Float64"), ("Stderr", "Float64"), ("N", "UInt64"), ("Source", "LowCardinality(String)"),
    ("Threshold", "Nullable(Float64)"), ("BaselineRunId", "String"), ("BaselineValue", "Nullable(Float64)"),
    ("BaselineStderr", "Nullable(Float64)"), ("Verdict", "LowCardinality(String)"),
]
SAMPLE_COLUMNS: list[tuple[str, str]] = [
    ("RunId", "String"), ("Timestamp", "DateTime64(9)"), ("Model", "LowCardinality(String)"), ("Revision", "String"),
    ("Task", "LowCardinality(String)"), ("DocId", "UInt64"), ("Metric", "LowCardinality(String)"),
    ("Value", "Float64"), ("Prompt", "String"), ("Target", "String"), ("Response", "String"),
]

# kind -> (table, columns, ORDER BY)
TABLES: dict[str, tuple[str, list[tuple[str, str]], str]] = {
    "load_run": ("sandbox_load_runs", LOAD_COLUMNS, "(Model, Timestamp, RunId)"),
    "eval_metric": ("sandbox_eval_runs", EVAL_COLUMNS, "(Model, Task, Timestamp, RunId, Metric)"),
    "eval_sample": ("sandbox_eval_samples", SAMPLE_COLUMNS, "(RunId, Task, DocId, Metric)"),
}


def _from_attr(column: str, ctype: str) -> str:
    a = f"SpanAttributes['{ATTR_PREFIX}{column}']"
    if ctype.startswith("DateTime64"):
        return "Timestamp"  # the record span starts at the run's start
    if ctype == "Nullable(Float64)":
        return f"toFloat64OrNull({a})"
    if ctype == "Float64":
        return f"ifNull(toFloat64OrNull({a}), nan)"
    if ctype.startswith("UInt"):
        return f"to{ctype}OrZero({a})"
    return a


def sandbox_tables(opts: SchemaOptions) -> list[str]:
    """DDL of migration 5: the three tables and, per table, the view that fills it from record spans."""
    from pharos.collector.store.schema import _distributed  # same cluster layout as Pharos' own tables

    stmts: list[str] = []
    for kind, (table, columns, order) in TABLES.items():
        cols = ",\n    ".join(f"{quote(c)} {t}" for c, t in columns)
        stmts.append(f"""CREATE TABLE IF NOT EXISTS {opts.table(table)} {opts.on_cluster} (
    {cols}
) ENGINE = {opts.engine('MergeTree')}
PARTITION BY toYYYYMM(Timestamp)
ORDER BY {order}
{opts.ttl('Timestamp')}""")
        stmts += _distributed(opts, table, "cityHash64(RunId)")
        select = ",\n    ".join(f"{_from_attr(c, t)} AS {quote(c)}" for c, t in columns)
        stmts.append(f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {opts.table(table + '_from_spans_mv')} {opts.on_cluster}
TO {opts.table(table)}
AS SELECT
    {select}
FROM {opts.table('otel_traces')}
WHERE SpanAttributes['{RECORD_KEY}'] = '{kind}'""")
    return stmts


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def record_attributes(kind: str, record: dict[str, Any]) -> dict[str, str]:
    """Span attributes that carry ``record`` (a dict keyed by column name) to the ``kind`` table."""
    _, columns, _ = TABLES[kind]
    attrs = {RECORD_KEY: kind}
    for column, _ in columns:
        if column == "Timestamp" or column not in record or record[column] is None:
            continue
        attrs[ATTR_PREFIX + column] = _text(record[column])
    return attrs


def row_values(kind: str, record: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Column names and typed values of ``record`` for a direct insert into the ``kind`` table."""
    _, columns, _ = TABLES[kind]
    names, values = [], []
    for column, ctype in columns:
        v = record.get(column)
        if ctype.startswith("DateTime64"):
            v = v if isinstance(v, dt.datetime) else dt.datetime.fromtimestamp(float(v or 0), dt.timezone.utc)
        elif ctype == "Float64":
            v = float("nan") if v is None else float(v)
        elif ctype == "Nullable(Float64)":
            v = None if v is None else float(v)
        elif ctype.startswith("UInt"):
            v = int(v or 0)
        else:
            v = _text(v)
        names.append(column)
        values.append(v)
    return names, values
