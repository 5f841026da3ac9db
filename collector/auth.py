"""API keys: creation, hashed storage, revocation, and the server's verifying cache.

A key is ``phk_`` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored (table
``pharos_api_keys``, migration 8) next to a short display prefix (``phk_xxxxxxxx``), the project it
belongs to and an optional name. Revoking writes a newer version of the row (ReplacingMergeTree on
``Version``); the running server re-reads the active keys every ``auth_refresh_seconds``, so a
revoked key stops working within that time and a new one starts working within it.

The project a key belongs to is what the collector stamps on everything the key writes
(:data:`PROJECT_ATTRIBUTE`) and what scopes what it reads (:func:`scoped_reader_settings`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pharos.collector.store.schema import SchemaOptions, _distributed, quote

__all__ = ["PROJECT_ATTRIBUTE", "KEY_TABLE", "KEY_PREFIX", "ApiKey", "Principal", "UnknownKey", "KeyStore",
           "Authenticator", "new_key", "hash_key", "key_tables", "project_on_feedback_scores", "access_tables",
           "auth_enabled", "is_loopback", "bearer_key", "validate_project", "scoped_reader_settings", "SCOPED_TABLES"]

log = logging.getLogger(__name__)

PROJECT_ATTRIBUTE = "pharos.project"
KEY_TABLE = "pharos_api_keys"
KEY_PREFIX = "phk_"
_DISPLAY_LEN = len(KEY_PREFIX) + 8
_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class UnknownKey(ValueError):
    """A key reference that matches no key, or more than one."""


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the secret itself)."""

    key_id: str
    prefix: str
    project: str
    name: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Principal:
    """Who a verified request acts for. ``str()`` shows only the key's display prefix."""

    project: str
    key_id: str
    prefix: str

    def __str__(self) -> str:
        return f"key {self.prefix}… (project {self.project})"


def new_key() -> str:
    """A fresh secret key (256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 hex (the key is random, so no salt or stretching is needed)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def validate_project(project: str) -> str:
    if not _PROJECT.match(project or ""):
        raise ValueError(f"invalid project name {project!r}: use 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    return project


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_enabled(mode: str, host: str) -> bool:
    """``auth`` setting → whether listeners on ``host`` require a key (auto: unless loopback)."""
    if mode == "on":
        return True
    if mode == "off":
        return False
    return not is_loopback(host)


def bearer_key(headers: Mapping[str, str]) -> str | None:
    """The API key of a request: ``Authorization: Bearer <key>``, ``x-pharos-api-key: <key>``, or (for
    browsers on the console) the password of HTTP basic auth. ``headers`` keys are lower case."""
    value = headers.get("x-pharos-api-key")
    if value:
        return value.strip()
    auth = headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return credential.strip()
    if scheme.lower() == "basic" and credential.strip():
        import base64
        import binascii

        try:
            return base64.b64decode(credential.strip(), validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


# ---- the table ---------------------------------------------------------------------------------------
def key_tables(opts: SchemaOptions) -> list[str]:
    """DDL of migration 8: ``pharos_api_keys`` (one row per key version; the newest wins)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {opts.table(KEY_TABLE)} {opts.on_cluster} (
    KeyId String,
    Prefix String,
    Hash String,
    Project LowCardinality(String),
    Name String,
    CreatedAt DateTime64(3),
    RevokedAt Nullable(DateTime64(3)),
    Version UInt64
) ENGINE = {opts.engine('ReplacingMergeTree', 'Version')}
ORDER BY KeyId""",
        *_distributed(opts, KEY_TABLE, "cityHash64(KeyId)"),
    ]


def project_on_feedback_scores(opts: SchemaOptions) -> list[str]:
    """Migration 8, part two: scores made from feedback spans carry the span's project (the resource's
    ``pharos.project``, which the collector stamps) and never one claimed in the span's own attributes."""
    from pharos.collector.store.schema import feedback_scores_view

    (view,) = feedback_scores_view(opts)
    tail = "'gen_ai.evaluation.explanation'), SpanAttributes) AS Attributes"
    assert view.count(tail) == 1 and view.count("mapFilter(") == 1, "feedback_scores_view changed shape"
    view = view.replace("mapFilter(", "mapUpdate(mapFilter(").replace(
        tail, f"'gen_ai.evaluation.explanation', '{PROJECT_ATTRIBUTE}'), SpanAttributes), "
              f"if(ResourceAttributes['{PROJECT_ATTRIBUTE}'] != '', "
              f"map('{PROJECT_ATTRIBUTE}', ResourceAttributes['{PROJECT_ATTRIBUTE}']), map())) AS Attributes")
    return [f"DROP VIEW IF EXISTS {opts.table('scores_from_spans_mv')} {opts.on_cluster}", view]


