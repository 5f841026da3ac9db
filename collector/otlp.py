"""Decoding and validating OTLP export requests (HTTP bodies and gRPC messages).

A request becomes a :class:`Decoded`: the protobuf payload to store (the original bytes whenever
every item is valid, so the hot path never re-serializes), how many items it carries, and how
many were rejected and why (OTLP partial success). Anything that cannot be decoded at all raises
:class:`OtlpError` with the HTTP status and message the client should get.

Defined outcomes for bad input (tests/collector/test_bad_input.py, fuzzed in test_fuzz.py):

- undecodable protobuf or JSON, wrong Content-Type/-Encoding, too large: OtlpError 400/415/413, and
  nothing else escapes (deep JSON nesting, bare NaN, unpaired surrogates, odd numbers are 400s too);
- values nested deeper than upb's depth limit (about 45 arrays or 30 key/value lists inside an
  attribute): 400 "nested too deeply"; shallower nesting is stored (the store renders two levels);
- invalid UTF-8 in a protobuf string: replaced by U+FFFD (:mod:`pharos.collector.utf8`), span stored;
- a span with a trace id not 16 bytes, span id not 8 or parent id not 0/8: rejected alone (partial
  success), the others stored;
- giant values and too many attributes: cut with a marker (:mod:`pharos.collector.limits`);
- timestamps: stored as sent; past 2262-04-11 (the end of DateTime64(9)) the store clamps them there,
  and an end before the start gives Duration 0 (collector/store/otlp_sql.py);
- fields upb keeps as unknown but ClickHouse refuses (a known field with the wrong wire type, groups):
  :func:`canonical` drops them, for the writer to retry a request the store refused.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import zlib
from dataclasses import dataclass
from typing import Literal

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from pharos.collector.limits import DEFAULT_LIMITS, AttributeLimits, enforce_limits
from pharos.collector.utf8 import repair_utf8

__all__ = ["Signal", "Decoded", "OtlpError", "decode_body", "decode_message", "encode_json", "canonical",
           "PROTOBUF", "JSON"]

Signal = Literal["traces", "metrics"]
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_REQUEST_TYPES = {"traces": ExportTraceServiceRequest, "metrics": ExportMetricsServiceRequest}


class OtlpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Decoded:
    signal: Signal
    payload: bytes  # serialized Export*ServiceRequest holding only the accepted items
    accepted: int
    rejected: int = 0
    error_message: str = ""


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "deflate"):
        raise OtlpError(415, f"unsupported Content-Encoding {encoding!r}: use gzip, deflate or none")
    try:
        d = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
        out = d.decompress(body, limit + 1)
        if len(out) > limit:
            raise OtlpError(413, f"request body exceeds the {limit}-byte limit once decompressed")
        if not d.eof:
            raise OtlpError(400, f"truncated {encoding} body")
        return out
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise OtlpError(400, f"body is not valid {encoding}: {exc}") from None


def decode_body(signal: Signal, body: bytes, content_type: str, content_encoding: str, limit: int, *,
                resource_attributes: dict[str, str] | None = None,
                limits: AttributeLimits = DEFAULT_LIMITS) -> Decoded:
    """Decode an OTLP/HTTP request body (protobuf or JSON, optionally gzip/deflate).

    ``resource_attributes``, when given, are set on every resource of the request, replacing any
    attribute of the same key the client sent (the collector stamps e.g. ``pharos.project`` this way).
    ``limits``: giant values and attribute lists are cut down to them (see :mod:`pharos.collector.limits`).
    """
    if len(body) > limit:
        raise OtlpError(413, f"request body of {len(body)} bytes exceeds the {limit}-byte limit")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in (PROTOBUF, JSON):
        raise OtlpError(415, f"unsupported Content-Type {content_type!r}: use {PROTOBUF} or {JSON}")
    raw = _decompress(body, content_encoding, limit)
    if media_type == JSON:
        return _validate(signal, _parse_json(signal, raw), None, resource_attributes, limits)
    return decode_message(signal, raw, resource_attributes=resource_attributes, limits=limits)


def decode_message(signal: Signal, raw: bytes, *, resource_attributes: dict[str, str] | None = None,
                   limits: AttributeLimits = DEFAULT_LIMITS) -> Decoded:
    """Decode a serialized Export*ServiceRequest (OTLP/HTTP protobuf body or gRPC message).

    ``resource_attributes`` and ``limits``: as for :func:`decode_body`.
    """
    request_type = _REQUEST_TYPES[signal]
    try:
        request = request_type.FromString(raw)
    except DecodeError as exc:
        if "UTF-8" not in str(exc):
            raise OtlpError(400, _decode_error(signal, exc)) from None
        try:  # invalid UTF-8 in a string: replace it (see pharos.collector.utf8) rather than refuse
            raw = repair_utf8(request_type, raw)
            request = request_type.FromString(raw)
        except DecodeError as again:
            raise OtlpError(400, _decode_error(signal, again)) from None
    return _validate(signal, request, raw, resource_attributes, limits)


def _decode_error(signal: Signal, exc: DecodeError) -> str:
    message = f"body is not a valid OTLP {signal} protobuf message: {exc}"
    if "MaxDepth" in message:
        message += (" (values are nested too deeply: at most about 45 levels of arrays or 30 of key/value "
                    "lists inside an attribute are accepted)")
    return message


def canonical(signal: Signal, payload: bytes) -> bytes:
    """``payload`` (an accepted Export*ServiceRequest) re-encoded without unknown fields.

    upb keeps what it does not know (unknown field numbers, known fields sent with the wrong wire type,
    groups) and so does the original payload; ClickHouse's protobuf reader refuses the last two. Checking
    every request for them would cost as much as the parse, so the writer calls this only for a request
    the store refused, and retries with the result before setting the request aside.
    """
    request = _REQUEST_TYPES[signal].FromString(payload)
    request.DiscardUnknownFields()
    return request.SerializeToString()


# ---- OTLP/JSON -----------------------------------------------------------------------------------
# OTLP/JSON differs from protobuf's canonical JSON in one way that matters here: trace and span ids
# are hex strings, not base64. Everything else (lowerCamelCase keys, integer enums, int64 as strings
# or numbers) json_format already accepts.
_ID_KEYS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}


def _map_ids(node: object, convert) -> None:
    """Replace, in place, every id string of an OTLP JSON document by ``convert(key, value)``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_KEYS and isinstance(value, str):
                node[key] = convert(key, value)
            else:
                _map_ids(value, convert)
    elif isinstance(node, list):
        for item in node:
            _map_ids(item, convert)


