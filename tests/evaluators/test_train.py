"""Training (pharos.evaluators.train): the shipped model files are what the training code produces, and a routed
spec (``HeadSpec.other``) trains its English head as without it plus the other head by the other spec."""

from dataclasses import replace

import numpy as np

from pharos.evaluators.builtin.models import head_scores
from pharos.evaluators.classifier import MODELS, LinearHead
from pharos.evaluators.train import HEADS, fit_head


def test_the_shipped_toxicity_head_is_what_training_produces():
    trained, calibration = fit_head(HEADS["toxicity"])
    shipped = LinearHead.load(MODELS / "toxicity.json")
    assert abs(trained.threshold - shipped.threshold) < 1e-5
    assert np.abs(trained.w - shipped.w).max() < 1e-4 and abs(trained.b - shipped.b) < 1e-4  # 5 decimals stored
    assert shipped.meta["calibration"]["f1"] == round(calibration["f1"], 4)


def test_a_routed_spec_trains_the_english_head_as_without_it_and_the_other_by_its_own_spec():
    base = HEADS["toxicity"]
    other_spec = replace(base, multilingual=True, max_fpr=0.0)
    routed, _ = fit_head(replace(base, other=other_spec))
    alone, _ = fit_head(base)
    other, _ = fit_head(other_spec)
    assert np.array_equal(routed.w, alone.w) and routed.threshold == alone.threshold
    assert routed.other.meta["own_threshold"] == other.threshold and routed.other.threshold == routed.threshold
    texts = ["Du bist ein nutzloser Idiot und alle hassen dich.", "Danke für die schnelle Hilfe heute!",
             "You are a useless idiot.", "Thanks for the quick help today!"]
    got = head_scores(routed, texts)
    assert np.array_equal(got[2:], head_scores(alone, texts[2:]))
    assert np.array_equal(got[:2] >= routed.threshold, head_scores(other, texts[:2]) >= other.threshold)
