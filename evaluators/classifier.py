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

__all__ = ["LinearHead", "MODELS", "hashed_ngrams", "hashed_char_ngrams"]

MODELS = Path(__file__).parent / "models"
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")


def hashed_ngrams(texts: Sequence[str], dim: int) -> np.ndarray:
    """(len(texts), dim) float32: lower-cased words and punctuation and their bigrams, hashed (CRC-32) into
    ``dim`` buckets, present/absent, scaled to unit length."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        words = _TOKEN.findall(text.lower())
        grams = set(words)
        grams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        if grams:
            out[i, [zlib.crc32(g.encode()) % dim for g in grams]] = 1.0
            out[i] /= np.sqrt(np.count_nonzero(out[i]))
    return out


def hashed_char_ngrams(texts: Sequence[str], dim: int, n: tuple[int, ...] = (3, 4)) -> np.ndarray:
    """(len(texts), dim) float32: lower-cased character ``n``-grams of each word padded with spaces (" ign",
    "ore "), hashed (CRC-32) into ``dim`` buckets, present/absent, scaled to unit length."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        grams = set()
        for w in _TOKEN.findall(text.lower()):
            w = f" {w} "
            for k in n:
                grams.update(w[j:j + k] for j in range(len(w) - k + 1))
        if grams:
            out[i, [zlib.crc32(g.encode()) % dim for g in grams]] = 1.0
            out[i] /= np.sqrt(np.count_nonzero(out[i]))
    return out


class LinearHead:
    def __init__(self, w: np.ndarray, b: float, threshold: float = 0.5, meta: dict | None = None) -> None:
        self.w, self.b, self.threshold, self.meta = np.asarray(w, dtype=np.float32), float(b), threshold, meta or {}

    @property
    def ngram_dim(self) -> int:
        """Buckets of hashed n-grams after the embedding (0 = embedding only)."""
        return int(self.meta.get("ngram_dim", 0))

    @property
    def char_ngram_dim(self) -> int:
        """Buckets of hashed character n-grams after the word n-grams (0 = none)."""
        return int(self.meta.get("char_ngram_dim", 0))

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
    def fit(cls, x: np.ndarray, y: np.ndarray, l2: float = 1e-3, epochs: int = 600, lr: float = 0.5,
            class_weight: bool = True) -> "LinearHead":
        """Full-batch gradient descent on the class-weighted logistic loss (deterministic, float32)."""
        x, y = np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32)
        n, d = x.shape
        w, b = np.zeros(d, dtype=np.float32), 0.0
        pos = max(1.0, float(y.sum()))
        neg = max(1.0, float(n - y.sum()))
        sw = (np.where(y == 1, n / (2 * pos), n / (2 * neg)) if class_weight else np.ones(n)).astype(np.float32)
        for _ in range(epochs):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -30, 30)))
            g = (p - y) * sw
            w -= lr * (x.T @ g / n + l2 * w)
            b -= lr * g.mean()
        return cls(w, b)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"w": [round(float(v), 5) for v in self.w], "b": self.b,
                                    "threshold": self.threshold, "meta": self.meta}))

    @classmethod
    def load(cls, path: Path) -> "LinearHead":
        d = json.loads(path.read_text())
        return cls(np.array(d["w"]), d["b"], d.get("threshold", 0.5), d.get("meta"))
