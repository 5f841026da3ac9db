"""Console test fixtures: a real `pharos serve` seeded through the SDK, and headless Chromium (Playwright)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pharos_testing import PharosProcess

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # seed_calls
CHROMIUM = os.environ.get("PHAROS_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
LLM_CALL = "GenAIOperationName IN ('chat', 'text_completion', 'generate_content', 'embeddings')"
EXPECTED_CALLS = 17  # what seed_calls.py sends


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    """A `pharos serve` with the seeded calls, scores and runs; ``.seed`` holds the ids to look for."""
    # no online evaluators: the scores on the pages are exactly the ones the test sends
    server = PharosProcess(tmp_path_factory.mktemp("console") / "data", args=["--batch-max-age-ms", "50"],
                           env={"PHAROS_EVAL_ENABLED": "false"}).start()
    try:
        server.seed = {}
        for part in ("shop", "search"):
            done = subprocess.run([sys.executable, str(HERE / "seed_calls.py"), server.otlp_http, part],
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-3000:]
            server.seed.update(json.loads(done.stdout.strip().splitlines()[-1]))
        got = server.wait_for_rows(f"SELECT count() FROM otel_traces WHERE {LLM_CALL}", EXPECTED_CALLS)
        assert got == EXPECTED_CALLS, got
        assert server.wait_for_rows("SELECT count() FROM scores", server.seed["scores"]) >= server.seed["scores"]
        if server.seed.get("runs"):
            server.wait_for_rows("SELECT count() FROM sandbox_eval_runs", 4)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in the main thread while it is
    # open, which would break later tests that call asyncio.run().
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                     "--disable-component-update", "--disable-sync", "--no-first-run",
                                     "--disable-dev-shm-usage"])
        yield b
        b.close()


class Tab:
    """A page that records console errors and uncaught exceptions."""

    def __init__(self, page, base: str):
        self.page, self.base, self.errors = page, base, []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def go(self, path: str, status: int = 200):
        resp = self.page.goto(self.base + path, wait_until="load")
        assert resp is not None and resp.status == status, (path, resp and resp.status)
        return resp

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser, console_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    t = Tab(page, console_server.console_url)
    yield t
    ctx.close()
