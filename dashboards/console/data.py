"""The console's SQL: bounded (time range, LIMIT) queries over the MATERIALIZED GenAI columns.

Every query goes through :class:`Readers`, a small pool of read-only clients from ``reader_factory``.
Values are bound server-side (``{name:Type}``), never formatted into the SQL.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Callable
from urllib.parse import urlencode

from pharos.dashboards.console.messages import preview_text
from pharos.dashboards.content_index import CALL_COLUMNS, CONTENT, CONTENT_COLUMNS
from pharos.dashboards.rollup import DIGESTS, LATENCY_LEVELS, ROLLUP, TTFT_LEVELS
from pharos.dashboards.sql import LLM_CALL

__all__ = ["Readers", "Filters", "RANGES", "CallsQuery"]

# range key -> (seconds, bucket seconds, label)
RANGES: dict[str, tuple[int, int, str]] = {
    "15m": (900, 15, "last 15 minutes"),
    "1h": (3600, 60, "last hour"),
    "6h": (6 * 3600, 300, "last 6 hours"),
    "24h": (86400, 600, "last 24 hours"),  # buckets that the 10-minute digests fill evenly
    "7d": (7 * 86400, 7200, "last 7 days"),
    "30d": (30 * 86400, 6 * 3600, "last 30 days"),
}
DEFAULT_RANGE = "24h"
PAGE_SIZE = 50
# {q} in any captured content attribute, case-insensitively. One pass over the map's keys and values: three
# SpanAttributes['...'] lookups would each unpack the whole map again (about 3x slower).
CONTENT_MATCH = ("arrayExists((k, v) -> k IN (" + ", ".join(f"'{k}'" for k in CONTENT_COLUMNS.values()) + ") "
                 "AND positionCaseInsensitiveUTF8(v, {q:String}) > 0, SpanAttributes.keys, SpanAttributes.values)")
TIME_RANGE = ("Timestamp >= fromUnixTimestamp64Nano({start:Int64}) "
              "AND Timestamp <= fromUnixTimestamp64Nano({end:Int64})")


class Readers:
    """A few read-only clients, reused (chDB is in-process: a handful of concurrent queries is fine)."""

    def __init__(self, factory: Callable[[], Any], size: int = 4):
        self._factory = factory
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="console-sql")
        self._tables: tuple[float, set[str]] = (0.0, set())

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        with self._slots:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                client = self._factory()
            try:
                rows = client.query(sql, parameters=params or {}).result_rows
            except Exception:
                try:
                    client.close()
                except Exception:
                    pass
                raise
            self._idle.put(client)
            return rows

    def many(self, queries: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, list[tuple]]:
        """Run independent queries concurrently; one dict of results by key."""
        futures = {k: self._pool.submit(self.query, sql, params) for k, (sql, params) in queries.items()}
        return {k: f.result() for k, f in futures.items()}

    def tables(self) -> set[str]:
        """Tables of the store's database (cached a few seconds): optional tables may be absent."""
        at, names = self._tables
        if time.monotonic() - at > 10:
            names = {r[0] for r in self.query("SELECT name FROM system.tables WHERE database = currentDatabase()")}
            self._tables = (time.monotonic(), names)
        return names

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
            except Exception:
                pass


def _int(value: Any, default: int = 0, lo: int = 0, hi: int = 10**9) -> int:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


