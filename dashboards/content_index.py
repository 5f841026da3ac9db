"""The console's content search table (migration 9): ``llm_call_content``.

Searching captured prompts and answers in ``otel_traces`` unpacks every span's attribute map, and the spans are
sorted by service and span name, so the newest matches cannot be read first and fetching a page of matches spread
over a day reads most of the table again: a rare term over a day of 1M calls took a second. A materialized view
copies each LLM call that has captured content into a table sorted by time, with the content as plain columns
(``System``, ``Input``, ``Output`` from ``gen_ai.system_instructions``, ``gen_ai.input.messages``,
``gen_ai.output.messages``) and everything the calls page shows: ``ORDER BY Timestamp DESC LIMIT n`` reads it
newest first and stops at n matches, and a page of results needs no other read. Calls without captured content
(the default) add no row. The content is stored twice; the table has the traces' retention.
"""

from __future__ import annotations

from pharos.collector.store.schema import SchemaOptions
from pharos.dashboards.rollup import _LLM_CALL, filled_by_view

__all__ = ["CONTENT", "CONTENT_COLUMNS", "CALL_COLUMNS", "content_tables"]

CONTENT = "llm_call_content"
CONTENT_COLUMNS = {"System": "gen_ai.system_instructions", "Input": "gen_ai.input.messages",
                   "Output": "gen_ai.output.messages"}
# the columns of a call as the calls page lists it (the same names as in otel_traces)
CALL_COLUMNS = ("Timestamp, TraceId, SpanId, ServiceName, GenAIOperationName, GenAIRequestModel, Duration, "
                "GenAITimeToFirstChunk, GenAIInputTokens, GenAIOutputTokens, GenAICostUsd, StatusCode, ErrorType")
_ANY = " OR ".join(f"SpanAttributes['{k}'] != ''" for k in CONTENT_COLUMNS.values())


def _select(source: str, condition: str = "") -> str:
    content = ", ".join(f"SpanAttributes['{k}'] AS {c}" for c, k in CONTENT_COLUMNS.items())
    return f"""SELECT {CALL_COLUMNS}, {content}, ResourceAttributes['pharos.project'] AS Project
FROM {source}
WHERE {_LLM_CALL} AND ({_ANY}){condition}"""


def content_tables(opts: SchemaOptions) -> list[str]:
    content = ",\n    ".join(f"{c} String CODEC(ZSTD(1))" for c in CONTENT_COLUMNS)
    return filled_by_view(opts, CONTENT, f"""CREATE TABLE IF NOT EXISTS {opts.table(CONTENT)} {opts.on_cluster} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    GenAIOperationName LowCardinality(String) CODEC(ZSTD(1)),
    GenAIRequestModel LowCardinality(String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    GenAITimeToFirstChunk Nullable(Float64) CODEC(ZSTD(1)),
    GenAIInputTokens UInt64 CODEC(ZSTD(1)),
    GenAIOutputTokens UInt64 CODEC(ZSTD(1)),
    GenAICostUsd Nullable(Float64) CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    ErrorType LowCardinality(String) CODEC(ZSTD(1)),
    {content},
    Project LowCardinality(String) CODEC(ZSTD(1))
) ENGINE = {opts.engine()}
PARTITION BY toDate(Timestamp)
ORDER BY Timestamp
{opts.ttl('Timestamp')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1""", _select)