def _hex_to_base64(key: str, value: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(value)).decode()
    except ValueError:
        raise OtlpError(400, f"{key} {value[:64]!r} is not a hex string") from None


def encode_json(request) -> bytes:
    """``request`` (an Export*ServiceRequest) as an OTLP/JSON body: the inverse of the JSON decoder."""
    doc = json_format.MessageToDict(request)
    _map_ids(doc, lambda key, value: base64.b64decode(value).hex())
    return json.dumps(doc).encode()


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON (OTLP/JSON writes it as the string \"{name}\")")


def _parse_json(signal: Signal, raw: bytes):
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise OtlpError(400, "body is not valid JSON: nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise OtlpError(400, f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise OtlpError(400, "OTLP/JSON body must be a JSON object")
    if _SURROGATE_ESCAPE.search(raw):  # upb fails obscurely on lone surrogates: refuse them here
        try:
            json.dumps(doc, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise OtlpError(400, "body is not valid JSON: a string holds an unpaired UTF-16 surrogate") from None
    request = _REQUEST_TYPES[signal]()
    try:
        _map_ids(doc, _hex_to_base64)
        json_format.ParseDict(doc, request, ignore_unknown_fields=True)
    except RecursionError:
        raise OtlpError(400, f"body is not a valid OTLP/JSON {signal} request: nested too deeply") from None
    except (json_format.ParseError, ValueError, TypeError, OverflowError) as exc:  # json_format lets some through
        raise OtlpError(400, f"body is not a valid OTLP/JSON {signal} request: {exc}") from None
    return request


# ---- validation and partial success ---------------------------------------------------------------
def _validate(signal: Signal, request, raw: bytes | None, resource_attributes: dict[str, str] | None,
              limits: AttributeLimits) -> Decoded:
    serialized = raw if raw is not None else request.SerializeToString()
    cut = enforce_limits(signal, request, serialized, limits)
    if signal == "traces":
        accepted, rejected, reason = _check_spans(request)
        resources = [rs.resource for rs in request.resource_spans]
    else:
        accepted, rejected, reason = _count_points(request)
        resources = [rm.resource for rm in request.resource_metrics]
    if resource_attributes:
        _stamp(resources, resource_attributes)
    unchanged = not (cut or rejected or resource_attributes)
    payload = serialized if unchanged else request.SerializeToString()
    return Decoded(signal, payload, accepted, rejected, reason)


def _stamp(resources, attributes: dict[str, str]) -> None:
    """Set string ``attributes`` on every resource, replacing any the client sent under the same keys."""
    for resource in resources:
        kept = [kv for kv in resource.attributes if kv.key not in attributes]
        if len(kept) != len(resource.attributes):
            del resource.attributes[:]
            resource.attributes.extend(kept)
        for key, value in attributes.items():
            kv = resource.attributes.add()
            kv.key = key
            kv.value.string_value = value


def _check_spans(request: ExportTraceServiceRequest) -> tuple[int, int, str]:
    """Count spans; drop those with malformed ids (OTLP: trace id 16 bytes, span id 8 bytes)."""
    accepted = rejected = 0
    reason = ""
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            spans = ss.spans
            bad = [i for i, s in enumerate(spans)
                   if len(s.trace_id) != 16 or len(s.span_id) != 8 or len(s.parent_span_id) not in (0, 8)]
            if bad:
                if not reason:
                    s = spans[bad[0]]
                    reason = (f"span {s.name!r} has an invalid id (trace_id {len(s.trace_id)} bytes, span_id "
                              f"{len(s.span_id)} bytes, parent_span_id {len(s.parent_span_id)} bytes; "
                              f"expected 16, 8 and 0 or 8)")
                for i in reversed(bad):
                    del spans[i]
                rejected += len(bad)
            accepted += len(spans)
    if rejected:
        reason = f"{rejected} span(s) rejected: {reason}"
    return accepted, rejected, reason


_STORED_METRIC_KINDS = {"gauge", "sum", "histogram"}  # the exporter tables Pharos keeps


def _count_points(request: ExportMetricsServiceRequest) -> tuple[int, int, str]:
    accepted = rejected = 0
    skipped: set[str] = set()
    for rm in request.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                if kind in _STORED_METRIC_KINDS:
                    accepted += len(getattr(m, kind).data_points)
                elif kind:
                    rejected += len(getattr(m, kind).data_points)
                    skipped.add(kind)
    reason = f"{rejected} data point(s) of kind {', '.join(sorted(skipped))} not stored" if rejected else ""
    return accepted, rejected, reason
