"""``pharos sandbox make-model|serve|load|eval|compare`` (heavy imports happen inside the commands)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pharos._config import add_options, from_args

__all__ = ["register"]


def register(subparsers) -> None:
    from pharos.sandbox.settings import SandboxSettings

    p = subparsers.add_parser("sandbox", help="vLLM sandbox: serve a model, generate load, run regression evals.",
                              description="vLLM sandbox: serve a model, generate load, run regression evals.")
    sub = p.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    mm = sub.add_parser("make-model", help="build the tiny local model (deterministic given --seed)")
    mm.add_argument("dir", help="output folder")
    mm.add_argument("--steps", type=int, default=300, help="training steps on the shipped Q/A set (default 300)")
    mm.add_argument("--qa", default=None, help="Q/A JSONL ({question, answer}) to train on (default: shipped set)")
    add_options(mm, SandboxSettings)
    mm.set_defaults(func=_make_model)

    sv = sub.add_parser("serve", help="run vLLM, print its OpenAI base URL, scrape /metrics into the store")
    sv.add_argument("model", help="model folder (or a hub name on a machine that has it cached)")
    sv.add_argument("--served-model-name", default=None, help="name clients use (default: the folder name)")
    sv.add_argument("--log-file", default=None, help="vLLM's output (default: RESULTS_DIR/vllm-PORT.log)")
    add_options(sv, SandboxSettings)
    sv.set_defaults(func=_serve)

    ld = sub.add_parser("load", help="open- or closed-loop load through the Pharos SDK; a stored load run")
    ld.add_argument("--mode", choices=["open", "closed"], default="open", help="open loop (rate) or closed loop (concurrency)")
    ld.add_argument("--arrival", choices=["poisson", "constant"], default="poisson", help="open-loop arrivals")
    ld.add_argument("--rate", type=float, default=1.0, help="target requests/s (open loop)")
    ld.add_argument("--concurrency", type=int, default=0, help="closed-loop workers; open loop: in-flight cap (0 none)")
    ld.add_argument("--duration", type=float, default=0.0, help="seconds to issue requests")
    ld.add_argument("--requests", type=int, default=0, help="number of requests (instead of or with --duration)")
    ld.add_argument("--prompts", default="chat", help="shipped set (chat, qa), a JSONL file of {prompt}, or random:N words")
    ld.add_argument("--max-tokens", type=int, default=32, help="max output tokens per request")
    ld.add_argument("--no-ignore-eos", dest="ignore_eos", action="store_false", help="let requests stop at EOS")
    ld.add_argument("--no-stream", dest="stream", action="store_false", help="non-streaming requests")
    ld.add_argument("--api", choices=["completions", "chat"], default="completions")
    ld.add_argument("--sweep", default="", help="comma-separated rates (open) or concurrencies (closed): one run each + a curve")
    ld.add_argument("--baseline", default=None, help="load run (id or JSON) to compare with; non-zero exit on regression")
    ld.add_argument("--direct-store", action="store_true",
                    help="write run records straight into the store (PHAROS_DATA_DIR / PHAROS_CLICKHOUSE_URL) "
                         "instead of through the running pharos serve")
    add_options(ld, SandboxSettings)
    ld.set_defaults(func=_load)

    ev = sub.add_parser("eval", help="run an eval suite (lm-eval tasks + Pharos evaluators); a stored eval run")
    ev.add_argument("suite", help="suite YAML (or the name of a shipped suite: qa)")
    ev.add_argument("--tokenizer", default=None, help="tokenizer folder for lm-eval (default: the served model's folder)")
    ev.add_argument("--baseline", default=None, help="eval run (id or JSON) to compare with; non-zero exit on regression")
    ev.add_argument("--direct-store", action="store_true", help="write records straight into the store (see load)")
    add_options(ev, SandboxSettings)
    ev.set_defaults(func=_eval)

    cp = sub.add_parser("compare", help="regression verdict of a run against a baseline (eval or load); HTML report")
    cp.add_argument("run", help="run id (looked up in RESULTS_DIR/runs) or a run JSON file")
    cp.add_argument("--baseline", required=True, help="baseline run id or JSON file")
    cp.add_argument("--report", default=None, help="HTML report path (default RESULTS_DIR/reports/RUN-vs-BASELINE.html)")
    cp.add_argument("--z", type=float, default=1.96, help="stderr multiple that counts as significant (default 1.96)")
    cp.add_argument("--rel-tol", type=float, default=0.10, help="load runs: relative tolerance (default 0.10)")
    add_options(cp, SandboxSettings)
    cp.set_defaults(func=_compare)


# ---------------------------------------------------------------- helpers

def _settings(args):
    from pharos.sandbox.settings import SandboxSettings

    return from_args(SandboxSettings, args)


def _runs_dir(settings) -> Path:
    return Path(settings.results_dir) / "runs"


def find_run(ref: str, settings) -> dict[str, Any]:
    from pharos.sandbox.records import load_json

    p = Path(ref)
    if p.is_file():
        return load_json(p)
    candidate = _runs_dir(settings) / f"{ref}.json"
    if candidate.is_file():
        return load_json(candidate)
    raise SystemExit(f"pharos sandbox: no run {ref!r} (not a file, not in {_runs_dir(settings)})")


def _served_model(settings) -> tuple[str, str | None, str]:
    """(model name, local model folder or None, revision) from the server's /v1/models."""
    import json

    import httpx

    data = httpx.get(settings.base_url.rstrip("/") + "/models", timeout=10).json()["data"]
    entry = next((d for d in data if d["id"] == settings.model), None) if settings.model else data[0]
    if entry is None:
        raise SystemExit(f"model {settings.model!r} not served at {settings.base_url}")
    root = entry.get("root") or ""
    folder = root if root and Path(root).is_dir() else None
    revision = settings.revision
    if not revision and folder and (Path(folder) / "pharos_model.json").exists():
        revision = json.loads((Path(folder) / "pharos_model.json").read_text()).get("revision", "")
    return entry["id"], folder, revision


