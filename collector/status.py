"""``pharos status``: where the store is and how many rows each table holds."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from pharos._config import from_args

__all__ = ["status", "table_counts"]

_QUERY = ("SELECT name, total_rows FROM system.tables WHERE database = {db:String} "
          "AND engine NOT IN ('MaterializedView', 'View') ORDER BY name")


def table_counts(client, database: str) -> list[tuple[str, int]]:
    return [(name, int(rows or 0)) for name, rows in client.query(_QUERY, parameters={"db": database}).result_rows]


def status(args: argparse.Namespace) -> int:
    from pharos.collector.settings import StoreSettings

    settings = from_args(StoreSettings, args)
    if args.sql_url:
        import clickhouse_connect

        url = urlsplit(args.sql_url)
        client = clickhouse_connect.get_client(host=url.hostname, port=url.port or 8123,
                                               username=url.username or "default", password=url.password or "")
        where = f"pharos serve at {url.scheme}://{url.hostname}:{url.port}"
    else:
        from pharos.collector.store import Store

        store = Store(settings)
        client, where = store.client, store.location
    print(f"store: {where}, database {settings.database}")
    counts = table_counts(client, settings.database)
    if not counts:
        print("  no tables yet: run `pharos migrate` or `pharos serve`")
    width = max((len(n) for n, _ in counts), default=0)
    for name, rows in counts:
        print(f"  {name:<{width}}  {rows:>12,} rows")
    return 0
