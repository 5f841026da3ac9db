"""Writes ``injection_test_spikee.jsonl``: a second held-out prompt-injection set, built from the seed data of the
``spikee`` 0.9.2 wheel (Apache-2.0, (c) Reversec; PyPI), a source never used in training. Report only: nothing
here is trained on or used to choose a threshold (``validate_injection.py --score`` reads it).

    python evaluators/data/make_injection_spikee.py [WHEEL_OR_UNPACKED_DIR]   (deterministic; default: the wheel
    at /tmp/probe/spikee-0.9.2-py3-none-any.whl, or ``pip download --no-deps spikee==0.9.2``)

Only seed folders that are spikee's own are read (``SEED_FOLDERS``). Skipped: the fetch-and-convert folders
(toxic-chat: non-commercial; wildguardmix, in-the-wild jailbreaks, simsonsun: third-party data, not in the wheel),
``seeds-empty`` and ``seeds-harmful-instructions-only`` used bare (a harmful request alone is not an injection; its
instructions are used inside jailbreaks), and jailbreaks whose ``source`` names a third party (two poetry templates
from a Hugging Face dataset, four "policy puppetry" templates from a HiddenLayer blog post).

Attacks (label 1) follow spikee's generator (``spikee/generator.py``): a jailbreak template with ``<INSTRUCTION>``
replaced by an instruction of the same language, wrapped in spikee's default delimiter ``\\nINJECTION_PAYLOAD\\n``
and either sent alone (``direct``: spikee's placeholder base document) or inserted at the start, the middle (the
whitespace nearest the midpoint) or the end of a base document (an e-mail, a code snippet). Each distinct jailbreak
gets ``PICKS`` instructions, chosen by an MD5 of the pair, cycling over the instruction families (cybersec
payloads, system-prompt extraction, investment requests, harmful requests); the form rotates. The ``no-jailbreak`` template (the bare
instruction) is only used inside a document and only with instructions that are attacks by themselves (XSS,
markdown exfiltration, system-prompt extraction, ...), never with a plain request such as investment advice.
Spikee's standalone attacks (prompts with an injected "test mode") are added as they are.

Benign rows (label 0): the base documents and their questions, the ``-fp`` seed set (investment questions that a
topical guardrail must let through), and the investment-advice standalone inputs (a user asking for investment
advice: off-topic for some apps, but not an injection).

Rows whose text (whitespace squeezed) also appears in any other ``injection_*.jsonl`` file here are dropped; the
count is printed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "injection_test_spikee.jsonl"
WHEEL = Path("/tmp/probe/spikee-0.9.2-py3-none-any.whl")
WHEEL_SHA256 = "60cec774a1138e62b68b4bed445285f5b5103818ffb68fab681f37b5e707802b"
SEEDS = "spikee/data/workspace/datasets"
SEED_FOLDERS = ("seeds-cybersec-2026-01", "zzz_LEGACY_seeds-cybersec-2025-04", "seeds-sysmsg-extraction-2025-04",
                "seeds-llm-mailbox", "seeds-mini-test", "seeds-investment-advice", "seeds-investment-advice-fp",
                "seeds-harmful-instructions-only")
FILES = ("base_user_inputs.jsonl", "jailbreaks.jsonl", "instructions.jsonl", "standalone_user_inputs.jsonl")
DELIMITER = "\nINJECTION_PAYLOAD\n"  # spikee generate's default --injection-delimiters
PICKS = 4  # instructions per jailbreak template
BARE_OK = {"xss", "data-exfil-markdown", "sysmsg-extract", "encoding", "long-output"}  # attacks without a jailbreak
FORMS = ("direct", "email-01/start", "email-01/middle", "email-01/end", "direct", "code-01/start",
         "code-01/middle", "code-01/end")
BENIGN_STANDALONE = {"seeds-investment-advice-fp": "fp-question", "seeds-investment-advice": "advice-request"}
FAMILY = {"seeds-investment-advice": "financial", "seeds-sysmsg-extraction-2025-04": "sysmsg",
          "seeds-harmful-instructions-only": "harmful"}  # instruction families (the rest: cybersec)
ATTACK_STANDALONE = ("seeds-cybersec-2026-01", "zzz_LEGACY_seeds-cybersec-2025-04", "seeds-mini-test")


def read_seeds(source: Path) -> dict[str, dict[str, list[dict]]]:
    """``{folder: {file: rows}}`` for ``SEED_FOLDERS``, from the wheel file or an unpacked wheel directory."""
    def parse(text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    seeds: dict[str, dict[str, list[dict]]] = {}
    if source.is_dir():
        for folder in SEED_FOLDERS:
            seeds[folder] = {f: parse(p.read_text()) for f in FILES if (p := source / SEEDS / folder / f).exists()}
        return seeds
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{source}: sha256 {digest}, expected spikee 0.9.2's {WHEEL_SHA256}")
    with zipfile.ZipFile(source) as z:
        names = set(z.namelist())
        for folder in SEED_FOLDERS:
            seeds[folder] = {f: parse(z.read(n).decode()) for f in FILES if (n := f"{SEEDS}/{folder}/{f}") in names}
    return seeds


def _md5(*parts: str) -> str:
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def nearest_whitespace(text: str, index: int) -> int:
    """spikee's ``find_nearest_whitespace``: the space nearest ``index`` (forward on a tie)."""
    fwd, back = text.find(" ", index), text.rfind(" ", 0, index)
    if fwd == -1 and back == -1:
        return index
    if fwd == -1 or back == -1:
        return max(fwd, back)
    return fwd if abs(fwd - index) < abs(index - back) else back


