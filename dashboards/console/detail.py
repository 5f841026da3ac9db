"""The console's call detail: one trace's spans, read and laid out as a tree (its messages: :mod:`.messages`)."""

from __future__ import annotations

from typing import Any

from pharos.dashboards.console.data import Readers, nan_none, ns

__all__ = ["trace", "span_tree", "SPAN_COLUMNS"]

SPAN_COLUMNS = ("SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, Timestamp, Duration, StatusCode, "
                "StatusMessage, SpanAttributes, ResourceAttributes, Events.Timestamp, Events.Name, Events.Attributes, "
                "GenAIOperationName, GenAIRequestModel, GenAIInputTokens, GenAIOutputTokens, GenAICostUsd, "
                "GenAITimeToFirstChunk")


def trace(r: Readers, trace_id: str) -> dict[str, Any] | None:
    p = {"tid": trace_id}
    res = r.many({
        "spans": (f"SELECT {SPAN_COLUMNS} FROM otel_traces WHERE TraceId = {{tid:String}} "
                  f"AND Timestamp >= (SELECT min(Start) FROM otel_traces_trace_id_ts WHERE TraceId = {{tid:String}}) "
                  f"AND Timestamp <= (SELECT max(End) FROM otel_traces_trace_id_ts WHERE TraceId = {{tid:String}}) "
                  f"+ INTERVAL 1 SECOND ORDER BY Timestamp LIMIT 1000", p),
        "scores": ("SELECT Timestamp, CreatedAt, SpanId, Name, Source, Value, Label, Explanation, EvaluatorVersion, "
                   "ScoreId FROM scores FINAL WHERE TraceId = {tid:String} ORDER BY CreatedAt, Name LIMIT 1000", p),
    })
    if not res["spans"]:
        return None
    spans = []
    for row in res["spans"]:
        (sid, parent, name, kind, svc, ts, dur, st, stmsg, attrs, rattrs, ev_ts, ev_names, ev_attrs,
         op, model, i, o, cost, ttft) = row
        spans.append({"span_id": sid, "parent": parent, "name": name, "kind": kind, "service": svc, "ts": ns(ts),
                      "duration_ns": dur, "status": st, "status_message": stmsg, "attributes": dict(attrs),
                      "resource": dict(rattrs), "operation": op, "model": model, "input_tokens": i,
                      "output_tokens": o, "cost_usd": nan_none(cost), "ttft_s": ttft,
                      "events": [{"ts": ns(a), "name": b, "attributes": dict(c)}
                                 for a, b, c in zip(ev_ts, ev_names, ev_attrs)]})
    tree = span_tree(spans)
    scores = [{"ts": ns(t), "created": ns(c), "span_id": sid, "name": n, "source": src, "value": nan_none(v),
               "label": lab, "explanation": ex, "version": ver, "score_id": scid}
              for t, c, sid, n, src, v, lab, ex, ver, scid in res["scores"]]
    return {"trace_id": trace_id, "spans": tree, "scores": scores}


def span_tree(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Spans depth-first under their parents, each with ``depth`` and its bar (``left``/``width`` in %)."""
    ids = {s["span_id"] for s in spans}
    children: dict[str, list[dict]] = {}
    for s in spans:
        children.setdefault(s["parent"] if s["parent"] in ids else "", []).append(s)
    t0 = min(s["ts"] for s in spans)
    t1 = max(s["ts"] + s["duration_ns"] for s in spans)
    total = max(1, t1 - t0)
    out: list[dict] = []

    def walk(parent: str, depth: int) -> None:
        for s in sorted(children.get(parent, []), key=lambda x: x["ts"]):
            s["depth"] = depth
            s["offset_ms"] = (s["ts"] - t0) / 1e6
            s["left"] = 100.0 * (s["ts"] - t0) / total
            s["width"] = max(0.3, 100.0 * s["duration_ns"] / total)
            out.append(s)
            if len(out) < len(spans):
                walk(s["span_id"], depth + 1)

    walk("", 0)
    seen = {s["span_id"] for s in out}
    out += [s for s in spans if s["span_id"] not in seen]  # cycles or odd parents: still shown
    return out
