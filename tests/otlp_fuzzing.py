"""Hypothesis strategies and helpers for fuzzing the OTLP decoders (tests/collector/test_fuzz.py).

``fuzz(n)``: the settings of one fuzz test (``n`` derandomized examples, scaled by PHAROS_FUZZ_EXAMPLES; a new
seed with PHAROS_FUZZ_SEED). Strategies: :func:`trace_requests`, :func:`metric_requests` (valid-looking OTLP
requests with odd values and some malformed ids) and :func:`mutated` (a serialized request damaged).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from pharos.collector.otlp import OtlpError

__all__ = ["fuzz", "trace_requests", "metric_requests", "mutated", "set_attributes", "SIGNALS", "decode_or_4xx"]

_SCALE = float(os.environ.get("PHAROS_FUZZ_EXAMPLES", "1"))
_SEED = os.environ.get("PHAROS_FUZZ_SEED")


def fuzz(examples: int):
    """Hypothesis settings of one fuzz test: ``examples`` inputs, 5 s per input at most."""
    config = settings(max_examples=max(1, int(examples * _SCALE)), deadline=5000, derandomize=_SEED is None,
                      database=None, print_blob=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.filter_too_much])

    def wrap(test):
        test = config(test)
        return seed(int(_SEED))(test) if _SEED is not None else test

    return wrap


# ---- strategies: OTLP requests -------------------------------------------------------------------------
_text = st.text(max_size=24)
_scalar = st.one_of(_text, st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False),
                    st.binary(max_size=24))
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(_text, inner, max_size=4)), max_leaves=6)
_attributes = st.lists(st.tuples(_text, _value), max_size=6)
_u64 = st.one_of(st.integers(1_700_000_000 * 10**9, 1_800_000_000 * 10**9), st.integers(0, 2**64 - 1))
_valid_trace_id, _valid_span_id = st.binary(min_size=16, max_size=16), st.binary(min_size=8, max_size=8)
_trace_id = st.one_of(_valid_trace_id, _valid_trace_id, _valid_trace_id, st.binary(max_size=20))  # mostly valid
_span_id = st.one_of(_valid_span_id, _valid_span_id, _valid_span_id, st.binary(max_size=10))


def _set_value(target, value) -> None:
    """Fill the AnyValue ``target`` from a generated Python value."""
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, bytes):
        target.bytes_value = value
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, list):
        target.array_value.SetInParent()
        for item in value:
            _set_value(target.array_value.values.add(), item)
    else:
        target.kvlist_value.SetInParent()
        for key, item in value.items():
            kv = target.kvlist_value.values.add()
            kv.key = key
            _set_value(kv.value, item)


def set_attributes(container, attributes) -> None:
    for key, value in attributes:
        kv = container.add()
        kv.key = key
        _set_value(kv.value, value)


@st.composite
def trace_requests(draw, least: int = 0) -> ExportTraceServiceRequest:
    """Random trace requests; ``least``: at least this many resources, scopes per resource, spans per scope."""
    req = ExportTraceServiceRequest()
    for _ in range(draw(st.integers(least, 2))):
        rs = req.resource_spans.add()
        set_attributes(rs.resource.attributes, draw(_attributes))
        for _ in range(draw(st.integers(least, 2))):
            ss = rs.scope_spans.add()
            ss.scope.name = draw(_text)
            set_attributes(ss.scope.attributes, draw(st.lists(st.tuples(_text, _value), max_size=2)))
            for _ in range(draw(st.integers(least, 4))):
                span = ss.spans.add(trace_id=draw(_trace_id), span_id=draw(_span_id), name=draw(_text),
                                    kind=draw(st.integers(0, 7)), start_time_unix_nano=draw(_u64),
                                    end_time_unix_nano=draw(_u64))
                if draw(st.booleans()):
                    span.parent_span_id = draw(_span_id)
                span.status.code = draw(st.integers(0, 4))
                span.status.message = draw(_text)
                set_attributes(span.attributes, draw(_attributes))
                for _ in range(draw(st.integers(0, 2))):
                    event = span.events.add(name=draw(_text), time_unix_nano=draw(_u64))
                    set_attributes(event.attributes, draw(_attributes))
                for _ in range(draw(st.integers(0, 1))):
                    link = span.links.add(trace_id=draw(_trace_id), span_id=draw(_span_id))
                    set_attributes(link.attributes, draw(_attributes))
    return req


_METRIC_KINDS = ("gauge", "sum", "histogram", "summary", "exponential_histogram")


@st.composite
def metric_requests(draw, least: int = 0) -> ExportMetricsServiceRequest:
    """Random metric requests; ``least`` as for :func:`trace_requests`."""
    req = ExportMetricsServiceRequest()
    number = st.one_of(st.floats(allow_nan=False), st.integers(-2**63, 2**63 - 1))
    for _ in range(draw(st.integers(least, 2))):
        rm = req.resource_metrics.add()
        set_attributes(rm.resource.attributes, draw(_attributes))
        for _ in range(draw(st.integers(least, 3))):
            metric = rm.scope_metrics.add().metrics.add(name=draw(_text), unit=draw(_text))
            kind = draw(st.sampled_from(_METRIC_KINDS))
            data = getattr(metric, kind)
            data.SetInParent()
            for _ in range(draw(st.integers(least, 3))):
                point = data.data_points.add(time_unix_nano=draw(_u64), start_time_unix_nano=draw(_u64))
                set_attributes(point.attributes, draw(_attributes))
                if kind in ("gauge", "sum"):
                    value = draw(number)
                    if isinstance(value, int):
                        point.as_int = value
                    else:
                        point.as_double = value
                elif kind == "histogram":
                    bounds = sorted(draw(st.lists(st.floats(-1e9, 1e9), max_size=4)))
                    point.explicit_bounds.extend(bounds)
                    point.bucket_counts.extend(draw(st.lists(st.integers(0, 2**64 - 1), min_size=len(bounds) + 1,
                                                             max_size=len(bounds) + 1)))
                    point.count, point.sum = draw(st.integers(0, 2**64 - 1)), draw(st.floats(allow_nan=False))
                else:
                    point.count = draw(st.integers(0, 2**64 - 1))
    return req


def _expected_traces(req: ExportTraceServiceRequest) -> tuple[int, int]:
    spans = [s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans]
    valid = sum(len(s.trace_id) == 16 and len(s.span_id) == 8 and len(s.parent_span_id) in (0, 8) for s in spans)
    return valid, len(spans) - valid


def _expected_points(req: ExportMetricsServiceRequest) -> tuple[int, int]:
    stored = rejected = 0
    for rm in req.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                n = len(getattr(m, kind).data_points) if kind else 0
                if kind in ("gauge", "sum", "histogram"):
                    stored += n
                else:
                    rejected += n
    return stored, rejected


SIGNALS = {"traces": (trace_requests(), _expected_traces, ExportTraceServiceRequest),
            "metrics": (metric_requests(), _expected_points, ExportMetricsServiceRequest)}


@st.composite
def mutated(draw, raw: bytes) -> bytes:
    """``raw`` truncated, with bytes flipped, inserted or deleted, or spliced with itself."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("truncate", "flip", "insert", "delete", "splice")))
        at = draw(st.integers(0, len(data)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "splice":
            data[at:at] = raw[:draw(st.integers(0, len(raw)))]
    return bytes(data)


def decode_or_4xx(call):
    """Run a decoder call: its Decoded, or None when it refused with a 4xx. Anything else fails the test."""
    try:
        decoded = call()
    except OtlpError as exc:
        assert 400 <= exc.status < 500 and exc.message, exc
        return None
    assert decoded.accepted >= 0 and decoded.rejected >= 0
    return decoded
