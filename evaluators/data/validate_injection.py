"""Model selection for the prompt-injection head without the test file.

    .venv/bin/python evaluators/data/validate_injection.py [VARIANT ...]   (default: all; --list names them)
    .venv/bin/python evaluators/data/validate_injection.py --score FILE [--candidates]   (report only, see below)

For each variant (a :class:`pharos.evaluators.train.HeadSpec`), two measures, both from training data only:

1. Out-of-fold calibration: the threshold procedure of ``train.fit_head`` (5 folds over the calibration rows,
   highest F1 with FPR <= ``max_fpr``), repeated with three fold assignments (the calibration set is small, one
   split is noisy). Reported: mean and range of F1, FPR and recall over the three, on the bastion rows.
2. Leave one source out: for each source (a file, or a file's ``source`` field), a head trained on every other
   source scores the left-out rows. Reported per source: recall (injections) and FPR (benign rows) at the
   calibrated threshold; pooled over all sources: F1 and FPR at that threshold, and the best F1 whose pooled FPR
   is at most ``max_fpr`` (a threshold-free view of how well the sources separate). This is the distribution
   shift the held-out test meets: a source's style that the head has not been trained on.

``injection_test.jsonl`` is never read here.

Each pass's variants, rules, choice and results are recorded in ``INJECTION_PASSES.md`` beside this file; held-out
files are scored (report only) by ``score_injection.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from pharos.evaluators.builtin import models
from pharos.evaluators.builtin.models import chunked_scores, head_scores
from pharos.evaluators.classifier import LinearHead
from pharos.evaluators.multilingual import is_english
from pharos.evaluators.data.score_injection import score_files
from pharos.evaluators.train import (DATA, FOLDS, PROMPT_INJECTION_V2, SALTS, HeadSpec, choose_threshold, finish_head,
                                     fit_head, load, metrics, prepare, rule_threshold)

SHIPPED = PROMPT_INJECTION_V2  # "shipped" below: the version-2 head, shipped until the sixth pass
BASTION = "injection_train_bastion.jsonl"
MULTI = "injection_train_multilingual.jsonl"
BENIGN = "injection_calibration_benign.jsonl"
DIVERSE = "injection_train_diverse.jsonl"
HARD = "injection_train_hard_benign.jsonl"
HELD_BENIGN = "injection_threshold_benign.jsonl"
PUBLIC = "injection_train_public.jsonl"
DOCS = "injection_train_docs_benign.jsonl"
HELD_DOCS = "injection_threshold_docs_benign.jsonl"
BURIED = "injection_train_buried.jsonl"
LOWRES = "injection_train_lowres.jsonl"
WHEELS = "injection_train_wheels.jsonl"
PROMPTS = "injection_train_prompts_benign.jsonl"
RECORDS = "injection_train_records.jsonl"
# Threshold rules (fourth pass): spec fields that only move the threshold, applied to the same scores.
RULES = {
    "f1": {},
    "f1-max3splits": {"threshold_splits": 3},
    "benign1%": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.01},
    "benign0+0.02": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.0, "margin": 0.02},
    "benign1%+0.02": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.01, "margin": 0.02},
    "benign1%+max3": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.01, "threshold_splits": 3},
    "benign3%+max3": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.03, "threshold_splits": 3},
    "benign5%+max3": {"threshold_benign": (HELD_BENIGN,), "benign_max_fpr": 0.05, "threshold_splits": 3},
    "docs3%+max3": {"threshold_benign": (HELD_BENIGN, HELD_DOCS), "benign_max_fpr": 0.03, "threshold_splits": 3},
    "docs5%+max3": {"threshold_benign": (HELD_BENIGN, HELD_DOCS), "benign_max_fpr": 0.05, "threshold_splits": 3},
}


# Earlier passes' chosen settings (see HEADS in train.py), scored on a held-out file with --score --candidates:
CANDIDATES = {"third-pass": ("diverse+lexicon", "f1"), "fourth-pass": ("diverse+lexicon+hard", "benign3%+max3"),
              "fifth-pass": ("diverse+lexicon+hard+public", "benign3%+max3"),
              "sixth-pass": ("diverse+lexicon+hard+public+docs", "benign3%+max3"),
              "seventh-pass": ("v3+buried", "docs3%+max3"),
              "seventh-lowres": ("v3+buried+lowres", "docs3%+max3"),  # information only, see the seventh pass
              "eighth-pass": ("v3+buried+lowres+use", "docs3%+max3"),
              "ninth-pass": ("v3|buried+lowres+use/docs3%+max3", "benign3%+max3"),
              # tenth pass's variants (see INJECTION_PASSES.md; only the chosen one is looked at)
              "tenth-plain": ("v3+buried+lowres+use+wheels", "docs3%+max3"),
              "tenth-routed": ("v3|buried+lowres+use+wheels/docs3%+max3", "benign3%+max3"),
              "tenth-prompts-routed": ("v3+prompts|buried+lowres+use+wheels/docs3%+max3", "benign3%+max3"),
              "tenth-prompts-plain": ("v3+buried+lowres+use+wheels+prompts", "docs3%+max3"),
              # eleventh pass's variants (only the chosen one is looked at)
              "eleventh-c1": ("v3+buried+lowres+use+wheels+prompts", "benign3%+max3"),
              "eleventh-c2-docs": ("v3+buried+lowres+use+wheels+prompts+records", "docs3%+max3"),
              "eleventh-c2-benign": ("v3+buried+lowres+use+wheels+prompts+records", "benign3%+max3"),
              "eleventh-c3": ("v3+prompts+records|buried+lowres+use+wheels+prompts+records/docs3%+max3",
                              "benign3%+max3")}


def variants() -> dict[str, object]:
    """The candidate specs (training data and features), by name."""
    s = SHIPPED
    diverse = s.train + (DIVERSE,)
    v3 = replace(s, train=diverse + (HARD, PUBLIC, DOCS), lexicon=True, chunked=True)
    return {
        "shipped": s,
        "payloads": replace(s, score_payloads=True),
        "lexicon": replace(s, lexicon=True),
        "multilingual": replace(s, train=s.train + (MULTI,)),
        "all3": replace(s, train=s.train + (MULTI,), lexicon=True, score_payloads=True),
        "diverse": replace(s, train=diverse),
        "diverse+payloads": replace(s, train=diverse, score_payloads=True),
        "diverse+lexicon": replace(s, train=diverse, lexicon=True),
        "diverse+multilingual": replace(s, train=diverse + (MULTI,)),
        "diverse+all3": replace(s, train=diverse + (MULTI,), lexicon=True, score_payloads=True),
        "diverse+benign": replace(s, train=diverse + (BENIGN,)),
        "diverse+lexicon+hard": replace(s, train=diverse + (HARD,), lexicon=True),
        "diverse+lexicon+hard+benign": replace(s, train=diverse + (HARD, BENIGN), lexicon=True),
        # Fifth pass: public jailbreak collections (trained on as the evaluator's chunks; see UNIVERSE)
        "diverse+lexicon+chunked": replace(s, train=diverse, lexicon=True, chunked=True),
        "diverse+lexicon+public": replace(s, train=diverse + (PUBLIC,), lexicon=True, chunked=True),
        "diverse+lexicon+hard+public": replace(s, train=diverse + (HARD, PUBLIC), lexicon=True, chunked=True),
        "diverse+lexicon+multilingual+public": replace(s, train=diverse + (MULTI, PUBLIC), lexicon=True,
                                                        chunked=True),
        # Sixth pass: documentation prose as benign rows
        "diverse+lexicon+hard+public+docs": replace(s, train=diverse + (HARD, PUBLIC, DOCS), lexicon=True,
                                                     chunked=True),
        "diverse+lexicon+public+docs": replace(s, train=diverse + (PUBLIC, DOCS), lexicon=True, chunked=True),
        # Seventh pass: injections buried in documentation, and many more languages (base: version 3's spec)
        "v3": v3,
        "v3+buried": replace(v3, train=v3.train + (BURIED,)),
        "v3+buried+lowres": replace(v3, train=v3.train + (BURIED, LOWRES)),
        "v3+buried+lowres+multilingual": replace(v3, train=v3.train + (BURIED, LOWRES, MULTI)),
        # Eighth pass, amended: a multilingual sentence vector for texts that are not English
        "v3+buried+use": replace(v3, train=v3.train + (BURIED,), multilingual=True),
        "v3+buried+lowres+use": replace(v3, train=v3.train + (BURIED, LOWRES), multilingual=True),
        # Ninth pass: version 3 for English text, a head with the multilingual vector for the rest (its own rule)
        **{f"v3|{o}/{r}": replace(v3, other=replace(v3, train=v3.train + extra, multilingual=True, **RULES[r]))
           for o, extra in (("buried+lowres+use", (BURIED, LOWRES)), ("buried+use", (BURIED,)))
           for r in ("docs3%+max3", "benign3%+max3")},
        # ... and with the training file from unused wheels (attacks, policy-like benign prose) in both heads
        "v3+wheels": replace(v3, train=v3.train + (WHEELS,)),
        "v3+buried+lowres+use+wheels": replace(v3, train=v3.train + (BURIED, LOWRES, WHEELS), multilingual=True),
        **{f"v3+wheels|buried+lowres+use+wheels/{r}": replace(v3, train=v3.train + (WHEELS,), other=replace(
            v3, train=v3.train + (BURIED, LOWRES, WHEELS), multilingual=True, **RULES[r]))
           for r in ("docs3%+max3", "benign3%+max3")},
        # Tenth pass: the ninth pass's all-text head, routed or not, and hard benign prompts (PROMPTS)
        "v3|buried+lowres+use+wheels/docs3%+max3": replace(v3, other=replace(
            v3, train=v3.train + (BURIED, LOWRES, WHEELS), multilingual=True, **RULES["docs3%+max3"])),
        "v3+prompts|buried+lowres+use+wheels/docs3%+max3": replace(v3, train=v3.train + (PROMPTS,), other=replace(
            v3, train=v3.train + (BURIED, LOWRES, WHEELS), multilingual=True, **RULES["docs3%+max3"])),
        "v3+buried+lowres+use+wheels+prompts": replace(v3, train=v3.train + (BURIED, LOWRES, WHEELS, PROMPTS),
                                                       multilingual=True),
        # Eleventh pass: + generated sensitive documents, benign and with buried injections (RECORDS)
        "v3+buried+lowres+use+wheels+prompts+records": replace(
            v3, train=v3.train + (BURIED, LOWRES, WHEELS, PROMPTS, RECORDS), multilingual=True),
        "v3+prompts+records": replace(v3, train=v3.train + (PROMPTS, RECORDS)),
        # information for the next pass (not a candidate): version 3's data over the MiniLM model's embedding
        "v3+minilm": replace(v3, embedding="minilm"),  # the English head of the next
        "v3+prompts+records|buried+lowres+use+wheels+prompts+records/docs3%+max3": replace(
            v3, train=v3.train + (PROMPTS, RECORDS), other=replace(
                v3, train=v3.train + (BURIED, LOWRES, WHEELS, PROMPTS, RECORDS), multilingual=True,
                **RULES["docs3%+max3"])),
    }


# Every training source of the fifth pass's variants: "unseen-source" scores cover all of them for every variant,
# so variants trained on different files are compared on the same rows (see ``unseen_scores``).
UNIVERSE = SHIPPED.train + (DIVERSE, HARD, MULTI, PUBLIC, DOCS)
UNIVERSE7 = UNIVERSE + (BURIED, LOWRES)  # the seventh pass's (--universe 7)


CACHE = Path.home() / ".cache" / "pharos" / "validate-injection"  # the fits' scores, by spec and data (--cache)


# HeadSpec fields added after fits were cached, and their defaults: at these values they are left out of the key,
# so that the fits of specs that do not use them stay valid.
LATER_FIELDS = {"multilingual": False, "other": None}


def spec_repr(spec) -> str:
    """``repr(spec)`` without the fields of ``LATER_FIELDS`` at their defaults."""
    r = repr(spec)
    for field, default in LATER_FIELDS.items():
        r = r.replace(f", {field}={default!r}", "")
    return r


def cache_key(spec) -> str:
    """An MD5 of ``spec`` and the contents of every file it reads: equal keys, equal fits."""
    # --universe 8 changes the leave-out groups of low-resource rows (see loso_group), so of specs training on them
    h = hashlib.md5((spec_repr(spec) + ("8" if ACTIVE in LANGUAGE_BUCKETS and LOWRES in spec.train else "")).encode())
    for f in sorted(set(spec.train + spec.calibration)):
        h.update(f.encode() + ((DATA / f).read_bytes() if (DATA / f).exists() else b""))
    return h.hexdigest()


@lru_cache(maxsize=None)
def scores(spec) -> dict:
    """Everything the rules are judged on, computed once per spec: out-of-fold scores for each fold assignment,
    the full head's scores of the held-out benign rows, and leave-one-source-out scores. With ``--cache``, the fits
    (the slow part: minutes each) are kept in ``CACHE`` and reused while the spec and its files are unchanged."""
    prep = prepare(spec)
    path = CACHE / f"{cache_key(spec)}.npz"
    if USE_CACHE and path.exists():
        saved = np.load(path)
        oofs, loso = list(saved["oofs"]), saved["loso"]
        full = prep.fit(np.arange(0), epochs=0)  # a head of the right kind, weights replaced below
        full.w, full.b = saved["w"], float(saved["b"])
    else:
        # every head at once: the out-of-fold folds of each fold assignment, the full head, one per left-out group
        folds = [prep.fold_masks(salt) for salt in SALTS]
        left_out = np.array([loso_group(g, r) for g, r in zip(prep.groups, prep.rows)])
        loso_masks = np.array([left_out != g for g in sorted(set(left_out))])
        heads = prep.fit_many(np.concatenate(folds + [np.ones((1, len(prep.rows)), dtype=bool), loso_masks]))
        k = len(SALTS) * FOLDS
        oofs = [prep.held_out_scores(m, heads[i * FOLDS:(i + 1) * FOLDS]) for i, m in enumerate(folds)]
        full, loso = heads[k], prep.held_out_scores(loso_masks, heads[k + 1:])
        if USE_CACHE:
            CACHE.mkdir(parents=True, exist_ok=True)
            np.savez(path, oofs=np.array(oofs), loso=loso, w=full.w, b=full.b)
    held = {f: chunked_scores(full, [r["text"] for r in load(f)]) for f in (HELD_BENIGN, HELD_DOCS)}
    return {"prep": prep, "oofs": oofs, "held": held, "loso": loso, "unseen": unseen_scores(prep, full, loso),
            "full": full}


USE_CACHE = False


def loso_group(group: str, row: dict | None = None) -> str:
    """The group a row is left out with: its source, except that the docs file's 100-odd packages are left out five
    buckets at a time (by an MD5 of the package name), which is the same test -- documentation of packages the head
    never saw -- at a twentieth of the fits. With ``--universe 8``, the low-resource file's 33 languages are left
    out five buckets at a time too (by an MD5 of the language code): transfer to languages the head never saw, which
    leaving the whole file out (``--universe 7``) cannot show."""
    if ACTIVE in LANGUAGE_BUCKETS and group.startswith(LOWRES + ":") and row is not None:
        return f"{LOWRES}:languages-{hashlib.md5(row['lang'].encode()).digest()[0] % 5}"
    if group.startswith(BURIED + ":"):  # buried rows leave with their host package's documentation
        group = DOCS + group[len(BURIED):]
    if group.startswith(DOCS + ":"):
        return f"{DOCS}:packages-{hashlib.md5(group.encode()).digest()[0] % 5}"
    return group


def unseen_scores(prep, full, loso: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scores (and labels, files and languages) of every row of ``UNIVERSE`` and the calibration files, each from a head that never saw
    the row's source: the leave-one-source-out score for the spec's own sources, the full head's for a file the
    spec does not train on. Rows are the evaluator's chunks (as ``chunked`` training cuts them)."""
    from pharos.evaluators.train import _rows

    own = {(g, r["text"]): v for g, r, v in zip(prep.groups, prep.rows, loso)}
    rows, groups = [], []
    for f in universe() + prep.spec.calibration:
        for r in _rows(f, True):
            rows.append(r)
            groups.append(f + (":" + r["source"] if r.get("source") else ""))
    missing = [i for i, (g, r) in enumerate(zip(groups, rows)) if (g, r["text"]) not in own]
    out = np.array([own.get((g, r["text"]), 0.0) for g, r in zip(groups, rows)])
    if missing:
        out[missing] = head_scores(full, [rows[i]["text"] for i in missing])
    return (out, np.array([int(r["label"]) for r in rows]), np.array([g.split(":")[0] for g in groups]),
            np.array([r.get("lang", "") for r in rows]), is_english([r["text"] for r in rows]))


