"""Cost of the attribute limits on the OTLP decode hot path (not part of the test run).

    python tests/bench/bench_decode.py [--spans 1000] [--rounds 40]

Decodes the same typical request (bench_ingest's LLM spans: 15 gen_ai attributes each) with the
default limits and with limits too large to ever apply (the limits pass returns at once), alternating
the two so that a noisy machine slows both alike, and prints the median time of each and their ratio.
A request with a giant value is timed too (that one is walked and re-serialized).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import make_payload  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402

from pharos.collector.limits import DEFAULT_LIMITS, AttributeLimits  # noqa: E402
from pharos.collector.otlp import decode_message  # noqa: E402

OFF = AttributeLimits(max_value_bytes=2**62, max_attributes=2**62)


def _time(raw: bytes, limits: AttributeLimits, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        decode_message("traces", raw, limits=limits)
    return (time.perf_counter() - start) / repeat * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    raw = make_payload(args.spans, random.Random(1), 1_760_000_000_000_000_000)
    assert decode_message("traces", raw).payload is raw  # nothing to cut: the original bytes are kept
    giant = ExportTraceServiceRequest.FromString(raw)
    kv = giant.resource_spans[0].scope_spans[0].spans[0].attributes.add()
    kv.key, kv.value.string_value = "gen_ai.input.messages", "x" * 200_000
    giant_raw = giant.SerializeToString()
    repeat = max(1, 20_000 // args.spans)
    times: dict[str, list[float]] = {"off": [], "default": [], "giant off": [], "giant default": []}
    for _ in range(args.rounds):
        times["off"].append(_time(raw, OFF, repeat))
        times["default"].append(_time(raw, DEFAULT_LIMITS, repeat))
        times["giant off"].append(_time(giant_raw, OFF, repeat))
        times["giant default"].append(_time(giant_raw, DEFAULT_LIMITS, repeat))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.spans} spans, {len(raw)} bytes per request")
    print(f"  decode, limits off:      {med['off']:.3f} ms")
    print(f"  decode, default limits:  {med['default']:.3f} ms   ratio {med['default'] / med['off']:.3f}")
    print(f"  with one 200 KB value:   {med['giant off']:.3f} ms -> {med['giant default']:.3f} ms "
          f"(walked and re-serialized; ratio {med['giant default'] / med['giant off']:.2f})")


if __name__ == "__main__":
    main()
