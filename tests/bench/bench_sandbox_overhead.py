"""Tracing overhead on serving: the same load with and without the Pharos SDK, side by side.

    python tests/bench/bench_sandbox_overhead.py --base-url http://127.0.0.1:8000/v1 [--rate 8 --requests 200]

Needs a running model server (`pharos sandbox serve MODEL`) and, for the traced runs, a collector
(`pharos serve`, or --collector-endpoint). On a small machine run that collector with PHAROS_EVAL_ENABLED=false
(or on another host, as in production): its online evaluators would otherwise score every traced call on the
model server's cores, and the bench would measure them instead of the tracing (2 cores, CPU vLLM: 5.1% loss
with the evaluators next to vLLM, none measurable without). Alternates untraced/traced runs (--pairs) so drift hits both
alike, and prints request/output throughput and p50/p99 TTFT and end-to-end latency per variant, with
the throughput loss of the traced runs. Goal: under 2% throughput loss. With PHAROS_ENABLED=false
`pharos.init()` is a no-op and the openai client is not instrumented: that is the untraced variant.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def one(args, traced: bool, results: str) -> dict:
    env = {**os.environ, "PHAROS_BASE_URL": args.base_url, "PHAROS_RESULTS_DIR": results,
           "PHAROS_COLLECTOR_ENDPOINT": args.collector_endpoint, "PHAROS_ENABLED": "true" if traced else "false"}
    cmd = [sys.executable, "-m", "pharos", "sandbox", "load", "--mode", args.mode, "--rate", str(args.rate),
           "--concurrency", str(args.concurrency), "--requests", str(args.requests), "--max-tokens",
           str(args.max_tokens), "--prompts", args.prompts]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    run_id = [line.split(":")[0] for line in out.splitlines() if line.startswith("load-")][-1]
    return json.load(open(os.path.join(results, "runs", run_id + ".json")))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--collector-endpoint", default="http://127.0.0.1:4318")
    p.add_argument("--mode", default="closed")
    p.add_argument("--rate", type=float, default=8.0)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--prompts", default="chat")
    p.add_argument("--pairs", type=int, default=3)
    args = p.parse_args()
    rows = {"untraced": [], "traced": []}
    with tempfile.TemporaryDirectory() as results:
        for _ in range(args.pairs):
            for name in ("untraced", "traced"):
                rows[name].append(one(args, name == "traced", results))
    cols = ["RequestThroughput", "OutputThroughput", "MedianTtftMs", "P99TtftMs", "MedianE2elMs", "P99E2elMs"]
    print(f"{'variant':<10}" + "".join(f"{c:>20}" for c in cols))
    med = {}
    for name, runs in rows.items():
        med[name] = {c: statistics.median(r[c] for r in runs) for c in cols}
        print(f"{name:<10}" + "".join(f"{med[name][c]:>20.3f}" for c in cols))
    loss = 1 - med["traced"]["RequestThroughput"] / med["untraced"]["RequestThroughput"]
    print(f"throughput loss with tracing: {loss:.2%} (goal < 2%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
