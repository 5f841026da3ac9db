"""``pharos serve``: store, migrations, OTLP/HTTP + OTLP/gRPC receivers and the read-only SQL endpoint
in one process (and one asyncio loop), stopped cleanly by SIGTERM/SIGINT after writing everything
that was acknowledged."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from pathlib import Path

import uvicorn

from pharos.collector.access import GrpcGuard, build_access, secure_console, secure_otlp_app
from pharos.collector.batcher import Batcher
from pharos.collector.grpc_api import create_grpc_server
from pharos.collector.http_api import create_otlp_app
from pharos.collector.keys_api import remove_admin_file, write_admin_file
from pharos.collector.limits import AttributeLimits
from pharos.collector.settings import ServerSettings, StoreSettings
from pharos.collector.sql_api import create_sql_app, reader_settings
from pharos.collector.store import Store, migrate
from pharos.collector.tls import grpc_server_credentials, http_scheme, listener_tls, uvicorn_tls
from pharos.collector.wal import WriteAheadLog

__all__ = ["Server", "serve", "BACKGROUND_WORKERS"]

log = logging.getLogger("pharos.serve")

# Workers that run inside `pharos serve` next to the collector, as "module:function". The function
# takes the open Store and returns an object with ``stop()`` (called on shutdown, before the store
# closes), or None to stay off. A module that is not installed is skipped.
BACKGROUND_WORKERS = ["pharos.evaluators.online:start_in_server"]

# The web console, served on --console-port when its module is present: create_console_app(store,
# reader_factory) -> ASGI app, where reader_factory() gives a read-only clickhouse-connect client.
CONSOLE_APP = "pharos.dashboards.console:create_console_app"


def _console_app(store: Store, reader_factory):
    import importlib

    module_name, func = CONSOLE_APP.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, func)(store, reader_factory)


def _start_workers(store: Store) -> list:
    import importlib

    workers = []
    for spec in BACKGROUND_WORKERS:
        module_name, func = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        worker = getattr(module, func)(store)
        if worker is not None:
            log.info("started %s", spec)
            workers.append(worker)
    return workers


class Server:
    def __init__(self, store_settings: StoreSettings, server_settings: ServerSettings):
        self.store_settings, self.settings = store_settings, server_settings
        self.store: Store | None = None
        self.batcher: Batcher | None = None
        self._stop = asyncio.Event()
        self._ready = False

    def _keep(self, folder: str, signal_name: str, payload: bytes) -> Path:
        path = Path(self.store_settings.data_dir) / folder / f"{time.time_ns()}-{signal_name}.pb"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def _quarantine(self, signal_name: str, payload: bytes, exc: Exception) -> None:
        path = self._keep("quarantine", signal_name, payload)
        log.error("quarantined a %s request the store refused at %s: %s", signal_name, path, exc)

    def _uvicorn(self, app, port: int) -> uvicorn.Server:
        config = uvicorn.Config(app, host=self.settings.host, port=port, log_level="warning",
                                access_log=False, lifespan="off", **uvicorn_tls(self.settings))
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # the Server handles signals itself
        return server

    def _admin_token(self) -> str | None:
        """With the embedded store, the token of the key admin API that `pharos keys` uses while this
        server holds the store (written to DATA_DIR/admin.json); None with a ClickHouse server."""
        if not self.store.embedded:
            return None
        s = self.settings
        host = s.host if s.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        tls = listener_tls(s)
        return write_admin_file(Path(self.store_settings.data_dir),
                                f"{http_scheme(s)}://{host}:{s.otlp_http_port}", str(tls[0]) if tls else None)

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        s = self.settings
        self.store = Store(self.store_settings)
        applied = migrate(self.store)
        log.info("store: %s (database %s, %d migration(s) applied)", self.store.location,
                 self.store.database, len(applied))
        wal = WriteAheadLog(Path(self.store_settings.data_dir) / "wal", s.wal_fsync, s.wal_fsync_interval_ms,
                            s.wal_segment_bytes, s.buffer_max_bytes)
        if wal.backlog_bytes():
            log.info("write-ahead log: %d byte(s) accepted by an earlier run wait for the store", wal.backlog_bytes())
        self.batcher = Batcher({"traces": self.store.insert_otlp_traces, "metrics": self.store.insert_otlp_metrics,
                                "scores": self.store.insert_score_rows},
                               wal, s.batch_max_spans, s.batch_max_age_ms, quarantine=self._quarantine)
        limits = reader_settings(s.sql_max_execution_seconds, s.sql_max_result_rows, s.sql_max_memory_bytes)

        def reader_factory():
            return self.store.new_client(settings=limits, database=self.store.database)

        access = build_access(s, self.store)
        closed = None
        if access.enabled and not s.sql_user:  # an open SQL endpoint would read every project
            closed = ("The SQL endpoint is closed: API keys are required (--auth) and it has no credentials "
                      "of its own; set --sql-user and PHAROS_SQL_PASSWORD.")
            log.warning("SQL endpoint closed: auth is on and --sql-user is not set")
        sql_app = create_sql_app(reader_factory, s.sql_user, s.sql_password, self.store.database, closed=closed)
        otlp_app = secure_otlp_app(create_otlp_app(self.batcher, s.max_body_bytes, ready=lambda: self._ready,
                                                   limits=AttributeLimits.of(s)),
                                   access, self.store, self._admin_token())
        http_server = self._uvicorn(otlp_app, s.otlp_http_port)
        sql_server = self._uvicorn(sql_app, s.sql_port)
        grpc_server = create_grpc_server(self.batcher, f"{s.host}:{s.otlp_grpc_port}", s.max_body_bytes,
                                         interceptors=[GrpcGuard(access)], credentials=grpc_server_credentials(s),
                                         limits=AttributeLimits.of(s))

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.request_stop)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests) or no signals
                pass
        workers = _start_workers(self.store)
        await grpc_server.start()
        servers = [http_server, sql_server]
        console = secure_console(_console_app, access, self.store, lambda settings: self.store.new_client(
            settings=settings, database=self.store.database), limits) if s.console_port else None
        if console is not None:
            servers.append(self._uvicorn(console, s.console_port))
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            if any(t.done() for t in tasks):
                for t in tasks:
                    if t.done() and t.exception():
                        raise t.exception()
                raise OSError("a listener failed to start (port in use?)")
            await asyncio.sleep(0.02)
        self._ready = True
        web = http_scheme(s)
        log.info("OTLP/HTTP  listening on %s://%s:%d  (POST /v1/traces, /v1/metrics)", web, s.host, s.otlp_http_port)
        log.info("OTLP/gRPC  listening on %s:%d%s", s.host, s.otlp_grpc_port, " (TLS)" if web == "https" else "")
        log.info("SQL (read-only ClickHouse HTTP) listening on %s://%s:%d", web, s.host, s.sql_port)
        if console is not None:
            log.info("console    listening on %s://%s:%d", web, s.host, s.console_port)
        log.info("ready; send traces with OTEL_EXPORTER_OTLP_ENDPOINT=%s://%s:%d", web, s.host, s.otlp_http_port)
        await self._stop.wait()

        log.info("stopping: refusing new data, writing %d accepted item(s)", self.batcher.pending())
        self._ready = False
        await grpc_server.stop(grace=5)
        http_server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self.batcher.close)
        for worker in workers:
            await asyncio.to_thread(worker.stop)
        for server in servers[1:]:
            server.should_exit = True
        if access.authenticator is not None:
            access.authenticator.stop()
        remove_admin_file(Path(self.store_settings.data_dir))
        self.store.close()
        written = self.batcher.stats.written
        log.info("stopped; %d span(s), %d metric point(s) and %d score(s) written this run; %d byte(s) left in the "
                 "write-ahead log", written["traces"], written["metrics"], written["scores"],
                 self.batcher.backlog_bytes())


def serve(store_settings: StoreSettings, server_settings: ServerSettings) -> int:
    try:  # libuv's event loop where installed (the server extra brings it; not on Windows)
        import uvloop
    except ImportError:
        asyncio.run(Server(store_settings, server_settings).run())
    else:
        uvloop.run(Server(store_settings, server_settings).run())
    return 0
