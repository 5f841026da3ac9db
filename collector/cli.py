"""``pharos serve``, ``pharos migrate`` and ``pharos status``."""

from __future__ import annotations

import argparse

from pharos._config import add_options, from_args

__all__ = ["register"]


def _serve(args: argparse.Namespace) -> int:
    from pharos.collector.server import serve
    from pharos.collector.settings import ServerSettings, StoreSettings

    return serve(from_args(StoreSettings, args), from_args(ServerSettings, args))


def _migrate(args: argparse.Namespace) -> int:
    from pharos.collector.settings import StoreSettings
    from pharos.collector.store import Store, migrate
    from pharos.collector.store.migrations import plan

    settings = from_args(StoreSettings, args)
    if args.print_sql:
        from pharos.collector.store.schema import SchemaOptions

        opts = SchemaOptions(settings.database, settings.cluster, settings.retention_days)
        print(";\n\n".join(plan(opts)) + ";")
        return 0
    store = Store(settings)
    applied = migrate(store)
    print(f"{store.location}: " + (", ".join(f"applied {m.version} ({m.name})" for m in applied)
                                   if applied else "schema is up to date"))
    return 0


def _status(args: argparse.Namespace) -> int:
    from pharos.collector.status import status

    return status(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    from pharos.collector.settings import ServerSettings, StoreSettings

    p = subparsers.add_parser("serve", help="run collector, evaluators and the read-only SQL endpoint",
                              description="Run the OTLP collector (HTTP + gRPC) and the read-only SQL endpoint "
                                          "over the store (embedded chDB by default).")
    add_options(p, StoreSettings)
    add_options(p, ServerSettings)
    p.set_defaults(func=_serve)

    p = subparsers.add_parser("migrate", help="create or update the store's schema",
                              description="Apply pending schema migrations (idempotent).")
    add_options(p, StoreSettings)
    p.add_argument("--print-sql", action="store_true", help="print the DDL a fresh store gets and exit")
    p.set_defaults(func=_migrate)

    p = subparsers.add_parser("status", help="report the store and its row counts",
                              description="Report where the store is and how many rows each table holds. "
                                          "While `pharos serve` owns an embedded store, ask it over --sql-url.")
    add_options(p, StoreSettings)
    p.add_argument("--sql-url", default=None,
                   help="query a running `pharos serve` through its SQL endpoint, e.g. http://127.0.0.1:8123")
    p.set_defaults(func=_status)
