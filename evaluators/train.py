"""Train the classifier heads (prompt injection, toxicity, refusal) from ``evaluators/data`` into
``evaluators/models/*.json`` and print held-out metrics. Deterministic; takes seconds.

    python -m pharos.evaluators.train
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from pharos.evaluators.classifier import MODELS, LinearHead

DATA = Path(__file__).parent / "data"

# head -> (training files, held-out test file, L2, threshold)
HEADS = {
    "prompt_injection": (["injection_train.jsonl", "injection_train_bastion.jsonl", "injection_train_extra.jsonl"],
                         "injection_test.jsonl"),
    "toxicity": (["toxicity_train.jsonl"], "toxicity_test.jsonl"),
    "refusal": (["refusal_train.jsonl"], "refusal_test.jsonl"),
}


def load(name: str) -> list[dict]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "fpr": fp / (fp + tn) if fp + tn else 0.0, "n": len(y)}


def train(name: str, l2: float = 1e-4, epochs: int = 3000, lr: float = 2.0) -> tuple[LinearHead, dict]:
    from pharos.evaluators.builtin.models import features

    files, test_file = HEADS[name]
    rows = [r for f in files for r in load(f)]
    x = features([r["text"] for r in rows]).astype(np.float64)
    y = np.array([int(r["label"]) for r in rows])
    head = LinearHead.fit(x, y, l2=l2, epochs=epochs, lr=lr)
    # threshold: the lowest that keeps the training false-positive rate under 2%
    p = head.proba(x)
    neg = np.sort(p[y == 0])
    head.threshold = float(max(0.5, neg[int(len(neg) * 0.98)] + 1e-3)) if len(neg) else 0.5
    test = load(test_file)
    xt = features([r["text"] for r in test])
    yt = np.array([int(r["label"]) for r in test])
    m = metrics(head.proba(xt) >= head.threshold, yt)
    head.meta = {"train_rows": len(rows), "train_files": files, "test_file": test_file,
                 "test": {k: round(v, 4) for k, v in m.items()}}
    return head, m


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(HEADS)
    for name in names:
        head, m = train(name)
        head.save(MODELS / f"{name}.json")
        print(f"{name:18s} threshold {head.threshold:.3f}  " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
