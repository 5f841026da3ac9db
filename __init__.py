"""Pharos: open LLM observability and evaluation.

``import pharos; pharos.init()`` is the SDK (see :mod:`pharos.sdk`); the server, evaluators,
dashboards and sandbox live in :mod:`pharos.collector`, :mod:`pharos.evaluators`,
:mod:`pharos.dashboards` and :mod:`pharos.sandbox` and need the matching install extras.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The SDK's public surface (pharos.init, pharos.observe, ...) without importing it eagerly,
    # so `pharos serve` and friends do not pay for the OpenTelemetry SDK import.
    if not name.startswith("_") and __name__ == "pharos":
        import importlib

        sdk = importlib.import_module("pharos.sdk")
        if name in getattr(sdk, "__all__", ()):
            return getattr(sdk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
