"""Writes ``injection_train_buried.jsonl``: short injections buried in documentation prose (label 1), and pairs of
documentation paragraphs without one (label 0), each row short enough to be one evaluator chunk (600 characters),
so that its label is right for every chunk the head is trained on.

Why: version 3 of the prompt-injection head learnt from documentation prose (``injection_train_docs_benign.jsonl``)
that doc-like text is benign, and a single injected sentence in a documentation chunk now scores under the
threshold (``check_buried_injection.py``: 44% of buried attacks flagged). Retrieved context in RAG apps is often
documentation, and an instruction hidden in it is the indirect injection the evaluator exists to catch.

Hosts: paragraphs of ``injection_train_docs_benign.jsonl`` (documentation of 103 packages; never the threshold or
test docs files). Attacks: English injections of 40-220 characters from the training files
``injection_train.jsonl``, ``injection_train_extra.jsonl``, ``injection_train_diverse.jsonl`` and
``injection_train_public.jsonl`` -- never the bastion calibration half, so that its out-of-fold scores stay
out-of-fold. Forms: the attack as a sentence inside the paragraph, at its start, at its end, or as its own paragraph
between two paragraphs of the same package; "pair" rows (label 0) are two paragraphs of one package joined without
an attack, so that joined paragraphs alone are not a signal. ``source`` is the host's package, so that
``validate_injection.loso_group`` leaves these rows out together with that package's documentation. Rows that are
near-duplicates of a held-out row (``neardup``) are dropped.

Run: python evaluators/data/make_injection_buried.py [--out PATH]   (deterministic: fixed seed)
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from pharos.evaluators.builtin.models import CHUNK  # the evaluator's chunk: a row longer would be split
from pharos.evaluators.data.neardup import NearDup
from pharos.evaluators.train import load

HERE = Path(__file__).parent
OUT = HERE / "injection_train_buried.jsonl"
HOSTS = "injection_train_docs_benign.jsonl"
ATTACK_FILES = ("injection_train.jsonl", "injection_train_extra.jsonl", "injection_train_diverse.jsonl",
                "injection_train_public.jsonl")
HELD_OUT = ("injection_test.jsonl", "injection_test_spikee.jsonl", "injection_test_docs_benign.jsonl")
PER_FILE = 150  # attacks drawn from each attack file
BURIED = 600  # single-paragraph rows (sentence, start, end)
JOINED = 200  # two-paragraph rows with the attack between, and as many without
SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[A-Z`(\"'])")


def attacks(rng: random.Random) -> list[str]:
    out: list[str] = []
    for f in ATTACK_FILES:
        pool = sorted({r["text"].strip() for r in load(f) if r["label"] == 1 and r.get("lang", "en") == "en"
                       and 40 <= len(r["text"].strip()) <= 220 and "\n\n" not in r["text"]})
        out += rng.sample(pool, min(PER_FILE, len(pool)))
    rng.shuffle(out)
    return out


def bury(host: str, attack: str, where: str, rng: random.Random) -> str:
    """``attack`` inside ``host``: after a random sentence, at the start or at the end."""
    if where == "start":
        return f"{attack} {host}"
    if where == "end":
        return f"{host} {attack}"
    parts = SENTENCE.split(host)
    k = rng.randint(1, len(parts) - 1) if len(parts) > 1 else 1
    return " ".join(parts[:k] + [attack] + parts[k:])


def build(rng: random.Random) -> list[dict]:
    hosts = load(HOSTS)
    by_pkg: dict[str, list[str]] = defaultdict(list)
    for r in hosts:
        by_pkg[r["source"]].append(r["text"].strip())
    atk = attacks(rng)
    rows: list[dict] = []
    singles = [r for r in hosts if len(r["text"]) <= CHUNK - 230]
    rng.shuffle(singles)
    for i, h in enumerate(singles[:BURIED]):
        where = rng.choice(["sentence", "sentence", "start", "end"])
        rows.append({"text": bury(h["text"].strip(), atk[i % len(atk)], where, rng), "label": 1,
                     "source": h["source"], "form": where})
    pkgs = sorted(p for p, texts in by_pkg.items() if len(texts) >= 2)
    made = 0
    while made < JOINED:
        p = rng.choice(pkgs)
        a, b = rng.sample(by_pkg[p], 2)
        x = atk[(BURIED + made) % len(atk)]
        if len(a) + len(b) + len(x) + 4 > CHUNK:
            continue
        rows.append({"text": f"{a}\n\n{x}\n\n{b}", "label": 1, "source": p, "form": "paragraph"})
        rows.append({"text": f"{a}\n\n{b}", "label": 0, "source": p, "form": "pair"})
        made += 1
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    rng = random.Random(11)
    held = NearDup()
    for f in HELD_OUT:
        for r in load(f):
            held.add(r["text"])
    rows, seen, dropped = [], set(), 0
    for r in build(rng):
        if r["text"] in seen or held.hit(r["text"]):
            dropped += 1
            continue
        seen.add(r["text"])
        rows.append(r)
    with a.out.open("w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows ({sum(r['label'] for r in rows)} buried injections), {dropped} dropped "
          "(duplicate or near a held-out row)")


if __name__ == "__main__":
    main()