def universe() -> tuple[str, ...]:
    """The files unseen-source scores cover: ``UNIVERSE`` (fifth and sixth passes) or, with ``--universe 7``,
    ``UNIVERSE7`` (seventh pass)."""
    return UNIVERSES[ACTIVE]


# 8: as 7, the low-resource file left out by language; 9: as 8, with the ninth pass's training file from wheels;
# 10: as 9, with the tenth pass's hard benign prompts; 11: as 10, with the eleventh pass's sensitive documents
UNIVERSES = {"6": UNIVERSE, "7": UNIVERSE7, "8": UNIVERSE7, "9": UNIVERSE7 + (WHEELS,),
             "10": UNIVERSE7 + (WHEELS, PROMPTS), "11": UNIVERSE7 + (WHEELS, PROMPTS, RECORDS)}
LANGUAGE_BUCKETS = ("8", "9", "10", "11")  # universes whose low-resource rows leave five language buckets at a time
ACTIVE = "6"


def validate(spec, rule: dict) -> dict:
    if spec.other is not None:
        return validate_routed(spec, rule)
    sc = scores(spec)
    prep, oofs, held, loso = sc["prep"], sc["oofs"], sc["held"], sc["loso"]
    spec = replace(spec, **rule)
    benign = np.concatenate([held[f] for f in spec.threshold_benign] + [np.zeros(0)])
    docs, held = held[HELD_DOCS], held[HELD_BENIGN]
    y, cal = prep.y, prep.cal
    bastion = np.array([i for i in cal if prep.groups[i] == BASTION])
    runs, thresholds = [], []
    for k in range(len(SALTS)):
        order = oofs[k:] + oofs[:k]  # this split first
        t = rule_threshold(spec, prep, order[:spec.threshold_splits], benign)
        thresholds.append(t)
        runs.append(metrics(oofs[k][bastion] >= t, y[bastion]))
    t = thresholds[0]  # the threshold train.fit_head would ship
    per_source = {}
    for g in sorted(set(prep.groups)):
        idx = np.array([i for i, gi in enumerate(prep.groups) if gi == g])
        m = metrics(loso[idx] >= t, y[idx])
        per_source[g] = {"n": len(idx), "pos": int(y[idx].sum()), "recall": m["recall"], "fpr": m["fpr"],
                         "fp": int(((loso[idx] >= t) & (y[idx] == 0)).sum())}
    b = per_source[BASTION]
    return {"threshold": t, "thresholds": thresholds, "oof": runs, "loso": per_source,
            "pooled": metrics(loso >= t, y), "unseen": metrics(sc["unseen"][0] >= t, sc["unseen"][1]),
            **unseen_report(sc["unseen"], sc["unseen"][0] >= t),
            "pooled_best": metrics(loso >= choose_threshold(loso, y, spec.max_fpr), y),
            "held_fp": int((held >= t).sum()), "docs_fp": int((docs >= t).sum()), "docs_n": len(docs), "held_kinds": Counter(r["category"] for r, v in
                                                                     zip(load(HELD_BENIGN), held) if v >= t), "held_n": len(held), "held_top": np.sort(held)[::-1][:3],
            "worst_fpr": max([m["fpr"] for m in runs] + [b["fpr"]]),
            "worst_recall": min([m["recall"] for m in runs] + [b["recall"]])}


