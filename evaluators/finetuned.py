"""The prompt-injection classifier fine-tuned from all-MiniLM-L6-v2 by :mod:`pharos.evaluators.finetune`, shipped as
int8 ONNX (``models/prompt_injection_minilm.onnx``, about 23 MB) with its threshold and provenance in the JSON file
beside it, and run by onnxruntime: a few milliseconds per chunk of text on one core. The prompt-injection evaluator
uses it with the option ``model: minilm`` (:class:`pharos.evaluators.builtin.models.PromptInjectionEvaluator`)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from pharos.evaluators.classifier import MODELS
from pharos.evaluators.embeddings import OnnxTextModel, model_options

__all__ = ["FineTuned", "MODEL", "MAX_TOKENS", "finetuned"]

MODEL = MODELS / "prompt_injection_minilm.onnx"
MAX_TOKENS = 192  # as trained (finetune.SETTINGS["max_tokens"])
_lock = threading.Lock()
_shared: dict[Path, "FineTuned"] = {}


class FineTuned(OnnxTextModel):
    """P(positive) of each text from a fine-tuned two-class model; ``threshold`` and ``meta`` come from the JSON
    file beside the ONNX file."""

    width = 1

    def __init__(self, path: Path = MODEL, threads: int = 1, lean: bool = False, meta: dict | None = None) -> None:
        """``meta``: instead of the JSON file (which :func:`pharos.evaluators.finetune.calibrate` writes)."""
        if not path.exists():
            raise FileNotFoundError(f"{path}: the fine-tuned model is not in this installation")
        super().__init__(path, threads, MAX_TOKENS, lean=lean)
        self.meta = json.loads(path.with_suffix(".json").read_text()) if meta is None else meta
        self.threshold = float(self.meta.get("threshold", 0.5))

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) of each (already normalised) text. One text per run: int8 dynamic quantisation scales a run's
        activations together, so a batch would make a text's score depend on its neighbours (and padding costs
        more than batching saves on CPU)."""
        return self._apply(texts, batch_size=1)[:, 0].astype(np.float64) if len(texts) else np.zeros(0)

    def _outputs(self, logits: np.ndarray, mask: np.ndarray) -> np.ndarray:
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e[:, 1] / e.sum(axis=1))[:, None]


def finetuned(path: Path = MODEL) -> FineTuned:
    """The process-wide model of ``path``, loaded once, on first use, with the shared model threads setting."""
    with _lock:
        if path not in _shared:
            _shared[path] = FineTuned(path, **model_options())
        return _shared[path]
