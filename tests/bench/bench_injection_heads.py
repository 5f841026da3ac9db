"""Cost of one prompt-injection head against another, in the same run: CPU ms per call of each head, as the
evaluator scores a call's input (chunks, max), on English calls and on calls in other languages, and the ratio.

    python tests/bench/bench_injection_heads.py OLD.json NEW.json [--calls 400] [--rounds 3]

OLD and NEW are head files (``evaluators/models/prompt_injection.json`` of two commits, e.g. ``git show
REV:evaluators/models/prompt_injection.json > /tmp/old.json``). The rounds alternate the heads, so the machine's
load falls on both alike; the medians are printed. The multilingual vector of a head that has one runs only on
text that is not English, so English calls should cost the same.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_evaluators import FOREIGN, QUESTIONS  # noqa: E402

from pharos.evaluators.builtin.models import chunked_scores  # noqa: E402
from pharos.evaluators.classifier import LinearHead  # noqa: E402


def calls(n: int, foreign: bool) -> list[str]:
    """``n`` distinct inputs: the bench's English questions, or their German, Turkish, Chinese and Russian twins."""
    if not foreign:
        return [QUESTIONS[i % 4].format(i) + f" (#{i})" for i in range(n)]
    langs = list(FOREIGN.values())
    return [langs[i % len(langs)][0][i % 4].format(i) + f" (#{i})" for i in range(n)]


def cpu_ms(head: LinearHead, texts: list[str]) -> float:
    c0 = time.process_time()
    chunked_scores(head, texts)
    return (time.process_time() - c0) / len(texts) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    heads = {"old": LinearHead.load(a.old), "new": LinearHead.load(a.new)}
    for h in heads.values():
        chunked_scores(h, calls(8, False) + calls(8, True))  # load the models
    for foreign in (False, True):
        ms: dict[str, list[float]] = {"old": [], "new": []}
        for r in range(a.rounds):
            for name, h in heads.items():
                ms[name].append(cpu_ms(h, [t + f" r{r}" for t in calls(a.calls, foreign)]))
        old, new = statistics.median(ms["old"]), statistics.median(ms["new"])
        what = "de/tr/zh/ru" if foreign else "English"
        print(f"{what:12s} old {old:.3f} ms/call  new {new:.3f} ms/call  ratio new/old {new / old:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
