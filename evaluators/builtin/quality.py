"""Quality evaluators: answer relevance, groundedness in retrieved context, valid JSON / JSON schema,
language of the answer matching the question's."""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

import numpy as np

from pharos.evaluators.base import Call, Evaluator, Score

__all__ = ["RelevanceEvaluator", "GroundednessEvaluator", "JsonValidEvaluator", "LanguageMatchEvaluator",
           "sentences"]


# Thresholds per sentence embedding (cosines of the static table and of MiniLM are on different scales).
# Relevance: static 0.27, the best F1 on relevance_calibration.jsonl (never the test file); MiniLM 0.25.
# Groundedness support: MiniLM 0.55; static 0.45, where static best agrees (F1) with MiniLM >= 0.55 on
# sentence pairs of the training texts.
RELEVANCE_THRESHOLD = {"static": 0.27, "minilm": 0.25}
SUPPORT_THRESHOLD = {"static": 0.45, "minilm": 0.55}


def _encode(texts: Sequence[str], embedding: str = "static") -> np.ndarray:
    from pharos.evaluators.builtin.models import features

    return features(texts, embedding=embedding)  # same normalisation as the classifier heads


def sentences(text: str, limit: int = 24) -> list[str]:
    parts = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 12]
    return parts[:limit] or ([text.strip()] if text.strip() else [])


class RelevanceEvaluator(Evaluator):
    """Cosine similarity of question and answer embeddings (option ``embedding``: ``static``, the default, or
    ``minilm``, all-MiniLM-L6-v2 itself: more accurate, about 100x the CPU). Value 0..1; label ``relevant`` at
    ``threshold`` (default: :data:`RELEVANCE_THRESHOLD` of the embedding) and above, else ``off_topic``."""

    name, version, needs = "relevance", "2", ("input", "output")

    def evaluate(self, call: Call) -> Score:
        return self.evaluate_batch([call])[0]

    def evaluate_batch(self, calls: Sequence[Call]) -> list[Score]:
        embedding = self.options.get("embedding", "static")
        threshold = float(self.options.get("threshold", RELEVANCE_THRESHOLD[embedding]))
        q = _encode([c.question for c in calls], embedding)
        a = _encode([c.output for c in calls], embedding)
        sims = np.clip((q * a).sum(1), 0.0, 1.0)
        return [Score(round(float(s), 4), "relevant" if s >= threshold else "off_topic",
                      f"question/answer similarity {s:.2f} (threshold {threshold})") for s in sims]


class GroundednessEvaluator(Evaluator):
    """Share of answer sentences supported by the retrieved context: a sentence is supported when its best
    cosine against the context's sentences reaches ``support`` (:data:`SUPPORT_THRESHOLD` of the ``embedding``
    option, static or minilm). Clear cases end here; with a judge configured (``judge_base_url``), answers
    between ``low`` and ``high`` go to the hallucination rubric."""

    name, version, needs = "groundedness", "2", ("output", "context")

    def __init__(self, **kw: Any) -> None:
        self.judge = kw.pop("judge", None)
        super().__init__(**kw)

    def evaluate(self, call: Call) -> Score:
        embedding = self.options.get("embedding", "static")
        support = float(self.options.get("support", SUPPORT_THRESHOLD[embedding]))
        low, high = float(self.options.get("low", 0.34)), float(self.options.get("high", 0.8))
        ans = sentences(call.output)
        ctx = [s for d in call.context for s in sentences(d, 200)][:400]
        if not ans or not ctx:
            return Score(float("nan"), "unknown", "no answer sentences or no context")
        a, c = _encode(ans, embedding), _encode(ctx, embedding)
        best = (a @ c.T).max(1)
        share = float((best >= support).mean())
        attrs = {"groundedness.min_similarity": f"{float(best.min()):.3f}",
                 "groundedness.method": f"embedding ({embedding})"}
        if self.judge is not None and low < share < high:
            js = self.judge.evaluate(call)
            if js is not None:
                attrs.update(js.attributes)
                attrs["groundedness.method"] = "judge"
                return Score(js.value, "grounded" if js.value >= 0.5 else "ungrounded",
                             f"judge: {js.explanation}", attrs)
        label = "grounded" if share >= high else ("ungrounded" if share <= low else "partially_grounded")
        return Score(round(share, 4), label, f"{share:.0%} of {len(ans)} answer sentences supported by context",
                     attrs)


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


class JsonValidEvaluator(Evaluator):
    """When the call asked for structured output (``gen_ai.output.type`` = json, or a ``schema`` option):
    1 if the answer parses as JSON (and validates against the schema), else 0 with the error."""

    name, version, needs = "json_valid", "1", ("output",)

    def applies(self, call: Call) -> bool:
        return (call.output_type == "json" or "schema" in self.options) and super().applies(call)

    def evaluate(self, call: Call) -> Score:
        text = call.output.strip()
        m = _FENCE.match(text)
        fenced = bool(m)
        if m:
            text = m.group(1)
        try:
            doc = json.loads(text)
        except ValueError as exc:
            return Score(0.0, "invalid_json", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        schema = self.options.get("schema")
        if schema:
            import jsonschema

            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                where = "/".join(str(p) for p in e.path) or "(root)"
                return Score(0.0, "schema_mismatch", f"{len(errors)} schema error(s); first at {where}: "
                                                     f"{e.validator} check failed")
        return Score(1.0, "valid", "valid JSON" + (" (inside a code fence)" if fenced else "")
                     + (" matching the schema" if schema else ""))


class LanguageMatchEvaluator(Evaluator):
    """Language of the answer vs the question (py3langid). Value 1 = same, 0 = different; skipped (no score)
    when either side is shorter than ``min_chars`` (20) letters."""

    name, version, needs = "language_match", "1", ("input", "output")

    def evaluate(self, call: Call) -> Score | None:
        from pharos.evaluators.multilingual import language

        min_chars = int(self.options.get("min_chars", 20))
        q, a = call.question, call.output
        if sum(ch.isalpha() for ch in q) < min_chars or sum(ch.isalpha() for ch in a) < min_chars:
            return None
        lq, la = language(q), language(a)
        same = lq == la
        return Score(1.0 if same else 0.0, "match" if same else "mismatch", f"question {lq}, answer {la}",
                     {"language.input": lq, "language.output": la})
