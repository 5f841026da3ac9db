"""The docs-benign TRAINING and THRESHOLD files of the prompt-injection head (``injection_train_docs_benign.jsonl``,
``injection_threshold_docs_benign.jsonl``): well-formed benign rows, from package sets disjoint from each other and
from the held-out docs-benign generator's sources, with no near-duplicate of any held-out row, and reproduced exactly
by ``make_injection_docs_train.py`` where its source venvs exist.

No evaluator scores any file here."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pharos_testing import data_script

DATA = Path(__file__).resolve().parents[2] / "evaluators" / "data"
TRAIN = DATA / "injection_train_docs_benign.jsonl"
THRESHOLD = DATA / "injection_threshold_docs_benign.jsonl"
ALLOWED = {"MIT", "MIT-0", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "PSF-2.0", "MPL-2.0"}
KINDS = {"library-docs", "cli-help", "security-tool", "llm-sdk"}


@pytest.fixture(scope="module")
def gen():
    return data_script("make_injection_docs_train")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def train():
    return _rows(TRAIN)


@pytest.fixture(scope="module")
def threshold():
    return _rows(THRESHOLD)


def _licence_ok(licence: str) -> bool:
    parts = licence.replace(" AND ", " OR ").split(" OR ")
    return all(p in ALLOWED for p in parts)


@pytest.mark.parametrize("which, low, high", [("train", 1000, 1500), ("threshold", 250, 400)])
def test_rows_are_well_formed_benign_prose(which, low, high, train, threshold, gen):
    rows = {"train": train, "threshold": threshold}[which]
    assert low <= len(rows) <= high
    for r in rows:
        assert set(r) == {"text", "label", "source", "licence", "kind"}
        assert r["label"] == 0
        assert r["kind"] in KINDS, r
        assert _licence_ok(r["licence"]), r
        assert gen.docs.is_prose(r["text"]), r["text"]
    assert len({r["text"] for r in rows}) == len(rows)


@pytest.mark.parametrize("which", ["train", "threshold"])
def test_mix_is_mostly_instruction_like_and_no_package_dominates(which, train, threshold, gen):
    rows = {"train": train, "threshold": threshold}[which]
    per_pkg = Counter(r["source"] for r in rows)
    assert max(per_pkg.values()) <= 30
    assert len(per_pkg) >= (60 if which == "train" else 20)
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["llm-sdk"] >= 0.15 * len(rows) and kinds["library-docs"] >= 0.3 * len(rows) and kinds["cli-help"]
    instruction_like = sum(1 for r in rows if gen.docs.instruction_tier(r["text"]) > 0)
    assert instruction_like >= 2 * len(rows) / 3


def test_package_sets_are_pairwise_disjoint(train, threshold, gen):
    norm = gen.norm
    held_out = {norm(s[0]) for s in gen.docs.SOURCES}
    tr, th = {norm(r["source"]) for r in train}, {norm(r["source"]) for r in threshold}
    assert not tr & th and not tr & held_out and not th & held_out
    assert not any(gen.goes_to_threshold(s) for s in tr) and all(gen.goes_to_threshold(s) for s in th)
    # every row's licence is the one the generator declares for its package
    declared = {s[0]: s[4] for s in gen.SOURCES}
    assert all(declared[r["source"]] == r["licence"] for r in train + threshold)


def test_no_near_duplicate_of_a_held_out_row_or_of_each_other(train, threshold, gen):
    held = gen.docs.training_index(gen.HELD_OUT)
    assert len(held.sets) > 1000  # the three held-out files were read
    seen = gen.docs.NearDup()
    for r in train + threshold:
        assert not held.hit(r["text"]), r["text"]
        assert not seen.hit(r["text"]), r["text"]
        seen.add(r["text"])


def test_no_near_duplicate_of_the_other_training_files(train, threshold, gen):
    other = gen.docs.training_index(exclude=(TRAIN.name,) + gen.DERIVED)
    assert not any(other.hit(r["text"]) for r in train + threshold)


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_generator_reproduces_the_committed_files(gen):
    """Deterministic: a fresh run over the pinned venvs writes exactly the committed rows (about 4-5 minutes of CPU
    on this machine: it reads every source of both generators)."""
    try:
        train, threshold = gen.build(verbose=False)
    except SystemExit as exc:  # a venv or wheel is missing, or a package is at another version
        pytest.skip(str(exc))
    assert gen.docs.dumps(train) == TRAIN.read_text("utf-8")
    assert gen.docs.dumps(threshold) == THRESHOLD.read_text("utf-8")
