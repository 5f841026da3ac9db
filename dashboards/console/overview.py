"""The console's overview page: calls, errors, latency, tokens, cost, scores and GPU use per time bucket and per
model, from the rollups of LLM calls (dashboards/rollup.py) when the filters allow, else from the spans."""

from __future__ import annotations

import math
from typing import Any

from pharos.dashboards.console.data import TIME_RANGE, Filters, Readers, nan_none
from pharos.dashboards.rollup import DIGESTS, LATENCY_LEVELS, ROLLUP, TTFT_LEVELS
from pharos.dashboards.sql import LLM_CALL

__all__ = ["overview", "any_calls", "choices"]

ROLLUP_RANGE = ("Time >= toStartOfMinute(fromUnixTimestamp64Nano({start:Int64})) "
                "AND Time <= fromUnixTimestamp64Nano({end:Int64})")


def _use_rollups(r: Readers, f: Filters) -> bool:
    """The overview reads the rollups of LLM calls (dashboards/rollup.py) unless a filter they do not keep is set
    or the buckets are under a minute (then the spans: at most 15 minutes of them)."""
    return (f.bucket >= 60 and not (f.q or f.flagged or f.status or f.operation)
            and {ROLLUP, DIGESTS} <= r.tables())


EXACT_MAX_CALLS = 1_500_000  # above this many calls in the range, quantiles come from the 10-minute t-digests


def _rollup_where(f: Filters) -> str:
    return ROLLUP_RANGE + ("" if not f.service else " AND ServiceName = {service:String}") + (
        "" if not f.model else " AND GenAIRequestModel = {model:String}")


def _by_bucket_model_total(f: Filters, select: str, source: str) -> str:
    """``select`` per time bucket, per model and over everything (grouping 1, 2, 3), in one pass."""
    return (f"SELECT intDiv(toUnixTimestamp(Time), {{step:UInt32}}) * {{step:UInt32}} AS t, GenAIRequestModel AS m, "
            f"grouping(t, m) AS g, {select} FROM {source} WHERE {_rollup_where(f)} "
            f"GROUP BY GROUPING SETS ((t), (m), ())")


def _from_rollups(r: Readers, f: Filters, p: dict[str, Any], res: dict[str, list[tuple]],
                  more: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, list[tuple]]:
    """The overview's numbers from the rollups, in the shapes of the span queries' (head, series, models).

    Sums come from the per-minute rows (``res["sums"]``); quantiles from the per-minute states when the range
    holds at most :data:`EXACT_MAX_CALLS` calls (exact, as on the spans) and from the 10-minute t-digests beyond
    (their merge costs the same for any number of calls). ``more``: queries to run alongside the quantiles'."""
    sums = {1: {}, 2: {}, 3: {}}
    for t, m, g, *values in res.pop("sums"):
        sums[g][t if g == 1 else m] = values
    calls = sums[3].get("", [0])[0] if sums[3] else 0
    exact = calls <= EXACT_MAX_CALLS
    src, merge = (ROLLUP, "quantilesMerge") if exact else (DIGESTS, "quantilesTDigestMerge")
    res.update(r.many({**more, "quantiles": (_by_bucket_model_total(
        f, f"arrayMap(x -> toFloat64(x), {merge}({LATENCY_LEVELS})(Latency)), "
           f"arrayMap(x -> toFloat64(x), {merge}({TTFT_LEVELS})(Ttft))", src), p)}))
    q = {1: {}, 2: {}, 3: {}}
    for t, m, g, lat, ttft in res.pop("quantiles"):
        q[g][t if g == 1 else m] = (lat, ttft)
    nan3, nan2 = [math.nan] * 3, [math.nan] * 2
    (n, e, i, o, c, cc) = next(iter(sums[3].values()), [0, 0, 0, 0, None, 0])
    lat, ttft = q[3].get("", (nan3, nan2))
    res["head"] = [(n, e, lat, ttft, i, o, c, cc)]
    res["series"] = [(t, n_, e_, q[1].get(t, (nan3,))[0], q[1].get(t, (None, nan2))[1][1], i_, o_, c_)
                     for t, (n_, e_, i_, o_, c_, _) in sorted(sums[1].items())]
    top = sorted(sums[2].items(), key=lambda kv: -kv[1][0])[:20]
    res["models"] = [(m, n_, e_, q[2].get(m, (nan3,))[0][1], i_, o_, c_) for m, (n_, e_, i_, o_, c_, _) in top]
    return res


