"""Where the heavy parts run: the current interpreter when it has them (a GPU box with ``vllm``),
else the vLLM CPU venv (:mod:`pharos.sandbox.vllm_cpu`), created on first use."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from pharos.sandbox.settings import SandboxSettings

__all__ = ["DATA", "heavy_python", "vllm_command", "lm_eval_command", "make_model", "offline_env"]

DATA = Path(__file__).parent / "data"


def _has(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def _venv_python(settings: SandboxSettings) -> Path:
    from pharos.sandbox.vllm_cpu import ensure_venv

    return ensure_venv(settings.vllm_venv)


def heavy_python(settings: SandboxSettings, *modules: str) -> str:
    """An interpreter that can import ``modules``: this one if it can, else the vLLM CPU venv's."""
    return sys.executable if _has(*modules) else str(_venv_python(settings))


def vllm_command(settings: SandboxSettings) -> list[str]:
    if _has("vllm"):
        return [sys.executable, "-m", "vllm.entrypoints.cli.main"]
    py = _venv_python(settings)
    return [str(py.parent / "vllm")]


def lm_eval_command(settings: SandboxSettings) -> list[str]:
    return [heavy_python(settings, "lm_eval"), "-m", "lm_eval"]


def offline_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "HF_HUB_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1",
           "VLLM_NO_USAGE_STATS": "1"}
    env.update(extra)
    return env


def make_model(out_dir: str | Path, *, steps: int = 300, seed: int = 0, qa: str | Path | None = None,
               settings: SandboxSettings | None = None, progress: bool = True) -> dict:
    """Build the tiny model (see ``_make_model.py``) with a progress bar; returns its pharos_model.json."""
    settings = settings or SandboxSettings()
    py = heavy_python(settings, "torch", "transformers", "tokenizers")
    qa = Path(qa or DATA / "qa.jsonl")
    texts = sorted(str(p) for p in (DATA / "prompts").glob("*.jsonl"))
    cmd = [py, str(Path(__file__).parent / "_make_model.py"), str(out_dir), "--qa", str(qa), "--steps", str(steps),
           "--seed", str(seed), "--text", *texts, "--progress"]
    from tqdm import tqdm

    bar = tqdm(total=steps, desc="make-model", unit="step", disable=not progress)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=offline_env())
    info: dict = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("done"):
            info = msg
        elif "step" in msg:
            bar.n = msg["step"]
            bar.set_postfix(loss=msg["loss"])
            bar.refresh()
    err = proc.stderr.read() if proc.stderr else ""
    bar.close()
    if proc.wait() != 0:
        raise RuntimeError(f"make-model failed ({proc.returncode}):\n{err[-4000:]}")
    info.pop("done", None)
    return info
