"""A logistic-regression head over sentence embeddings (``embedding``: static or minilm), optionally followed by
hashed word uni- and bigrams (``ngram_dim`` > 0: words such as "ignore" + "previous" or "istruzioni", which a
sentence embedding blurs) and hashed character n-grams (``char_ngram_dim`` > 0: word pieces in any language),
trained with numpy and shipped as small JSON weights in ``evaluators/models/``.
``python -m pharos.evaluators.train`` retrains every head from the labelled data in ``evaluators/data/``."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["LinearHead", "MODELS", "logit", "hashed_ngrams", "hashed_char_ngrams", "lexicon_features", "LEXICON_DIM"]

MODELS = Path(__file__).parent / "models"
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")


def hashed_ngrams(texts: Sequence[str], dim: int) -> np.ndarray:
    """(len(texts), dim) float32: lower-cased words and punctuation and their bigrams, hashed (CRC-32) into
    ``dim`` buckets, present/absent, scaled to unit length."""
    def grams(text: str) -> set[str]:
        words = _TOKEN.findall(text.lower())
        return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}

    return _hashed([grams(t) for t in texts], dim)


def hashed_char_ngrams(texts: Sequence[str], dim: int, n: tuple[int, ...] = (3, 4)) -> np.ndarray:
    """(len(texts), dim) float32: lower-cased character ``n``-grams of each word padded with spaces (" ign",
    "ore "), hashed (CRC-32) into ``dim`` buckets, present/absent, scaled to unit length."""
    def grams(text: str) -> set[str]:
        found = set()
        for w in _TOKEN.findall(text.lower()):
            w = f" {w} "
            for k in n:
                found.update(w[j:j + k] for j in range(len(w) - k + 1))
        return found

    return _hashed([grams(t) for t in texts], dim)


def logit(p):
    """log(p / (1 - p)), the inverse of the sigmoid (numbers or arrays): thresholds move between heads by it."""
    return np.log(p / (1 - p))


def _hashed(gram_sets: list[set[str]], dim: int) -> np.ndarray:
    """(len(gram_sets), dim) float32: each set's strings hashed (CRC-32) into ``dim`` buckets, present/absent,
    scaled to unit length."""
    out = np.zeros((len(gram_sets), dim), dtype=np.float32)
    for i, grams in enumerate(gram_sets):
        if grams:
            out[i, [zlib.crc32(g.encode()) % dim for g in grams]] = 1.0
            out[i] /= np.sqrt(np.count_nonzero(out[i]))
    return out


# Word beginnings (lower case) of a small multilingual injection lexicon: en, de, fr, it, es, pt, nl.
_OVERRIDE = ("ignor", "disregard", "forget", "override", "bypass", "vergiss", "vergess", "missacht", "oubli", "dimentic",
             "olvid", "esque", "desconsider", "vergeet", "negeer", "scavalc", "sáltate", "annul", "anul", "aufgehoben")
_INSTRUCTION = ("instruction", "anweisung", "istruzion", "instrucci", "instruç", "instructie", "consign", "direttiv",
                "directiv", "diretiv", "diretriz", "richtlin", "richtlijn", "guideline", "rule", "regel", "règle", "regol",
                "regla", "regra", "prompt", "vorgab", "befehl", "opdracht", "polic", "politi", "restri", "einschränk",
                "beperking", "filter")
_REVEAL = ("reveal", "repeat", "print", "show", "output", "verrat", "wiederhol", "zeig", "révèl", "répèt", "affich",
           "montre", "rivel", "ripet", "mostr", "revel", "repit", "muestr", "repet", "herhaal", "toon", "verklap")
_SYSTEM = ("system", "systèm", "sistem", "systeem", "hidden", "versteckt", "caché", "nascost", "ocult", "verborgen",
           "secret", "geheim", "segret", "secre")
_ROLE = ("pretend", "roleplay", "character", "persona", "rolle", "rôle", "ruolo", "papel", "personaggio", "personnage",
         "personaje", "personagem", "jailbr", "uncensor", "unzensiert", "censur", "ungefiltert")
LEXICON_DIM = 6


def _has(words: list[str], stems: tuple[str, ...]) -> bool:
    return any(w.startswith(stems) for w in words)


def lexicon_features(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), LEXICON_DIM) float32 presence features of a small multilingual injection lexicon: an override
    verb, an instruction noun, both, a reveal verb with a system/hidden/secret word, a role-play word, and an
    override verb with a role-play word. Extra inputs for the head to weigh, not a rule."""
    out = np.zeros((len(texts), LEXICON_DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        words = _TOKEN.findall(text.lower())
        ov, ins, rv = _has(words, _OVERRIDE), _has(words, _INSTRUCTION), _has(words, _REVEAL)
        sy, ro = _has(words, _SYSTEM), _has(words, _ROLE)
        out[i] = [ov, ins, ov and ins, rv and sy, ro, (ov or ins) and ro]
    return out


class LinearHead:
    """Logistic regression: ``proba(x) = sigmoid(x @ w + b)``, flagged at ``threshold``; ``meta`` says which
    features ``x`` holds. ``other``, when set, is the head for text that is not in English (see
    :func:`pharos.evaluators.builtin.models.head_scores`), its bias shifted by :meth:`with_threshold` so that this
    head's threshold applies to both."""

    def __init__(self, w: np.ndarray, b: float, threshold: float = 0.5, meta: dict | None = None,
                 other: "LinearHead | None" = None) -> None:
        self.w, self.b, self.threshold, self.meta = np.asarray(w, dtype=np.float32), float(b), threshold, meta or {}
        self.other = other

    @property
    def ngram_dim(self) -> int:
        """Buckets of hashed n-grams after the embedding (0 = embedding only)."""
        return int(self.meta.get("ngram_dim", 0))

    @property
    def char_ngram_dim(self) -> int:
        """Buckets of hashed character n-grams after the word n-grams (0 = none)."""
        return int(self.meta.get("char_ngram_dim", 0))

    @property
    def lexicon(self) -> bool:
        """Whether :func:`lexicon_features` follow the n-grams."""
        return bool(self.meta.get("lexicon", False))

    @property
    def multilingual(self) -> bool:
        """Whether :func:`pharos.evaluators.multilingual.vectors` (a multilingual sentence vector for texts that
        are not English) follow the lexicon."""
        return bool(self.meta.get("multilingual", False))

    @property
    def score_payloads(self) -> bool:
        """Whether each payload that :func:`pharos.evaluators.deobfuscate.payloads` decodes is also scored on its
        own (the max wins), so an instruction is not drowned out by the encoded text around it."""
        return bool(self.meta.get("score_payloads", False))

    @property
    def embedding(self) -> str:
        """The sentence embedding the head was trained on (heads from before the static table: minilm)."""
        return str(self.meta.get("embedding", "minilm"))

    @property
    def reveal(self) -> bool:
        """Whether texts pass through :func:`pharos.evaluators.deobfuscate.reveal` first."""
        return bool(self.meta.get("reveal", False))

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.w + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def fit_gram(cls, x: np.ndarray, y: np.ndarray, counts: np.ndarray | None = None, gram: np.ndarray | None = None,
                 l2: float = 1e-3, epochs: int = 600, lr: float = 0.5, class_weight: bool = True) -> "LinearHead":
        """Full-batch gradient descent on the class-weighted, L2-regularised logistic loss (deterministic; row
        ``i`` counted ``counts[i]`` times), run in the dual: gradient descent from zero keeps ``w = x.T @ a``, so
        each step needs the ``n x n`` Gram matrix ``x @ x.T`` (pass ``gram`` to share one across folds) instead of
        two passes over the ``n x d`` features. Much faster when ``d`` is large (hashed n-grams: 12k columns, 2.6k
        rows); equal to plain (primal) gradient descent up to float rounding (tests/evaluators/test_features.py)."""
        return cls.fit_gram_many(x, y, np.ones((1, len(y)), dtype=bool), counts, gram, l2, epochs, lr,
                                 class_weight)[0]

    @classmethod
    def fit_gram_many(cls, x: np.ndarray, y: np.ndarray, masks: np.ndarray, counts: np.ndarray | None = None,
                      gram: np.ndarray | None = None, l2: float = 1e-3, epochs: int = 600, lr: float = 0.5,
                      class_weight: bool = True) -> list["LinearHead"]:
        """:meth:`fit_gram` on each subset of the rows, ``masks[j]`` (a boolean row of ``masks``, shape ``(m, n)``),
        all fits at once: a row outside a subset has zero weight in its loss and its dual coefficient stays zero, so
        fit ``j`` is the head ``fit_gram`` trains on ``x[masks[j]]``. Each step is one ``n x n`` by ``n x m``
        product instead of ``m`` passes over the Gram matrix (the cross-validations train dozens of heads on
        subsets of the same rows: many times faster)."""
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.float64)[:, None]
        c = np.ones(len(y)) if counts is None else np.asarray(counts, dtype=np.float64)
        k = (x @ x.T).astype(np.float64) if gram is None else np.asarray(gram, dtype=np.float64)
        cm = c[:, None] * np.asarray(masks, dtype=np.float64).T  # (n, m): each row's count in each fit
        n = cm.sum(0)
        pos = np.maximum(1.0, (cm * y).sum(0))
        neg = np.maximum(1.0, n - (cm * y).sum(0))
        sw = np.where(y == 1, n / (2 * pos), n / (2 * neg)) if class_weight else np.ones_like(cm)
        scale = sw * cm / np.maximum(n, 1.0)
        a, b = np.zeros(cm.shape), np.zeros(cm.shape[1])
        for _ in range(epochs):
            p = 1.0 / (1.0 + np.exp(-np.clip(k @ a + b, -30, 30)))
            g = (p - y) * scale
            a = a * (1 - lr * l2) - lr * g
            b -= lr * g.sum(0)
        w = x.T @ a.astype(np.float32)
        return [cls(w[:, j].copy(), float(b[j])) for j in range(len(b))]

    def with_threshold(self, threshold: float) -> "LinearHead":
        """The same decisions at ``threshold``: the bias shifted by the logit difference, so that ``proba(x) >=
        threshold`` exactly where this head's ``proba(x) >= self.threshold`` (the head's own threshold is kept in
        ``meta["own_threshold"]``)."""
        return LinearHead(self.w, self.b - float(logit(self.threshold)) + float(logit(threshold)), threshold,
                          {**self.meta, "own_threshold": self.meta.get("own_threshold", self.threshold)})

    def to_dict(self) -> dict:
        d = {"w": [round(float(v), 5) for v in self.w], "b": self.b, "threshold": self.threshold, "meta": self.meta}
        if self.other is not None:
            d["other"] = self.other.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "LinearHead":
        return cls(np.array(d["w"]), d["b"], d.get("threshold", 0.5), d.get("meta"),
                   cls.from_dict(d["other"]) if d.get("other") else None)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path: Path) -> "LinearHead":
        return cls.from_dict(json.loads(path.read_text()))
