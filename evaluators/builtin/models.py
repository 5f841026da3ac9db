"""Classifier-backed evaluators: prompt injection / jailbreak, toxicity, refusal (and over-refusal).

Each is a logistic-regression head over sentence embeddings (static by default, see
:mod:`pharos.evaluators.embeddings`) and hashed n-grams (see :mod:`pharos.evaluators.classifier`), trained by
``python -m pharos.evaluators.train`` on the labelled data in ``evaluators/data`` (licences in
``evaluators/data/LICENSES.md``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np

from pharos.evaluators.base import Call, Evaluator, Score
from pharos.evaluators.classifier import (MODELS, LinearHead, hashed_char_ngrams, hashed_ngrams, lexicon_features,
                                         logit)

__all__ = ["head", "prepare", "features", "head_features", "head_scores", "normalise", "chunks", "chunk_max", "chunked_scores",
           "PromptInjectionEvaluator",
           "ToxicityEvaluator", "RefusalEvaluator", "probabilities"]

_LEET = str.maketrans("013457@$", "oieastas")
_WORD, _LETTER, _DIGIT = re.compile(r"\w+"), re.compile(r"[A-Za-z]"), re.compile(r"\d")


def normalise(text: str) -> str:
    """Undo leetspeak (``1gn0r3 4ll``) when most words mix letters and digits; squeeze whitespace."""
    words = _WORD.findall(text) if _DIGIT.search(text) else ()  # without a digit no word mixes
    mixed = sum(1 for w in words if _LETTER.search(w) and _DIGIT.search(w))
    if words and mixed / len(words) > 0.3:
        text = text.translate(_LEET)
    return " ".join(text.split())[:2000]


@lru_cache(maxsize=None)
def head(name: str) -> LinearHead:
    return LinearHead.load(MODELS / f"{name}.json")


def prepare(texts: Sequence[str], reveal: bool = False) -> list[str]:
    """The texts as every model reads them: (with ``reveal``) hidden payloads decoded, then :func:`normalise`."""
    from pharos.evaluators.deobfuscate import reveal as reveal_text

    return [normalise(reveal_text(t) if reveal else t) for t in texts]


def features(texts: Sequence[str], ngram_dim: int = 0, reveal: bool = False, embedding: str = "static",
             char_ngram_dim: int = 0, lexicon: bool = False, multilingual: bool = False) -> np.ndarray:
    """Embeddings (of kind ``embedding``) of the normalised texts, followed by ``ngram_dim`` hashed word n-gram
    and ``char_ngram_dim`` hashed character n-gram features, (with ``lexicon``) the injection lexicon's features
    and (with ``multilingual``) :func:`pharos.evaluators.multilingual.vectors`; with ``reveal`` hidden payloads are
    decoded first."""
    from pharos.evaluators.embeddings import encoder

    prepared = prepare(texts, reveal)
    parts = [encoder(embedding).encode(prepared)]
    if ngram_dim:
        parts.append(hashed_ngrams(prepared, ngram_dim))
    if char_ngram_dim:
        parts.append(hashed_char_ngrams(prepared, char_ngram_dim))
    if lexicon:
        parts.append(lexicon_features(prepared))
    if multilingual:
        from pharos.evaluators.multilingual import vectors

        parts.append(vectors(prepared))
    return np.hstack(parts) if len(parts) > 1 else parts[0]


def head_features(h: LinearHead, texts: Sequence[str]) -> np.ndarray:
    """The features ``h`` was trained on, for ``texts``."""
    return features(texts, h.ngram_dim, h.reveal, h.embedding, h.char_ngram_dim, h.lexicon, h.multilingual)


def head_scores(h: LinearHead, texts: Sequence[str]) -> np.ndarray:
    """``h``'s probabilities for ``texts``; for a head with ``score_payloads``, each text's score is the max over
    the whole (revealed) text and each payload it hides, scored on its own. A head with an ``other`` head routes
    each text that ``py3langid`` does not identify as English to that head (whose bias is shifted so that ``h``'s
    threshold applies): English text is scored exactly as without it."""
    if not texts:
        return np.zeros(0)
    if h.other is not None:
        from pharos.evaluators.multilingual import is_english

        english = is_english(texts)
        p = np.zeros(len(texts))
        for mask, which in ((english, LinearHead(h.w, h.b, h.threshold, h.meta)), (~english, h.other)):
            if mask.any():
                p[mask] = head_scores(which, [t for t, m in zip(texts, mask) if m])
        return p
    p = h.proba(head_features(h, texts))
    if h.score_payloads:
        from pharos.evaluators.deobfuscate import payloads

        owner, hidden = [], []
        for i, t in enumerate(texts):
            for d in payloads(t):
                owner.append(i)
                hidden.append(d)
        if hidden:
            np.maximum.at(p, owner, h.proba(head_features(h, hidden)))
    return p


def probabilities(name: str, texts: Sequence[str]) -> np.ndarray:
    return head_scores(head(name), texts)


CHUNK = 600  # characters: the evaluator scores longer texts chunk by chunk


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """Long texts are scored by paragraph-ish chunks (the max wins): an injection hides in a long document."""
    text = text.strip()
    if len(text) <= size:
        return [text]
    parts = [p.strip() for p in re.split(r"\n\s*\n|(?<=[.!?])\s+(?=[A-Z\[#<-])", text) if p.strip()]
    out, cur = [], ""
    for p in parts:
        if cur and len(cur) + len(p) > size:
            out.append(cur)
            cur = ""
        cur = (cur + " " + p).strip()
    if cur:
        out.append(cur)
    return out[:32]


def chunk_max(score: Callable[[list[str]], np.ndarray], texts: Sequence[str]) -> np.ndarray:
    """Each text's score as the evaluators score a text: the max of ``score`` over its chunks."""
    owner, parts = [], []
    for i, t in enumerate(texts):
        for c in chunks(t):
            owner.append(i)
            parts.append(c)
    out = np.zeros(len(texts))
    if parts:
        np.maximum.at(out, owner, score(parts))
    return out