def insert(document: str, payload: str, position: str) -> str:
    """spikee's ``insert_jailbreak`` with the default delimiter."""
    injected = DELIMITER.replace("INJECTION_PAYLOAD", payload)
    if position == "start":
        return injected + document
    if position == "end":
        return document + injected
    i = nearest_whitespace(document, len(document) // 2)
    return document[:i] + injected + document[i:]


def _spread(pool: list[dict], n: int, offset: int) -> list[dict]:
    """``n`` instructions from ``pool`` (already in a hashed order), cycling over the families from ``offset``
    so that no one family (the 74 investment requests) dominates."""
    families = sorted({i["family"] for i in pool})
    queues = {f: [i for i in pool if i["family"] == f] for f in families}
    out: list[dict] = []
    k = 0
    while len(out) < min(n, len(pool)):
        q = queues[families[(offset + k) % len(families)]]
        if q:
            out.append(q.pop(0))
        k += 1
    return out


def build(seeds: dict[str, dict[str, list[dict]]]) -> list[dict]:
    """The rows, in a fixed order, before the duplicate check. Pure function of ``seeds``."""
    docs: dict[str, dict] = {}
    jailbreaks: dict[str, dict] = {}
    instructions: dict[str, dict] = {}
    for folder in SEED_FOLDERS:
        files = seeds.get(folder, {})
        for d in files.get("base_user_inputs.jsonl", []):
            if not d.get("placeholder") and d["document"].strip():
                docs.setdefault(d["id"], d)
        for j in files.get("jailbreaks.jsonl", []):
            if not j.get("source") and "<INSTRUCTION>" in j["text"]:
                jailbreaks.setdefault(j["text"], j)
        for i in files.get("instructions.jsonl", []):
            instructions.setdefault(i["instruction"], {**i, "family": FAMILY.get(folder, "cybersec")})

    rows: list[dict] = []
    for jtext in sorted(jailbreaks, key=lambda t: _md5("jailbreak", t)):
        j = jailbreaks[jtext]
        lang = j.get("lang", "en")
        bare = j.get("jailbreak_type") == "no-jailbreak"
        pool = [i for t, i in instructions.items() if i.get("lang", "en") == lang
                and (not bare or i["instruction_type"] in BARE_OK)]
        pool.sort(key=lambda i: _md5(jtext, i["instruction"]))
        forms = [f for f in FORMS if (f == "direct" and not bare) or f.split("/")[0] in docs]
        offset = int(_md5("form", jtext), 16) % len(forms)
        for k, ins in enumerate(_spread(pool, PICKS, int(_md5("family", jtext), 16))):
            form = forms[(offset + k) % len(forms)]
            payload = jtext.replace("<INSTRUCTION>", ins["instruction"])
            if form == "direct":
                text = DELIMITER.replace("INJECTION_PAYLOAD", payload)
            else:
                doc_id, position = form.split("/")
                text = insert(docs[doc_id]["document"], payload, position)
            rows.append({"text": text, "label": 1, "kind": "direct" if form == "direct" else "document",
                         "form": form, "lang": lang, "category": f"{j.get('jailbreak_type', '')}/"
                         f"{ins['instruction_type']}", "spikee_id": f"{j['id']}+{ins['id']}"})
    for folder in ATTACK_STANDALONE:
        for s in seeds.get(folder, {}).get("standalone_user_inputs.jsonl", []):
            rows.append({"text": s["text"], "label": 1, "kind": "standalone-attack", "form": "direct",
                         "lang": s.get("lang", "en"), "category": "standalone", "spikee_id": s["id"]})
    for doc_id in sorted(docs):
        d = docs[doc_id]
        rows.append({"text": d["document"], "label": 0, "kind": "base-document", "form": "document",
                     "lang": d.get("lang", "en"), "category": "document", "spikee_id": doc_id})
        if d.get("question"):
            rows.append({"text": d["question"], "label": 0, "kind": "base-question", "form": "direct",
                         "lang": d.get("lang", "en"), "category": "question", "spikee_id": doc_id})
    for folder, kind in BENIGN_STANDALONE.items():
        for s in seeds.get(folder, {}).get("standalone_user_inputs.jsonl", []):
            rows.append({"text": s["text"], "label": 0, "kind": kind, "form": "direct", "lang": s.get("lang", "en"),
                         "category": s.get("jailbreak_type", ""), "spikee_id": s["id"]})
    out, seen = [], set()
    for r in rows:  # the same text from two folders (the legacy cybersec copy, mini-test) once
        key = _squeeze(r["text"])
        if key not in seen:
            seen.add(key)
            out.append({**r, "source": "spikee-0.9.2"})
    return out


def known_texts(exclude: Path = OUT) -> dict[str, set[str]]:
    """Squeezed texts of every other prompt-injection file here (training, calibration, threshold, test)."""
    return {p.name: {_squeeze(json.loads(line)["text"]) for line in p.read_text().splitlines() if line.strip()}
            for p in sorted(HERE.glob("injection_*.jsonl")) if p != exclude}


def drop_known(rows: list[dict], known: dict[str, set[str]]) -> tuple[list[dict], Counter]:
    """``rows`` without those whose text is in a ``known`` file; the drops counted by file."""
    dropped: Counter = Counter()
    keep = []
    for r in rows:
        hits = [name for name, texts in known.items() if _squeeze(r["text"]) in texts]
        dropped.update(hits)
        if not hits:
            keep.append(r)
    return keep, dropped


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else WHEEL
    rows, dropped = drop_known(build(read_seeds(source)), known_texts())
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{OUT.name}: {len(rows)} rows; dropped as exact duplicates of other files: {dict(dropped) or 0}")
    for (label, kind), n in sorted(Counter((r["label"], r["kind"]) for r in rows).items()):
        print(f"  label {label}  {kind:18s} {n}")
    print("  languages:", dict(Counter((r["label"], r["lang"]) for r in rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
