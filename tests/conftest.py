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