def unseen_report(unseen: tuple[np.ndarray, ...], flagged: np.ndarray) -> dict:
    """Metrics of ``flagged`` (one per unseen row) overall, on rows that are not English, per file, and the
    low-resource attacks caught per language."""
    _, y, files, langs, english = unseen
    return {"unseen": metrics(flagged, y), "unseen_other": metrics(flagged[~english], y[~english]),
            "unseen_files": {f: metrics(flagged[files == f], y[files == f]) for f in dict.fromkeys(files)},
            "lowres_langs": {lang: (int((flagged & m & (y == 1)).sum()), int((m & (y == 1)).sum()))
                             for lang in sorted(set(langs[files == LOWRES])) for m in [(files == LOWRES) & (langs == lang)]}}


RULE_FIELDS = {f.name: f.default for f in fields(HeadSpec) if f.name in {k for r in RULES.values() for k in r}}


def split_rule(spec) -> tuple[object, dict]:
    """``spec`` without its threshold-rule fields (the spec its fits are kept under) and those fields (the rule)."""
    return replace(spec, **RULE_FIELDS), {k: getattr(spec, k) for k in RULE_FIELDS}


def validate_routed(spec, rule: dict) -> dict:
    """:func:`validate` of a head with an ``other`` head (ninth pass): the English head's numbers under ``rule``
    (its out-of-fold bastion rows and leave-one-source-out rows), with the unseen-source rows, the held-out benign
    rows and the threshold docs rows scored as the evaluator routes them: English text by the English head at its
    threshold, other text by the other head (trained by its own spec, fitted from the cache like any variant) at
    its own threshold."""
    main = validate(replace(spec, other=None), rule)
    other = validate(*split_rule(spec.other))
    sm, so = scores(replace(spec, other=None)), scores(split_rule(spec.other)[0])
    um, english, uo = sm["unseen"][0], sm["unseen"][4], so["unseen"][0]
    assert len(um) == len(uo), "the two heads' unseen rows differ (their calibration files must be the same)"
    tm, to = main["threshold"], other["threshold"]
    flagged = np.where(english, um >= tm, uo >= to)
    routed = LinearHead(sm["full"].w, sm["full"].b, tm, sm["full"].meta,
                        LinearHead(so["full"].w, so["full"].b, to, so["full"].meta).with_threshold(tm))
    held = {f: chunked_scores(routed, [r["text"] for r in load(f)]) >= tm for f in (HELD_BENIGN, HELD_DOCS)}
    return {**main, **unseen_report(sm["unseen"], flagged), "threshold_other": to,
            "held_fp": int(held[HELD_BENIGN].sum()), "docs_fp": int(held[HELD_DOCS].sum()),
            "held_kinds": Counter(r["category"] for r, v in zip(load(HELD_BENIGN), held[HELD_BENIGN]) if v),
            "held_top": np.zeros(0),
            "worst_fpr": max(main["worst_fpr"], other["worst_fpr"]),
            "worst_recall": min(main["worst_recall"], other["worst_recall"])}


