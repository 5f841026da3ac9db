"""Access control on `pharos serve`'s listeners: API key check, per-key rate limit, project scoping.

- :class:`HttpGuard` wraps an ASGI app (OTLP/HTTP + ``/v1/scores``, the console): a request without a
  valid key gets 401, one over its key's rate 429 with ``Retry-After``; an admitted request carries its
  :class:`~pharos.collector.auth.Principal` (:func:`request_principal`). ``/healthz`` and ``/readyz``
  stay open.
- :class:`GrpcGuard` is the same as a ``grpc.aio`` server interceptor (UNAUTHENTICATED,
  RESOURCE_EXHAUSTED with RetryInfo); the handler reads the principal with :func:`grpc_principal`.
- :class:`ProjectApps` serves each project from its own instance of an app (the console), built with
  a project-scoped reader factory and a store that stamps the project on what it writes.
- :func:`project_attributes` is what receivers pass to ``decode_*(resource_attributes=...)``: the
  key's project stamped on every resource, overriding whatever the client sent.

With auth off (:attr:`Access.enabled` false) every guard passes requests through untouched and
nothing is stamped.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable
from typing import Any

import grpc

from pharos.collector.auth import PROJECT_ATTRIBUTE, Authenticator, Principal, bearer_key
from pharos.collector.ratelimit import RateLimiter

__all__ = ["Access", "HttpGuard", "GrpcGuard", "ProjectApps", "ProjectStore", "request_principal", "build_access",
           "secure_otlp_app", "secure_console",
           "grpc_principal", "project_attributes", "stamp_rows", "OPEN_PATHS", "MISSING_KEY", "INVALID_KEY"]

log = logging.getLogger("pharos.access")

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
STATE_KEY = "pharos_principal"
MISSING_KEY = ("API key required: send 'Authorization: Bearer <key>' (or 'x-pharos-api-key: <key>'); "
               "create one with `pharos keys create --project NAME`")
INVALID_KEY = "API key not accepted: it is unknown or has been revoked"
_RATE = "rate limit of this API key exceeded ({rate:g} requests/s, burst {burst}); retry in {wait} s"
_CURRENT: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("pharos_principal", default=None)


class Access:
    """The listeners' access policy: ``authenticator`` None means auth is off."""

    def __init__(self, authenticator: Authenticator | None, limiter: RateLimiter | None = None):
        self.authenticator = authenticator
        self.limiter = limiter or RateLimiter(0, 1)

    @property
    def enabled(self) -> bool:
        return self.authenticator is not None

    def admit(self, key: str | None) -> tuple[Principal | None, int, str, float]:
        """(principal, 0, "", 0) when admitted, else (None, status, message, retry_after_s) with
        status 401 (no or bad key) or 429 (over the key's rate)."""
        assert self.authenticator is not None
        if not key:
            return None, 401, MISSING_KEY, 0.0
        principal = self.authenticator.verify(key)
        if principal is None:
            return None, 401, INVALID_KEY, 0.0
        wait = self.limiter.check(principal.key_id)
        if wait:
            seconds = RateLimiter.retry_after(wait)
            return None, 429, _RATE.format(rate=self.limiter.rate, burst=self.limiter.burst, wait=seconds), wait
        return principal, 0, "", 0.0


def project_attributes(principal: Principal | None) -> dict[str, str] | None:
    """Resource attributes to stamp for ``principal`` (None when auth is off: stamp nothing)."""
    return {PROJECT_ATTRIBUTE: principal.project} if principal is not None else None


def stamp_rows(rows: list[list[Any]], columns: list[str], project: str) -> list[list[Any]]:
    """Set ``Attributes['pharos.project']`` on rows of a table with an ``Attributes`` map (scores)."""
    i = columns.index("Attributes")
    for row in rows:
        row[i] = {**(row[i] or {}), PROJECT_ATTRIBUTE: project}
    return rows


# ---- HTTP -------------------------------------------------------------------------------------------------
def request_principal(request) -> Principal | None:
    """The principal :class:`HttpGuard` admitted ``request`` as (a Starlette request), or None."""
    return request.scope.get("state", {}).get(STATE_KEY)


