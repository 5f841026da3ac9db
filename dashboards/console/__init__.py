"""The Pharos console: web pages over the store, served by ``pharos serve`` on ``--console-port``.

Pages: ``/`` overview, ``/calls`` (filterable list, full-text search over captured content),
``/calls/{trace_id}`` (span tree, attributes, messages as a chat, scores, add a human score),
``/evaluations`` (flagged calls by kind, evaluator health), ``/runs`` (sandbox load and eval runs,
``/runs/{run_id}`` a report, ``/runs/compare?a=&b=`` two side by side). Server-rendered (FastAPI +
jinja2, autoescaped; charts are inline SVG drawn here), no external assets. Every page query runs on
a read-only reader connection from ``reader_factory``; the only write is a human score, through the
same validation as ``POST /v1/scores``.

Auth is a seam: :func:`pharos.dashboards.console.auth.authorize` is a FastAPI dependency on every
route that allows everything today; the REST API's auth replaces it (or
``app.dependency_overrides[authorize] = ...``).
"""

from __future__ import annotations

__all__ = ["create_console_app"]


def create_console_app(store, reader_factory):
    """The console as an ASGI app over ``store`` (writes) and ``reader_factory()`` (read-only clients)."""
    from pharos.dashboards.console.app import build_app

    return build_app(store, reader_factory)
