"""Pharos evaluators: score LLM calls for safety and quality, online (``pharos serve`` / ``pharos evaluate
--follow``) or offline (``pharos evaluate FILE.jsonl``). See :mod:`pharos.evaluators.base` for the interface."""

from pharos.evaluators.base import Call, Evaluator, Finding, Score, score_id

__all__ = ["Call", "Evaluator", "Score", "Finding", "score_id"]
