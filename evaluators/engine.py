"""Running evaluators over calls: selection, batching, failure isolation, score rows, health counters."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from pharos.collector.store.schema import SCORE_COLUMNS
from pharos.evaluators.base import Call, Evaluator, Score, score_id

__all__ = ["Engine", "Health", "SCORE_COLUMNS", "score_row", "Failure"]

log = logging.getLogger("pharos.evaluators")



def score_row(ev: Evaluator, call: Call, s: Score) -> list[Any]:
    name = s.name or ev.name
    value = float(s.value) if s.value is not None else math.nan
    return [call.timestamp_ns, call.trace_id, call.span_id, score_id(name, ev.version, call.trace_id, call.span_id),
            name, "evaluator", value, s.label or "", (s.explanation or "")[:4000], ev.version, call.service,
            {str(k): str(v) for k, v in (s.attributes or {}).items()}]


@dataclass
class Health:
    scored: int = 0
    failed: int = 0
    retried: int = 0
    gave_up: int = 0
    skipped: int = 0
    last_error: str = ""
    last_error_at: float | None = None
    busy_s: float = 0.0
    consecutive_failures: int = 0
    breaker_until: float = 0.0

    @property
    def mean_latency_ms(self) -> float:
        done = self.scored + self.failed
        return self.busy_s * 1000 / done if done else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"scored": self.scored, "failed": self.failed, "retried": self.retried, "gave_up": self.gave_up,
                "last_error": self.last_error, "mean_latency_ms": round(self.mean_latency_ms, 2),
                "breaker_open": self.breaker_until > time.time()}


@dataclass
class Failure:
    evaluator: Evaluator
    call: Call
    error: str


@dataclass
class Result:
    rows: list[list[Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    scores: list[tuple[Evaluator, Call, Score]] = field(default_factory=list)


def _as_list(x: Score | list[Score] | None) -> list[Score]:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Engine:
    """Runs a set of evaluators; one evaluator's exception never affects another's scores."""

    def __init__(self, evaluators: Sequence[Evaluator], backoff_s: float = 5.0) -> None:
        self.evaluators = list(evaluators)
        self.health: dict[str, Health] = {e.name: Health() for e in self.evaluators}
        self.backoff_s = backoff_s
        self._lock = threading.Lock()

    def breaker_open(self, ev: Evaluator) -> bool:
        return self.health[ev.name].breaker_until > time.time()

    def _fail(self, ev: Evaluator, n: int, err: str) -> None:
        with self._lock:
            h = self.health[ev.name]
            h.failed += n
            h.last_error, h.last_error_at = err[:500], time.time()
            h.consecutive_failures += 1
            if h.consecutive_failures >= 3:  # open the breaker: stop calling it for a while
                h.breaker_until = time.time() + min(300.0, self.backoff_s * 2 ** min(6, h.consecutive_failures - 3))

    def _ok(self, ev: Evaluator, n: int, dt: float) -> None:
        with self._lock:
            h = self.health[ev.name]
            h.scored += n
            h.busy_s += dt
            h.consecutive_failures = 0
            h.breaker_until = 0.0

    def run_one(self, ev: Evaluator, calls: Sequence[Call], result: Result) -> None:
        """Score ``calls`` (already selected) with ``ev``; failures go to ``result.failures``."""
        if not calls:
            return
        if self.breaker_open(ev):
            result.failures += [Failure(ev, c, "breaker open") for c in calls]
            return
        t0 = time.perf_counter()
        try:
            outs = ev.evaluate_batch(calls) if len(calls) > 1 else [ev.evaluate(calls[0])]
        except Exception as exc:
            if len(calls) > 1 and not ev.remote:  # isolate the call that breaks a local evaluator
                for c in calls:
                    self.run_one(ev, [c], result)
                return
            err = f"{type(exc).__name__}: {exc}"
            log.warning("evaluator %s failed on %d call(s): %s", ev.name, len(calls), err)
            self._fail(ev, len(calls), err)
            result.failures += [Failure(ev, c, err) for c in calls]
            return
        self._ok(ev, len(calls), time.perf_counter() - t0)
        for c, out in zip(calls, outs):
            for s in _as_list(out):
                result.rows.append(score_row(ev, c, s))
                result.scores.append((ev, c, s))

    def run(self, calls: Sequence[Call], remote: bool = True) -> Result:
        """Every applicable (evaluator, call); with ``remote=False`` remote evaluators are left out."""
        result = Result()
        for ev in self.evaluators:
            if ev.remote and not remote:
                continue
            self.run_one(ev, [c for c in calls if ev.applies(c)], result)
        return result


def attributes_json(rows: list[list[Any]]) -> str:
    return json.dumps(rows, default=str)
