"""Browser fixtures: a real server process and Debian's headless Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.server import LiveServer, running_server

CHROMIUM = os.environ.get("NETWORKFEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def server(scratch_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh server and database per test; seed it through `server.app`."""
    with running_server(scratch_database_url, tmp_path / "server.log") as live:
        yield live


@pytest.fixture
def new_page(browser, server: LiveServer) -> Iterator[object]:
    """Make pages in separate browser contexts (separate people); all closed at the end."""
    contexts = []

    def _new_page():
        context = browser.new_context(
            base_url=server.url, locale="en-GB", timezone_id="Europe/London"
        )
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
