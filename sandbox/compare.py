"""Regression verdicts: a run against a baseline, per metric, using the standard errors.

For a metric where higher is better, with run value ``v``, baseline ``b`` and standard errors
``se_v``, ``se_b``: ``worse = b - v`` (sign flipped when lower is better) and the combined error
``se = sqrt(se_v**2 + se_b**2)``. The verdict is

* ``regression`` when ``worse > z * se`` and ``worse > max(min_delta, rel_tol * |b|)``,
* ``improvement`` when the same holds for ``-worse``,
* ``pass`` otherwise; ``fail`` when the run is below the suite's absolute threshold (evals).

``z`` defaults to 1.96 (two-sided 95%). Evals use rel_tol 0 (their stderr is the sampling error of
the item set, and a deterministic rerun gives the same numbers). Load runs also use ``rel_tol``
(default 10%): their bootstrap stderr covers request-to-request spread, not the drift between two
runs on a shared machine, which the tolerance absorbs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Verdict", "verdict", "compare_eval", "compare_load", "LOAD_METRICS", "NEUTRAL_EVAL_METRICS"]

# column, higher_is_better
LOAD_METRICS: list[tuple[str, bool]] = [
    ("RequestThroughput", True), ("OutputThroughput", True),
    ("MedianTtftMs", False), ("P99TtftMs", False), ("MedianTpotMs", False), ("P99TpotMs", False),
    ("MedianItlMs", False), ("MedianE2elMs", False), ("P99E2elMs", False),
]
NEUTRAL_EVAL_METRICS = {"answer_words"}  # informational: no direction


@dataclass
class Verdict:
    key: str
    value: float
    baseline: float | None
    stderr: float
    baseline_stderr: float | None
    delta: float | None
    bound: float | None
    verdict: str
    threshold: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def _se(x: Any) -> float:
    v = _f(x)
    return 0.0 if math.isnan(v) else abs(v)


def verdict(value: float, baseline: float | None, se: float, se_b: float, *, higher_is_better: bool | None = True,
            z: float = 1.96, rel_tol: float = 0.0, min_delta: float = 0.0) -> tuple[str, float | None]:
    """(verdict, bound): see the module docstring. ``higher_is_better=None``: informational."""
    if baseline is None or math.isnan(baseline) or math.isnan(value):
        return "new", None
    if higher_is_better is None:
        return "info", None
    worse = (baseline - value) if higher_is_better else (value - baseline)
    bound = max(z * math.sqrt(se * se + se_b * se_b), min_delta, rel_tol * abs(baseline))
    if worse > bound:
        return "regression", bound
    if -worse > bound:
        return "improvement", bound
    return "pass", bound


def compare_eval(run: dict, baseline: dict | None, *, z: float = 1.96, min_delta: float = 0.0) -> list[Verdict]:
    """``run``/``baseline``: eval run dicts (``metrics``: rows with Task, Metric, Value, Stderr, Threshold)."""
    base = {(m["Task"], m["Metric"]): m for m in (baseline or {}).get("metrics", [])}
    out = []
    for m in run["metrics"]:
        key = (m["Task"], m["Metric"])
        b = base.get(key)
        hib = None if m["Metric"] in NEUTRAL_EVAL_METRICS else True
        value, se = _f(m["Value"]), _se(m.get("Stderr"))
        bval = _f(b["Value"]) if b else None
        bse = _se(b.get("Stderr")) if b else None
        v, bound = verdict(value, bval, se, bse or 0.0, higher_is_better=hib, z=z, min_delta=min_delta)
        thr = m.get("Threshold")
        if thr is not None and not math.isnan(value) and value < float(thr) and v != "regression":
            v = "fail"  # below the suite's absolute floor (a regression against the baseline says more)
        out.append(Verdict(f"{m['Task']}/{m['Metric']}", value, bval, se, bse,
                           None if bval is None else value - bval, bound, v, thr))
    return out


def compare_load(run: dict, baseline: dict, *, z: float = 1.96, rel_tol: float = 0.10) -> list[Verdict]:
    """``run``/``baseline``: load run records (columns of sandbox_load_runs, ``_stderr`` per column)."""
    out = []
    se_r, se_b = run.get("_stderr") or {}, baseline.get("_stderr") or {}
    for col, hib in LOAD_METRICS:
        value, bval = _f(run.get(col)), _f(baseline.get(col))
        se, bse = _se(se_r.get(col)), _se(se_b.get(col))
        v, bound = verdict(value, bval, se, bse, higher_is_better=hib, z=z, rel_tol=rel_tol)
        out.append(Verdict(col, value, bval, se, bse, value - bval, bound, v))
    return out


def failed(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.verdict in ("regression", "fail")]
