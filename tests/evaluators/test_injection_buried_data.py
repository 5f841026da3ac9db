"""The buried-injection training file (``injection_train_buried.jsonl``): each row one evaluator chunk (so its label
holds for what the head is trained on), hosts from the training docs only, attacks from training files only (never
the bastion calibration half), nothing near a held-out row, and the generator reproduces it."""

from collections import Counter

from pharos.evaluators.builtin.models import CHUNK, chunks
from pharos.evaluators.data import make_injection_buried as gen
from pharos.evaluators.data.neardup import NearDup


def _rows() -> list[dict]:
    return gen.load(gen.OUT.name)


def test_rows_are_single_chunks_of_training_docs_with_a_training_attack():
    rows = _rows()
    assert gen.CHUNK == CHUNK
    assert all(len(r["text"]) <= CHUNK and chunks(r["text"]) == [r["text"].strip()] for r in rows)
    forms = Counter((r["form"], r["label"]) for r in rows)
    assert forms[("pair", 0)] >= 150 and sum(v for (f, y), v in forms.items() if y == 1) >= 700, forms
    docs = {r["text"].strip() for r in gen.load(gen.HOSTS)}
    packages = {r["source"] for r in gen.load(gen.HOSTS)}
    attacks = {r["text"].strip() for f in gen.ATTACK_FILES for r in gen.load(f) if r["label"] == 1}
    bastion = {r["text"].strip() for r in gen.load("injection_train_bastion.jsonl")}
    for r in rows:
        assert r["source"] in packages
        if r["form"] == "pair":
            assert all(p in docs for p in r["text"].split("\n\n"))
        else:
            assert any(a in r["text"] for a in attacks if len(a) >= 40), r["text"]
            assert not any(b in r["text"] for b in bastion if len(b) >= 40)


def test_no_row_near_duplicates_a_held_out_row():
    held = NearDup()
    for f in gen.HELD_OUT:
        for r in gen.load(f):
            held.add(r["text"])
    assert not [r["text"] for r in _rows() if held.hit(r["text"])]


def test_committed_file_is_what_the_generator_writes(tmp_path):
    gen.main(["--out", str(tmp_path / "out.jsonl")])
    assert (tmp_path / "out.jsonl").read_text() == gen.OUT.read_text()
