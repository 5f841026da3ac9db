"""``POST /v1/scores``: user, human and evaluator scores for traced calls, stored in ``scores``.

Body: ``{"scores": [{"trace_id": "<32 hex>", "span_id": "<16 hex>", "name": "thumbs", "value": 1.0,
"label": "up", "explanation": "...", "source": "human", "score_id": "...", "attributes": {...}}]}``.
``value`` or ``label`` is required; ``source`` is ``user``, ``human`` or ``evaluator`` (default ``human``);
pass your own ``score_id`` to make retries idempotent (``scores`` keeps one row per name, span and id).
The whole request is validated before anything is accepted; a 200 means the scores are in the
write-ahead log (like OTLP data), and they reach ``scores`` with the next batch. 503 + Retry-After when
the log is full.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pharos.collector.access import request_principal, stamp_rows
from pharos.collector.batcher import Overloaded
from pharos.collector.store.schema import SCORE_COLUMNS

__all__ = ["ScoreIn", "create_scores_router", "encode_rows", "SCORE_COLUMNS"]

_HEX32, _HEX16 = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{16}$")


class ScoreIn(BaseModel):
    trace_id: str
    span_id: str = ""
    name: str = Field(min_length=1, max_length=200)
    value: float | None = None
    label: str = Field(default="", max_length=200)
    explanation: str = Field(default="", max_length=10_000)
    source: str = "human"
    score_id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=200)
    evaluator_version: str = Field(default="", max_length=100)
    service_name: str = Field(default="", max_length=200)
    timestamp_ns: int | None = None
    attributes: dict[str, str] = Field(default_factory=dict)

    @field_validator("trace_id")
    @classmethod
    def _trace_id(cls, v: str) -> str:
        if not _HEX32.match(v.lower()):
            raise ValueError("trace_id must be 32 hex characters")
        return v.lower()

    @field_validator("span_id")
    @classmethod
    def _span_id(cls, v: str) -> str:
        if v and not _HEX16.match(v.lower()):
            raise ValueError("span_id must be 16 hex characters")
        return v.lower()

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v not in ("user", "human", "evaluator"):
            raise ValueError("source must be user, human or evaluator")
        return v

    @model_validator(mode="after")
    def _value_or_label(self) -> "ScoreIn":
        if self.value is None and not self.label:
            raise ValueError("a score needs a value or a label")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        return self

    def row(self) -> list[Any]:
        return [self.timestamp_ns or time.time_ns(), self.trace_id, self.span_id, self.score_id, self.name,
                self.source, math.nan if self.value is None else self.value, self.label, self.explanation,
                self.evaluator_version, self.service_name, self.attributes]


class _ScoresIn(BaseModel):
    scores: list[ScoreIn] = Field(min_length=1, max_length=10_000)


def encode_rows(rows: list[list[Any]]) -> bytes:
    """Score rows as the write-ahead log keeps them: one JSON list per line (see Store.insert_score_rows)."""
    return "\n".join(json.dumps(row) for row in rows).encode()


def create_scores_router(batcher) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/scores")
    async def post_scores(request: Request) -> JSONResponse:
        try:
            body = _ScoresIn.model_validate_json(await request.body())
        except ValidationError as exc:
            errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]
            return JSONResponse({"error": "invalid scores", "details": errors}, status_code=400)
        rows = [s.row() for s in body.scores]
        principal = request_principal(request)
        if principal is not None:  # the key's project, whatever the client put in attributes
            stamp_rows(rows, SCORE_COLUMNS, principal.project)
        try:
            await batcher.accept_payload("scores", encode_rows(rows), len(rows))
        except Overloaded as exc:
            return JSONResponse({"error": f"store is behind, retry later: {exc}"}, status_code=503,
                                headers={"Retry-After": str(Overloaded.retry_after_s)})
        return JSONResponse({"accepted": len(rows), "score_ids": [s.score_id for s in body.scores]})

    return router
