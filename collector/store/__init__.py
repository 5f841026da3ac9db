"""The ClickHouse store (embedded chDB or a server): schema, migrations, reads and OTLP writes."""

from pharos.collector.store.migrations import MIGRATIONS, migrate
from pharos.collector.store.schema import SchemaOptions
from pharos.collector.store.store import Store, StoreError

__all__ = ["Store", "StoreError", "SchemaOptions", "migrate", "MIGRATIONS"]