@dataclass
class Filters:
    """What the URL says: shared by every page; ``qs()`` writes it back for links (filters stay shareable)."""

    range: str = DEFAULT_RANGE
    service: str = ""
    model: str = ""
    operation: str = ""
    status: str = ""  # '' | 'ok' | 'error'
    q: str = ""
    flagged: str = ""  # '' | 'any' | a score name
    page: int = 1
    now_ns: int = field(default_factory=time.time_ns)

    @classmethod
    def parse(cls, params) -> "Filters":
        rng = params.get("range", DEFAULT_RANGE)
        status = params.get("status", "")
        return cls(range=rng if rng in RANGES else DEFAULT_RANGE,
                   service=params.get("service", "")[:200], model=params.get("model", "")[:200],
                   operation=params.get("operation", "")[:100],
                   status=status if status in ("ok", "error") else "", q=params.get("q", "").strip()[:200],
                   flagged=params.get("flagged", "")[:200], page=_int(params.get("page"), 1, 1, 10_000))

    @property
    def seconds(self) -> int:
        return RANGES[self.range][0]

    @property
    def bucket(self) -> int:
        return RANGES[self.range][1]

    @property
    def label(self) -> str:
        return RANGES[self.range][2]

    @property
    def start_ns(self) -> int:
        return self.now_ns - self.seconds * 1_000_000_000

    def qs(self, **overrides: Any) -> str:
        f = replace(self, **overrides) if overrides else self
        pairs = [("range", f.range)] + [(k, getattr(f, k)) for k in
                                        ("service", "model", "operation", "status", "q", "flagged") if getattr(f, k)]
        if f.page > 1:
            pairs.append(("page", f.page))
        return urlencode(pairs)

    def params(self) -> dict[str, Any]:
        return {"start": self.start_ns, "end": self.now_ns, "service": self.service, "model": self.model,
                "operation": self.operation, "q": self.q, "flagged": self.flagged}

    def where(self, *, model: bool = True, content: bool = True) -> str:
        """LLM calls in the range, narrowed by the filters (bound through :meth:`params`)."""
        conds = [TIME_RANGE, LLM_CALL]
        if self.service:
            conds.append("ServiceName = {service:String}")
        if self.model and model:
            conds.append("GenAIRequestModel = {model:String}")
        if self.operation:
            conds.append("GenAIOperationName = {operation:String}")
        if self.status == "error":
            conds.append("StatusCode = 'Error'")
        elif self.status == "ok":
            conds.append("StatusCode != 'Error'")
        if self.q and content:
            conds.append(CONTENT_MATCH)
        if self.flagged:
            kind = "" if self.flagged == "any" else " AND Name = {flagged:String}"
            # no FINAL: a membership test does not mind duplicate score rows (and skips the merge)
            conds.append("(TraceId, SpanId) IN (SELECT TraceId, SpanId FROM scores WHERE Label = 'flagged' "
                         "AND Timestamp >= fromUnixTimestamp64Nano({start:Int64})" + kind + ")")
        return " AND ".join(conds)


def nan_none(x: Any) -> Any:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    return x


def ns(ts: Any) -> int:
    """A DateTime64 from clickhouse-connect (a naive UTC datetime) as integer nanoseconds."""
    import datetime as dt

    if isinstance(ts, dt.datetime):
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=dt.timezone.utc)
        return int(ts.timestamp()) * 1_000_000_000 + ts.microsecond * 1000
    return int(ts or 0)


# ---------------------------------------------------------------------------------------------- overview
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


# ---------------------------------------------------------------------------------------------- calls
@dataclass
class CallsQuery:
    rows: list[dict[str, Any]]
    total: int | None  # None: not counted (a text search has more matches than this page)
    page: int
    pages: int
    more: bool = False


