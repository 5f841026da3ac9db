"""Detection quality on the labelled sets kept in evaluators/data (held out from training)."""

import json

import pytest

from pharos.evaluators.offline import benchmark


@pytest.fixture(scope="module")
def plot_path(tmp_path_factory):
    return tmp_path_factory.mktemp("benchmark") / "trade_off.png"


@pytest.fixture(scope="module")
def report(plot_path):
    import io

    return benchmark(io.StringIO(), plot=plot_path)


def test_pii_recall_and_precision(report):
    m = report["pii"]
    for t in ("EMAIL", "CREDIT_CARD", "IBAN", "PHONE_NUMBER"):
        assert m[f"recall_{t}"] >= 0.98, (t, m)
    assert m["precision"] >= 0.95 and m["fpr"] <= 0.05, m


def test_secrets_recall(report):
    m = report["secrets"]
    assert m["recall"] >= 0.95 and m["fpr"] <= 0.05, m


def test_toxicity_f1(report):
    assert report["toxicity"]["f1"] >= 0.85, report["toxicity"]


def test_refusal_f1(report):
    assert report["refusal"]["f1"] >= 0.85, report["refusal"]


def test_relevance_separates_on_and_off_topic(report):
    # the default static embedding (threshold from relevance_calibration.jsonl) measured F1 0.88 on this set;
    # MiniLM itself (eval_embedding=minilm) 0.98: the static table loses here, the bounds guard both
    assert report["relevance"]["f1"] >= 0.85, report["relevance"]
    assert report["relevance_minilm"]["f1"] >= 0.95, report["relevance_minilm"]


def test_prompt_injection_on_held_out_sets(report):
    """Measured with the shipped head (version 4: version 3's head, threshold 0.631, for English text; a head with
    the multilingual vector, own threshold 0.708, for the rest), each set scored as the evaluator scores an input (max
    over chunks). None of the ten was trained on or used to choose the head:
    - bastioncorpus' held-out half (55 injections, 26 benign): F1 0.880, 1 of 26 benign flagged;
    - spikee's seed data (276 attacks, 128 of them in Zulu, Irish, Gaelic or Albanian; 166 easy benign): F1 0.734,
      no false positive;
    - documentation prose of 77 packages (494 benign, two thirds instruction-like): 19 flagged (3.8%); the
      version-2 head flagged 161 (32.6%);
    - fresh (session 6: 265 attacks, 259 benign from 7 wheels no training file uses): F1 0.858, 1 of 259 flagged;
    - fresh2 (session 7: 331 attacks, 491 benign from 15 other wheels): F1 0.635 (recall 0.517; 97 of its attacks
      are Russian persuasion-style jailbreaks), 37 of 491 benign flagged (7.5%, over the issue's 5%);
    - fresh3 (session 8: 253 attacks, 259 benign from 13 more wheels): F1 0.889, 18 of 259 flagged (6.9%, over 5%);
    - fresh4 (session 9: 250 attacks, 411 benign from 12 more wheels): F1 0.821, 30 of 411 flagged (7.3%, over 5%;
      25 of them synthetic intranet documents full of credentials and personal data);
    - fresh5 (session 9: 365 attacks, 300 benign from 12 more wheels): F1 0.826, 10 of 300 flagged (3.3%);
    - fresh6 (session 9, first scored in session 10: 368 attacks, 390 benign from 14 more wheels): F1 0.848, 27 of
      390 flagged (6.9%, over 5%);
    - fresh7 (session 10: 259 attacks, 389 benign from 10 more wheels): F1 0.895, 3 of 389 flagged.
    Pooled over the ten: F1 0.812, FPR 0.046 (146 of 3,185). The issue's F1 goal (>= 0.90) is not met: these bounds
    guard against regressions, the false-positive ones at the issue's 5% where the head meets it."""
    pooled, docs = report["prompt_injection"], report["prompt_injection/docs"]
    assert pooled["fpr"] < 0.05 and pooled["f1"] >= 0.79, pooled
    assert docs["fpr"] < 0.05, docs
    assert report["prompt_injection/bastion"]["f1"] >= 0.85, report["prompt_injection/bastion"]
    assert report["prompt_injection/spikee"]["recall"] >= 0.55 and report["prompt_injection/spikee"]["fpr"] < 0.02
    bounds = {"fresh": (0.83, 0.02), "fresh2": (0.62, 0.09), "fresh3": (0.87, 0.09), "fresh4": (0.80, 0.09),
              "fresh5": (0.80, 0.05), "fresh6": (0.82, 0.09), "fresh7": (0.87, 0.02)}  # set: (least F1, FPR under)
    for key, (f1, fpr) in bounds.items():
        m = report[f"prompt_injection/{key}"]
        assert m["f1"] >= f1 and m["fpr"] < fpr, (key, m)


