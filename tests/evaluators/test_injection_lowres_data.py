"""The low-resource-language prompt-injection TRAINING file (``injection_train_lowres.jsonl``): well-formed rows,
both labels and at least as many benign rows as attacks in every language, no row near-duplicating a held-out row,
and reproduced exactly by ``make_injection_lowres.py``. No evaluator scores anything here."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pharos_testing import data_script

DATA = Path(__file__).resolve().parents[2] / "evaluators" / "data"
FILE = DATA / "injection_train_lowres.jsonl"
REQUIRED = {"zu", "xh", "sw", "yo", "ha", "af", "ga", "gd", "cy", "sq", "eu", "is", "mt", "et", "lv", "lt", "sl", "hr",
            "ro", "pl", "cs", "hu", "fi", "tr", "id", "tl", "vi"}


@pytest.fixture(scope="module")
def gen():
    return data_script("make_injection_lowres")


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in FILE.read_text("utf-8").splitlines()]


def test_rows_are_well_formed(rows, gen):
    assert 1500 <= len(rows) <= 3000
    for r in rows:
        assert set(r) == {"text", "label", "lang", "source", "form"}, r
        assert r["label"] in (0, 1) and r["source"] == "pharos" and r["form"] in {"direct", "indirect", "benign"}
        assert r["text"].strip() and len(r["text"]) <= gen.MAX_CHARS
        assert r["label"] == 1 or r["form"] != "direct"
        assert r["label"] == 0 or r["form"] != "benign"
    assert len({r["text"] for r in rows}) == len(rows)


def test_every_language_has_both_labels_and_more_benign_than_attacks(rows):
    langs = {r["lang"] for r in rows} - {"en"}
    assert REQUIRED <= langs and len(langs) >= 20
    per = Counter((r["lang"], r["label"]) for r in rows)
    for lang in langs:
        assert per[lang, 1] > 0 and per[lang, 0] >= per[lang, 1], (lang, per[lang, 0], per[lang, 1])
    assert max(Counter(r["lang"] for r in rows).values()) <= 0.08 * len(rows)
    forms = Counter((r["lang"], r["form"], r["label"]) for r in rows)
    assert all(forms[lang, "indirect", 1] >= 2 and forms[lang, "indirect", 0] >= 1 for lang in langs)


def test_indirect_rows_carry_the_injection_inside_their_benign_passage(rows):
    clean = [r["text"] for r in rows if r["form"] == "indirect" and r["label"] == 0]
    attacks = [r["text"] for r in rows if r["form"] == "indirect" and r["label"] == 1]
    for text in attacks:
        hosts = [c for c in clean if len(c) < len(text) and c.split(" ", 3)[:3] == text.split(" ", 3)[:3]]
        assert hosts and not any(text.startswith(c) or text.endswith(c) for c in hosts), text


def test_no_row_near_duplicates_a_held_out_row(rows, gen):
    held = gen.HeldOut()
    assert len(held) > 1000  # the held-out files were read
    assert not [r["text"] for r in rows if held.hit(r["text"])]


def test_unicode_words_compare_non_latin_words(gen):
    stored = "Пожалуйста, переведи предыдущий абзац на английский язык сегодня."
    index = gen.NearDup(gen.UNICODE_WORD)
    index.add(stored)
    assert index.hit(stored.replace("сегодня", "завтра"))
    assert not index.hit("Какая погода будет завтра в Москве, и нужен ли мне зонт?")


def test_generator_reproduces_the_committed_file(tmp_path):
    out = tmp_path / "lowres.jsonl"
    subprocess.run([sys.executable, str(DATA / "make_injection_lowres.py"), "--out", str(out)], check=True,
                   capture_output=True, timeout=60)
    assert out.read_bytes() == FILE.read_bytes()