def _sink(args, settings):
    from pharos.sandbox.records import RecordSink

    if getattr(args, "direct_store", False):
        from pharos.collector.settings import StoreSettings
        from pharos.collector.store import Store, migrate

        store = Store(StoreSettings())
        migrate(store)
        return RecordSink(store=store)
    return RecordSink(endpoint=settings.collector_endpoint)


def _send(sink, kind: str, records: list[dict[str, Any]]) -> None:
    try:
        sink.send(kind, records)
    except ConnectionError as exc:
        print(f"warning: {kind} records not stored: {exc}", file=sys.stderr)


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


# ---------------------------------------------------------------- commands

def _make_model(args) -> int:
    from pharos.sandbox.runtime import make_model

    s = _settings(args)
    info = make_model(args.dir, steps=args.steps, seed=s.seed, qa=args.qa, settings=s)
    print(f"model written to {args.dir} (revision {info['revision']}, final loss {info['final_loss']:.3f})")
    return 0


def _serve(args) -> int:
    import signal
    import threading

    from pharos.sandbox.serve import VllmServer

    s = _settings(args)
    log_file = args.log_file or str(Path(s.results_dir) / f"vllm-{s.vllm_port}.log")
    server = VllmServer(args.model, s, log_path=log_file, served_name=args.served_model_name)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    try:
        server.wait_ready(progress=sys.stderr.isatty())
        scraper = server.start_scraper()
        print(f"vLLM ready: model {server.served_name} at {server.base_url}", flush=True)
        print(f"OPENAI_BASE_URL={server.base_url}", flush=True)
        if scraper:
            print(f"scraping {server.root}/metrics every {s.scrape_interval_s:g}s into {s.collector_endpoint}", flush=True)
        while not stop.is_set():
            if server.proc and server.proc.poll() is not None:
                print(f"vLLM exited with {server.proc.returncode}; see {log_file}", file=sys.stderr)
                return 1
            stop.wait(0.5)
    finally:
        rc = server.stop()
        print(f"vLLM stopped ({rc})", flush=True)
    return 0


def _load(args) -> int:
    import pharos
    from pharos.sandbox.load import LoadConfig, run_load
    from pharos.sandbox.records import new_run_id, save_json

    s = _settings(args)
    model, _, revision = _served_model(s)
    pharos.init(endpoint=s.collector_endpoint, service_name="pharos-sandbox-load", capture_content=False,
                metric_export_interval_s=5.0)
    base = dict(base_url=s.base_url, model=model, mode=args.mode, arrival=args.arrival, rate=args.rate,
                concurrency=args.concurrency, duration_s=args.duration, num_requests=args.requests,
                prompts=args.prompts, max_tokens=args.max_tokens, ignore_eos=args.ignore_eos, stream=args.stream,
                api=args.api, seed=s.seed)
    points = [float(x) for x in args.sweep.split(",") if x.strip()] or [None]
    sweep_id = new_run_id("sweep") if len(points) > 1 else ""
    sink = _sink(args, s)
    records = []
    try:
        for point in points:
            cfg = LoadConfig(**base)
            if point is not None:
                if args.mode == "open":
                    cfg.rate = point
                else:
                    cfg.concurrency = int(point)
            run_id = new_run_id("load")
            rec, _ = run_load(cfg, run_id, progress=True)
            rec.update({"Revision": revision, "SweepId": sweep_id})
            pharos.force_flush()
            _send(sink, "load_run", [_public(rec)])
            save_json(_runs_dir(s) / f"{run_id}.json", {"kind": "load", **rec})
            records.append(rec)
            print(_load_line(rec), flush=True)
    finally:
        pharos.shutdown()
    rc = 0
    out_dir = Path(s.results_dir)
    if sweep_id:
        from pharos.sandbox.report import sweep_plot

        png = out_dir / "reports" / f"{sweep_id}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        sweep_plot(records, png)
        save_json(_runs_dir(s) / f"{sweep_id}.json", {"kind": "sweep", "SweepId": sweep_id,
                                                    "runs": [r["RunId"] for r in records]})
        print(f"sweep {sweep_id}: curve {png}")
    if args.baseline:
        rc = _compare_runs({"kind": "load", **records[-1]}, find_run(args.baseline, s), s, None, 1.96, 0.10)
    return rc