def test_the_fine_tuned_model_on_held_out_sets(report):
    """The ``model`` options on the same ten sets (all-MiniLM-L6-v2 fine-tuned on the training files, threshold 0.872;
    evaluators/data/INJECTION_PASSES.md, twelfth and thirteenth passes):
    - ``minilm`` (every chunk): pooled F1 0.855, FPR 0.043; it flags voice commands in Catalan and other Romance
      languages (fresh6 9.2%, fresh7 11.6%);
    - ``routed`` (English chunks; version 4's head for the rest): pooled F1 0.848 (recall 0.758), FPR 0.022 (71 of
      3,185); on the blind fresh7 F1 0.928 (version 4: 0.895), 2 of 389 flagged; fresh6 6.4% (version 4: 6.9%);
    - ``routed`` with ``gate`` 0.1 (version 4 decides the chunks it scores under 0.1): pooled F1 0.847, FPR 0.021.
    Better than version 4 on every measure but spikee's recall, and still short of the issue's F1 goal (0.90)."""
    minilm, routed = report["prompt_injection[minilm]"], report["prompt_injection[routed]"]
    gated, v4 = report["prompt_injection[routed,gate=0.1]"], report["prompt_injection"]
    assert minilm["f1"] >= 0.84 and minilm["fpr"] < 0.05, minilm
    for m in (routed, gated):
        assert m["f1"] >= 0.83 and m["fpr"] < 0.03, m
        assert m["f1"] >= v4["f1"] + 0.02 and m["fpr"] < v4["fpr"] - 0.01, (m, v4)
    for key in ("fresh", "fresh3", "fresh4", "fresh5"):  # the fine-tuned model beats version 4 on each, by a margin
        assert report[f"prompt_injection[minilm]/{key}"]["f1"] >= report[f"prompt_injection/{key}"]["f1"] + 0.02, key
    for key in ("bastion", "spikee", "docs", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh7"):
        assert report[f"prompt_injection[routed]/{key}"]["fpr"] < 0.05, key
        assert report[f"prompt_injection[routed,gate=0.1]/{key}"]["fpr"] < 0.05, key
    assert report["prompt_injection[routed]/fresh6"]["fpr"] < 0.07
    fresh7 = report["prompt_injection[routed]/fresh7"]
    assert fresh7["f1"] >= 0.90 and fresh7["fpr"] < 0.02, fresh7


def test_the_benchmark_shows_the_injection_trade_off(report):
    """Pooled over the held-out sets at rising thresholds (the ``threshold`` option's effect): fewer benign rows and
    fewer attacks flagged, and the head's own threshold lies between its neighbours."""
    from pharos.evaluators.builtin.models import head
    from pharos.evaluators.offline import OPERATING_POINTS

    points = [report[f"prompt_injection@{t:.2f}"] for t in OPERATING_POINTS]
    assert all(a["recall"] >= b["recall"] and a["fpr"] >= b["fpr"] for a, b in zip(points, points[1:]))
    assert points[0]["recall"] > points[-1]["recall"] and points[0]["fpr"] > points[-1]["fpr"]
    own, t = report["prompt_injection"], head("prompt_injection").threshold
    below = [m for p, m in zip(OPERATING_POINTS, points) if p <= t][-1]
    above = [m for p, m in zip(OPERATING_POINTS, points) if p > t][0]
    assert below["recall"] >= own["recall"] >= above["recall"] and below["fpr"] >= own["fpr"] >= above["fpr"]


def test_the_benchmark_draws_the_trade_off(report, plot_path):
    """``pharos evaluate --benchmark --plot PNG``: the prompt-injection curves land in a real PNG image."""
    data = plot_path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_heads_match_their_training_metadata():
    """The shipped heads were trained on the files they say, and never on their test file."""
    from pharos.evaluators.builtin.models import head
    from pharos.evaluators.train import DATA

    for name in ("prompt_injection", "toxicity", "refusal"):
        h = head(name)
        test = {json.loads(l)["text"] for l in (DATA / h.meta["test_file"]).read_text().splitlines() if l}
        for meta in [h.meta] + ([h.other.meta] if h.other is not None else []):  # the other-language head too
            assert h.meta["test_file"] not in meta["train_files"]
            assert not any(f.startswith("injection_test") for f in meta["train_files"]), name
            train = {json.loads(l)["text"] for f in meta["train_files"] if (DATA / f).exists()
                     for l in (DATA / f).read_text().splitlines() if l}
            assert not test & train, name