def access_tables(opts: SchemaOptions) -> list[str]:
    """Migration 8: the key table, and the project on scores from feedback spans."""
    return key_tables(opts) + project_on_feedback_scores(opts)


_COLUMNS = ["KeyId", "Prefix", "Hash", "Project", "Name", "CreatedAt", "RevokedAt", "Version"]


class KeyStore:
    """Create, list and revoke keys in the store's ``pharos_api_keys`` table."""

    def __init__(self, store):
        self.store = store
        self._table = f"{quote(store.database)}.{quote(KEY_TABLE)}"

    def create(self, project: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key for ``project``; returns the record and the secret (shown once, never stored)."""
        validate_project(project)
        if len(name) > 200:
            raise ValueError("key name is longer than 200 characters")
        secret = new_key()
        now_ms = time.time_ns() // 1_000_000
        key_id = uuid.uuid4().hex[:16]
        self._write(key_id, secret[:_DISPLAY_LEN], hash_key(secret), project, name, now_ms, None)
        return self.get(key_id), secret

    def _write(self, key_id, prefix, digest, project, name, created_ms, revoked_ms) -> None:
        import datetime as dt

        def ts(ms):
            return None if ms is None else dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)

        row = [key_id, prefix, digest, project, name, ts(created_ms), ts(revoked_ms), time.time_ns()]
        self.store.insert_rows(self.store.schema.local_name(KEY_TABLE), [row], _COLUMNS)

    def _rows(self, where: str = "1", parameters: dict | None = None) -> list[tuple]:
        return self.store.query(
            f"SELECT KeyId, Prefix, Hash, Project, Name, toString(CreatedAt), toString(RevokedAt), "
            f"toUnixTimestamp64Milli(CreatedAt) FROM {self._table} FINAL WHERE {where} ORDER BY CreatedAt, KeyId",
            parameters)

    @staticmethod
    def _record(row: tuple) -> ApiKey:
        return ApiKey(row[0], row[1], row[3], row[4], row[5], row[6])

    def list(self) -> list[ApiKey]:
        return [self._record(r) for r in self._rows()]

    def get(self, key_id: str) -> ApiKey:
        rows = self._rows("KeyId = {id:String}", {"id": key_id})
        if not rows:
            raise UnknownKey(f"no key with id {key_id!r}")
        return self._record(rows[0])

    def resolve(self, ref: str) -> tuple:
        """The one row whose id or display prefix is (or starts with, from 8 characters) ``ref``; the
        full secret is accepted too (compared by hash)."""
        ref = ref.strip().rstrip("…")
        rows = self._rows("KeyId = {r:String} OR Prefix = {r:String} OR Hash = {h:String} OR (length({r:String}) >= 8 "
                          "AND (startsWith(KeyId, {r:String}) OR startsWith(Prefix, {r:String})))",
                          {"r": ref, "h": hash_key(ref)})
        if not rows:
            raise UnknownKey(f"no key with id or prefix {ref!r} (see `pharos keys list`)")
        if len(rows) > 1:
            raise UnknownKey(f"{ref!r} matches {len(rows)} keys; give the key id instead")
        return rows[0]

    def revoke(self, ref: str) -> ApiKey:
        """Revoke the key with id or display prefix ``ref`` (revoking twice is a no-op)."""
        row = self.resolve(ref)
        record = self._record(row)
        if record.active:
            self._write(row[0], row[1], row[2], row[3], row[4], row[7], time.time_ns() // 1_000_000)
        return self.get(row[0])

    def active(self) -> dict[str, Principal]:
        """Hash → principal of every key that is not revoked."""
        rows = self.store.query(f"SELECT Hash, Project, KeyId, Prefix FROM {self._table} FINAL "
                                f"WHERE RevokedAt IS NULL")
        return {h: Principal(project, key_id, prefix) for h, project, key_id, prefix in rows}


# ---- verification in the server ------------------------------------------------------------------------
class Authenticator:
    """Verifies keys against a cache of the active ones, re-read every ``refresh_s`` seconds in a thread.

    ``load`` returns hash → :class:`Principal` (``KeyStore.active``). If a reload fails (store down),
    the previous set stays in force and the failure is logged (without any key material).
    """

    def __init__(self, load: Callable[[], dict[str, Principal]], refresh_s: float = 2.0):
        self._load, self.refresh_s = load, refresh_s
        self._keys: dict[str, Principal] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.loaded_at = 0.0

    def refresh(self) -> None:
        self._keys = self._load()
        self.loaded_at = time.monotonic()

    def start(self) -> "Authenticator":
        self.refresh()  # fail loudly at start: the key table must be readable
        self._thread = threading.Thread(target=self._run, name="pharos-keys", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.refresh_s):
            try:
                self.refresh()
            except Exception as exc:  # keep serving with the last known keys
                log.warning("could not re-read API keys (keeping the %d known): %s", len(self._keys),
                            type(exc).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def verify(self, key: str | None) -> Principal | None:
        """The principal of ``key``, or None when it is missing, unknown or revoked."""
        if not key or len(key) > 256:
            return None
        return self._keys.get(hash_key(key))


# ---- scoped reads ----------------------------------------------------------------------------------------
def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# Table → filter over it that keeps one project's rows ({p}: the quoted project, {db}: the database).
# A table not listed here holds no per-project data (evaluator bookkeeping); the sandbox's run tables
# have no project and are hidden from project-scoped readers.
SCOPED_TABLES: dict[str, str] = {
    "otel_traces": f"ResourceAttributes['{PROJECT_ATTRIBUTE}'] = {{p}}",
    "otel_metrics_gauge": f"ResourceAttributes['{PROJECT_ATTRIBUTE}'] = {{p}}",
    "otel_metrics_sum": f"ResourceAttributes['{PROJECT_ATTRIBUTE}'] = {{p}}",
    "otel_metrics_histogram": f"ResourceAttributes['{PROJECT_ATTRIBUTE}'] = {{p}}",
    # a score carries its writer's project; one without (the evaluators in the server) goes with its trace
    "scores": f"Attributes['{PROJECT_ATTRIBUTE}'] = {{p}} OR (Attributes['{PROJECT_ATTRIBUTE}'] = '' "
              f"AND TraceId IN (SELECT TraceId FROM {{db}}.otel_traces))",
    "otel_traces_trace_id_ts": "TraceId IN (SELECT TraceId FROM {db}.otel_traces)",  # filtered in turn
    # the dashboards' rollups and the console's content table (migration 9) keep the project as a column
    "llm_calls_1m": "Project = {p}",
    "llm_calls_10m": "Project = {p}",
    "llm_call_content": "Project = {p}",
    "sandbox_load_runs": "0",
    "sandbox_eval_runs": "0",
    "sandbox_eval_samples": "0",
    "evaluator_retries": "0",
    "evaluator_done": "0",
    KEY_TABLE: "0",
}


def scoped_reader_settings(limits: dict, database: str, project: str) -> dict:
    """Reader connection settings that make every read see only ``project``'s rows
    (ClickHouse's ``additional_table_filters``, frozen by ``readonly``, which stays last)."""
    p = _literal(validate_project(project))
    filters = ", ".join(f"{_literal(f'{database}.{table}')}: {_literal(expr.format(p=p, db=quote(database)))}"
                        for table, expr in SCOPED_TABLES.items())
    settings = {k: v for k, v in limits.items() if k != "readonly"}
    settings["additional_table_filters"] = "{" + filters + "}"
    if "readonly" in limits:
        settings["readonly"] = limits["readonly"]
    return settings
