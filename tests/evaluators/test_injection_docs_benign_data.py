"""The held-out docs-benign prompt-injection set (``injection_test_docs_benign.jsonl``): well-formed, within the
limits its generator promises, disjoint from the training files, and reproduced exactly by its generator.

No evaluator scores the file here: it is a blind held-out set (see ``make_injection_docs_benign.py``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pharos_testing import data_script

DATA = Path(__file__).resolve().parents[2] / "evaluators" / "data"
FILE = DATA / "injection_test_docs_benign.jsonl"
ALLOWED_LICENCES = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "PSF-2.0", "MPL-2.0",
                    "Apache-2.0 OR BSD-3-Clause", "MPL-2.0 AND MIT", "MIT AND PSF-2.0",
                    "PSF-based (matplotlib licence)"}
KINDS = {"library-docs", "cli-help", "security-tool", "llm-sdk"}


def _generator():
    return data_script("make_injection_docs_benign")


@pytest.fixture(scope="module")
def gen():
    return _generator()


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in FILE.read_text("utf-8").splitlines()]


def test_rows_are_well_formed(rows):
    assert 300 <= len(rows) <= 500
    for r in rows:
        assert set(r) == {"text", "label", "source", "licence", "kind"}
        assert r["label"] == 0
        assert 15 <= len(r["text"].split()) <= 250, r["text"]
        assert r["licence"] in ALLOWED_LICENCES, r
        assert r["kind"] in KINDS, r
        assert r["text"] == " ".join(r["text"].split()), "whitespace is squeezed"
    assert len({r["text"] for r in rows}) == len(rows)


def test_mix_of_packages_kinds_and_wording(rows, gen):
    per_pkg = Counter(r["source"] for r in rows)
    assert max(per_pkg.values()) <= 25
    assert len(per_pkg) >= 30
    kinds = Counter(r["kind"] for r in rows)
    assert all(kinds[k] >= 25 for k in KINDS), kinds
    instruction_like = sum(1 for r in rows if gen.instruction_tier(r["text"]) > 0)
    assert instruction_like >= 2 * len(rows) / 3
    assert len(rows) - instruction_like >= 50, "some ordinary prose from the same documents"


def test_every_row_passes_the_prose_filter(rows, gen):
    assert all(gen.is_prose(r["text"]) for r in rows)


def test_no_near_duplicates_inside_or_with_training_files(rows, gen):
    train, seen = gen.training_index(), gen.NearDup()
    for r in rows:
        assert not train.hit(r["text"]), r["text"]
        assert not seen.hit(r["text"]), r["text"]
        seen.add(r["text"])


def test_near_dup_index_flags_a_light_edit_and_not_another_text(gen):
    idx = gen.NearDup()
    a = "Set the timeout to zero to disable it entirely, and use the mark to override the global value per test."
    idx.add(a)
    assert idx.hit(a.replace("entirely", "completely"))
    assert not idx.hit("The scanner reads the agent configuration file and reports every tool it may call here.")


def test_generator_reproduces_the_committed_file(gen):
    """Deterministic: a fresh run over the pinned sources writes exactly the committed rows (about 40 s)."""
    try:
        rows = gen.build(verbose=False)
    except SystemExit as exc:  # a source is missing or at another version on this machine
        pytest.skip(str(exc))
    assert gen.dumps(rows) == FILE.read_text("utf-8")
