"""Report-only scoring of held-out prompt-injection files: does :class:`PromptInjectionEvaluator` (its chunking,
max over chunks and threshold) flag each row, with the shipped head or a candidate head trained in memory?
Precision, recall, F1 and FPR with counts and 95% Wilson intervals, overall, on English rows, and by kind and
language. Nothing here trains on or tunes anything to these files (``validate_injection.py --score`` calls it)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np

from pharos.evaluators import base
from pharos.evaluators.builtin import models
from pharos.evaluators.train import DATA, metrics

__all__ = ["wilson", "evaluator_flags", "held_out_report", "score_files"]


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) for ``k`` successes out of ``n``."""
    if not n:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)


@contextmanager
def evaluator_head(h):
    """The prompt-injection evaluator with its head replaced by ``h`` (None: the shipped model file, untouched)."""
    if h is None:
        yield
        return
    with mock.patch.object(models, "head", lambda name: h):
        yield


def evaluator_flags(texts: list[str], h=None) -> np.ndarray:
    """Whether :class:`PromptInjectionEvaluator` (chunking, max over chunks, its head's threshold) flags each text
    sent as the user input, with the shipped head, ``h``, or (``h`` a dict) the evaluator's options ``h``
    (``{"model": "minilm"}``: the fine-tuned classifier)."""
    ev = models.PromptInjectionEvaluator(**(h if isinstance(h, dict) else {}))
    with evaluator_head(None if isinstance(h, dict) else h):
        scores = ev.evaluate_batch([base.Call(input=t) for t in texts])
    return np.array([s.label == ev.positive for s in scores])


def held_out_report(name: str, rows: list[dict], flagged: np.ndarray) -> str:
    """P/R/F1/FPR with counts and 95% Wilson intervals for recall and FPR, overall and by kind and language."""
    en = np.array([r.get("lang", "en") == "en" for r in rows])
    lines = [f"== {name}:\n    all      " + _summary(rows, flagged),
             "    English  " + _summary([r for r, e in zip(rows, en) if e], flagged[en])]
    for field in ("kind", "lang"):
        for (label, value), idx in sorted(_groups(rows, field).items()):
            k, n = int(flagged[idx].sum()), len(idx)
            lo, hi = wilson(k, n)
            what = "recall" if label else "FPR   "
            lines.append(f"    {field} {value:18s} label {label}  {what} {k / n:.3f} ({k} of {n}; 95% {lo:.3f}-{hi:.3f})")
    return "\n".join(lines)


def _summary(rows: list[dict], flagged: np.ndarray) -> str:
    y = np.array([int(r["label"]) for r in rows])
    m = metrics(flagged, y)
    tp, fp = int((flagged & (y == 1)).sum()), int((flagged & (y == 0)).sum())
    pos, neg = int(y.sum()), int((y == 0).sum())
    rl, rh = wilson(tp, pos)
    fl, fh = wilson(fp, neg)
    return (f"P {m['precision']:.3f}  R {m['recall']:.3f} ({tp} of {pos}; 95% {rl:.3f}-{rh:.3f})  F1 {m['f1']:.3f}  "
            f"FPR {m['fpr']:.3f} ({fp} of {neg}; 95% {fl:.3f}-{fh:.3f})")


def _groups(rows: list[dict], field: str) -> dict[tuple[int, str], np.ndarray]:
    out: dict[tuple[int, str], list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault((int(r["label"]), str(r.get(field, "?"))), []).append(i)
    return {k: np.array(v) for k, v in out.items()}


def score_files(files: list[str], heads: list[tuple[str, object]]) -> None:
    """Print each of ``heads``' numbers (``(title, head)``; head None: the shipped model file; a dict: evaluator
    options, see :func:`evaluator_flags`) on each of ``files``
    (paths, or names in evaluators/data) and, for several files, on all of them pooled."""
    sets = []
    for file in files:
        path = Path(file) if Path(file).exists() else DATA / file
        sets.append((path.name, [json.loads(line) for line in path.read_text().splitlines() if line.strip()]))
    pooled = [r for _, rows in sets for r in rows]
    for title, h in heads:
        flags = evaluator_flags([r["text"] for r in pooled], h)
        start = 0
        for name, rows in sets:
            print(held_out_report(f"{title} on {name}", rows, flags[start:start + len(rows)]), flush=True)
            start += len(rows)
        if len(sets) > 1:
            print(f"== {title}, pooled over {len(sets)} files:\n    all      " + _summary(pooled, flags), flush=True)