def _refusal(status: int, message: str, content_type: str, headers: list[tuple[bytes, bytes]]):
    from google.rpc import status_pb2

    grpc_code = 16 if status == 401 else 8  # UNAUTHENTICATED / RESOURCE_EXHAUSTED
    if content_type.split(";")[0].strip().lower() == "application/x-protobuf":
        body, media = status_pb2.Status(code=grpc_code, message=message).SerializeToString(), b"application/x-protobuf"
    else:  # OTLP/JSON's Status, readable for everyone else too
        body, media = json.dumps({"code": grpc_code, "message": message}).encode(), b"application/json"
    return status, [(b"content-type", media), (b"content-length", str(len(body)).encode()), *headers], body


class HttpGuard:
    """ASGI middleware enforcing :class:`Access` on every path but ``open_paths`` and those under
    ``open_prefixes`` (the key admin API, which checks its own token)."""

    def __init__(self, app, access: Access, open_paths=OPEN_PATHS, browser: bool = False, open_prefixes=()):
        self.app, self.access, self.open_paths = app, access, frozenset(open_paths)
        self.open_prefixes = tuple(open_prefixes)
        # Browsers (the console) get a basic-auth prompt: any user name, the API key as password.
        self._challenge = (b'Basic realm="pharos", charset="UTF-8"' if browser else b'Bearer realm="pharos"')

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or not self.access.enabled or scope["path"] in self.open_paths
                or (self.open_prefixes and scope["path"].startswith(self.open_prefixes))):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        principal, status, message, wait = self.access.admit(bearer_key(headers))
        if principal is None:
            extra = ([(b"www-authenticate", self._challenge)] if status == 401
                     else [(b"retry-after", str(RateLimiter.retry_after(wait)).encode())])
            status, response_headers, body = _refusal(status, message, headers.get("content-type", ""), extra)
            await _drain(receive)
            await send({"type": "http.response.start", "status": status, "headers": response_headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})[STATE_KEY] = principal
        await self.app(scope, receive, send)


async def _drain(receive) -> None:
    """Read (and drop) a refused request's body, so the connection can be reused."""
    more = True
    while more:
        message = await receive()
        more = message.get("type") == "http.request" and message.get("more_body", False)


# ---- gRPC -------------------------------------------------------------------------------------------------
def grpc_principal() -> Principal | None:
    """The principal of the gRPC call being handled (set by :class:`GrpcGuard`), or None."""
    return _CURRENT.get()


def _retry_info(wait_s: float, code: int = 8, message: str = "rate limited") -> tuple[tuple[str, bytes], ...]:
    """Trailing metadata carrying a google.rpc.Status with RetryInfo (OTLP exporters wait that long)."""
    from google.protobuf import any_pb2, duration_pb2
    from google.rpc import error_details_pb2, status_pb2

    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(
        seconds=int(wait_s), nanos=int((wait_s - int(wait_s)) * 1e9)))
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=code, message=message, details=[detail])
    return (("grpc-status-details-bin", status.SerializeToString()),)


class GrpcGuard(grpc.aio.ServerInterceptor):
    """``grpc.aio`` interceptor enforcing :class:`Access` on unary-unary calls (OTLP Export)."""

    def __init__(self, access: Access):
        self.access = access

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or not self.access.enabled or handler.unary_unary is None:
            return handler
        metadata = {k.lower(): v for k, v in (handler_call_details.invocation_metadata or ()) if isinstance(v, str)}
        key, inner, access = bearer_key(metadata), handler.unary_unary, self.access

        async def guarded(request, context):
            principal, status, message, wait = access.admit(key)
            if principal is None:
                if status == 401:
                    await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, message, trailing_metadata=_retry_info(wait))
            token = _CURRENT.set(principal)
            try:
                return await inner(request, context)
            finally:
                _CURRENT.reset(token)

        return grpc.unary_unary_rpc_method_handler(guarded, request_deserializer=handler.request_deserializer,
                                                   response_serializer=handler.response_serializer)


