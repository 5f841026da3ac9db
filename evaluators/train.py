"""Train the classifier heads (prompt injection, toxicity, refusal) from ``evaluators/data`` into
``evaluators/models/*.json`` and print held-out metrics. Deterministic; takes a few minutes (K-fold).

    python -m pharos.evaluators.train [--embedding static|minilm] [HEAD ...]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pharos.evaluators.classifier import MODELS, LinearHead

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class HeadSpec:
    """What a head learns from. ``calibration`` rows (also trained on, ``calibration_weight`` times) pick the
    threshold through K-fold out-of-fold probabilities: the highest F1 whose false-positive rate stays under
    ``max_fpr``. They should look like the data the head will meet (hard negatives, indirect injections); the
    ``test`` file is never used to choose anything."""

    train: tuple[str, ...]
    test: str
    calibration: tuple[str, ...] = ()  # empty: the whole training set
    ngram_dim: int = 0
    char_ngram_dim: int = 0
    embedding: str = "static"
    reveal: bool = False
    lexicon: bool = False
    score_payloads: bool = False
    max_fpr: float = 0.02
    l2: float = 1e-4
    calibration_weight: int = 1
    # Threshold floor from benign rows (all optional; the defaults leave the F1 rule above alone):
    threshold_benign: tuple[str, ...] = ()  # benign rows never trained on, scored by the final head
    benign_max_fpr: float = 1.0  # the threshold keeps the pooled benign FPR (these + out-of-fold calibration) <= this
    margin: float = 0.0  # ... plus this margin above the floor
    threshold_splits: int = 1  # the F1 threshold is the highest over this many out-of-fold fold assignments
    chunked: bool = False  # rows longer than the evaluator's chunk are trained on as its chunks, as it scores them
    multilingual: bool = False  # a multilingual sentence vector for texts that are not English (evaluators.multilingual)
    # The head for text that is not English (LinearHead.other), trained and thresholded by its own spec (rule
    # fields included), its bias then shifted to this head's threshold; None: this head scores every language.
    other: "HeadSpec | None" = None


# The prompt-injection head shipped as version 2 (sessions 3-5); the base of data/validate_injection.py's variants.
PROMPT_INJECTION_V2 = HeadSpec(("injection_train.jsonl", "injection_train_extra.jsonl"), "injection_test.jsonl",
                               calibration=("injection_train_bastion.jsonl",), ngram_dim=8192, char_ngram_dim=4096,
                               reveal=True, max_fpr=0.03, calibration_weight=10)

# Version 3 (sixth pass, sessions 5-7): the English head of version 4.
PROMPT_INJECTION_V3 = replace(PROMPT_INJECTION_V2, train=PROMPT_INJECTION_V2.train + (
    "injection_train_diverse.jsonl", "injection_train_hard_benign.jsonl", "injection_train_public.jsonl",
    "injection_train_docs_benign.jsonl"), lexicon=True, chunked=True,
    threshold_benign=("injection_threshold_benign.jsonl",), benign_max_fpr=0.03, threshold_splits=3)

HEADS = {
    # Tried (not shipped): + injection_train_multilingual.jsonl, lexicon=True, score_payloads=True: out-of-fold
    # calibration F1 0.984 FPR 0.027 (vs 0.950 / 0), but held-out test F1 0.882 with FPR 0.077 (2 of 26), over the
    # issue's 5% FPR limit, so the shipped head keeps the settings below.
    # Second pass: calibration = bastion half + injection_calibration_benign.jsonl (66 hand-written instruction-like
    # benign rows, 103 benign in all), max_fpr=0. Out-of-fold calibration F1 (FPR 0): all three options 0.885
    # (R 0.794); multilingual + payloads 0.789; multilingual only 0.753; shipped settings 0.660. The first one on
    # the test file (one look): P 1.0 R 0.600 F1 0.750 FPR 0 -- below the shipped head's F1, so not shipped.
    # Third pass, chosen by data/validate_injection.py only (out-of-fold bastion F1 over 3 splits, leave-one-source-
    # out): + injection_train_diverse.jsonl and lexicon=True. Out-of-fold bastion F1 0.997 (FPR 0.009) vs 0.956
    # (0.018) for the settings below; the bastion half left out entirely: recall 0.984 FPR 0.027 vs 0.825 / 0.027.
    # Its one test look: P 0.960 R 0.873 F1 0.914 but FPR 0.077 (2 of 26), over the 5% limit, so not shipped.
    # Fourth pass, chosen by data/validate_injection.py only: + injection_train_hard_benign.jsonl (generated innocent
    # encodings, puzzles, code requests, quoted attacks, tutoring, manuals) and the threshold rule "benign3%+max3"
    # (highest F1 threshold over 3 fold assignments, raised until at most 3% of the benign validation rows --
    # out-of-fold bastion benign + injection_threshold_benign.jsonl, never trained on -- reach it). Validation:
    # threshold 0.757, out-of-fold bastion F1 0.956 (R 0.915, FPR 0), bastion half left out R 0.889 FPR 0, held-out
    # hard benign 6 of 192. Its one test look: P 1.000 R 0.727 F1 0.842 FPR 0 -- FPR fixed, recall lost, F1 under
    # the 0.90 goal, so not shipped.
    # Fifth pass (data/validate_injection.py): + injection_train_public.jsonl (public red-team collections), chunked
    # training, rule benign3%+max3. Held-out: spikee F1 0.683 (shipped 0.686), and both heads flag 26-33% of a new
    # blind set of documentation prose (injection_test_docs_benign.jsonl), so not shipped.
    # Sixth pass, shipped as version 3: + public red-team collections and documentation prose of 103 packages
    # (injection_train_public.jsonl, injection_train_docs_benign.jsonl), chunked training, lexicon, rule
    # benign3%+max3 (threshold 0.631). Held-out, one look: documentation prose of 77 other packages flagged 19 of 494
    # (version 2: 161 of 494); bastion test unchanged (F1 0.857, 1 of 26); spikee F1 0.676 (version 2: 0.686); all
    # three pooled F1 0.685, FPR 0.029 (version 2: 0.548, 0.236). The F1 goal (0.90) is not met.
    # Seventh pass (not shipped): + injections buried in documentation (injection_train_buried.jsonl), rule
    # docs3%+max3. Pooled over four held-out sets (a fresh one added) F1 0.767 against 0.738, but 5.9% of the
    # documentation set flagged, over the pre-written 5% limit; version 3 stays (data/validate_injection.py).
    # Eighth pass (not shipped): + low-resource-language rows and the multilingual vector (multilingual=True), rule
    # docs3%+max3. Pooled over five held-out sets F1 0.750 against 0.703, but on the new blind set fresh2 F1 0.633
    # against 0.640 and 5.1% of its benign rows flagged, and 5.3% of the documentation set: two of the three
    # pre-written conditions fail; version 3 stays (data/INJECTION_PASSES.md).
    # Ninth pass, shipped as version 4: version 3 for English text; text that py3langid does not call English goes
    # to a head trained on version 3's files + injections buried in documentation + low-resource-language rows, with
    # the multilingual vector, at its own threshold (rule docs3%+max3). Held-out, one look: pooled over six sets F1
    # 0.773 FPR 0.045 (version 3: 0.747, 0.045); a third fresh blind set F1 0.889 (0.885), FPR 6.9% (6.9%).
    "prompt_injection": replace(PROMPT_INJECTION_V3, other=replace(
        PROMPT_INJECTION_V3, train=PROMPT_INJECTION_V3.train + ("injection_train_buried.jsonl",
                                                                "injection_train_lowres.jsonl"),
        multilingual=True, threshold_benign=("injection_threshold_benign.jsonl", "injection_threshold_docs_benign.jsonl"))),
    "toxicity": HeadSpec(("toxicity_train.jsonl",), "toxicity_test.jsonl"),
    "refusal": HeadSpec(("refusal_train.jsonl",), "refusal_test.jsonl"),
}
FOLDS = 5


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


def _fold(text: str) -> int:
    return hashlib.md5(text.encode()).digest()[0] % FOLDS


def choose_threshold(p: np.ndarray, y: np.ndarray, max_fpr: float) -> float:
    """The threshold with the best F1 among those whose false-positive rate is at most ``max_fpr``."""
    best, best_f1 = float(p.max()) + 1e-6, -1.0
    for t in np.unique(p):
        m = metrics(p >= t, y)
        if m["fpr"] <= max_fpr and m["f1"] > best_f1:
            best, best_f1 = float(t), m["f1"]
    return best


SALTS = ("", "a:", "b:")  # fold assignments (an MD5 of salt + text); the first is the one fit_head always uses


def benign_floor(scores: np.ndarray, max_fpr: float) -> float:
    """The lowest threshold that flags at most ``max_fpr`` of the benign ``scores`` (0 when there are none)."""
    if not len(scores) or max_fpr >= 1:
        return 0.0
    desc = np.sort(scores)[::-1]
    k = int(np.floor(max_fpr * len(desc) + 1e-9))  # false positives allowed
    return float(desc[k]) + 1e-6 if k < len(desc) else 0.0


def rule_threshold(spec: HeadSpec, prep: "Prepared", oofs: list[np.ndarray], benign: np.ndarray) -> float:
    """``spec``'s threshold: the best out-of-fold F1 with calibration FPR <= ``max_fpr`` (the highest over the
    fold assignments ``oofs``), raised, when ``benign_max_fpr`` < 1, to ``benign_floor`` of the out-of-fold benign
    calibration scores (first assignment) pooled with ``benign`` (scores of the ``threshold_benign`` rows) plus
    ``margin``."""
    cal, y = prep.cal, prep.y
    t = max(choose_threshold(o[cal], y[cal], spec.max_fpr) for o in oofs)
    if spec.benign_max_fpr < 1:
        pooled = np.concatenate([oofs[0][cal][y[cal] == 0], benign])
        t = max(t, benign_floor(pooled, spec.benign_max_fpr) + spec.margin)
    return t


@dataclass
class Prepared:
    """A spec's rows, features and Gram matrix, computed once and shared by every fit on a subset of the rows
    (the out-of-fold folds, the leave-one-source-out validation in ``data/validate_injection.py``)."""

    spec: HeadSpec
    rows: list[dict]
    groups: list[str]  # "file" or "file:source" of each row
    x: np.ndarray
    y: np.ndarray
    gram: np.ndarray
    counts: np.ndarray  # calibration rows count ``calibration_weight`` times
    cal: np.ndarray  # indices of the calibration rows (all rows when the spec has none)

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.rows]

    def fit(self, idx: np.ndarray, epochs: int = 1500, lr: float = 2.0) -> LinearHead:
        """A head trained on rows ``idx`` (threshold left at 0.5)."""
        masks = np.zeros((1, len(self.rows)), dtype=bool)
        masks[0, idx] = True
        return self.fit_many(masks, epochs, lr)[0]

    def fit_many(self, masks: np.ndarray, epochs: int = 1500, lr: float = 2.0) -> list[LinearHead]:
        """One head per row of the boolean ``masks`` (shape ``(m, len(rows))``), each trained on the rows its mask
        selects, all at once (``LinearHead.fit_gram_many``; threshold left at 0.5)."""
        heads = LinearHead.fit_gram_many(self.x, self.y, masks, self.counts, self.gram, l2=self.spec.l2,
                                         epochs=epochs, lr=lr)
        for h in heads:
            h.meta = {"embedding": self.spec.embedding, "ngram_dim": self.spec.ngram_dim,
                      "char_ngram_dim": self.spec.char_ngram_dim, "reveal": self.spec.reveal,
                      "lexicon": self.spec.lexicon, "score_payloads": self.spec.score_payloads,
                      "multilingual": self.spec.multilingual}
        return heads

    def fold_masks(self, salt: str = "") -> np.ndarray:
        """(FOLDS, len(rows)) boolean: the rows fold ``k``'s head trains on -- all but the calibration rows of
        fold ``k`` (folds by an MD5 of ``salt`` + the row's text, or its parent's, so that a row's chunks share
        one)."""
        fold = np.full(len(self.rows), -1)
        fold[self.cal] = [_fold(salt + self.rows[i].get("parent", self.rows[i]["text"])) for i in self.cal]
        return np.array([fold != k for k in range(FOLDS)])

    def held_out_scores(self, masks: np.ndarray, heads: list[LinearHead]) -> np.ndarray:
        """Each row's score from the head (one per mask) whose mask left it out, as the evaluator scores it; rows
        no mask leaves out score 0."""
        from pharos.evaluators.builtin.models import head_scores

        out = np.zeros(len(self.rows))
        for mask, head in zip(masks, heads):
            held = np.flatnonzero(~mask)
            out[held] = head_scores(head, [self.rows[i]["text"] for i in held])
        return out

    def out_of_fold(self, salts: tuple[str, ...] = ("",)) -> list[np.ndarray]:
        """For each fold assignment ``salt``, the scores of the calibration rows, each from a head that did not see
        its fold; other rows 0. All ``FOLDS * len(salts)`` heads are trained at once."""
        masks = [self.fold_masks(salt) for salt in salts]
        heads = self.fit_many(np.concatenate(masks))
        return [self.held_out_scores(m, heads[i * FOLDS:(i + 1) * FOLDS]) for i, m in enumerate(masks)]


def _rows(name: str, chunked: bool) -> list[dict]:
    """``name``'s rows; with ``chunked``, a row longer than the evaluator's chunk becomes one row per chunk (same
    label and source, ``parent`` = the row's text, so that its chunks share a fold)."""
    from pharos.evaluators.builtin.models import CHUNK, chunks

    rows = load(name)
    if not chunked:
        return rows
    return [dict(r, text=c, parent=r["text"]) if len(r["text"]) > CHUNK else r
            for r in rows for c in (chunks(r["text"]) if len(r["text"]) > CHUNK else [r["text"]])]


def prepare(spec: HeadSpec) -> Prepared:
    """:class:`Prepared` for ``spec``'s training and calibration files. Never reads the test file."""
    from pharos.evaluators.builtin.models import features

    base = [(f, r) for f in spec.train for r in _rows(f, spec.chunked)]
    calib = [(f, r) for f in spec.calibration for r in _rows(f, spec.chunked)]
    rows = [r for _, r in base + calib]
    groups = [f + (":" + r["source"] if r.get("source") else "") for f, r in base + calib]
    x = features([r["text"] for r in rows], spec.ngram_dim, spec.reveal, spec.embedding, spec.char_ngram_dim,
                 spec.lexicon, spec.multilingual)
    counts = np.ones(len(rows))
    if calib:
        counts[len(base):] = spec.calibration_weight
    cal = np.arange(len(base), len(rows)) if calib else np.arange(len(rows))
    return Prepared(spec, rows, groups, x, np.array([int(r["label"]) for r in rows]), x @ x.T, counts, cal)


def fit_head(spec: HeadSpec, epochs: int = 1500, lr: float = 2.0) -> tuple[LinearHead, dict]:
    """The head trained on ``spec``'s training and calibration rows, its threshold chosen on out-of-fold
    calibration probabilities, and its out-of-fold calibration metrics. Never reads the test file. With
    ``spec.other``, the English head as without it, carrying the other head trained by its own spec."""
    if spec.other is not None:
        head, calibration = fit_head(replace(spec, other=None), epochs, lr)
        other, _ = fit_head(spec.other, epochs, lr)
        head.other = other.with_threshold(head.threshold)
        return head, calibration
    prep = prepare(spec)
    oofs = prep.out_of_fold(SALTS[:spec.threshold_splits])
    return finish_head(spec, prep, prep.fit(np.arange(len(prep.rows)), epochs, lr), oofs)


def finish_head(spec: HeadSpec, prep: Prepared, head: LinearHead, oofs: list[np.ndarray]) -> tuple[LinearHead, dict]:
    """``head`` (trained on all of ``prep``'s rows) with the threshold ``spec``'s rule gives from the out-of-fold
    scores ``oofs`` (one per fold assignment of ``SALTS``, at least ``spec.threshold_splits``), its metadata and its
    out-of-fold calibration metrics. Shared by :func:`fit_head` and the validation's kept fits."""
    from pharos.evaluators.builtin.models import chunked_scores

    cal, y = prep.cal, prep.y
    oofs = oofs[:spec.threshold_splits]
    benign = chunked_scores(head, [r["text"] for f in spec.threshold_benign for r in load(f)])
    threshold = rule_threshold(spec, prep, oofs, benign)
    head.threshold = threshold
    calibration = metrics(oofs[0][cal] >= threshold, y[cal])
    head.meta.update({"train_rows": len(prep.rows), "train_files": list(spec.train + spec.calibration),
                      "calibration": {k: round(v, 4) for k, v in calibration.items()}})
    if spec.threshold_benign:
        head.meta["threshold_benign"] = {"files": list(spec.threshold_benign), "n": len(benign),
                                         "fpr": round(float((benign >= threshold).mean()), 4)}
    return head, calibration


def train(name: str, embedding: str | None = None) -> tuple[LinearHead, dict]:
    """:func:`fit_head` on ``HEADS[name]`` (its embedding replaced by ``embedding`` if given), then its metrics
    on the held-out test file, recorded in the head's metadata."""
    from pharos.evaluators.builtin.models import head_scores

    spec = HEADS[name] if embedding is None else replace(HEADS[name], embedding=embedding)
    head, _ = fit_head(spec)
    test = load(spec.test)
    yt = np.array([int(r["label"]) for r in test])
    m = metrics(head_scores(head, [r["text"] for r in test]) >= head.threshold, yt)
    head.meta.update({"test_file": spec.test, "test": {k: round(v, 4) for k, v in m.items()}})
    return head, m


def main(argv: list[str] | None = None) -> int:
    import argparse

    from pharos.evaluators.embeddings import KINDS

    ap = argparse.ArgumentParser(prog="python -m pharos.evaluators.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("heads", nargs="*", metavar="HEAD",
                    help=f"heads to train (default: all): {', '.join(HEADS)}")
    ap.add_argument("--embedding", choices=KINDS, default=None,
                    help="sentence embedding under the heads (default: each head's spec, static)")
    a = ap.parse_args(argv)
    unknown = [n for n in a.heads if n not in HEADS]
    if unknown:
        ap.error(f"unknown head(s): {', '.join(unknown)}")
    for name in a.heads or list(HEADS):
        head, m = train(name, a.embedding)
        head.save(MODELS / f"{name}.json")
        cal = head.meta["calibration"]
        print(f"{name:18s} threshold {head.threshold:.3f}  calibration f1 {cal['f1']:.3f} fpr {cal['fpr']:.3f}  "
              "test " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
