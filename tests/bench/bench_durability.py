"""Durability benchmark for `pharos serve` (not part of the test run).

    python tests/bench/bench_durability.py [--spans 300000] [--senders 16] [--rounds 2] [--soak-seconds 600]

1. Cost of durability: the same ingest (OTLP/HTTP protobuf requests of --batch LLM spans from --senders
   processes, clock stopped when every span is queryable) against a fresh server with the default
   `--wal-fsync always` and with `--wal-fsync off`, alternated for --rounds rounds. Prints spans/s of each
   and the ratio (goal: durability costs under 20% of ingest throughput).
2. Soak: --soak-seconds at half the best `always` rate measured in step 1, paced; prints the server's RSS
   at the start and the end (and its peak), the error count, and the write-ahead-log backlog at the end
   (must be 0) and checks that every span sent is stored.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from bench_ingest import make_payload, peak_rss_mib, send_all  # noqa: E402

from pharos_testing import PharosProcess  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ingest_rate(payloads: list[bytes], batch: int, senders: int, fsync: str) -> float:
    tmp = Path(tempfile.mkdtemp(prefix="pharos-durability-"))
    server = PharosProcess(tmp / "data", env={"PHAROS_EVAL_ENABLED": "false"}, console_port=0,
                           args=["--wal-fsync", fsync]).start()
    try:
        total = len(payloads) * batch
        t0 = time.perf_counter()
        send_all(f"{server.otlp_http}/v1/traces", payloads, senders, set())
        got = server.wait_for_rows("SELECT count() FROM otel_traces", total, timeout=600, interval=0.5)
        assert got == total, f"only {got} of {total} spans stored"
        return total / (time.perf_counter() - t0)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def soak(payloads: list[bytes], batch: int, rate: float, seconds: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pharos-soak-"))
    server = PharosProcess(tmp / "data", env={"PHAROS_EVAL_ENABLED": "false"}, console_port=0).start()
    try:
        pid = server.proc.pid
        url = f"{server.otlp_http}/v1/traces"
        interval = batch / rate
        sent = errors = 0
        samples = [rss_mib(pid)]
        print(f"soak: {rate:,.0f} spans/s for {seconds:.0f}s; RSS at start {samples[0]:,.0f} MiB", flush=True)
        t0 = next_sample = time.perf_counter()
        with httpx.Client(timeout=30) as client:
            i = 0
            while (now := time.perf_counter()) - t0 < seconds:
                due = t0 + i * interval
                if due > now:
                    time.sleep(due - now)
                r = client.post(url, content=payloads[i % len(payloads)],
                                headers={"Content-Type": "application/x-protobuf"})
                if r.status_code == 200:
                    sent += batch
                else:
                    errors += 1
                i += 1
                if time.perf_counter() >= next_sample:
                    samples.append(rss_mib(pid))
                    next_sample += 60
                    print(f"  {time.perf_counter() - t0:5.0f}s  RSS {samples[-1]:,.0f} MiB  sent {sent:,}  "
                          f"errors {errors}", flush=True)
        achieved = sent / (time.perf_counter() - t0)
        deadline = time.monotonic() + 120
        while httpx.get(f"{server.otlp_http}/readyz").json()["backlog_bytes"] and time.monotonic() < deadline:
            time.sleep(0.5)
        ready = httpx.get(f"{server.otlp_http}/readyz").json()
        stored = server.wait_for_rows("SELECT count() FROM otel_traces", sent, timeout=120)
        samples.append(rss_mib(pid))
        print(f"soak: achieved {achieved:,.0f} spans/s; RSS start {samples[0]:,.0f} MiB, end {samples[-1]:,.0f} MiB, "
              f"peak {peak_rss_mib(pid):,.0f} MiB; errors {errors}; write failures {ready['write_failures']}; "
              f"WAL backlog at the end {ready['backlog_bytes']} bytes; stored {stored:,} of {sent:,}")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=300_000)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--senders", type=int, default=16, help="concurrent exporters (a collector serves many)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--soak-seconds", type=float, default=600)
    args = ap.parse_args()

    rng = random.Random(7)
    now_ns = time.time_ns()
    n_req = args.spans // args.batch
    distinct = [make_payload(args.batch, rng, now_ns) for _ in range(min(n_req, 200))]
    payloads = [distinct[i % len(distinct)] for i in range(n_req)]
    rates: dict[str, list[float]] = {"always": [], "off": []}
    for r in range(args.rounds):
        for policy in (("always", "off") if r % 2 == 0 else ("off", "always")):
            rates[policy].append(ingest_rate(payloads, args.batch, args.senders, policy))
            print(f"round {r + 1}: --wal-fsync {policy:<6} {rates[policy][-1]:10,.0f} spans/s", flush=True)
    best = {k: max(v) for k, v in rates.items()}
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"durability cost (best of {args.rounds}): always/off = {best['always'] / best['off']:.3f} "
          f"(median {med['always'] / med['off']:.3f}); goal >= 0.80")
    if args.soak_seconds > 0:
        soak(distinct, args.batch, best["always"] / 2, args.soak_seconds)


if __name__ == "__main__":
    main()
