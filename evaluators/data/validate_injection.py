"""Model selection for the prompt-injection head without the test file.

    .venv/bin/python evaluators/data/validate_injection.py [VARIANT ...]   (default: all; --list names them)

For each variant (a :class:`pharos.evaluators.train.HeadSpec`), two measures, both from training data only:

1. Out-of-fold calibration: the threshold procedure of ``train.fit_head`` (5 folds over the calibration rows,
   highest F1 with FPR <= ``max_fpr``), repeated with three fold assignments (the calibration set is small, one
   split is noisy). Reported: mean and range of F1, FPR and recall over the three, on the bastion rows.
2. Leave one source out: for each source (a file, or a file's ``source`` field), a head trained on every other
   source scores the left-out rows. Reported per source: recall (injections) and FPR (benign rows) at the
   calibrated threshold; pooled over all sources: F1 and FPR at that threshold, and the best F1 whose pooled FPR
   is at most ``max_fpr`` (a threshold-free view of how well the sources separate). This is the distribution
   shift the held-out test meets: a source's style that the head has not been trained on.

``injection_test.jsonl`` is never read here.

Measured (third pass; out-of-fold bastion F1 mean of 3 splits / FPR mean; bastion half left out: recall / FPR):

    shipped            0.956 / 0.018    0.825 / 0.027 (1 of 37)
    payloads           0.962 / 0.018    0.841 / 0.027
    lexicon            0.992 / 0.027    0.984 / 0.054 (2 of 37)
    multilingual       0.970 / 0.009    0.905 / 0.027
    all3               0.989 / 0.027    0.984 / 0.054
    diverse            0.981 / 0.027    0.968 / 0.081 (3 of 37)
    diverse+payloads   0.981 / 0.027    0.968 / 0.081
    diverse+lexicon    0.997 / 0.009    0.984 / 0.027   <- chosen
    diverse+benign     0.984 / 0.027    0.921 / 0.027

The chosen variant's one look at the test file: P 0.960 R 0.873 F1 0.914, FPR 0.077 (2 of 26 benign), over the
issue's 5% limit, so it was not shipped. all3 had scored FPR 0.077 on the test file too (second helper); this
protocol flags its FPR (0.054 on the left-out bastion half), but not the chosen variant's.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import numpy as np

from pharos.evaluators.builtin.models import head_scores
from pharos.evaluators.train import HEADS, choose_threshold, metrics, prepare

SHIPPED = HEADS["prompt_injection"]
BASTION = "injection_train_bastion.jsonl"
MULTI = "injection_train_multilingual.jsonl"
BENIGN = "injection_calibration_benign.jsonl"
DIVERSE = "injection_train_diverse.jsonl"
SALTS = ("", "a:", "b:")


def variants() -> dict[str, object]:
    """The candidate specs, by name."""
    s = SHIPPED
    diverse = s.train + (DIVERSE,)
    return {
        "shipped": s,
        "payloads": replace(s, score_payloads=True),
        "lexicon": replace(s, lexicon=True),
        "multilingual": replace(s, train=s.train + (MULTI,)),
        "all3": replace(s, train=s.train + (MULTI,), lexicon=True, score_payloads=True),
        "diverse": replace(s, train=diverse),
        "diverse+payloads": replace(s, train=diverse, score_payloads=True),
        "diverse+lexicon": replace(s, train=diverse, lexicon=True),
        "diverse+multilingual": replace(s, train=diverse + (MULTI,)),
        "diverse+all3": replace(s, train=diverse + (MULTI,), lexicon=True, score_payloads=True),
        "diverse+benign": replace(s, train=diverse + (BENIGN,)),
    }


def validate(spec) -> dict:
    prep = prepare(spec)
    y, cal = prep.y, prep.cal
    bastion = np.array([i for i in cal if prep.groups[i] == BASTION])
    runs, thresholds = [], []
    for salt in SALTS:
        oof = prep.out_of_fold(salt)
        t = choose_threshold(oof[cal], y[cal], spec.max_fpr)
        thresholds.append(t)
        runs.append(metrics(oof[bastion] >= t, y[bastion]))
    t = thresholds[0]  # the threshold train.fit_head would ship
    loso = np.zeros(len(prep.rows))
    per_source = {}
    for g in sorted(set(prep.groups)):
        held = np.array([i for i, gi in enumerate(prep.groups) if gi == g])
        keep = np.array([i for i, gi in enumerate(prep.groups) if gi != g])
        loso[held] = head_scores(prep.fit(keep), [prep.rows[i]["text"] for i in held])
        m = metrics(loso[held] >= t, y[held])
        per_source[g] = {"n": len(held), "pos": int(y[held].sum()), "recall": m["recall"], "fpr": m["fpr"],
                         "fp": int(((loso[held] >= t) & (y[held] == 0)).sum())}
    pooled = metrics(loso >= t, y)
    best_t = choose_threshold(loso, y, spec.max_fpr)
    return {"threshold": t, "oof": runs, "loso": per_source, "pooled": pooled,
            "pooled_best": metrics(loso >= best_t, y)}


def report(name: str, r: dict) -> str:
    def span(key: str) -> str:
        v = [m[key] for m in r["oof"]]
        return f"{np.mean(v):.3f} [{min(v):.3f}-{max(v):.3f}]"

    lines = [f"== {name}  threshold {r['threshold']:.3f}",
             f"  out-of-fold bastion (3 splits): F1 {span('f1')}  recall {span('recall')}  FPR {span('fpr')}",
             "  leave-one-source-out pooled: F1 {f1:.3f} P {precision:.3f} R {recall:.3f} FPR {fpr:.3f}".format(
                 **r["pooled"]) + "  | best F1 at FPR<=max: {f1:.3f} (R {recall:.3f} FPR {fpr:.3f})".format(
                 **r["pooled_best"])]
    for g, m in r["loso"].items():
        lines.append(f"    {g:55s} n {m['n']:5d}  recall {m['recall']:.3f} ({m['pos']} inj)  "
                     f"FPR {m['fpr']:.3f} ({m['fp']} of {m['n'] - m['pos']} benign)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="*")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    table = variants()
    if a.list:
        print("\n".join(table))
        return 0
    for name in a.variants or list(table):
        print(report(name, validate(table[name])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
