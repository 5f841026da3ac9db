"""Key administration inside a running `pharos serve`, for the `pharos keys` CLI.

The embedded store can be opened by one process only, so while `pharos serve` runs, `pharos keys`
asks the server instead: at start the server writes ``DATA_DIR/admin.json`` (mode 0600: its
loopback URL and a random admin token); the CLI reads it and calls ``/v1/admin/keys`` on the OTLP/HTTP
listener. Only loopback clients holding the token are served. The file is removed at shutdown.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from pharos.collector.auth import ApiKey, Authenticator, KeyStore, UnknownKey, is_loopback

__all__ = ["ADMIN_FILE", "ADMIN_PREFIX", "create_keys_admin_app", "write_admin_file", "remove_admin_file",
           "key_json"]

ADMIN_FILE = "admin.json"
ADMIN_PREFIX = "/v1/admin"


def key_json(key: ApiKey) -> dict:
    return {"id": key.key_id, "prefix": key.prefix, "project": key.project, "name": key.name,
            "created_at": key.created_at, "revoked_at": key.revoked_at}


def write_admin_file(data_dir: Path, url: str, cafile: str | None = None) -> str:
    """Write ``admin.json`` (0600) for the CLI; returns the admin token."""
    token = secrets.token_urlsafe(32)
    path = Path(data_dir) / ADMIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"url": url, "token": token, "cafile": cafile, "pid": os.getpid()}, f)
    os.replace(tmp, path)
    return token


def remove_admin_file(data_dir: Path) -> None:
    try:
        (Path(data_dir) / ADMIN_FILE).unlink()
    except FileNotFoundError:
        pass


def create_keys_admin_app(keys: KeyStore, token: str, authenticator: Authenticator | None = None) -> FastAPI:
    """The admin app (mount it at :data:`ADMIN_PREFIX`); changes refresh ``authenticator`` at once."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    router = APIRouter()

    def allowed(request: Request) -> bool:
        client = request.client.host if request.client else ""
        got = request.headers.get("x-pharos-admin-token", "")
        return is_loopback(client) and hmac.compare_digest(got.encode(), token.encode())

    def refuse() -> JSONResponse:
        return JSONResponse({"error": "admin API: loopback clients with the token in DATA_DIR/admin.json only"},
                            status_code=403)

    async def refreshed(result):
        if authenticator is not None:
            await run_in_threadpool(authenticator.refresh)
        return result

    @router.get("/keys")
    async def list_keys(request: Request) -> JSONResponse:
        if not allowed(request):
            return refuse()
        return JSONResponse({"keys": [key_json(k) for k in await run_in_threadpool(keys.list)]})

    @router.post("/keys")
    async def create_key(request: Request) -> JSONResponse:
        if not allowed(request):
            return refuse()
        try:
            body = json.loads(await request.body() or b"{}")
            key, secret = await run_in_threadpool(keys.create, str(body.get("project", "")), str(body.get("name", "")))
        except (ValueError, AttributeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await refreshed(JSONResponse({"key": key_json(key), "secret": secret}))

    @router.post("/keys/revoke")
    async def revoke_key(request: Request) -> JSONResponse:
        if not allowed(request):
            return refuse()
        try:
            body = json.loads(await request.body() or b"{}")
            key = await run_in_threadpool(keys.revoke, str(body.get("ref", "")))
        except UnknownKey as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except (ValueError, AttributeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await refreshed(JSONResponse({"key": key_json(key)}))

    app.include_router(router)
    return app