def overview(r: Readers, f: Filters) -> dict[str, Any]:
    w, p = f.where(), {**f.params(), "step": f.bucket}
    tables = r.tables()
    rollups = _use_rollups(r, f)
    cost = "if(sum(CostCalls) > 0, sum(CostUsd), NULL)"
    qs = {
        "sums": (_by_bucket_model_total(f, f"sum(Calls), sum(Errors), sum(InputTokens), sum(OutputTokens), {cost}, "
                                           f"sum(CostCalls)", ROLLUP), p),
        "errors": (f"SELECT e, sum(k) AS n FROM (SELECT sumMap(ErrorKinds) AS m FROM {ROLLUP} "
                   f"WHERE {_rollup_where(f)}) ARRAY JOIN mapKeys(m) AS e, mapValues(m) AS k "
                   f"GROUP BY e ORDER BY n DESC LIMIT 10", p),
    } if rollups else {
        "head": (f"SELECT count(), countIf(StatusCode = 'Error'), quantiles(0.5, 0.95, 0.99)(Duration), "
                 f"quantiles(0.5, 0.95)(GenAITimeToFirstChunk), sum(GenAIInputTokens), sum(GenAIOutputTokens), "
                 f"sum(GenAICostUsd), countIf(GenAICostUsd IS NOT NULL) FROM otel_traces WHERE {w}", p),
        "series": (f"SELECT intDiv(toUnixTimestamp(Timestamp), {{step:UInt32}}) * {{step:UInt32}} AS t, count(), "
                   f"countIf(StatusCode = 'Error'), quantiles(0.5, 0.95, 0.99)(Duration), "
                   f"quantile(0.95)(GenAITimeToFirstChunk), sum(GenAIInputTokens), sum(GenAIOutputTokens), "
                   f"sum(GenAICostUsd) FROM otel_traces WHERE {w} GROUP BY t ORDER BY t", p),
        "models": (f"SELECT GenAIRequestModel, count() AS n, countIf(StatusCode = 'Error'), quantile(0.95)(Duration), "
                   f"sum(GenAIInputTokens), sum(GenAIOutputTokens), sum(GenAICostUsd) FROM otel_traces WHERE {w} "
                   f"GROUP BY GenAIRequestModel ORDER BY n DESC LIMIT 20", p),
        "errors": (f"SELECT if(ErrorType = '', '_OTHER', ErrorType) AS e, count() AS n FROM otel_traces "
                   f"WHERE {w} AND StatusCode = 'Error' GROUP BY e ORDER BY n DESC LIMIT 10", p),
    }
    qs["scores"] = ("SELECT intDiv(toUnixTimestamp(Timestamp), {step:UInt32}) * {step:UInt32} AS t, Name, avg(Value) "
                    "FROM scores FINAL WHERE " + TIME_RANGE + " AND NOT isNaN(Value)"
                    + (" AND ServiceName = {service:String}" if f.service else "") +
                    " AND Name IN (SELECT Name FROM scores WHERE " + TIME_RANGE + " AND NOT isNaN(Value) "
                    "GROUP BY Name ORDER BY count() DESC LIMIT 6) GROUP BY t, Name ORDER BY t", p)
    gpu_tables = [t for t in ("otel_metrics_gauge", "otel_metrics_sum") if t in tables]
    if gpu_tables:
        src = " UNION ALL ".join(
            f"SELECT TimeUnix, MetricName, Value FROM {t} WHERE MetricName IN ('hw.gpu.utilization', "
            f"'hw.gpu.memory.usage') AND TimeUnix >= fromUnixTimestamp64Nano({{start:Int64}}) "
            f"AND TimeUnix <= fromUnixTimestamp64Nano({{end:Int64}})"
            + (" AND ServiceName = {service:String}" if f.service else "") for t in gpu_tables)
        qs["gpu"] = (f"SELECT intDiv(toUnixTimestamp(TimeUnix), {{step:UInt32}}) * {{step:UInt32}} AS t, MetricName, "
                     f"avg(Value) FROM ({src}) GROUP BY t, MetricName ORDER BY t", p)
    qs.update(_choice_queries(r, f))
    if rollups:  # the sums (fast) first: they tell which quantile states to merge, while scores and GPU run
        later = {k: qs.pop(k) for k in ("scores", "gpu") if k in qs}
        res = r.many(qs)
        res = _from_rollups(r, f, p, res, later)
    else:
        res = r.many(qs)
    h = res["head"][0]
    lat = list(h[2]) if h[0] else [None, None, None]
    ttft = [nan_none(x) for x in h[3]] if h[0] else [None, None]
    head = {"calls": h[0], "errors": h[1], "error_rate": h[1] / h[0] if h[0] else 0.0,
            "rps": h[0] / f.seconds, "p50_ms": _ms(lat[0]), "p95_ms": _ms(lat[1]), "p99_ms": _ms(lat[2]),
            "ttft_p50_s": ttft[0], "ttft_p95_s": ttft[1], "input_tokens": h[4], "output_tokens": h[5],
            "cost_usd": nan_none(h[6]) if h[7] else None}
    buckets = _buckets(f)
    by_t = {row[0]: row for row in res["series"]}

    def col(fn):
        return [fn(by_t[t]) if t in by_t else None for t in buckets]

    series = {
        "calls": [("calls/s", col(lambda r_: r_[1] / f.bucket)), ("errors/s", col(lambda r_: r_[2] / f.bucket))],
        "latency": [("p50", col(lambda r_: _ms(r_[3][0]))), ("p95", col(lambda r_: _ms(r_[3][1]))),
                    ("p99", col(lambda r_: _ms(r_[3][2])))],
        "ttft": [("p95", col(lambda r_: nan_none(r_[4])))],
        "tokens": [("input", col(lambda r_: r_[5])), ("output", col(lambda r_: r_[6]))],
        "cost": [("USD", col(lambda r_: nan_none(r_[7])))],
    }
    score_series: dict[str, dict[int, float]] = {}
    for t, name, v in res["scores"]:
        score_series.setdefault(name, {})[t] = v
    series["scores"] = [(name, [vals.get(t) for t in buckets]) for name, vals in score_series.items()]
    gpu: dict[str, dict[int, float]] = {}
    for t, name, v in res.get("gpu", []):
        gpu.setdefault(name, {})[t] = v
    series["gpu_util"] = [("utilization", [gpu[k].get(t) for t in buckets])
                          for k in ("hw.gpu.utilization",) if k in gpu]
    series["gpu_mem"] = [("memory used (GiB)", [None if gpu[k].get(t) is None else gpu[k][t] / 2**30
                                                for t in buckets]) for k in ("hw.gpu.memory.usage",) if k in gpu]
    models = [{"model": m, "calls": n, "errors": e, "p95_ms": _ms(p95), "input_tokens": i, "output_tokens": o,
               "cost_usd": nan_none(c)} for m, n, e, p95, i, o, c in res["models"]]
    return {"head": head, "buckets": buckets, "series": series, "models": models, "errors": res["errors"],
            "choices": {"services": [row[0] for row in res["services"]],
                        "models": [row[0] for row in res["models_list"]]}}