def chunked_scores(h: LinearHead, texts: Sequence[str]) -> np.ndarray:
    """``h``'s score of each text as the evaluators score a text: the max over its chunks."""
    return chunk_max(lambda parts: head_scores(h, parts), texts)


def _moved(p: np.ndarray, threshold: float, to: float) -> np.ndarray:
    """Probabilities ``p`` of a logistic head moved so that ``to`` decides as ``threshold`` did: the probabilities of
    ``LinearHead.with_threshold(to)``, without recomputing the features."""
    return 1 / (1 + np.exp(-(logit(np.clip(p, 1e-12, 1 - 1e-12)) - logit(threshold) + logit(to))))


class _HeadEvaluator(Evaluator):
    """A classifier head's probability as the score's value, labelled ``positive`` at or above the threshold: the
    head's own (chosen in training), or the ``threshold`` option (``PHAROS_EVAL_OPTIONS``, e.g.
    ``{"prompt_injection": {"threshold": 0.8}}``: fewer false positives, fewer attacks caught). The value does not
    depend on it, so queries can apply any threshold to stored scores."""

    head_name = ""
    positive = "positive"
    negative = "negative"

    def __init__(self, threshold: float | None = None, **options: Any) -> None:
        super().__init__(**options)
        if threshold is not None and not (isinstance(threshold, (int, float)) and 0 < threshold <= 1):
            raise ValueError(f"{self.name}: threshold must be a number in (0, 1], got {threshold!r}")
        self.threshold = None if threshold is None else float(threshold)

    def texts(self, call: Call) -> list[tuple[str, str]]:
        raise NotImplementedError

    def probabilities(self, chunks: Sequence[str]) -> np.ndarray:
        return probabilities(self.head_name, chunks)

    def default_threshold(self) -> float:
        return head(self.head_name).threshold

    def evaluate(self, call: Call) -> Score:
        return self.evaluate_batch([call])[0]

    def evaluate_batch(self, calls: Sequence[Call]) -> list[Score]:
        items: list[tuple[int, str, str]] = []
        for i, c in enumerate(calls):
            for where, text in self.texts(c):
                for chunk in chunks(text):
                    items.append((i, where, chunk))
        probs = self.probabilities([t for _, _, t in items])
        threshold = self.default_threshold() if self.threshold is None else self.threshold
        best: dict[int, tuple[float, str]] = {}
        for (i, where, _), p in zip(items, probs):
            if p > best.get(i, (-1.0, ""))[0]:
                best[i] = (float(p), where)
        out = []
        for i, _ in enumerate(calls):
            p, where = best.get(i, (0.0, ""))
            flagged = p >= threshold
            out.append(Score(round(p, 4), self.positive if flagged else self.negative,
                             f"{self.positive} probability {p:.2f}" + (f" in {where}" if where else ""),
                             {f"{self.name}.where": where} if flagged else {}))
        return out


