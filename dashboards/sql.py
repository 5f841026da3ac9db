"""SQL fragments every dashboard and alert shares: tables, the LLM-call predicate, the template-variable
filters and the latency/throughput expressions, all over the store's MATERIALIZED GenAI columns.

``{db}`` stands for the store's database; :func:`in_db` fills it in.
"""

from __future__ import annotations

__all__ = ["TRACES", "SCORES", "GAUGE", "SUM", "LLM_CALL", "ENVIRONMENT", "SECONDS", "TPOT", "ERROR_KIND",
           "span_filter", "score_filter", "var_in", "in_db", "gpu_points", "per_second"]

TRACES = "{db}.otel_traces"
SCORES = "{db}.scores"
GAUGE = "{db}.otel_metrics_gauge"
SUM = "{db}.otel_metrics_sum"
LOAD_RUNS = "{db}.sandbox_load_runs"
EVAL_RUNS = "{db}.sandbox_eval_runs"

# An LLM call: an inference span per the GenAI conventions (agent and tool spans are left out).
LLM_CALL = "GenAIOperationName IN ('chat', 'text_completion', 'generate_content', 'embeddings')"
ENVIRONMENT = "ResourceAttributes['deployment.environment.name']"
SECONDS = "Duration / 1e9"
# Time per output token: the time after the first token over the tokens after it (streaming), else the whole
# call over its tokens. NULL when there is nothing to divide.
TPOT = ("if(GenAIOutputTokens > 1 AND GenAITimeToFirstChunk IS NOT NULL, "
        "(Duration / 1e9 - GenAITimeToFirstChunk) / (GenAIOutputTokens - 1), "
        "if(GenAIOutputTokens > 0, Duration / 1e9 / GenAIOutputTokens, NULL))")
# error.type of a failed call ('_OTHER' when the instrumentation set none, as the conventions say).
ERROR_KIND = "if(ErrorType = '', '_OTHER', ErrorType)"
IS_ERROR = "StatusCode = 'Error'"


def in_db(sql: str, database: str) -> str:
    return sql.replace("{db}", database)


def var_in(column: str, var: str) -> str:
    """``column`` among the values of multi-value variable ``var``; no filter when "All" is selected."""
    return f"$__conditionalAll({column} IN (${{{var}:singlequote}}), ${var})"


def span_filter(*, model: bool = True) -> str:
    """LLM calls in the time range, narrowed by the service / environment (/ model) variables."""
    parts = ["$__timeFilter(Timestamp)", LLM_CALL, var_in("ServiceName", "service"),
             var_in(ENVIRONMENT, "environment")]
    if model:
        parts.append(var_in("GenAIRequestModel", "model"))
    return " AND ".join(parts)


def score_filter() -> str:
    return " AND ".join(["$__timeFilter(Timestamp)", var_in("ServiceName", "service"), var_in("Name", "evaluator")])


def per_second(expr: str) -> str:
    """A per-bucket total turned into a rate per second of the bucket."""
    return f"{expr} / $__interval_s"


def gpu_points(metrics: list[str], *, filtered: bool = True) -> str:
    """GPU samples (``hw.*`` metrics) from both the gauge and the sum table: the conventions make some of them
    gauges and some up-down counters, and exporters differ. ``filtered``: narrowed by the service variable."""
    names = ", ".join(f"'{m}'" for m in metrics)
    cols = "TimeUnix, MetricName, Attributes['hw.id'] AS device, Value"
    where = f"MetricName IN ({names}) AND $__timeFilter(TimeUnix)"
    if filtered:
        where += f" AND {var_in('ServiceName', 'service')}"
    return f"(SELECT {cols} FROM {GAUGE} WHERE {where} UNION ALL SELECT {cols} FROM {SUM} WHERE {where})"
