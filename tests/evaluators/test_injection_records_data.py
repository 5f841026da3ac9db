"""The sensitive-records training file (``injection_train_records.jsonl``): benign documents of many kinds and the
same kinds with a buried instruction, each row one evaluator chunk, each attacked row carrying a known attack,
synthetic card numbers and IBANs that pass their checks, nothing near a held-out test row, and the generator
reproduces it."""

import json
import re
from collections import Counter

from pharos.evaluators.builtin.models import CHUNK, chunks
from pharos.evaluators.builtin.pii import iban_ok, luhn_ok
from pharos.evaluators.data import make_injection_buried as buried
from pharos.evaluators.data import make_injection_records as gen


def _rows() -> list[dict]:
    return [json.loads(line) for line in gen.OUT.read_text().splitlines()]


def test_rows_are_well_formed_single_chunks_with_both_labels():
    rows = _rows()
    assert gen.CHUNK == CHUNK
    for r in rows:
        assert {"text", "label", "source", "licence", "kind", "doc"} <= set(r), r
        assert (r["label"], r["kind"]) in {(0, "benign"), (1, "indirect")}, r
        assert r["source"] == "pharos-records" and r["licence"] == "Apache-2.0"
        assert r["doc"] in gen.TEMPLATES
        assert len(r["text"]) <= CHUNK and chunks(r["text"]) == [r["text"].strip()]
    labels = Counter(r["label"] for r in rows)
    assert labels[0] >= 450 and labels[1] >= 200, labels
    assert len({r["text"] for r in rows}) == len(rows)


def test_benign_rows_cover_at_least_15_document_kinds_with_several_templates():
    rows = [r for r in _rows() if r["label"] == 0]
    docs = Counter(r["doc"] for r in rows)
    assert len(docs) >= 15 and min(docs.values()) >= 10, docs
    assert all(len({r["template"] for r in rows if r["doc"] == d}) >= 2 for d in docs)


def test_each_attacked_row_contains_a_training_or_own_attack_and_no_benign_row_does():
    pool = {r["text"].strip() for f in buried.ATTACK_FILES for r in buried.load(f) if r["label"] == 1}
    pool = [a for a in pool if len(a) >= 40] + gen.OWN_ATTACKS
    for r in _rows():
        found = any(a in r["text"] for a in pool)
        assert found == (r["label"] == 1), r["text"]


def test_length_and_an_added_line_do_not_tell_the_labels_apart():
    rows = _rows()
    lengths = {y: [len(r["text"]) for r in rows if r["label"] == y] for y in (0, 1)}
    mean = {y: sum(v) / len(v) for y, v in lengths.items()}
    assert 0.8 <= mean[0] / mean[1] <= 1.25, mean
    forms = Counter(r["form"] for r in rows if r["label"] == 0)
    assert sum(v for f, v in forms.items() if f != "none") >= 0.6 * sum(forms.values()), forms


def test_card_numbers_and_ibans_pass_their_checks():
    text = "\n".join(r["text"] for r in _rows())
    cards = re.findall(r"\b(?:\d{4} \d{4} \d{4} \d{3,4}|\d{15,16})\b", text)
    ibans = re.findall(r"\b(?:DE|FR|ES|IT|CH|BE|AT)\d{2}[A-Z0-9]{12,23}\b", text)
    assert len(cards) >= 50 and len(ibans) >= 50
    assert all(luhn_ok(c.replace(" ", "")) for c in cards)
    assert all(iban_ok(i) for i in ibans)


def test_no_row_near_duplicates_a_held_out_test_row():
    held = gen.held_out()
    assert len(held.sets) > 1000
    assert not [r["text"] for r in _rows() if held.hit(r["text"])]


def test_committed_file_is_what_the_generator_writes(tmp_path):
    gen.main(["--out", str(tmp_path / "out.jsonl")])
    assert (tmp_path / "out.jsonl").read_text() == gen.OUT.read_text()
