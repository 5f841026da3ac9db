import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for pharos_testing

from pharos_testing import PharosProcess  # noqa: E402


@pytest.fixture(scope="module")
def pharos_server(tmp_path_factory):
    """A real `pharos serve` over a fresh embedded store, shared by a test module."""
    server = PharosProcess(tmp_path_factory.mktemp("pharos") / "data", args=["--batch-max-age-ms", "100"]).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory):
    """The one embedded store directory of this test process (chDB opens one path per process);
    tests isolate themselves with their own database."""
    return tmp_path_factory.mktemp("chdb") / "store"


@pytest.fixture
def make_store(chdb_dir, request):
    """Open a Store on the session's chDB directory in a database of the test's own."""
    from pharos.collector.settings import StoreSettings
    from pharos.collector.store import Store

    opened = []

    def _make(database: str | None = None, **settings):
        name = database or "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:60]
        store = Store(StoreSettings(data_dir=chdb_dir, database=name, **settings))
        opened.append(store)
        return store

    yield _make
    for store in opened:
        store.close()
