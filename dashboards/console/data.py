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
