"""Build the sandbox's tiny local model (run as a script, possibly by another interpreter: the vLLM venv).

    python _make_model.py OUT_DIR --qa QA.jsonl --text FILE... [--steps 300] [--seed 0]

1. a byte-level BPE tokenizer trained with ``tokenizers`` on the local text (Q/A set + prompt sets),
   wrapped as ``PreTrainedTokenizerFast`` with a ChatML chat template;
2. a ``LlamaForCausalLM`` (hidden 128, 2 layers, 2 heads of 64) initialised from ``--seed``;
3. ``--steps`` of full-batch AdamW on the Q/A pairs in the completion format the eval task uses
   (``Question: q\\nAnswer: a\\n``) and in ChatML, so it answers them;
4. ``save_pretrained`` (safetensors, float32) plus ``pharos_model.json`` (seed, steps, final loss,
   revision = a hash of the weights).

Deterministic given the seed and step count: one thread, deterministic algorithms, fixed data order.
Imports only torch, transformers, tokenizers and the standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]


def completion_text(q: str, a: str) -> str:
    return f"Question: {q}\nAnswer: {a}\n"


def chat_text(q: str, a: str) -> str:
    return f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n{a}<|im_end|>\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--qa", required=True)
    p.add_argument("--text", nargs="*", default=[])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--vocab-size", type=int, default=1024)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--progress", action="store_true", help="print one JSON line per 10 steps")
    args = p.parse_args(argv)

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    t0 = time.monotonic()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    pairs = [json.loads(line) for line in Path(args.qa).read_text().splitlines() if line.strip()]
    corpus = [completion_text(d["question"], d["answer"]) for d in pairs]
    for f in args.text:
        for line in Path(f).read_text().splitlines():
            if line.strip():
                try:
                    obj = json.loads(line)
                    corpus.append(" ".join(str(v) for v in obj.values()))
                except json.JSONDecodeError:
                    corpus.append(line)

    # ---- tokenizer
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=args.vocab_size, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer=trainer)
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|im_end|>",
                                     unk_token="<|endoftext|>", pad_token="<pad>", model_max_length=512)
    hf_tok.chat_template = CHAT_TEMPLATE

    # ---- model
    vocab = len(hf_tok)
    config = LlamaConfig(vocab_size=vocab, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, head_dim=64, max_position_embeddings=512,
                         bos_token_id=hf_tok.bos_token_id, eos_token_id=hf_tok.eos_token_id,
                         pad_token_id=hf_tok.pad_token_id, tie_word_embeddings=True, torch_dtype="float32")
    model = LlamaForCausalLM(config)

    # ---- training: full batch of both formats, loss on every real token
    texts = [completion_text(d["question"], d["answer"]) for d in pairs] + \
            [chat_text(d["question"], d["answer"]) for d in pairs]
    enc = hf_tok(texts, padding=True, return_tensors="pt")
    labels = enc["input_ids"].clone()
    labels[enc["attention_mask"] == 0] = -100
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    model.train()
    loss_value = float("nan")
    for step in range(args.steps):
        out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels)
        opt.zero_grad()
        out.loss.backward()
        opt.step()
        loss_value = float(out.loss)
        if args.progress and (step % 10 == 9 or step == args.steps - 1):
            print(json.dumps({"step": step + 1, "steps": args.steps, "loss": round(loss_value, 4)}), flush=True)
    model.eval()

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    hf_tok.save_pretrained(out_dir)
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().contiguous().numpy().tobytes())
    info = {"seed": args.seed, "steps": args.steps, "final_loss": loss_value, "vocab_size": vocab,
            "qa_items": len(pairs), "weights_sha256": h.hexdigest(),
            "revision": f"seed{args.seed}-steps{args.steps}-{h.hexdigest()[:10]}",
            "seconds": round(time.monotonic() - t0, 1)}
    (out_dir / "pharos_model.json").write_text(json.dumps(info, indent=2))
    print(json.dumps({"done": True, **info}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