def report(name: str, r: dict, sources: bool = True) -> str:
    def span(key: str) -> str:
        v = [m[key] for m in r["oof"]]
        return f"{np.mean(v):.3f} [{min(v):.3f}-{max(v):.3f}]"

    b = r["loso"][BASTION]
    lines = [f"== {name}  threshold {r['threshold']:.3f} (per split: "
             + ", ".join(f"{t:.3f}" for t in r["thresholds"]) + ")",
             f"  out-of-fold bastion (3 splits): F1 {span('f1')}  recall {span('recall')}  FPR {span('fpr')}",
             f"  bastion half left out: recall {b['recall']:.3f} FPR {b['fpr']:.3f} ({b['fp']} of {b['n'] - b['pos']})"
             f"  | worst over splits and left-out half: recall {r['worst_recall']:.3f} FPR {r['worst_fpr']:.3f}",
             f"  threshold docs ({HELD_DOCS}, full head): {r['docs_fp']} of {r['docs_n']} flagged",
             f"  held-out benign ({HELD_BENIGN}, full head): {r['held_fp']} of {r['held_n']} flagged; top scores "
             + ", ".join(f"{v:.3f}" for v in r["held_top"]) + "; flagged kinds " + str(dict(r["held_kinds"])),
             "  leave-one-source-out pooled: F1 {f1:.3f} P {precision:.3f} R {recall:.3f} FPR {fpr:.3f}".format(
                 **r["pooled"]) + "  | best F1 at FPR<=max: {f1:.3f} (R {recall:.3f} FPR {fpr:.3f})".format(
                 **r["pooled_best"]),
             "  unseen sources (all of UNIVERSE): F1 {f1:.3f} P {precision:.3f} R {recall:.3f} FPR {fpr:.3f} (n {n})".format(
                 **r["unseen"]),
             "    of them not English: F1 {f1:.3f} P {precision:.3f} R {recall:.3f} FPR {fpr:.3f} (n {n})".format(
                 **r["unseen_other"])]
    if "threshold_other" in r:
        lines[0] += f"; text not in English: the other head at its own threshold {r['threshold_other']:.3f}"
    lines += [f"    unseen {f:42s} n {m['n']:5d}  recall {m['recall']:.3f}  FPR {m['fpr']:.3f}"
              for f, m in r["unseen_files"].items()]
    if r["lowres_langs"]:
        lines.append("    unseen low-resource attacks caught by language: "
                     + " ".join(f"{lang} {k}/{n}" for lang, (k, n) in r["lowres_langs"].items()))
    if sources:
        for g, m in r["loso"].items():
            lines.append(f"    {g:55s} n {m['n']:5d}  recall {m['recall']:.3f} ({m['pos']} inj)  "
                         f"FPR {m['fpr']:.3f} ({m['fp']} of {m['n'] - m['pos']} benign)")
    return "\n".join(lines)


