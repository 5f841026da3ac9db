"""How well the prompt-injection head finds a short injection buried in documentation (training data only).

    .venv/bin/python evaluators/data/check_buried_injection.py [OLD_HEAD.json]

Hosts: up to 300 pairs of paragraphs of ``injection_train_docs_benign.jsonl`` ("train docs") and of
``injection_threshold_docs_benign.jsonl`` ("threshold docs": packages no head trains on); attacks: short injections
of ``injection_train_bastion.jsonl`` (the calibration half: trained on alone, never buried by
``make_injection_buried.py``). Reported per head and host set, the share flagged (as the evaluator scores: max over
chunks) of: the attack as its own paragraph between the two, the attack inline, the two paragraphs without it, the
attack alone. No held-out file is read. Measured in session 5 on train docs (both heads have seen these rows in
training or calibration):

    version 2 (0.788)   paragraph 0.943  inline 0.943  clean 0.467  alone 1.0
    version 3 (0.631)   paragraph 0.440  inline 0.440  clean 0.007  alone 1.0
"""

import random
import sys
from pathlib import Path

from pharos.evaluators.builtin.models import chunked_scores, head
from pharos.evaluators.classifier import LinearHead
from pharos.evaluators.train import load


def cases(hosts_file: str) -> dict[str, list[str]]:
    rng = random.Random(7)
    docs = [r["text"] for r in load(hosts_file)]
    atk = [r["text"] for r in load("injection_train_bastion.jsonl") if r["label"] == 1 and len(r["text"]) < 200]
    rng.shuffle(docs)
    hosts = [(docs[2 * i], docs[2 * i + 1], atk[i % len(atk)]) for i in range(min(300, len(docs) // 2))]
    return {"paragraph": [f"{a}\n\n{x}\n\n{b}" for a, b, x in hosts], "inline": [f"{a} {x} {b}" for a, b, x in hosts],
            "clean": [f"{a}\n\n{b}" for a, b, _ in hosts], "alone": [x for *_, x in hosts]}


def main(paths: list[str]) -> None:
    heads = [("shipped", head("prompt_injection"))] + [(p, LinearHead.load(Path(p))) for p in paths]
    for hosts in ("injection_train_docs_benign.jsonl", "injection_threshold_docs_benign.jsonl"):
        for name, h in heads:
            flagged = {k: round(float((chunked_scores(h, t) >= h.threshold).mean()), 3)
                       for k, t in cases(hosts).items()}
            print(f"{hosts}: {name} (threshold {h.threshold:.3f})", flagged)


if __name__ == "__main__":
    main(sys.argv[1:])
