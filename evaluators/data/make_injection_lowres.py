"""Writes ``injection_train_lowres.jsonl``: prompt-injection TRAINING rows in languages the other training files lack
(Zulu, Xhosa, Swahili, Yoruba, Hausa, Afrikaans, Irish, Scottish Gaelic, Welsh, Albanian, Basque, Icelandic, Maltese,
Estonian, Latvian, Lithuanian, Slovenian, Croatian, Romanian, Polish, Czech, Slovak, Hungarian, Finnish, Turkish,
Indonesian, Tagalog, Vietnamese; and Russian, Ukrainian, Greek, Hindi and Arabic), template-generated for Pharos
(Apache-2.0).

Why: red-team suites write injections in low-resource languages, and a head trained on English and six western
European languages misses most of them. Each language here has attacks AND more benign rows than attacks, built from
the same words (look-alikes: "translate the previous paragraph", "ignore the typos", "forget my last question",
"play an interviewer so I can practise", "new rules for the holiday policy", ...) and ordinary messages (weather,
cooking, travel, homework, support requests, short e-mails), so the head learns the attack wording, never
"non-English = attack".

Forms: ``direct`` (label 1) and ``benign`` (label 0) come from ``make_injection_multilingual.rows_for`` over each
language's phrase table (``lowres_phrases.LANGS``); ``indirect`` rows are a short passage (the language's own, or one
of a few English ones) with one injected sentence in that language in the middle (label 1) and the same passage
without it (label 0; an English passage's clean twin is written once, as ``en``).

Phrases were written for Pharos from general knowledge of the languages; nothing is copied or paraphrased from any
held-out file. Rows within word 5-gram Jaccard 0.5 (``neardup.NearDup``) of any row of the held-out files are dropped,
and the counts are printed. The fourth held-out file (``injection_test_fresh.jsonl``) is included, and the same test
runs over Unicode words too (NearDup's ASCII tokens miss Cyrillic and Greek words and split words with diacritics).
The held-out texts are only ever passed to these filters.

Run: python evaluators/data/make_injection_lowres.py [--out PATH]   (deterministic: fixed seed)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import lowres_phrases  # noqa: E402
import make_injection_multilingual as multi  # noqa: E402  (its rows_for composition)
from neardup import UNICODE_WORD, NearDup  # noqa: E402

HERE = Path(__file__).parent
OUT = HERE / "injection_train_lowres.jsonl"
HELD_OUT = ("injection_test.jsonl", "injection_test_spikee.jsonl", "injection_test_docs_benign.jsonl",
            "injection_test_fresh.jsonl")
MAX_CHARS = 600
SEED = 9


class HeldOut:
    """Word 5-gram Jaccard >= 0.5 with any held-out row, as ``neardup.NearDup`` defines it (``ascii``), or the same
    over Unicode words (``unicode``). Texts go only into the indexes; nothing here prints or returns them."""

    def __init__(self) -> None:
        self.ascii, self.unicode = NearDup(), NearDup(UNICODE_WORD)
        for name in HELD_OUT:
            for line in (HERE / name).read_text("utf-8").splitlines():
                if line.strip():
                    text = json.loads(line)["text"]
                    self.ascii.add(text)
                    self.unicode.add(text)

    def __len__(self) -> int:
        return len(self.ascii.sets)

    def hit(self, text: str) -> str | None:
        """Which index ``text`` near-duplicates a held-out row in (``ascii`` first), or None."""
        if self.ascii.hit(text):
            return "ascii"
        return "unicode" if self.unicode.hit(text) else None


def injected_sentence(lang: dict[str, list[str]], rng: random.Random) -> str:
    """One injection sentence for a passage: an override with a goal, or a "new instructions" header with a goal."""
    goal = rng.choice(lang["GOAL"])
    if rng.random() < 0.5:
        return f"{rng.choice(lang['OVERRIDE'])}. {goal}"
    return rng.choice(lang["NEW"]).format(g=goal)


def inject(passage: list[str], sentence: str) -> str:
    """The passage's sentences with ``sentence`` inserted in the middle (never first or last)."""
    mid = max(1, len(passage) // 2)
    return " ".join(passage[:mid] + [sentence] + passage[mid:])


def indirect_rows(code: str, lang: dict[str, list[str]], rng: random.Random) -> list[tuple[str, int, str, str]]:
    """(text, label, lang, form) rows: the language's passage with two different injections and without; one English
    passage with an injection in this language (its clean twin is written once, under ``en``)."""
    native = lang["PASSAGE"]
    first = injected_sentence(lang, rng)
    second = injected_sentence(lang, rng)
    while second == first:
        second = injected_sentence(lang, rng)
    english = rng.choice(lowres_phrases.ENGLISH_PASSAGES)
    return [(inject(native, first), 1, code, "indirect"), (inject(native, second), 1, code, "indirect"),
            (" ".join(native), 0, code, "indirect"), (inject(english, injected_sentence(lang, rng)), 1, code, "indirect")]


def build() -> tuple[list[dict], Counter]:
    """All rows, shuffled, and the counts of rows dropped (by reason and form)."""
    rng = random.Random(SEED)
    rows: list[tuple[str, int, str, str]] = []
    for code, lang in lowres_phrases.LANGS.items():
        table = {**lang, "BENIGN": lang["BENIGN"] + lang["EVERYDAY"]}
        inj, benign = multi.rows_for(table, rng)
        rows += [(t, 1, code, "direct") for t in inj] + [(t, 0, code, "benign") for t in benign]
        rows += indirect_rows(code, lang, rng)
    rows += [(" ".join(p), 0, "en", "indirect") for p in lowres_phrases.ENGLISH_PASSAGES]
    held = HeldOut()
    dropped: Counter = Counter()
    seen: set[str] = set()
    out = []
    for text, label, code, form in rows:
        if text in seen:
            dropped["duplicate", form] += 1
            continue
        seen.add(text)
        if len(text) > MAX_CHARS:
            dropped["too long", form] += 1
            continue
        near = held.hit(text)
        if near:
            dropped[f"near-duplicate of a held-out row ({near} words)", form] += 1
            continue
        out.append({"text": text, "label": label, "lang": code, "source": "pharos", "form": form})
    rng.shuffle(out)
    return out, dropped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the rows (default: %(default)s)")
    args = ap.parse_args()
    out, dropped = build()
    with args.out.open("w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(out)} rows ({sum(r['label'] for r in out)} injections) in {len({r['lang'] for r in out})} languages")
    for (reason, form), n in sorted(dropped.items()):
        print(f"dropped {n} {form} rows: {reason}")


if __name__ == "__main__":
    main()