def score_held_out(files: list[str], candidates: list[str], model_options: tuple[str, ...] = ()) -> None:
    """Print the shipped head's numbers on each of ``files`` (paths, or names in evaluators/data) and on all of them
    pooled; then the same for each of ``candidates`` (names in ``CANDIDATES``), trained here in memory (no model
    file written), and for the evaluator with each of ``model_options`` (its ``model`` option: minilm, routed)."""
    table = variants()
    heads = [(f"shipped head ({models.head('prompt_injection').threshold:.3f})", None)]
    if model_options:
        from pharos.evaluators.finetuned import finetuned

        for m in model_options:  # "routed" or "routed@0.1" (gate 0.1)
            model, _, gate = m.partition("@")
            heads.append((f"model {m} (fine-tuned threshold {finetuned().threshold:.3f})",
                          {"model": model, **({"gate": float(gate)} if gate else {})}))
    for name in candidates:
        variant, rule = CANDIDATES[name]
        h = cached_head(table[variant], RULES[rule]) if USE_CACHE else fit_head(replace(table[variant], **RULES[rule]))[0]
        heads.append((f"{name} candidate {variant} / {rule} (threshold {h.threshold:.3f})", h))
    score_files(files, heads)


def cached_head(spec, rule: dict) -> LinearHead:
    """The head ``fit_head`` trains for ``spec`` under ``rule``, from the fits :func:`scores` keeps (the full head's
    weights and the out-of-fold scores, finished by the same ``train.finish_head``): minutes instead of an hour."""
    if spec.other is not None:
        main = cached_head(replace(spec, other=None), rule)
        main.other = cached_head(*split_rule(spec.other)).with_threshold(main.threshold)
        return main
    sc = scores(spec)
    full = sc["full"]
    return finish_head(replace(spec, **rule), sc["prep"], LinearHead(full.w, full.b, 0.5, dict(full.meta)),
                       sc["oofs"])[0]