def _ms(duration_ns: Any) -> float | None:
    v = nan_none(duration_ns)
    return None if v is None else v / 1e6


def _buckets(f: Filters) -> list[int]:
    step = f.bucket
    first = (f.start_ns // 1_000_000_000) // step * step
    last = (f.now_ns // 1_000_000_000) // step * step
    return list(range(first, last + step, step))


def any_calls(r: Readers) -> bool:
    return bool(r.query(f"SELECT 1 FROM otel_traces WHERE {LLM_CALL} LIMIT 1"))


def _choice_queries(r: Readers, f: Filters) -> dict[str, tuple[str, dict[str, Any]]]:
    where = (f"FROM {ROLLUP} WHERE {ROLLUP_RANGE}" if ROLLUP in r.tables()
             else f"FROM otel_traces WHERE {TIME_RANGE} AND {LLM_CALL}")
    p = f.params()
    return {"services": (f"SELECT DISTINCT ServiceName {where} ORDER BY ServiceName LIMIT 200", p),
            "models_list": (f"SELECT DISTINCT GenAIRequestModel {where} ORDER BY GenAIRequestModel LIMIT 200", p)}


def choices(r: Readers, f: Filters) -> dict[str, list[str]]:
    """Services and models with calls in the range (from the per-minute rollup when the store has it)."""
    res = r.many(_choice_queries(r, f))
    return {"services": [row[0] for row in res["services"]], "models": [row[0] for row in res["models_list"]]}