def _load_line(rec: dict[str, Any]) -> str:
    return (f"{rec['RunId']}: {rec['Completed']} ok / {rec['Failed']} failed, "
            f"target {rec['RequestRate']:g}/s achieved {rec['AchievedRate']:.3g}/s, "
            f"{rec['RequestThroughput']:.3g} req/s {rec['OutputThroughput']:.3g} tok/s | "
            f"TTFT p50 {rec['MedianTtftMs']:.1f} p99 {rec['P99TtftMs']:.1f} ms | "
            f"TPOT p50 {rec['MedianTpotMs']:.2f} ms | ITL p50 {rec['MedianItlMs']:.2f} ms | "
            f"E2E p50 {rec['MedianE2elMs']:.1f} p99 {rec['P99E2elMs']:.1f} ms")


def _eval(args) -> int:
    import time

    from pharos.sandbox.evals import load_suite, run_eval
    from pharos.sandbox.records import new_run_id, save_json

    s = _settings(args)
    suite = load_suite(args.suite)
    model, folder, revision = _served_model(s)
    run_id = new_run_id("eval")
    started = time.time()
    out = run_eval(suite, base_url=s.base_url, model=model, tokenizer=args.tokenizer or folder,
                   out_dir=Path(s.results_dir) / "evals" / run_id, settings=s, seed=s.seed)
    common = {"RunId": run_id, "Timestamp": started, "Model": model, "Revision": revision, "Suite": suite["name"]}
    run = {"kind": "eval", **common, "metrics": [{**common, **m} for m in out["metrics"]],
           "samples": [{**common, **x} for x in out["samples"]], "lm_eval": out["lm_eval"]}
    baseline = find_run(args.baseline, s) if args.baseline else None
    from pharos.sandbox.compare import compare_eval, failed

    verdicts = compare_eval(run, baseline)
    for m, v in zip(run["metrics"], verdicts):
        m.update({"BaselineRunId": baseline["RunId"] if baseline else "", "BaselineValue": v.baseline,
                  "BaselineStderr": v.baseline_stderr, "Verdict": v.verdict if (baseline or v.verdict == "fail")
                  else ("pass" if m.get("Threshold") is not None else "")})
    save_json(_runs_dir(s) / f"{run_id}.json", run)
    sink = _sink(args, s)
    _send(sink, "eval_metric", run["metrics"])
    _send(sink, "eval_sample", run["samples"])
    for m in run["metrics"]:
        print(f"{run_id} {m['Task']}/{m['Metric']}: {m['Value']:.4g} ± {m['Stderr']:.3g} "
              f"(n={m['N']}){' ' + m['Verdict'] if m['Verdict'] else ''}")
    if baseline:
        return _compare_runs(run, baseline, s, None, 1.96, 0.10)
    return 1 if failed(verdicts) else 0


def _compare(args) -> int:
    s = _settings(args)
    return _compare_runs(find_run(args.run, s), find_run(args.baseline, s), s, args.report, args.z, args.rel_tol)


def _compare_runs(run: dict, baseline: dict, s, report: str | None, z: float, rel_tol: float) -> int:
    from pharos.sandbox.compare import compare_eval, compare_load, failed
    from pharos.sandbox.report import eval_plot, load_plot, render_report

    kind = run.get("kind", "eval")
    if kind != baseline.get("kind", "eval"):
        raise SystemExit(f"cannot compare a {kind} run with a {baseline.get('kind')} run")
    if kind == "eval":
        verdicts = compare_eval(run, baseline, z=z)
        rows = [v.as_dict() for v in verdicts]
        plots = [("eval metrics, run vs baseline", eval_plot(rows, run["RunId"], baseline["RunId"]))]
        extra = {"samples": [x for x in run.get("samples", []) if x.get("Metric") == "exact_match"][:50]}
    else:
        verdicts = compare_load(run, baseline, z=z, rel_tol=rel_tol)
        rows = [v.as_dict() for v in verdicts]
        plots = [("latency percentiles (± bootstrap stderr)", load_plot(run, baseline))]
        extra = {}
    path = Path(report) if report else Path(s.results_dir) / "reports" / f"{run['RunId']}-vs-{baseline['RunId']}.html"
    render_report(path, title=f"{kind} run {run['RunId']} vs {baseline['RunId']}", kind=kind, run=run,
                  baseline=baseline, verdicts=rows, plots=plots, extra=extra)
    bad = failed(verdicts)
    for v in verdicts:
        print(f"{v.verdict:>11}  {v.key}: {v.value:.4g} vs {v.baseline if v.baseline is None else round(v.baseline, 4)}"
              f"{'' if v.bound is None else f' (bound {v.bound:.3g})'}")
    print(f"{'REGRESSION' if bad else 'PASS'}: {len(bad)} of {len(verdicts)} metrics failed; report {path}")
    return 1 if bad else 0
