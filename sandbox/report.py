"""HTML reports (jinja2): tables and plots (matplotlib PNG inlined as base64: no CDN, one self-contained file)."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any

__all__ = ["render_report", "sweep_plot", "eval_plot", "load_plot"]

_TEMPLATE = Path(__file__).parent / "templates" / "report.html.j2"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def sweep_plot(records: list[dict[str, Any]], path: Path | None = None) -> str:
    """Latency/throughput curve of a sweep: p50/p99 E2E and TTFT against achieved request throughput."""
    plt = _plt()
    recs = sorted(records, key=lambda r: r.get("RequestThroughput", 0))
    x = [r["RequestThroughput"] for r in recs]
    fig, ax = plt.subplots(figsize=(7, 4))
    for col, label, style in (("MedianE2elMs", "p50 end-to-end", "o-"), ("P99E2elMs", "p99 end-to-end", "o--"),
                              ("MedianTtftMs", "p50 TTFT", "s-"), ("P99TtftMs", "p99 TTFT", "s--")):
        ax.plot(x, [r.get(col, math.nan) for r in recs], style, label=label)
    for r in recs:
        target = r.get("RequestRate") or r.get("Concurrency")
        ax.annotate(f"{'rate' if r.get('Mode') == 'open' else 'conc'} {target:g}", (r["RequestThroughput"],
                    r.get("P99E2elMs", 0)), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("achieved throughput (requests/s)")
    ax.set_ylabel("latency (ms)")
    ax.set_title("Latency vs throughput")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    b64 = _png(fig)
    if path:
        path.write_bytes(base64.b64decode(b64))
    return b64


def load_plot(run: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    plt = _plt()
    cols = ["MedianTtftMs", "P99TtftMs", "MedianTpotMs", "P99TpotMs", "MedianE2elMs", "P99E2elMs"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.4 if baseline else 0.8
    xs = range(len(cols))
    se = run.get("_stderr") or {}
    ax.bar([i - (width / 2 if baseline else 0) for i in xs], [run.get(c, math.nan) for c in cols], width,
           yerr=[se.get(c, 0) for c in cols], label=run.get("RunId", "run"))
    if baseline:
        bse = baseline.get("_stderr") or {}
        ax.bar([i + width / 2 for i in xs], [baseline.get(c, math.nan) for c in cols], width,
               yerr=[bse.get(c, 0) for c in cols], label=baseline.get("RunId", "baseline"))
    ax.set_xticks(list(xs), [c.replace("Ms", "") for c in cols], fontsize=8)
    ax.set_ylabel("ms")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def eval_plot(verdicts: list[dict[str, Any]], run_label: str, baseline_label: str | None) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    xs = range(len(verdicts))
    width = 0.4 if baseline_label else 0.8
    ax.bar([i - (width / 2 if baseline_label else 0) for i in xs], [v["value"] for v in verdicts], width,
           yerr=[1.96 * (v["stderr"] or 0) for v in verdicts], label=run_label)
    if baseline_label:
        ax.bar([i + width / 2 for i in xs], [v["baseline"] if v["baseline"] is not None else math.nan for v in verdicts],
               width, yerr=[1.96 * (v["baseline_stderr"] or 0) for v in verdicts], label=baseline_label)
    ax.set_xticks(list(xs), [v["key"] for v in verdicts], fontsize=7, rotation=20)
    ax.set_title("value ± 1.96 stderr")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return "nan" if math.isnan(x) else f"{x:.4g}"
    return html.escape(str(x))


def render_report(path: Path, *, title: str, kind: str, run: dict[str, Any], baseline: dict[str, Any] | None,
                  verdicts: list[dict[str, Any]], plots: list[tuple[str, str]], extra: dict[str, Any] | None = None) -> Path:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATE.parent), autoescape=True)
    env.filters["fmt"] = _fmt
    failed = [v for v in verdicts if v["verdict"] in ("regression", "fail")]
    page = env.get_template(_TEMPLATE.name).render(
        title=title, kind=kind, run=run, baseline=baseline, verdicts=verdicts, plots=plots, failed=failed,
        extra=extra or {}, status="FAIL" if failed else "PASS")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