# ---- one app per project (the console) --------------------------------------------------------------------
class ProjectStore:
    """The store as one project writes to it: rows inserted into tables with an ``Attributes`` map
    (scores) get ``Attributes['pharos.project']``; everything else is the store itself."""

    def __init__(self, store, project: str):
        self._store, self.project = store, project

    def insert_rows(self, table: str, rows: list[list[Any]], columns: list[str]) -> None:
        if "Attributes" in columns:
            rows = stamp_rows([list(r) for r in rows], columns, self.project)
        self._store.insert_rows(table, rows, columns)

    def __getattr__(self, name: str):
        return getattr(self._store, name)


class ProjectApps:
    """ASGI app that serves each request with the app built for its principal's project
    (``build(project)``, on first use); behind :class:`HttpGuard`, which sets the principal."""

    def __init__(self, build: Callable[[str], Any]):
        self._build, self._apps = build, {}

    async def __call__(self, scope, receive, send):
        principal = scope.get("state", {}).get(STATE_KEY) if scope["type"] == "http" else None
        if principal is None:  # only open paths get here without one
            body = b"ok" if scope.get("path") == "/healthz" else b"not found"
            await send({"type": "http.response.start", "status": 200 if body == b"ok" else 404,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": body})
            return
        app = self._apps.get(principal.project)
        if app is None:
            app = self._apps[principal.project] = self._build(principal.project)
            log.info("console: serving project %s", principal.project)
        await app(scope, receive, send)


# ---- wiring in `pharos serve` --------------------------------------------------------------------------------
def build_access(settings, store) -> Access:
    """The policy for ``settings`` (ServerSettings): auth on/off per ``auth`` and ``host``; when on, the
    key cache is loaded (and kept fresh) from ``store``."""
    from pharos.collector.auth import KeyStore, auth_enabled

    if not auth_enabled(settings.auth, settings.host):
        log.info("auth: off (--auth %s, listeners on %s): no API key needed, nothing stamped",
                 settings.auth, settings.host)
        return Access(None)
    authenticator = Authenticator(KeyStore(store).active, settings.auth_refresh_seconds).start()
    limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    log.info("auth: on; %d active API key(s); rate limit %s per key", len(authenticator._keys),
             f"{limiter.rate:g}/s, burst {limiter.burst}" if limiter.enabled else "off")
    return Access(authenticator, limiter)


def secure_otlp_app(app, access: Access, store, admin_token: str | None = None):
    """The OTLP/HTTP app behind :class:`HttpGuard`, with the key admin API (see
    :mod:`pharos.collector.keys_api`) mounted when ``admin_token`` is given."""
    from pharos.collector.auth import KeyStore
    from pharos.collector.keys_api import ADMIN_PREFIX, create_keys_admin_app

    if admin_token:
        app.mount(ADMIN_PREFIX, create_keys_admin_app(KeyStore(store), admin_token, access.authenticator))
    return HttpGuard(app, access, open_prefixes=(ADMIN_PREFIX + "/",))


def secure_console(build: Callable[[Any, Callable[[], Any]], Any], access: Access, store, new_reader_client,
                   limits: dict):
    """The console: as it is with auth off; with auth on, one instance per project (reads scoped with
    :func:`~pharos.collector.auth.scoped_reader_settings`, human scores stamped), behind
    :class:`HttpGuard` with a browser login prompt. ``build(store, reader_factory)`` makes one;
    ``new_reader_client(settings)`` opens a reader connection with those settings."""
    if not access.enabled:
        return build(store, lambda: new_reader_client(limits))
    if build(store, lambda: None) is None:  # the console is not installed
        return None
    from pharos.collector.auth import scoped_reader_settings

    def for_project(project: str):
        scoped = scoped_reader_settings(limits, store.database, project)
        return build(ProjectStore(store, project), lambda: new_reader_client(scoped))

    return HttpGuard(ProjectApps(for_project), access, open_paths={"/healthz"}, browser=True)
