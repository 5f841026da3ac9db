"""Build the configured evaluators: built-in names, entry points (group ``pharos.evaluators``) and dotted
paths (``package.module:Class`` or ``package.module.Class``)."""

from __future__ import annotations

import importlib
import json
from typing import Any

from pharos.evaluators.base import Evaluator
from pharos.evaluators.settings import EvaluatorSettings

__all__ = ["BUILTIN", "build", "load_class"]

BUILTIN: dict[str, str] = {
    "pii": "pharos.evaluators.builtin.pii:PiiEvaluator",
    "secrets": "pharos.evaluators.builtin.secrets:SecretsEvaluator",
    "prompt_injection": "pharos.evaluators.builtin.models:PromptInjectionEvaluator",
    "toxicity": "pharos.evaluators.builtin.models:ToxicityEvaluator",
    "refusal": "pharos.evaluators.builtin.models:RefusalEvaluator",
    "relevance": "pharos.evaluators.builtin.quality:RelevanceEvaluator",
    "groundedness": "pharos.evaluators.builtin.quality:GroundednessEvaluator",
    "json_valid": "pharos.evaluators.builtin.quality:JsonValidEvaluator",
    "language_match": "pharos.evaluators.builtin.quality:LanguageMatchEvaluator",
}
_EMBEDDING_USERS = ("relevance", "groundedness")  # built-ins whose ``embedding`` option follows eval_embedding
_JUDGES = {"judge_hallucination": "hallucination", "judge_helpfulness": "helpfulness",
           "judge_toxicity": "toxicity", "judge_custom": "custom"}


def load_class(spec: str) -> Any:
    if ":" in spec:
        module, attr = spec.split(":", 1)
    else:
        module, _, attr = spec.rpartition(".")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _entry_point(name: str) -> Any | None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="pharos.evaluators"):
        if ep.name == name:
            return ep.load()
    return None


def build(settings: EvaluatorSettings | None = None, names: str | None = None) -> list[Evaluator]:
    """Instantiate the evaluators named in ``settings.evaluators`` (or ``names``) with their options."""
    settings = settings or EvaluatorSettings()
    options: dict[str, dict[str, Any]] = json.loads(settings.eval_options or "{}")
    wanted = [n.strip() for n in (names if names is not None else settings.evaluators).split(",") if n.strip()]
    judge_kw = {"base_url": settings.judge_base_url, "model": settings.judge_model,
                "api_key": settings.judge_api_key.get_secret_value() if settings.judge_api_key else None,
                "timeout_s": settings.judge_timeout_s}
    out: list[Evaluator] = []
    for name in wanted:
        opts = {"sample_rate": settings.eval_sample_rate, **options.get(name, {})}
        if name in _EMBEDDING_USERS:
            opts.setdefault("embedding", settings.eval_embedding)
        if name in _JUDGES:
            from pharos.evaluators.builtin.judge import JudgeEvaluator

            if _JUDGES[name] == "custom":
                opts.setdefault("template", settings.judge_custom_rubric)
            out.append(JudgeEvaluator(rubric=_JUDGES[name], name=name, **judge_kw, **opts))
            continue
        if name == "groundedness" and settings.judge_base_url:
            from pharos.evaluators.builtin.judge import JudgeEvaluator

            opts.setdefault("judge", JudgeEvaluator(rubric="hallucination", **judge_kw))
        cls = load_class(BUILTIN[name]) if name in BUILTIN else _entry_point(name)
        if cls is None:
            cls = load_class(name)
        ev = cls(**opts) if isinstance(cls, type) else cls
        if not isinstance(ev, Evaluator):
            raise TypeError(f"evaluator {name!r} is not a pharos.evaluators.Evaluator")
        out.append(ev)
    names_seen = [e.name for e in out]
    if len(set(names_seen)) != len(names_seen):
        raise ValueError(f"two evaluators share a name: {names_seen}")
    return out
