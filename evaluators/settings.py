"""Options of the evaluators (online worker in ``pharos serve`` / ``pharos evaluate --follow``, and offline runs)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from pharos._config import PharosSettings

__all__ = ["EvaluatorSettings", "DEFAULT_EVALUATORS"]

# The default set: cheap, local, no network. The judge-backed ones are opt-in (they need an endpoint).
DEFAULT_EVALUATORS = "pii,secrets,prompt_injection,toxicity,refusal,relevance,groundedness,json_valid,language_match"


class EvaluatorSettings(PharosSettings):
    """Evaluators: online scoring of LLM calls."""

    eval_enabled: bool = Field(default=True, description="Run the online evaluator worker inside `pharos serve`.")
    evaluators: str = Field(
        default=DEFAULT_EVALUATORS,
        description="Comma-separated evaluators to run: built-in names (pii, secrets, prompt_injection, toxicity, "
                    "refusal, relevance, groundedness, json_valid, language_match, judge_hallucination, "
                    "judge_helpfulness, judge_toxicity, judge_custom), entry points of group `pharos.evaluators`, "
                    "or dotted paths `package.module:Class`.")
    eval_options: str = Field(
        default="{}",
        description='JSON object of per-evaluator options, e.g. {"judge_helpfulness": {"sample_rate": 0.1, '
                    '"models": ["gpt-4o"]}, "json_valid": {"schema": {...}}}. Common keys: sample_rate (0..1, '
                    'deterministic on span id), services, models, operations (lists; empty = all); prompt_injection '
                    'and toxicity also take threshold (0..1; by default the one chosen in training; higher flags '
                    'fewer texts; the stored value, a probability, does not change). prompt_injection also takes '
                    'model: linear (version 4, the default), routed (all-MiniLM-L6-v2 fine-tuned on the training '
                    'files, for English text, version 4 for the rest: more accurate pooled over ten held-out sets, less on '
                    'spikee; 4-8 ms of CPU per chunk and 45-55 MB) or minilm (the fine-tuned model for every '
                    'language), and gate (0..1; with routed or minilm, text version 4 scores below it keeps that score '
                    'and skips the model: with 0.1 it kept up with 200 calls/s on a 2-core machine with AVX-512 VNNI, '
                    'not on an AVX2-only one). Measured: README.md, Evaluators.')
    eval_sample_rate: float = Field(default=1.0, ge=0, le=1,
                                    description="Default fraction of LLM calls each evaluator scores (0..1).")
    eval_batch_size: int = Field(default=256, gt=0, description="Most spans one worker poll scores.")
    eval_poll_interval_s: float = Field(default=0.5, gt=0,
                                        description="Seconds between polls for new spans when idle.")
    eval_lateness_s: float = Field(
        default=600.0, ge=0,
        description="How late (seconds after its own timestamp) a span may arrive and still be scored online; "
                    "older arrivals need `pharos evaluate --backfill`.")
    eval_consumer: str = Field(default="default",
                               description="Name of the shared progress (watermark) of a group of workers; "
                                           "workers with the same name split the work.")
    eval_worker_id: str | None = Field(default=None,
                                       description="This worker's id (unset = host name and process id).")
    eval_shards: int = Field(default=16, gt=0, le=1024,
                             description="Shards of the span stream that workers of one consumer divide.")
    eval_worker_ttl_s: float = Field(default=15.0, gt=0,
                                     description="A worker without a heartbeat for this long loses its shards.")
    eval_max_retries: int = Field(default=20, ge=0,
                                  description="Attempts of a failing evaluator on one span before giving up.")
    eval_retry_backoff_s: float = Field(default=5.0, gt=0,
                                        description="First wait before retrying a failed evaluator (doubles, "
                                                    "at most 5 minutes); the breaker opens for as long.")
    eval_threads: int = Field(default=1, gt=0, le=64,
                              description="Threads of the local ONNX model (minilm embedding) per worker.")
    eval_embedding: Literal["static", "minilm"] = Field(
        default="static",
        description="Sentence embedding of relevance and groundedness: `static` (a token table distilled from "
                    "all-MiniLM-L6-v2: microseconds per text, no model in memory) or `minilm` (the model itself "
                    "through ONNX: better on paraphrases, about 4-5 ms per text per core and 40-160 MB). The "
                    "classifier heads use the embedding they were trained on (`python -m pharos.evaluators.train "
                    "--embedding ...`). Per evaluator: eval_options {\"relevance\": {\"embedding\": ...}}.")
    eval_lean_model: bool = Field(
        default=False,
        description="With the minilm embedding: load the model as it ships (int8): about 120 MB less memory per "
                    "worker, about 25% slower scoring. Off: onnxruntime pre-computes float32 weights at load.")
    judge_base_url: str | None = Field(default=None,
                                       description="OpenAI-compatible endpoint of the LLM judge, e.g. "
                                                   "http://127.0.0.1:8000/v1 (the sandbox's vLLM).")
    judge_model: str = Field(default="gpt-4o-mini", description="Model name sent to the judge endpoint.")
    judge_api_key: SecretStr | None = Field(default=None, description="API key of the judge endpoint (never logged).")
    judge_timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one judge request (seconds).")
    judge_custom_rubric: str | None = Field(
        default=None,
        description="Rubric of the judge_custom evaluator: instructions with {input}, {output} and {context}.")
    eval_export_otlp_endpoint: str | None = Field(
        default=None,
        description="Also send each score as a `gen_ai.evaluation.result` event to this OTLP/HTTP endpoint "
                    "(e.g. http://collector:4318); unset = only the scores table.")
