"""Routes of the console (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import ValidationError

from pharos.collector.scores_api import SCORE_COLUMNS, ScoreIn
from pharos.dashboards.console import data, detail, messages
from pharos.dashboards.console import overview as overview_data
from pharos.dashboards.console import runs as run_data
from pharos.dashboards.console.auth import authorize
from pharos.dashboards.console.charts import line_chart

__all__ = ["build_app"]

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
REFRESH_CHOICES = (0, 10, 30, 60)
SCORE_LABELS = ("good", "bad", "flagged", "needs-review")


# ---------------------------------------------------------------------------------------------- formatting
def fmt_num(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return f"{int(v):,}"


def fmt_ms(v: Any) -> str:
    if v is None:
        return "–"
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.0f} ms" if v >= 10 else f"{v:.1f} ms"


def fmt_s(v: Any) -> str:
    return "–" if v is None else fmt_ms(v * 1000)


def fmt_usd(v: Any) -> str:
    if v is None:
        return "–"
    return f"${v:,.2f}" if v >= 1 else f"${v:.4f}" if v >= 0.0001 or v == 0 else f"${v:.2e}"


def fmt_pct(v: Any) -> str:
    return "–" if v is None else f"{100 * v:.1f}%" if v >= 0.001 or v == 0 else f"{100 * v:.3f}%"


def fmt_ts(v: Any) -> str:
    if not v:
        return "–"
    d = dt.datetime.fromtimestamp(v / 1e9, dt.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S") + f".{d.microsecond // 1000:03d}"


def fmt_score(v: Any) -> str:
    return "" if v is None else f"{v:.3g}"


def pretty(value: Any) -> str:
    """Attribute values that hold JSON, indented; anything else as it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), ensure_ascii=False, indent=1)
        except ValueError:
            pass
    return str(value)