class PromptInjectionEvaluator(_HeadEvaluator):
    """Prompt injection / jailbreak attempts in the user input and in retrieved context (indirect injection).
    Value: probability (max over input and context chunks, and over each hidden payload when the head was
    trained with ``score_payloads``); label ``injection`` or ``benign``."""

    name, version, needs = "prompt_injection", "4", ()
    head_name, positive, negative = "prompt_injection", "injection", "benign"
    # option ``model``: version 4's linear heads; the fine-tuned MiniLM classifier (pharos.evaluators.finetuned) for
    # every chunk; or routed: the fine-tuned model for English chunks, version 4's head for the rest.
    # option ``gate`` (with minilm or routed): chunks version 4 scores below it keep version 4's score, without
    # running the fine-tuned model (it costs about a hundred times more per chunk).
    VERSIONS = {"linear": "4", "minilm": "5-minilm", "routed": "5"}
    DEFAULT_MODEL = "linear"

    def __init__(self, threshold: float | None = None, model: str | None = None, gate: float = 0.0,
                 **options: Any) -> None:
        super().__init__(threshold, **options)
        self.model = model or self.DEFAULT_MODEL
        if self.model not in self.VERSIONS:
            raise ValueError(f"{self.name}: model must be one of {', '.join(self.VERSIONS)}, got {model!r}")
        if not (isinstance(gate, (int, float)) and 0 <= gate < 1):
            raise ValueError(f"{self.name}: gate must be a number in [0, 1), got {gate!r}")
        self.gate = float(gate)
        self.version = self.VERSIONS[self.model] + (f"-gate{self.gate:g}" if self.gate else "")

    def probabilities(self, chunks: Sequence[str]) -> np.ndarray:
        version4 = super().probabilities(chunks)
        if self.model == "linear":
            return version4
        from pharos.evaluators.finetuned import finetuned

        model = finetuned()
        p = version4.copy()
        run = version4 >= self.gate
        if self.model == "routed":
            from pharos.evaluators.multilingual import is_english

            english = is_english(chunks)
            # version 4's head for text that is not English, moved to the fine-tuned model's threshold: same decisions
            p[~english] = _moved(version4[~english], head(self.head_name).threshold, model.threshold)
            run &= english
        if run.any():
            p[run] = model.proba(prepare([c for c, r in zip(chunks, run) if r], reveal=True))
        return p

    def default_threshold(self) -> float:
        if self.model == "linear":
            return super().default_threshold()
        from pharos.evaluators.finetuned import finetuned

        return finetuned().threshold

    def applies(self, call: Call) -> bool:
        return (bool(call.question.strip()) or call.has("context")) and super().applies(call)

    def texts(self, call: Call) -> list[tuple[str, str]]:
        out = [("input", call.question)] if call.question.strip() else []
        out += [("context", d) for d in call.context if d.strip()]
        out += [("tool_result", str(t.get("result", ""))) for t in call.tool_calls if t.get("result")]
        return out


class ToxicityEvaluator(_HeadEvaluator):
    """Toxicity (insults, threats, hate, harassment) in the input and output. Value: probability (max);
    label ``toxic`` or ``ok``; the attribute ``toxicity.where`` says which side."""

    name, version, needs = "toxicity", "2", ()
    head_name, positive, negative = "toxicity", "toxic", "ok"

    def applies(self, call: Call) -> bool:
        return (call.has("input") or call.has("output")) and super().applies(call)

    def texts(self, call: Call) -> list[tuple[str, str]]:
        return [(w, t) for w, t in (("input", call.question), ("output", call.output)) if t.strip()]


class RefusalEvaluator(Evaluator):
    """Did the model refuse? Value: refusal probability of the output. Label ``refusal``, ``over_refusal``
    (refused a request that the injection and toxicity heads find benign) or ``answered``."""

    name, version, needs = "refusal", "2", ("output",)

    def evaluate(self, call: Call) -> Score:
        return self.evaluate_batch([call])[0]

    def evaluate_batch(self, calls: Sequence[Call]) -> list[Score]:
        outs = [c.output for c in calls]
        p_ref = probabilities("refusal", outs)
        h = head("refusal")
        refused = [i for i, p in enumerate(p_ref) if p >= h.threshold]
        benign: dict[int, bool] = {}
        if refused:
            qs = [calls[i].question for i in refused]
            p_inj = probabilities("prompt_injection", qs)
            p_tox = probabilities("toxicity", qs)
            for k, i in enumerate(refused):
                benign[i] = bool(qs[k].strip()) and p_inj[k] < head("prompt_injection").threshold \
                    and p_tox[k] < head("toxicity").threshold
        scores = []
        for i, p in enumerate(p_ref):
            if i in benign:
                label = "over_refusal" if benign[i] else "refusal"
                expl = ("refused a request that looks benign" if benign[i]
                        else "refused a request flagged as injection or toxic")
            else:
                label, expl = "answered", "the model answered"
            scores.append(Score(round(float(p), 4), label, f"{expl} (refusal probability {p:.2f})"))
        return scores
