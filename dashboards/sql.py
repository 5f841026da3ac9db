"""SQL fragments every dashboard and alert shares: tables, the LLM-call predicate, the template-variable
filters and the latency/throughput expressions, all over the store's MATERIALIZED GenAI columns.

``{db}`` stands for the store's database; :func:`in_db` fills it in.
"""

from __future__ import annotations

__all__ = ["TRACES", "SCORES", "GAUGE", "SUM", "ROLLUP", "LLM_CALL", "ENVIRONMENT", "SECONDS", "TPOT", "ERROR_KIND",
           "span_filter", "rollup_filter", "by_range", "score_filter", "var_in", "in_db", "gpu_points", "per_second"]

TRACES = "{db}.otel_traces"
SCORES = "{db}.scores"
GAUGE = "{db}.otel_metrics_gauge"
SUM = "{db}.otel_metrics_sum"
LOAD_RUNS = "{db}.sandbox_load_runs"
EVAL_RUNS = "{db}.sandbox_eval_runs"
# The rollups of LLM calls (dashboards/rollup.py): per minute (sums, exact quantile states) and per 10 minutes
# (t-digests, for long ranges). Panels over them have a 1-minute minimum interval.
ROLLUP = "{db}.llm_calls_1m"
DIGESTS = "{db}.llm_calls_10m"

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


def rollup_filter(*, model: bool = True) -> str:
    """:func:`span_filter` over the rollups (whose rows are LLM calls only)."""
    parts = ["$__timeFilter(Time)", var_in("ServiceName", "service"), var_in("Environment", "environment")]
    if model:
        parts.append(var_in("GenAIRequestModel", "model"))
    return " AND ".join(parts)


_RANGE_S = "(toUnixTimestamp($__toTime) - toUnixTimestamp($__fromTime))"


def by_range(query: str, *, columns: str = "*", having: str = "", order: str = "") -> str:
    """A quantile query over the exact per-minute states for ranges up to 6 hours and over the 10-minute
    t-digests beyond (one branch reads nothing: its WHERE is constant false).

    In ``query``: ``{source}``, ``{where}`` (the rollup filter and the range test), and the quantile arrays
    ``{latency}`` (p50, p95, p99 of Duration, ns), ``{ttft}`` and ``{tpot}`` (p50, p95, seconds). ``columns``:
    what the panel gets of it; ``having``: a condition on the result (rows with no calls never come back);
    ``order``: the final ORDER BY."""
    from pharos.dashboards.rollup import LATENCY_LEVELS, SHORT_RANGE_S, TTFT_LEVELS

    branches = []
    for source, merge, cmp in ((ROLLUP, "quantilesMerge", "<="), (DIGESTS, "quantilesTDigestMerge", ">")):
        def q(levels: str, column: str) -> str:
            return f"arrayMap(x -> toFloat64(x), {merge}({levels})({column}))"

        branches.append(query.replace("{source}", source)
                        .replace("{where}", f"{rollup_filter()} AND {_RANGE_S} {cmp} {SHORT_RANGE_S}")
                        .replace("{latency}", q(LATENCY_LEVELS, "Latency")).replace("{ttft}", q(TTFT_LEVELS, "Ttft"))
                        .replace("{tpot}", q(TTFT_LEVELS, "Tpot"))
                        + " HAVING sum(Calls) > 0" + (f" AND {having}" if having else ""))
    return f"SELECT {columns} FROM ({branches[0]} UNION ALL {branches[1]})" + (f" ORDER BY {order}" if order else "")


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
