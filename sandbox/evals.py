"""``pharos sandbox eval SUITE.yaml``: lm-eval tasks against the served model, Pharos evaluators over
its answers, thresholds; stored as an eval run (one row per task/metric, per-item samples).

A suite (YAML)::

    name: qa
    tasks: [pharos_qa]            # lm-eval task names: shipped ones (sandbox/data/tasks) or the user's
    include_paths: [my_tasks/]    # extra task folders, relative to the suite file
    api: completions              # completions | chat (lm-eval local-completions / local-chat-completions)
    num_concurrent: 4
    limit: null
    evaluators: [non_empty, answer_words]   # or "package.module:function" (question, answer, target) -> float
    thresholds: {pharos_qa/exact_match: 0.25}

lm-eval runs offline (HF_HUB_OFFLINE/HF_DATASETS_OFFLINE) from the vLLM venv when this interpreter
lacks it. Task YAML that name relative ``data_files`` are copied with those paths made absolute.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import yaml

from pharos.sandbox.runtime import DATA, lm_eval_command, offline_env
from pharos.sandbox.settings import SandboxSettings

__all__ = ["load_suite", "run_eval", "EVALUATORS", "parse_results"]

SHIPPED_TASKS = DATA / "tasks"
SHIPPED_SUITES = DATA / "suites"


def _non_empty(question: str, answer: str, target: str) -> float:
    return 1.0 if answer.strip() else 0.0


def _answer_words(question: str, answer: str, target: str) -> float:
    return float(len(answer.split()))


def _contains_target(question: str, answer: str, target: str) -> float:
    return 1.0 if target and target.strip().lower() in answer.lower() else 0.0


EVALUATORS: dict[str, Callable[[str, str, str], float]] = {
    "non_empty": _non_empty, "answer_words": _answer_words, "contains_target": _contains_target,
}


def _resolve_evaluator(name: str) -> Callable[[str, str, str], float]:
    if name in EVALUATORS:
        return EVALUATORS[name]
    if ":" in name:
        module, func = name.split(":", 1)
        return getattr(importlib.import_module(module), func)
    raise ValueError(f"unknown evaluator {name!r} (built in: {', '.join(EVALUATORS)}; or module:function)")


def load_suite(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists() and (SHIPPED_SUITES / f"{path}.yaml").exists():
        p = SHIPPED_SUITES / f"{path}.yaml"
    suite = yaml.safe_load(p.read_text()) or {}
    suite.setdefault("name", p.stem)
    suite.setdefault("tasks", [])
    suite["include_paths"] = [str((p.parent / d).resolve()) for d in suite.get("include_paths") or []]
    suite.setdefault("api", "completions")
    suite.setdefault("num_concurrent", 4)
    suite.setdefault("evaluators", [])
    suite.setdefault("thresholds", {})
    if not suite["tasks"]:
        raise ValueError(f"suite {p} names no tasks")
    return suite


def _stage_tasks(folders: list[Path], dest: Path) -> Path:
    """Copy task folders into ``dest`` with relative ``data_files`` made absolute."""
    dest.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for yml in folder.rglob("*.yaml"):
            text = yml.read_text()

            def absolutize(m: re.Match) -> str:
                value = m.group(2).strip().strip("'\"")
                path = Path(value)
                if not path.is_absolute() and (yml.parent / path).exists():
                    value = str((yml.parent / path).resolve())
                return f"{m.group(1)}{json.dumps(value)}"

            text = re.sub(r"^(\s+(?:test|train|validation)\s*:\s*)(\S.*)$", absolutize, text, flags=re.M)
            target = dest / f"{folder.name}__{yml.relative_to(folder).as_posix().replace('/', '__')}"
            target.write_text(text)
    return dest


def parse_results(out_dir: Path) -> tuple[dict[str, dict[str, tuple[float, float]]], dict[str, list[dict]], dict]:
    """lm-eval output -> ({task: {metric: (value, stderr)}}, {task: samples}, raw results JSON)."""
    files = sorted(out_dir.rglob("results_*.json"))
    if not files:
        raise RuntimeError(f"lm-eval wrote no results under {out_dir}")
    raw = json.loads(files[-1].read_text())
    metrics: dict[str, dict[str, tuple[float, float]]] = {}
    for task, res in raw.get("results", {}).items():
        for key, value in res.items():
            if "," not in key or "_stderr" in key.split(",")[0] or not isinstance(value, (int, float)):
                continue
            name, flt = key.split(",", 1)
            se = res.get(f"{name}_stderr,{flt}")
            se = float(se) if isinstance(se, (int, float)) else float("nan")
            metrics.setdefault(task, {})[name] = (float(value), se)
    samples: dict[str, list[dict]] = {}
    for f in sorted(files[-1].parent.glob("samples_*.jsonl")):
        task = re.sub(r"^samples_(.*)_\d{4}-\d{2}-\d{2}T.*$", r"\1", f.stem)
        samples[task] = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
    return metrics, samples, raw


def _mean_stderr(values: list[float]) -> tuple[float, float]:
    n = len(values)
    if not n:
        return float("nan"), float("nan")
    mean = sum(values) / n
    if n < 2:
        return mean, float("nan")
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def _answer(sample: dict) -> str:
    fr = sample.get("filtered_resps")
    while isinstance(fr, list) and fr:
        fr = fr[0]
    if isinstance(fr, str):
        return fr
    r = sample.get("resps")
    while isinstance(r, list) and r:
        r = r[0]
    return r if isinstance(r, str) else ""


def _prompt(sample: dict) -> str:
    args = sample.get("arguments")
    if isinstance(args, dict):  # lm-eval >= 0.4.5: {"gen_args_0": {"arg_0": prompt, "arg_1": {...}}}
        first = next(iter(args.values()), {})
        if isinstance(first, dict):
            return str(first.get("arg_0", ""))
    if isinstance(args, list) and args:
        return str(args[0][0] if isinstance(args[0], list) else args[0])
    return ""


def run_eval(suite: dict[str, Any], *, base_url: str, model: str, tokenizer: str | None, out_dir: Path,
             settings: SandboxSettings, seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Run the suite; returns {"metrics": [rows], "samples": [rows], "lm_eval": raw results}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = _stage_tasks([SHIPPED_TASKS / d.name for d in SHIPPED_TASKS.iterdir() if d.is_dir()]
                          + [Path(p) for p in suite["include_paths"]], out_dir / "tasks")
    chat = suite["api"] == "chat"
    endpoint = base_url.rstrip("/") + ("/chat/completions" if chat else "/completions")
    margs = [f"model={model}", f"base_url={endpoint}", f"num_concurrent={int(suite['num_concurrent'])}",
             "max_retries=2", "timeout=120"]
    if tokenizer:
        margs += [f"tokenizer={tokenizer}", "tokenizer_backend=huggingface"]
    else:
        margs += ["tokenizer_backend=None", "tokenized_requests=False"]
    lm_out = out_dir / "lm_eval"
    cmd = [*lm_eval_command(settings), "--model", "local-chat-completions" if chat else "local-completions",
           "--model_args", ",".join(margs), "--tasks", ",".join(suite["tasks"]), "--include_path", str(staged),
           "--output_path", str(lm_out), "--log_samples", "--seed", str(seed), "--batch_size", "1"]
    if chat:
        cmd.append("--apply_chat_template")
    if suite.get("limit"):
        cmd += ["--limit", str(suite["limit"])]
    log_path = out_dir / "lm_eval.log"
    from tqdm import tqdm

    t0 = time.monotonic()
    with open(log_path, "wb") as log, tqdm(desc=f"lm-eval {','.join(suite['tasks'])}", disable=not progress,
                                           bar_format="{desc}: {elapsed}") as bar:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=offline_env())
        while proc.poll() is None:
            time.sleep(1)
            bar.update(1)
    if proc.returncode != 0:
        raise RuntimeError(f"lm-eval failed ({proc.returncode}); see {log_path}:\n"
                           f"{log_path.read_text(errors='replace')[-3000:]}")
    metrics, samples, raw = parse_results(lm_out)
    rows: list[dict[str, Any]] = []
    sample_rows: list[dict[str, Any]] = []
    evaluators = {name: _resolve_evaluator(name) for name in suite["evaluators"]}
    for task, per_metric in metrics.items():
        n = len(samples.get(task, []))
        for metric, (value, se) in per_metric.items():
            rows.append({"Task": task, "Metric": metric, "Value": value, "Stderr": se, "N": n, "Source": "lm-eval"})
        scores: dict[str, list[float]] = {name: [] for name in evaluators}
        for s in samples.get(task, []):
            prompt, answer = _prompt(s), _answer(s)
            target = str(s.get("target", ""))
            for metric in per_metric:
                if isinstance(s.get(metric), (int, float)):
                    sample_rows.append({"Task": task, "DocId": s.get("doc_id", 0), "Metric": metric,
                                        "Value": float(s[metric]), "Prompt": prompt, "Target": target,
                                        "Response": answer})
            for name, fn in evaluators.items():
                v = float(fn(prompt, answer, target))
                scores[name].append(v)
                sample_rows.append({"Task": task, "DocId": s.get("doc_id", 0), "Metric": name, "Value": v,
                                    "Prompt": prompt, "Target": target, "Response": answer})
        for name, vals in scores.items():
            mean, se = _mean_stderr(vals)
            rows.append({"Task": task, "Metric": name, "Value": mean, "Stderr": se, "N": len(vals),
                         "Source": "pharos-evaluator"})
    for row in rows:
        thr = suite["thresholds"].get(f"{row['Task']}/{row['Metric']}")
        row["Threshold"] = float(thr) if thr is not None else None
    return {"metrics": rows, "samples": sample_rows, "lm_eval": raw.get("results", {}),
            "seconds": round(time.monotonic() - t0, 1)}


def copy_suite_assets(dest: Path) -> None:  # for users: `pharos sandbox eval --init DIR` style helper
    shutil.copytree(SHIPPED_TASKS, dest / "tasks", dirs_exist_ok=True)
    shutil.copytree(SHIPPED_SUITES, dest / "suites", dirs_exist_ok=True)
