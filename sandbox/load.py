"""``pharos sandbox load``: open-loop (Poisson or constant arrivals) or closed-loop (fixed concurrency)
load against an OpenAI-compatible server, every request through the Pharos SDK (traced like
production, each span tagged ``pharos.sandbox.run_id``).

Per request, measured on the client from the stream (the way ``vllm bench serve`` measures):
TTFT = first content chunk - send; ITL = gaps between content chunks; TPOT = (E2E - TTFT) / (output
tokens - 1); E2E = last byte - send. Output tokens come from the usage of the last chunk
(``stream_options.include_usage``). Run metrics: mean/median/p90/p99 of each, request and output
throughput (completed / wall time from first send to last finish), achieved arrival rate
((n - 1) / (last send - first send)) against the target, errors.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pharos.sandbox.runtime import DATA

__all__ = ["LoadConfig", "RequestResult", "run_load", "summarize", "load_prompts", "SHIPPED_PROMPT_SETS"]

SHIPPED_PROMPT_SETS = {p.stem: p for p in sorted((DATA / "prompts").glob("*.jsonl"))}


@dataclass
class LoadConfig:
    base_url: str
    model: str
    mode: str = "open"  # open | closed
    arrival: str = "poisson"  # poisson | constant (open loop)
    rate: float = 1.0  # requests/s (open loop)
    concurrency: int = 0  # closed loop: workers; open loop: cap on in-flight requests (0 = none)
    duration_s: float = 0.0  # stop issuing after this long (0: use num_requests)
    num_requests: int = 0  # stop after this many (0: use duration)
    prompts: str = "chat"  # shipped set name, a JSONL path, or random:IN (random prompts of ~IN tokens)
    max_tokens: int = 32
    ignore_eos: bool = True
    stream: bool = True
    api: str = "completions"  # completions | chat
    seed: int = 0
    timeout_s: float = 120.0


@dataclass
class RequestResult:
    start: float
    ok: bool
    ttft: float | None = None
    e2el: float = 0.0
    itl: list[float] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    error: str = ""

    @property
    def tpot(self) -> float | None:
        if not self.ok or self.ttft is None or self.output_tokens < 2:
            return None
        return (self.e2el - self.ttft) / (self.output_tokens - 1)


_WORDS = ("the model answers a short question about time space light water cities rivers people music data "
          "systems trains planets colors numbers animals food weather history language code tests").split()


def load_prompts(spec: str, seed: int = 0) -> list[str]:
    if spec.startswith("random:"):
        n_words = int(spec.split(":", 1)[1])
        rng = random.Random(seed)
        return [" ".join(rng.choice(_WORDS) for _ in range(n_words)) for _ in range(256)]
    path = SHIPPED_PROMPT_SETS.get(spec) or Path(spec)
    prompts = []
    for line in Path(path).read_text().splitlines():
        if line.strip():
            obj = json.loads(line)
            prompts.append(obj["prompt"] if isinstance(obj, dict) else str(obj))
    if not prompts:
        raise ValueError(f"no prompts in {path}")
    return prompts


def _arrivals(cfg: LoadConfig, rng: random.Random):
    """Offsets (s) from the start at which open-loop requests are sent."""
    t = 0.0
    i = 0
    while True:
        if cfg.num_requests and i >= cfg.num_requests:
            return
        if cfg.duration_s and t >= cfg.duration_s:
            return
        yield t
        i += 1
        t += rng.expovariate(cfg.rate) if cfg.arrival == "poisson" else 1.0 / cfg.rate


async def _one(client, cfg: LoadConfig, prompt: str) -> RequestResult:
    extra: dict[str, Any] = {"ignore_eos": True} if cfg.ignore_eos else {}
    start = time.perf_counter()
    res = RequestResult(start=start, ok=False)
    try:
        if cfg.api == "chat":
            kwargs = dict(model=cfg.model, messages=[{"role": "user", "content": prompt}], max_tokens=cfg.max_tokens,
                          temperature=0.0, extra_body=extra)
            create = client.chat.completions.create
        else:
            kwargs = dict(model=cfg.model, prompt=prompt, max_tokens=cfg.max_tokens, temperature=0.0, extra_body=extra)
            create = client.completions.create
        if cfg.stream:
            stream = await create(**kwargs, stream=True, stream_options={"include_usage": True})
            last = start
            async for chunk in stream:
                now = time.perf_counter()
                text = ""
                if chunk.choices:
                    c = chunk.choices[0]
                    text = (c.delta.content or "") if cfg.api == "chat" else (c.text or "")
                if text:
                    if res.ttft is None:
                        res.ttft = now - start
                    else:
                        res.itl.append(now - last)
                    last = now
                if getattr(chunk, "usage", None):
                    res.input_tokens = chunk.usage.prompt_tokens or 0
                    res.output_tokens = chunk.usage.completion_tokens or 0
        else:
            resp = await create(**kwargs)
            res.ttft = time.perf_counter() - start
            if resp.usage:
                res.input_tokens, res.output_tokens = resp.usage.prompt_tokens, resp.usage.completion_tokens
        res.e2el = time.perf_counter() - start
        res.ok = True
    except Exception as exc:  # counted as a failed request; the SDK marks its span as an error
        res.e2el = time.perf_counter() - start
        res.error = f"{type(exc).__name__}: {exc}"[:300]
    return res


async def _run(cfg: LoadConfig, run_id: str, progress: bool) -> tuple[list[RequestResult], float, float]:
    import openai
    from tqdm import tqdm

    import pharos
    from pharos.sandbox.schema import RUN_ID_ATTR

    prompts = load_prompts(cfg.prompts, cfg.seed)
    rng = random.Random(cfg.seed)
    order = [rng.randrange(len(prompts)) for _ in range(100_000)]
    client = openai.AsyncOpenAI(base_url=cfg.base_url, api_key="sandbox", timeout=cfg.timeout_s, max_retries=0)
    results: list[RequestResult] = []
    total = cfg.num_requests or None
    bar = tqdm(total=total, desc=f"load {run_id}", unit="req", disable=not progress)
    sem = asyncio.Semaphore(cfg.concurrency) if cfg.concurrency > 0 else None

    async def guarded(prompt: str) -> None:
        if sem:
            async with sem:
                r = await _one(client, cfg, prompt)
        else:
            r = await _one(client, cfg, prompt)
        results.append(r)
        bar.update(1)
        if not r.ok:
            bar.set_postfix(errors=sum(1 for x in results if not x.ok))

    # like `vllm bench serve`: one untimed request first (connection set-up, lazy imports), outside the run's
    # session so the run's traces are exactly its timed requests
    warm = await _one(client, cfg, prompts[0])
    if not warm.ok:
        bar.write(f"warm-up request failed: {warm.error}")
    with pharos.session(**{RUN_ID_ATTR: run_id}):
        t0 = time.perf_counter()
        tasks: list[asyncio.Task] = []
        if cfg.mode == "closed":
            counter = {"n": 0}

            async def worker() -> None:
                while True:
                    if cfg.num_requests and counter["n"] >= cfg.num_requests:
                        return
                    if cfg.duration_s and time.perf_counter() - t0 >= cfg.duration_s:
                        return
                    i = counter["n"]
                    counter["n"] += 1
                    r = await _one(client, cfg, prompts[order[i % len(order)]])
                    results.append(r)
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(max(cfg.concurrency, 1))))
        else:
            for i, offset in enumerate(_arrivals(cfg, rng)):
                delay = t0 + offset - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(guarded(prompts[order[i % len(order)]])))
            await asyncio.gather(*tasks)
        t_end = time.perf_counter()
    bar.close()
    await client.close()
    return results, t0, t_end


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _stats(prefix: str, values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {f"Mean{prefix}Ms": float(np.mean(ms)) if ms else float("nan"), f"Median{prefix}Ms": _pct(ms, 50),
            f"P90{prefix}Ms": _pct(ms, 90), f"P99{prefix}Ms": _pct(ms, 99)}


def summarize(cfg: LoadConfig, results: list[RequestResult], t0: float, t_end: float) -> dict[str, Any]:
    ok = [r for r in results if r.ok]
    starts = sorted(r.start for r in results)
    achieved = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 and starts[-1] > starts[0] else float("nan")
    wall = max(t_end - t0, 1e-9)
    out_tokens = sum(r.output_tokens for r in ok)
    rec: dict[str, Any] = {
        "Mode": cfg.mode, "Arrival": cfg.arrival if cfg.mode == "open" else "closed", "PromptSet": cfg.prompts,
        "Stream": int(cfg.stream), "MaxTokens": cfg.max_tokens,
        "RequestRate": cfg.rate if cfg.mode == "open" else 0.0, "Concurrency": cfg.concurrency,
        "DurationS": wall, "Requested": len(results), "Completed": len(ok), "Failed": len(results) - len(ok),
        "AchievedRate": achieved, "RequestThroughput": len(ok) / wall, "OutputThroughput": out_tokens / wall,
        "InputTokens": sum(r.input_tokens for r in ok), "OutputTokens": out_tokens,
    }
    rec.update(_stats("Ttft", [r.ttft for r in ok if r.ttft is not None]))
    rec.update(_stats("Tpot", [r.tpot for r in ok if r.tpot is not None]))
    rec.update(_stats("Itl", [x for r in ok for x in r.itl]))
    rec.update(_stats("E2el", [r.e2el for r in ok]))
    return rec


def bootstrap_stderr(results: list[RequestResult], seed: int = 0, n_boot: int = 200) -> dict[str, float]:
    """Standard errors of the latency statistics (bootstrap over requests), for compare's verdicts."""
    ok = [r for r in results if r.ok]
    if len(ok) < 3:
        return {}
    rng = np.random.default_rng(seed)
    series = {"Ttft": np.array([r.ttft or 0.0 for r in ok]) * 1000, "E2el": np.array([r.e2el for r in ok]) * 1000,
              "Tpot": np.array([r.tpot if r.tpot is not None else np.nan for r in ok]) * 1000}
    out: dict[str, float] = {}
    idx = rng.integers(0, len(ok), size=(n_boot, len(ok)))
    for name, arr in series.items():
        samples = arr[idx]
        for stat, fn in (("Mean", lambda a: np.nanmean(a, axis=1)), ("Median", lambda a: np.nanpercentile(a, 50, axis=1)),
                         ("P90", lambda a: np.nanpercentile(a, 90, axis=1)), ("P99", lambda a: np.nanpercentile(a, 99, axis=1))):
            with np.errstate(all="ignore"):
                vals = fn(samples)
            out[f"{stat}{name}Ms"] = float(np.nanstd(vals)) if np.isfinite(vals).any() else float("nan")
    return out


def run_load(cfg: LoadConfig, run_id: str, *, progress: bool = True) -> tuple[dict[str, Any], list[RequestResult]]:
    """Run one load run; returns (record, per-request results). The SDK must already be initialised."""
    if not cfg.duration_s and not cfg.num_requests:
        raise ValueError("give a duration or a number of requests")
    if cfg.mode == "open" and cfg.rate <= 0:
        raise ValueError("open-loop load needs a rate > 0")
    import logging

    for name in ("httpx", "httpx2", "openai"):  # a log line per request costs the client more than the request
        logging.getLogger(name).setLevel(logging.WARNING)
    started = time.time()
    results, t0, t_end = asyncio.run(_run(cfg, run_id, progress))
    rec = summarize(cfg, results, t0, t_end)
    rec.update({"RunId": run_id, "Timestamp": started, "BaseUrl": cfg.base_url, "Model": cfg.model})
    rec["_stderr"] = bootstrap_stderr(results, cfg.seed)
    rec["_errors"] = sorted({r.error for r in results if r.error})[:10]
    rec["_config"] = asdict(cfg)
    return rec, results


def is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)
