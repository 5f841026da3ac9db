"""Ingest and query benchmark for `pharos serve` (not part of the test run).

    python tests/bench/bench_ingest.py [--spans 1000000] [--batch 512] [--senders 4] [--cores 0]

1. Builds OTLP/HTTP protobuf requests of --batch LLM spans (15 gen_ai attributes each, timestamps
   spread over the last hour) and measures the baseline: parsing the same payloads alone in Python.
2. Starts `pharos serve` (pinned to --cores with taskset when available) and posts every request
   from a separate process; the clock stops when all spans are queryable through the SQL endpoint.
   Prints spans/s persisted, spans per second of server CPU time (one core's capacity, robust to a
   busy machine), the ratio to parse-only speed, and the server's peak RSS.
3. With the spans stored, times a dashboard query (latency quantiles by model per minute, last
   hour) through the SQL endpoint: p50/p95 of --query-runs runs, and the same over SpanAttributes
   map lookups as a ratio (what the MATERIALIZED columns buy).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402

from pharos_testing import PharosProcess  # noqa: E402

MODELS = ["gpt-4o", "gpt-4o-mini", "llama-3.1-8b", "qwen2.5-7b", "mistral-7b"]


def make_payload(n: int, rng: random.Random, now_ns: int) -> bytes:
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    for k, v in (("service.name", f"svc-{rng.randrange(4)}"), ("deployment.environment.name", "prod")):
        kv = rs.resource.attributes.add()
        kv.key, kv.value.string_value = k, v
    ss = rs.scope_spans.add()
    ss.scope.name, ss.scope.version = "pharos.sdk", "0.1.0"
    for _ in range(n):
        s = ss.spans.add()
        model = rng.choice(MODELS)
        s.trace_id, s.span_id = rng.randbytes(16), rng.randbytes(8)
        s.name, s.kind = f"chat {model}", 3
        s.start_time_unix_nano = now_ns - rng.randrange(3_600 * 10**9)
        s.end_time_unix_nano = s.start_time_unix_nano + rng.randrange(50_000_000, 5_000_000_000)
        strings = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model,
                   "gen_ai.response.model": model, "gen_ai.response.id": f"chatcmpl-{rng.getrandbits(48):x}",
                   "server.address": "api.example.com", "gen_ai.conversation.id": f"c{rng.randrange(10**6)}"}
        ints = {"gen_ai.usage.input_tokens": rng.randrange(10, 4000), "gen_ai.usage.output_tokens": rng.randrange(1, 800),
                "server.port": 443, "gen_ai.request.max_tokens": 1024}
        floats = {"gen_ai.request.temperature": 0.7, "gen_ai.response.time_to_first_chunk": rng.random(),
                  "pharos.cost.usd": rng.random() / 100}
        for k, v in strings.items():
            a = s.attributes.add(); a.key = k; a.value.string_value = v  # noqa: E702
        for k, v in ints.items():
            a = s.attributes.add(); a.key = k; a.value.int_value = v  # noqa: E702
        for k, v in floats.items():
            a = s.attributes.add(); a.key = k; a.value.double_value = v  # noqa: E702
        a = s.attributes.add(); a.key = "gen_ai.response.finish_reasons"  # noqa: E702
        a.value.array_value.values.add().string_value = "stop"
        s.status.code = 1 if rng.random() > 0.02 else 2
    return req.SerializeToString()


def _sender(url: str, payloads: list[bytes], errors, cpus: set[int]) -> None:
    import httpx

    if cpus:
        os.sched_setaffinity(0, cpus)  # keep the load generator off the server's core

    with httpx.Client(timeout=60) as client:
        for body in payloads:
            while True:
                r = client.post(url, content=body, headers={"Content-Type": "application/x-protobuf"})
                if r.status_code == 200:
                    break
                if r.status_code != 503:
                    errors.put(f"{r.status_code} {r.text[:200]}")
                    return
                time.sleep(float(r.headers.get("Retry-After", "1")))


def send_all(url: str, payloads: list[bytes], senders: int, cpus: set[int]) -> None:
    """Post every payload from ``senders`` processes (retrying 503s); returns when all are acknowledged."""
    errors: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_sender, args=(url, payloads[i::senders], errors, cpus)) for i in range(senders)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    if not errors.empty():
        raise SystemExit(f"sender failed: {errors.get()}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (robust to a busy machine, unlike wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--cores", default="0", help="CPU list for `pharos serve` (taskset); '' = no pinning")
    ap.add_argument("--query-runs", type=int, default=20)
    ap.add_argument("--server-args", default="", help="extra `pharos serve` flags, e.g. '--batch-max-spans 50000'")
    ap.add_argument("--with-evaluators", action="store_true", help="keep the online evaluators on in the server")
    args = ap.parse_args()

    rng = random.Random(7)
    now_ns = time.time_ns()
    n_req = args.spans // args.batch
    print(f"building {n_req} requests of {args.batch} LLM spans ...", flush=True)
    distinct = [make_payload(args.batch, rng, now_ns) for _ in range(min(n_req, 200))]
    payloads = [distinct[i % len(distinct)] for i in range(n_req)]
    total = n_req * args.batch

    t0 = time.perf_counter()
    for body in payloads:
        ExportTraceServiceRequest().ParseFromString(body)
    parse_rate = total / (time.perf_counter() - t0)
    print(f"baseline: parsing alone in Python (upb)   {parse_rate:12,.0f} spans/s")

    tmp = Path(tempfile.mkdtemp(prefix="pharos-bench-"))
    env = {} if args.with_evaluators else {"PHAROS_EVAL_ENABLED": "false"}  # ingest alone, unless asked
    server = PharosProcess(tmp / "data", args=args.server_args.split(), env=env)
    if args.cores and shutil.which("taskset"):
        real_start = server.start

        def pinned_start(timeout: float = 60):
            import subprocess

            orig = subprocess.Popen

            def popen(cmd, *a, **kw):
                return orig(["taskset", "-c", args.cores, *cmd], *a, **kw)

            subprocess.Popen = popen
            try:
                return real_start(timeout)
            finally:
                subprocess.Popen = orig

        server.start = pinned_start
    server.start()
    try:
        server_cpus = {int(c) for c in args.cores.split(",")} if args.cores else set()
        sender_cpus = (set(os.sched_getaffinity(0)) - server_cpus) or set(os.sched_getaffinity(0))
        cpu0 = cpu_seconds(server.proc.pid)
        t0 = time.perf_counter()
        send_all(f"{server.otlp_http}/v1/traces", payloads, args.senders, sender_cpus)
        sent_s = time.perf_counter() - t0
        got = server.wait_for_rows("SELECT count() FROM otel_traces", total, timeout=600, interval=0.5)
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds(server.proc.pid) - cpu0
        assert got == total, f"only {got} of {total} spans stored"
        rate = total / elapsed
        pin = (f"pinned to CPU {args.cores}" if args.cores else "unpinned") + f" {args.server_args}".rstrip()
        print(f"pharos serve ({pin}): {total:,} spans acknowledged in {sent_s:.1f}s, all queryable after "
              f"{elapsed:.1f}s")
        print(f"persisted                                 {rate:12,.0f} spans/s  "
              f"(ratio to parse-only: {rate / parse_rate:.3f})")
        print(f"per second of server CPU time             {total / cpu:12,.0f} spans/CPU-s  "
              f"(one core's capacity, whatever else runs on the machine)")
        print(f"server peak RSS                           {peak_rss_mib(server.proc.pid):12,.0f} MiB")

        client = server.sql_client()
        queries = {
            "materialized columns": """
                SELECT toStartOfMinute(Timestamp) AS t, GenAIRequestModel AS model,
                       quantiles(0.5, 0.95, 0.99)(Duration / 1e6) AS ms, count() AS n
                FROM otel_traces WHERE Timestamp >= now() - INTERVAL 1 HOUR AND GenAIOperationName = 'chat'
                GROUP BY t, model ORDER BY t, model""",
            "map lookups": """
                SELECT toStartOfMinute(Timestamp) AS t, SpanAttributes['gen_ai.request.model'] AS model,
                       quantiles(0.5, 0.95, 0.99)(Duration / 1e6) AS ms, count() AS n
                FROM otel_traces WHERE Timestamp >= now() - INTERVAL 1 HOUR
                  AND SpanAttributes['gen_ai.operation.name'] = 'chat'
                GROUP BY t, model ORDER BY t, model""",
        }
        timings = {}
        for name, sql in queries.items():
            runs = []
            for _ in range(args.query_runs):
                t = time.perf_counter()
                rows = client.query(sql).result_rows
                runs.append((time.perf_counter() - t) * 1000)
            timings[name] = runs
            q = statistics.quantiles(runs, n=20)
            print(f"query, {name:<21} p50 {statistics.median(runs):7.1f} ms  p95 {q[18]:7.1f} ms  "
                  f"({len(rows)} rows over {total:,} spans)")
        ratio = statistics.median(timings["map lookups"]) / statistics.median(timings["materialized columns"])
        print(f"map lookups / materialized columns (p50)  {ratio:12.1f}x")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
