"""A logistic-regression head over MiniLM embeddings (plus a few hand-made features), trained with
numpy and shipped as small JSON weights in ``evaluators/models/``. ``python -m pharos.evaluators.train``
retrains every head from the labelled data in ``evaluators/data/``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["LinearHead", "MODELS"]

MODELS = Path(__file__).parent / "models"


class LinearHead:
    def __init__(self, w: np.ndarray, b: float, threshold: float = 0.5, meta: dict | None = None) -> None:
        self.w, self.b, self.threshold, self.meta = np.asarray(w, dtype=np.float32), float(b), threshold, meta or {}

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.w + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, l2: float = 1e-3, epochs: int = 600, lr: float = 0.5,
            class_weight: bool = True) -> "LinearHead":
        """Full-batch gradient descent on the weighted logistic loss (deterministic)."""
        n, d = x.shape
        w, b = np.zeros(d, dtype=np.float64), 0.0
        pos = max(1.0, float(y.sum()))
        neg = max(1.0, float(n - y.sum()))
        sw = np.where(y == 1, n / (2 * pos), n / (2 * neg)) if class_weight else np.ones(n)
        for _ in range(epochs):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -30, 30)))
            g = (p - y) * sw
            w -= lr * (x.T @ g / n + l2 * w)
            b -= lr * g.mean()
        return cls(w, b)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"w": [round(float(v), 6) for v in self.w], "b": self.b,
                                    "threshold": self.threshold, "meta": self.meta}))

    @classmethod
    def load(cls, path: Path) -> "LinearHead":
        d = json.loads(path.read_text())
        return cls(np.array(d["w"]), d["b"], d.get("threshold", 0.5), d.get("meta"))
