"""``pharos evaluate``: score a JSONL file, follow the store (online worker), backfill, benchmark, status."""

from __future__ import annotations

import argparse

from pharos._config import add_options, from_args

__all__ = ["register"]


def _parse_time(text: str) -> int:
    """ISO date/time (UTC unless it says otherwise) or a relative age like 2h, 3d, 30m -> unix ns."""
    import re
    import time
    from datetime import datetime, timezone

    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if m:
        return time.time_ns() - int(float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)] * 1e9)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1e9)


def _evaluate(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from pharos.evaluators.settings import EvaluatorSettings

    settings = from_args(EvaluatorSettings, args)
    if args.benchmark:
        from pharos.evaluators.offline import benchmark

        benchmark(plot=Path(args.plot) if args.plot else None)
        if args.plot:
            print(f"trade-off plot: {args.plot}")
        return 0
    from pharos.evaluators.engine import Engine
    from pharos.evaluators.registry import build

    if args.file:
        from pharos.evaluators.offline import evaluate_file

        return evaluate_file(Path(args.file), Engine(build(settings)), Path(args.output) if args.output else None)
    if not (args.follow or args.backfill or args.status):
        print("pharos evaluate: give FILE.jsonl, --follow, --backfill --since ..., --status or --benchmark",
              file=sys.stderr)
        return 2
    from pharos.collector.settings import StoreSettings
    from pharos.collector.store import Store, migrate

    store = Store(from_args(StoreSettings, args))
    migrate(store)
    if args.status:
        rows = store.query(f"SELECT Evaluator, EvaluatorVersion, sum(Scored), sum(Failed), sum(Retried), "
                           f"sum(GaveUp), max(BreakerOpen), argMax(LastError, UpdatedAt) "
                           f"FROM {store.schema.table('evaluator_health')} FINAL WHERE Consumer = {{c:String}} "
                           f"GROUP BY 1, 2 ORDER BY 1", {"c": settings.eval_consumer})
        from pharos.evaluators.offline import print_table

        print_table([{"evaluator": r[0], "version": r[1], "scored": r[2], "failed": r[3], "retried": r[4],
                      "gave_up": r[5], "breaker": "open" if r[6] else "closed", "last_error": r[7]} for r in rows])
        return 0
    if args.backfill:
        if not args.since:
            print("pharos evaluate --backfill needs --since", file=sys.stderr)
            return 2
        from pharos.evaluators.offline import backfill

        return backfill(store, Engine(build(settings)), _parse_time(args.since),
                        _parse_time(args.until) if args.until else None)
    from pharos.evaluators.online import Worker

    worker = Worker(store, settings).start()
    try:
        worker.join()
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from pharos.collector.settings import StoreSettings
    from pharos.evaluators.settings import EvaluatorSettings

    p = subparsers.add_parser(
        "evaluate", help="score LLM calls: a JSONL file, or the store (--follow, --backfill)",
        description="Score LLM calls with the configured evaluators. FILE.jsonl: records with input, output and "
                    "optional context; prints a table and writes FILE.scores.jsonl. --follow: run the online "
                    "worker against the store (a ClickHouse server; the embedded store's worker runs inside "
                    "pharos serve). --backfill --since T: (re-)score stored calls, e.g. after a new evaluator "
                    "version. --benchmark: accuracy and speed on the labelled sets.")
    p.add_argument("file", nargs="?", help="JSONL file of records to score")
    p.add_argument("--output", help="where FILE's scores go (default FILE.scores.jsonl)")
    p.add_argument("--follow", action="store_true", help="score new spans in the store as they arrive")
    p.add_argument("--backfill", action="store_true", help="score stored spans from --since to --until")
    p.add_argument("--since", help="backfill start: ISO time (UTC) or an age like 6h, 7d")
    p.add_argument("--until", help="backfill end (default now)")
    p.add_argument("--status", action="store_true", help="print evaluator health (scored, failed, retried)")
    p.add_argument("--benchmark", action="store_true", help="precision/recall/F1/FPR and items/s per evaluator")
    p.add_argument("--plot", metavar="PNG", help="with --benchmark: draw the prompt-injection head's precision, "
                   "recall and false-positive rate against the threshold into this PNG")
    add_options(p, StoreSettings)
    add_options(p, EvaluatorSettings)
    p.set_defaults(func=_evaluate)
