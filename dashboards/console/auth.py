"""Console auth seam.

Every console route depends on :func:`authorize`, which allows every request. API keys are checked
outside the console: with auth on, `pharos serve` puts it behind :class:`pharos.collector.access.HttpGuard`
and builds one console per project (reads scoped to the key's project, human scores stamped with it;
see :func:`pharos.collector.access.secure_console`), so the app itself never sees an unchecked request.
A deployment can still add a check of its own with ``app.dependency_overrides[authorize] = my_check``.
"""

from __future__ import annotations

from fastapi import Request

__all__ = ["authorize"]


def authorize(request: Request) -> None:
    """Allow everything (auth not configured yet)."""
    return None