def _env() -> Environment:
    env = Environment(loader=PackageLoader("pharos.dashboards.console", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=fmt_num, ms=fmt_ms, secs=fmt_s, usd=fmt_usd, pct=fmt_pct, ts=fmt_ts, score=fmt_score,
                       pretty=pretty)
    env.globals.update(chart=line_chart, ranges=data.RANGES, labels=SCORE_LABELS, refresh_choices=REFRESH_CHOICES)
    return env


# ---------------------------------------------------------------------------------------------- the app
def build_app(store, reader_factory, *, pool_size: int = 4) -> FastAPI:
    readers = data.Readers(reader_factory, size=pool_size)
    env = _env()
    app = FastAPI(title="Pharos console", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(authorize)])
    app.state.readers = readers
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    def page(template: str, request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
        f = ctx.get("f") or data.Filters.parse(request.query_params)
        html = env.get_template(template).render(request=request, f=f, path=request.url.path,
                                                 otlp_hint=_otlp_hint(request), **{k: v for k, v in ctx.items()
                                                                                   if k != "f"})
        return HTMLResponse(html, status_code=status)

    def failed(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("console page %s failed", request.url.path)
        return page("error.html", request, status=500, title="Query failed", message=str(exc)[:2000])

    # ---- overview
    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request):
        f = data.Filters.parse(request.query_params)
        refresh = data._int(request.query_params.get("refresh"), 30, 0, 3600)
        try:
            if not overview_data.any_calls(readers):
                return page("overview.html", request, f=f, empty=True, refresh=refresh, title="Overview")
            ov = overview_data.overview(readers, f)
            opts = ov.pop("choices")  # queried with the overview's numbers, concurrently
        except Exception as exc:
            return failed(request, exc)
        return page("overview.html", request, f=f, empty=False, ov=ov, opts=opts, refresh=refresh, title="Overview")

    # ---- calls
    @app.get("/calls", response_class=HTMLResponse)
    def calls(request: Request):
        f = data.Filters.parse(request.query_params)
        try:
            if not overview_data.any_calls(readers):
                return page("calls.html", request, f=f, empty=True, title="Calls")
            res = data.calls(readers, f)
            opts = overview_data.choices(readers, f)
        except Exception as exc:
            return failed(request, exc)
        return page("calls.html", request, f=f, empty=False, res=res, opts=opts, title="Calls")

    @app.get("/calls/{trace_id}", response_class=HTMLResponse)
    def call(request: Request, trace_id: str):
        trace_id = trace_id.lower()
        if not _TRACE_ID.match(trace_id):
            return page("error.html", request, status=404, title="Not a trace id",
                        message="A trace id is 32 hexadecimal characters.")
        try:
            tr = detail.trace(readers, trace_id)
        except Exception as exc:
            return failed(request, exc)
        if tr is None:
            return page("error.html", request, status=404, title="Trace not found",
                        message=f"No spans with trace id {trace_id} (yet: spans are written within a second "
                                "of arriving).")
        return call_page(request, tr)

    def call_page(request: Request, tr: dict, status: int = 200, error: str = "", form: dict | None = None):
        spans = tr["spans"]
        wanted = request.query_params.get("span", "")
        llm = [s for s in spans if s["operation"] in ("chat", "text_completion", "generate_content", "embeddings")]
        selected = next((s for s in spans if s["span_id"] == wanted), None) or (llm[0] if llm else spans[0])
        names = {s["span_id"]: s["name"] for s in spans}
        return page("call.html", request, status=status, title=f"Call {tr['trace_id'][:8]}", tr=tr,
                    selected=selected, chat=messages.chat(selected["attributes"]), llm=llm or spans, span_names=names,
                    error=error, form=form or {}, added=request.query_params.get("added", ""))

    # ---- scores (the only write): same validation and insert as POST /v1/scores
    def store_scores(scores: list[ScoreIn]) -> None:
        store.insert_rows(store.schema.local_name("scores"), [s.row() for s in scores], SCORE_COLUMNS)

    @app.post("/calls/{trace_id}/scores")
    async def add_score(request: Request, trace_id: str):
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        span_id = form.get("span_id", "")
        value = form.get("value", "").strip()
        try:
            score = ScoreIn(trace_id=trace_id, span_id=span_id, name=form.get("name", "").strip() or "human",
                            value=float(value) if value else None, label=form.get("label", "").strip(),
                            explanation=form.get("explanation", ""), source="human",
                            service_name=form.get("service", "")[:200],
                            attributes={"pharos.console": "1"})
        except (ValidationError, ValueError) as exc:
            msgs = ([e["msg"].removeprefix("Value error, ") for e in exc.errors()] if isinstance(exc, ValidationError)
                    else ["value must be a number"])
            tr = await run_in_threadpool(detail.trace, readers, trace_id.lower()) if _TRACE_ID.match(
                trace_id.lower()) else None
            if tr is None:
                return JSONResponse({"error": "invalid score", "details": msgs}, status_code=400)
            return call_page(request, tr, status=400, error="; ".join(msgs), form=form)
        await run_in_threadpool(store_scores, [score])
        qs = urlencode({"span": span_id, "added": score.score_id}) if span_id else urlencode({"added": score.score_id})
        return RedirectResponse(f"/calls/{score.trace_id}?{qs}#scores", status_code=303)

    @app.post("/api/scores")
    async def api_scores(request: Request):
        """JSON: ``{"scores": [ScoreIn, ...]}`` (source defaults to human), as ``POST /v1/scores``."""
        try:
            body = json.loads(await request.body())
            scores = [ScoreIn.model_validate(s) for s in body["scores"]][:10_000]
            if not scores:
                raise ValueError("no scores")
        except ValidationError as exc:
            return JSONResponse({"error": "invalid scores", "details": [e["msg"] for e in exc.errors()[:20]]},
                                status_code=400)
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": "invalid scores", "details": [str(exc)]}, status_code=400)
        await run_in_threadpool(store_scores, scores)
        return JSONResponse({"accepted": len(scores), "score_ids": [s.score_id for s in scores]})

    # ---- evaluations
    @app.get("/evaluations", response_class=HTMLResponse)
    def evaluations(request: Request):
        f = data.Filters.parse(request.query_params)
        try:
            ev = data.evaluations(readers, f)
        except Exception as exc:
            return failed(request, exc)
        return page("evaluations.html", request, f=f, ev=ev, title="Evaluations")

    # ---- runs
    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request):
        try:
            rs = run_data.runs(readers)
        except Exception as exc:
            return failed(request, exc)
        return page("runs.html", request, rs=rs, title="Runs")

    @app.get("/runs/compare", response_class=HTMLResponse)
    def compare(request: Request):
        a_id, b_id = request.query_params.get("a", ""), request.query_params.get("b", "")
        try:
            a, b = run_data.run(readers, a_id), run_data.run(readers, b_id)
        except Exception as exc:
            return failed(request, exc)
        missing = [i for i, x in ((a_id, a), (b_id, b)) if x is None]
        if missing:
            return page("error.html", request, status=404, title="Run not found",
                        message="No run with id " + ", ".join(repr(m) for m in missing) + ".")
        if a["kind"] != b["kind"]:
            return page("error.html", request, status=400, title="Runs of different kinds",
                        message="Compare a load run with a load run, or an eval run with an eval run.")
        return page("compare.html", request, a=a, b=b, rows=run_data.compare(a, b), title="Compare runs")

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_report(request: Request, run_id: str):
        try:
            rn = run_data.run(readers, run_id)
        except Exception as exc:
            return failed(request, exc)
        if rn is None:
            return page("error.html", request, status=404, title="Run not found", message=f"No run with id {run_id!r}.")
        return page("run.html", request, rn=rn, title=f"Run {run_id}")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", media_type="text/plain")

    return app


def _otlp_hint(request: Request) -> str:
    host = request.url.hostname or "127.0.0.1"
    return f"http://{host}:4318"
