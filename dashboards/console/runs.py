"""The console's sandbox runs: the lists of load and eval runs, one run with its details, and two runs compared."""

from __future__ import annotations

import math
from typing import Any

from pharos.dashboards.console.data import Readers, nan_none, ns

__all__ = ["runs", "run", "compare", "LOAD_SUMMARY"]

LOAD_SUMMARY = ("RunId, Timestamp, Model, Revision, RequestRate, Concurrency, Completed, Failed, RequestThroughput, "
                "OutputThroughput, MeanTtftMs, P99TtftMs, MeanE2elMs, P99E2elMs")


def runs(r: Readers) -> dict[str, Any]:
    tables = r.tables()
    qs: dict[str, tuple[str, dict]] = {}
    if "sandbox_load_runs" in tables:
        qs["load"] = (f"SELECT {LOAD_SUMMARY} FROM sandbox_load_runs ORDER BY Timestamp DESC LIMIT 200", {})
    if "sandbox_eval_runs" in tables:
        qs["eval"] = ("SELECT RunId, min(Timestamp) AS ts, any(Model), any(Revision), any(Suite), "
                      "uniqExact(Task), count(), countIf(Verdict = 'regression'), countIf(Verdict = 'improvement'), "
                      "any(BaselineRunId) FROM sandbox_eval_runs GROUP BY RunId ORDER BY ts DESC LIMIT 200", {})
    res = r.many(qs) if qs else {}
    cols = [c.strip() for c in LOAD_SUMMARY.split(",")]
    load = [dict(zip(cols, row)) for row in res.get("load", [])]
    for x in load:
        x["ts"] = ns(x.pop("Timestamp"))
    evals = [{"run_id": a, "ts": ns(b), "model": c, "revision": d, "suite": e, "tasks": f_, "metrics": g,
              "regressions": h, "improvements": i, "baseline": j} for a, b, c, d, e, f_, g, h, i, j in res.get("eval", [])]
    return {"tables": bool(qs), "load": load, "eval": evals}


def _table_columns(r: Readers, table: str) -> list[str]:
    return [row[0] for row in r.query("SELECT name FROM system.columns WHERE database = currentDatabase() "
                                      "AND table = {t:String} ORDER BY position", {"t": table})]


def run(r: Readers, run_id: str) -> dict[str, Any] | None:
    tables = r.tables()
    out: dict[str, Any] = {"run_id": run_id, "kind": None}
    if "sandbox_load_runs" in tables:
        cols = _table_columns(r, "sandbox_load_runs")
        rows = r.query("SELECT * FROM sandbox_load_runs WHERE RunId = {id:String} ORDER BY Timestamp LIMIT 100",
                       {"id": run_id})
        if rows:
            out.update(kind="load", points=[dict(zip(cols, row)) for row in rows])
            for pt in out["points"]:
                pt["Timestamp"] = ns(pt["Timestamp"])
            return out
    if "sandbox_eval_runs" in tables:
        cols = _table_columns(r, "sandbox_eval_runs")
        rows = r.query("SELECT * FROM sandbox_eval_runs WHERE RunId = {id:String} ORDER BY Task, Metric LIMIT 2000",
                       {"id": run_id})
        if rows:
            metrics = [dict(zip(cols, row)) for row in rows]
            for m in metrics:
                m["Timestamp"] = ns(m["Timestamp"])
                for k in ("Value", "Stderr", "BaselineValue", "BaselineStderr", "Threshold"):
                    if k in m:
                        m[k] = nan_none(m[k])
            samples = []
            if "sandbox_eval_samples" in tables:
                samples = [{"task": t, "doc": d, "metric": m, "value": nan_none(v), "prompt": p, "target": tg,
                            "response": rs} for t, d, m, v, p, tg, rs in r.query(
                    "SELECT Task, DocId, Metric, Value, substring(Prompt, 1, 2000), substring(Target, 1, 500), "
                    "substring(Response, 1, 2000) FROM sandbox_eval_samples WHERE RunId = {id:String} "
                    "ORDER BY Value, Task, DocId LIMIT 50", {"id": run_id})]
            out.update(kind="eval", metrics=metrics, samples=samples)
            return out
    return None


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a two-run comparison (same kind): metric, A, B, delta, relative delta, and a verdict for evals
    (the difference beyond 1.96 combined standard errors)."""
    rows: list[dict[str, Any]] = []
    if a["kind"] == "load":
        pa, pb = a["points"][0], b["points"][0]
        for k, v in pa.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "Timestamp" and k in pb:
                va, vb = nan_none(float(v)), nan_none(float(pb[k]))
                rows.append({"metric": k, "a": va, "b": vb, **_delta(va, vb)})
        return rows
    mb = {(m["Task"], m["Metric"]): m for m in b["metrics"]}
    for m in a["metrics"]:
        other = mb.get((m["Task"], m["Metric"]))
        va, vb = m["Value"], other["Value"] if other else None
        d = _delta(va, vb)
        verdict = ""
        if d["delta"] is not None:
            se = math.sqrt((m.get("Stderr") or 0.0) ** 2 + ((other or {}).get("Stderr") or 0.0) ** 2)
            verdict = "same" if abs(d["delta"]) <= 1.96 * se else ("higher in B" if d["delta"] > 0 else "lower in B")
        rows.append({"metric": f"{m['Task']} / {m['Metric']}", "a": va, "b": vb, "verdict": verdict, **d})
    return rows


def _delta(a: float | None, b: float | None) -> dict[str, Any]:
    if a is None or b is None:
        return {"delta": None, "rel": None}
    return {"delta": b - a, "rel": (b - a) / abs(a) if a else None}
