"""Console auth seam.

Every console route depends on :func:`authorize`. Today it allows every request (the console binds to
the same host as the other listeners, 127.0.0.1 by default). When the REST API's auth lands, this is
the one function to make check the same credentials (raise ``HTTPException(401)`` to refuse); a
deployment can also swap it with ``app.dependency_overrides[authorize] = my_check``.
"""

from __future__ import annotations

from fastapi import Request

__all__ = ["authorize"]


def authorize(request: Request) -> None:
    """Allow everything (auth not configured yet)."""
    return None
