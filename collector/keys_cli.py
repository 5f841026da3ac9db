"""``pharos keys create|list|revoke``: API keys of projects.

With a ClickHouse server (``--clickhouse-url``) or an embedded store no server holds, the command
works on the store directly. While `pharos serve` holds the embedded store, it goes through that
server's loopback admin API (see :mod:`pharos.collector.keys_api`). A running server sees every
change within ``auth_refresh_seconds`` (at once through the admin API).

``create`` prints the secret key alone on the first line of stdout (details go to stderr), so
``KEY=$(pharos keys create --project shop | head -1)`` works; it is never shown again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pharos._config import add_options, from_args

__all__ = ["register"]


class _Remote:
    """The admin API of the `pharos serve` that holds the embedded store."""

    def __init__(self, info: dict):
        import ssl

        import httpx

        verify: bool | ssl.SSLContext = True
        if info.get("cafile"):  # the listener's own certificate; the URL is a loopback address
            verify = ssl.create_default_context(cafile=info["cafile"])
            verify.check_hostname = False
        self._client = httpx.Client(base_url=info["url"], headers={"x-pharos-admin-token": info["token"]},
                                    timeout=30, verify=verify)

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self._client.request(method, "/v1/admin" + path, json=body)
        data = response.json()
        if response.status_code == 404 and "error" in data:
            from pharos.collector.auth import UnknownKey

            raise UnknownKey(data["error"])
        if response.status_code != 200:
            raise ValueError(data.get("error", f"admin API answered {response.status_code}"))
        return data

    def create(self, project: str, name: str) -> tuple[dict, str]:
        data = self._call("POST", "/keys", {"project": project, "name": name})
        return data["key"], data["secret"]

    def list(self) -> list[dict]:
        return self._call("GET", "/keys")["keys"]

    def revoke(self, ref: str) -> dict:
        return self._call("POST", "/keys/revoke", {"ref": ref})["key"]


class _Local:
    """The store itself (migrated first, so the key table exists)."""

    def __init__(self, settings):
        from pharos.collector.auth import KeyStore
        from pharos.collector.keys_api import key_json
        from pharos.collector.store import Store, migrate

        self._store = Store(settings)
        migrate(self._store)
        self._keys, self._json = KeyStore(self._store), key_json

    def create(self, project: str, name: str) -> tuple[dict, str]:
        key, secret = self._keys.create(project, name)
        return self._json(key), secret

    def list(self) -> list[dict]:
        return [self._json(k) for k in self._keys.list()]

    def revoke(self, ref: str) -> dict:
        return self._json(self._keys.revoke(ref))


def _backend(args: argparse.Namespace):
    from pharos.collector.keys_api import ADMIN_FILE
    from pharos.collector.settings import StoreSettings

    settings = from_args(StoreSettings, args)
    admin = Path(settings.data_dir) / ADMIN_FILE
    if settings.clickhouse_url is None and admin.exists():
        import httpx

        remote = _Remote(json.loads(admin.read_text()))
        try:
            remote.list()
            return remote
        except (httpx.TransportError, ValueError):
            pass  # a server that died without removing its file (or another one on its port): open the store
    try:
        return _Local(settings)
    except Exception as exc:
        if "Cannot lock file" in str(exc) or "Another server instance" in str(exc):
            raise SystemExit(f"pharos keys: the store at {settings.data_dir} is held by another process and "
                             f"no running `pharos serve` answers for it ({admin} missing or stale)") from None
        raise


def _create(args: argparse.Namespace) -> int:
    try:
        key, secret = _backend(args).create(args.project, args.name or "")
    except ValueError as exc:
        print(f"pharos keys create: {exc}", file=sys.stderr)
        return 2
    print(secret)
    print(f"created key {key['id']} ({key['prefix']}…) for project {key['project']}"
          + (f", name {key['name']!r}" if key["name"] else "")
          + ". Store it now: it is not shown again.", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    keys = _backend(args).list()
    if args.json:
        print(json.dumps(keys, indent=1))
        return 0
    if not keys:
        print("no API keys yet: pharos keys create --project NAME")
        return 0
    rows = [("ID", "PREFIX", "PROJECT", "NAME", "CREATED", "STATUS")] + [
        (k["id"], k["prefix"] + "…", k["project"], k["name"], k["created_at"],
         "revoked " + k["revoked_at"] if k["revoked_at"] else "active") for k in keys]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from pharos.collector.auth import UnknownKey

    try:
        key = _backend(args).revoke(args.ref)
    except UnknownKey as exc:
        print(f"pharos keys revoke: {exc}", file=sys.stderr)
        return 1
    print(f"revoked key {key['id']} ({key['prefix']}…) of project {key['project']} at {key['revoked_at']}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from pharos.collector.settings import StoreSettings

    keys = subparsers.add_parser("keys", help="create, list and revoke API keys",
                                 description="API keys of projects, for OTLP, /v1/scores and the console "
                                             "when auth is on (see `pharos serve --auth`).")
    sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    p = sub.add_parser("create", help="create a key for a project (printed once)")
    p.add_argument("--project", required=True, help="project the key writes to and reads from")
    p.add_argument("--name", default="", help="a note to recognise the key by (e.g. its user)")
    add_options(p, StoreSettings)
    p.set_defaults(func=_create)

    p = sub.add_parser("list", help="list keys (prefix, project, status; never the secret)")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_options(p, StoreSettings)
    p.set_defaults(func=_list)

    p = sub.add_parser("revoke", help="revoke a key by id or prefix")
    p.add_argument("ref", help="key id or display prefix (from `pharos keys list`)")
    add_options(p, StoreSettings)
    p.set_defaults(func=_revoke)