def calls(r: Readers, f: Filters) -> CallsQuery:
    w, p = f.where(), f.params()
    p.update(limit=PAGE_SIZE + 1, offset=(f.page - 1) * PAGE_SIZE)
    qs = {
        "rows": (f"SELECT {CALL_COLUMNS} FROM otel_traces WHERE {w} ORDER BY Timestamp DESC, SpanId "
                 f"LIMIT {{limit:UInt32}} OFFSET {{offset:UInt32}}", p),
    }
    previews: dict[tuple, str] | None = None  # (trace, span) -> captured input, when the search brought it
    if not (f.q or f.flagged):  # counting every match would cost a second full scan: not for searches
        qs["total"] = (f"SELECT count() FROM otel_traces WHERE {w}", p)
        res = r.many(qs)
    elif f.q and not f.flagged and CONTENT in r.tables():
        found, previews = _content_search(r, f, p)
        res = {"rows": found}
    else:
        res = {"rows": _newest_first(r, f, *qs["rows"])}
    more = len(res["rows"]) > PAGE_SIZE
    res["rows"] = res["rows"][:PAGE_SIZE]
    rows = [{"ts": ns(t), "trace_id": tid, "span_id": sid, "service": svc, "operation": op, "model": model,
             "duration_ms": d / 1e6, "ttft_s": ttft, "input_tokens": i, "output_tokens": o, "cost_usd": nan_none(c),
             "status": st, "error_type": et, "scores": [], "preview": ""}
            for t, tid, sid, svc, op, model, d, ttft, i, o, c, st, et in res["rows"]]
    if rows:
        # datetimes carry microseconds: widen by one so the nanosecond timestamps stay inside
        lo, hi = min(x["ts"] for x in rows) - 1000, max(x["ts"] for x in rows) + 1000
        ids = sorted({x["trace_id"] for x in rows})
        extra = r.many({
            "scores": ("SELECT TraceId, SpanId, Name, Value, Label, Source FROM scores FINAL "
                       "WHERE TraceId IN {ids:Array(String)} AND Timestamp >= fromUnixTimestamp64Nano({lo:Int64}) "
                       "ORDER BY Name LIMIT 2000", {"ids": ids, "lo": lo}),
            **({} if previews is not None else {"preview": (
                "SELECT TraceId, SpanId, substring(SpanAttributes['gen_ai.input.messages'], 1, 3000) "
                "FROM otel_traces WHERE TraceId IN {ids:Array(String)} "
                "AND Timestamp >= fromUnixTimestamp64Nano({lo:Int64}) "
                "AND Timestamp <= fromUnixTimestamp64Nano({hi:Int64}) LIMIT 2000",
                {"ids": ids, "lo": lo, "hi": hi})}),
        })
        if previews is not None:
            extra["preview"] = [(tid, sid, text) for (tid, sid), text in previews.items()]
        by_span = {(x["trace_id"], x["span_id"]): x for x in rows}
        for tid, sid, name, value, label, source in extra["scores"]:
            row = by_span.get((tid, sid)) or next((x for x in rows if x["trace_id"] == tid and not sid), None)
            if row is not None:
                row["scores"].append({"name": name, "value": nan_none(value), "label": label, "source": source})
        for tid, sid, text in extra["preview"]:
            if (tid, sid) in by_span:
                by_span[(tid, sid)]["preview"] = preview_text(text)
    if "total" in res:
        total = res["total"][0][0]
        return CallsQuery(rows, total, f.page, max(1, -(-total // PAGE_SIZE)), more)
    total = None if more else (f.page - 1) * PAGE_SIZE + len(rows)
    return CallsQuery(rows, total, f.page, f.page + 1 if more else f.page, more)


def _content_search(r: Readers, f: Filters, p: dict[str, Any]) -> tuple[list[tuple], dict[tuple, str]]:
    """A text search's page from the content search table (dashboards/content_index.py: sorted by time, so the
    newest matches are read first, and it holds the page's columns): the rows and their previews."""
    # ASCII case folding is exact for an ASCII term (no byte of a multi-byte character can match it) and faster
    search = "positionCaseInsensitive" if f.q.isascii() else "positionCaseInsensitiveUTF8"
    conds = [TIME_RANGE, "(" + " OR ".join(f"{search}({c}, {{q:String}}) > 0" for c in CONTENT_COLUMNS) + ")"]
    for column, value in (("ServiceName", "service"), ("GenAIRequestModel", "model"),
                          ("GenAIOperationName", "operation")):
        if getattr(f, value):
            conds.append(f"{column} = {{{value}:String}}")
    if f.status:
        conds.append("StatusCode = 'Error'" if f.status == "error" else "StatusCode != 'Error'")
    # ORDER BY the sorting key alone: read newest first, stopping at the page (a tie-break would sort everything)
    rows = r.query(f"SELECT {CALL_COLUMNS}, substring(Input, 1, 3000) FROM {CONTENT} WHERE {' AND '.join(conds)} "
                   f"ORDER BY Timestamp DESC LIMIT {{limit:UInt32}} OFFSET {{offset:UInt32}}", p)
    return [row[:-1] for row in rows], {(row[1], row[2]): row[-1] for row in rows}


NEWEST_SLICE_S = 3600


def _newest_first(r: Readers, f: Filters, sql: str, p: dict[str, Any]) -> list[tuple]:
    """The first page of a search (text or flagged) over the newest hour first, then the rest of the range only
    if that hour had less than a page: a common term is found in a twentieth of a day's content."""
    if f.page > 1 or f.seconds <= NEWEST_SLICE_S:
        return r.query(sql, p)
    split = f.now_ns - NEWEST_SLICE_S * 1_000_000_000
    rows = r.query(sql, {**p, "start": split})
    if len(rows) > PAGE_SIZE:
        return rows
    return rows + r.query(sql, {**p, "end": split - 1, "limit": PAGE_SIZE + 1 - len(rows)})


# ---------------------------------------------------------------------------------------------- evaluations
def evaluations(r: Readers, f: Filters) -> dict[str, Any]:
    p = {**f.params(), "step": f.bucket}
    svc = " AND ServiceName = {service:String}" if f.service else ""
    kind = " AND Name = {flagged:String}" if f.flagged and f.flagged != "any" else ""
    res = r.many({
        "kinds": ("SELECT Name, count(), uniqExact(TraceId, SpanId) AS n, max(Timestamp) FROM scores FINAL WHERE "
                  + TIME_RANGE + " AND Label = 'flagged'" + svc + " GROUP BY Name ORDER BY n DESC LIMIT 100", p),
        "latest": ("SELECT Timestamp, TraceId, SpanId, Name, Source, Value, Explanation, ServiceName FROM scores FINAL "
                   "WHERE " + TIME_RANGE + " AND Label = 'flagged'" + svc + kind +
                   " ORDER BY Timestamp DESC LIMIT 50", p),
        "health": ("SELECT Name, EvaluatorVersion, count(), countIf(isNaN(Value) AND Label = ''), "
                   "avg(dateDiff('millisecond', Timestamp, CreatedAt)) / 1000, "
                   "quantile(0.95)(dateDiff('millisecond', Timestamp, CreatedAt)) / 1000, max(CreatedAt), "
                   "countIf(Label = 'flagged') FROM scores WHERE " + TIME_RANGE
                   + " AND Source = 'evaluator'" + svc + " GROUP BY Name, EvaluatorVersion ORDER BY Name LIMIT 200", p),
        # health and sources count every score written, rewrites included (work the evaluators did), so
        # without FINAL, which would merge every score of the range's days
        "sources": ("SELECT Source, count() FROM scores WHERE " + TIME_RANGE + svc + " GROUP BY Source", p),
        "calls": (f"SELECT count() FROM otel_traces WHERE {f.where(model=False, content=False)}", p),
    })
    health_tables = sorted(t for t in r.tables() if t.startswith("evaluator"))
    workers: list[dict[str, Any]] = []
    if "evaluator_health" in health_tables:  # the online worker's own counters (failures, retries, breaker)
        try:
            workers = [{"name": n, "version": v, "scored": a, "failed": b, "retried": c, "gave_up": d,
                        "breaker": bool(e), "last_error": le, "last_error_at": ns(lea) if lea else 0,
                        "latency_ms": nan_none(lat), "updated": ns(u), "workers": w}
                       for n, v, a, b, c, d, e, le, lea, lat, u, w in r.query(
                "SELECT Evaluator, EvaluatorVersion, sum(Scored), sum(Failed), sum(Retried), sum(GaveUp), "
                "max(BreakerOpen), argMax(LastError, ifNull(LastErrorAt, toDateTime64(0, 6))), max(LastErrorAt), "
                "avg(MeanLatencyMs), max(UpdatedAt), uniqExact(WorkerId) FROM evaluator_health FINAL "
                "GROUP BY Evaluator, EvaluatorVersion ORDER BY Evaluator LIMIT 200")]
        except Exception as exc:  # another version's columns: the scores-derived health still shows
            workers = [{"error": str(exc)[:300]}]
    return {
        "workers": workers,
        "kinds": [{"name": n, "scores": c, "calls": u, "last": ns(t)} for n, c, u, t in res["kinds"]],
        "latest": [{"ts": ns(t), "trace_id": tid, "span_id": sid, "name": n, "source": s, "value": nan_none(v),
                    "explanation": ex, "service": svc_} for t, tid, sid, n, s, v, ex, svc_ in res["latest"]],
        "health": [{"name": n, "version": v, "scores": c, "per_min": c / (f.seconds / 60), "empty": e,
                    "lag_avg_s": nan_none(la), "lag_p95_s": nan_none(lp), "last": ns(last), "flagged": fl}
                   for n, v, c, e, la, lp, last, fl in res["health"]],
        "sources": dict(res["sources"]),
        "calls": res["calls"][0][0],
        "health_tables": health_tables,
    }