def main(argv: list[str] | None = None) -> int:
    global ACTIVE, USE_CACHE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="*")
    ap.add_argument("--rules", default="f1", help="comma-separated threshold rules, or 'all': " + ", ".join(RULES))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--universe", choices=UNIVERSES, default="6",
                    help="the files unseen-source scores cover: 6 (fifth and sixth passes) or 7 (seventh); 8: as 7, "
                    "with the low-resource file left out five language buckets at a time; 9: as 8, with "
                    + WHEELS + "; 10: as 9, with " + PROMPTS + "; 11: as 10, with " + RECORDS + ")")
    ap.add_argument("--cache", action="store_true", help=f"keep and reuse the fits' scores in {CACHE} (with --score: "
                    "candidates are built from them)")
    ap.add_argument("--score", metavar="FILE", nargs="+", help="report only: score held-out files with the shipped "
                    "head through the evaluator (P/R/F1/FPR, counts, Wilson intervals; each and pooled); nothing is "
                    "trained on them")
    ap.add_argument("--candidates", nargs="?", const=",".join(CANDIDATES), default="",
                    help="with --score: also these candidates, comma-separated (default: all of "
                    + ", ".join(CANDIDATES) + "; trained in memory)")
    ap.add_argument("--models", default="", help="with --score: also the evaluator with these values of its model "
                    "option, comma-separated (minilm: the fine-tuned MiniLM model for every chunk; routed: for English; NAME@G: "
                    "with the gate option G)")
    a = ap.parse_args(argv)
    ACTIVE, USE_CACHE = a.universe, a.cache
    table = variants()
    if a.list:
        print("\n".join(table))
        return 0
    if a.score:
        score_held_out(a.score, [c for c in a.candidates.split(",") if c], tuple(m for m in a.models.split(",") if m))
        return 0
    rules = list(RULES) if a.rules == "all" else a.rules.split(",")
    for name in a.variants or list(table):
        for i, rule in enumerate(rules):
            print(report(f"{name} / rule {rule}", validate(table[name], RULES[rule]), sources=i == 0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
