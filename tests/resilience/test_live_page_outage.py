"""The live page in headless Chromium while the message queue fails and returns.

One `networkfest run` process with a private Redis as its queue. The page says it is
reconnecting when Redis goes, and on its return re-joins and shows the question that
was acknowledged meanwhile (its broadcast was lost with the queue).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import skip_or_fail
from tests.resilience.support import (
    QUEUE_CHANNEL,
    STARTS,
    WAIT_S,
    PrivateRedis,
    QueueServer,
    dispose,
    seed,
)
from tests.room_client import RoomClient

pytestmark = [pytest.mark.browser, pytest.mark.redis]


def in_own_thread(work: Callable[[], None]) -> None:
    """Run `work` in a fresh thread and re-raise what it raised.

    Playwright's sync API refuses a thread whose asyncio loop runs, and the browser
    tests' session-wide browser keeps one running in the main thread.
    """
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=run, name="browser")
    thread.start()
    thread.join(timeout=WAIT_S * 4)
    assert not thread.is_alive(), "the browser scenario did not finish"
    if failures:
        raise failures[0]


@pytest.fixture
def server(
    scratch_database_url: str, private_redis: PrivateRedis, tmp_path: Path
) -> Iterator[QueueServer]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    live = QueueServer(scratch_database_url, tmp_path / "server.log", private_redis.url)
    live.migrate()
    try:
        yield live
    finally:
        live.stop()
        dispose(live)


def test_the_page_shows_reconnecting_and_resynchronises(
    server: QueueServer, private_redis: PrivateRedis
) -> None:
    slug, tokens = seed(server.app, ("alice",))
    server.start()
    server.set_clock(STARTS + timedelta(minutes=5))
    alice = RoomClient(server.url, tokens["alice"], slug, transports=["websocket"])

    def scenario() -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(base_url=server.url, locale="en-GB")
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(f"/sessions/{slug}/live")
                page.locator("#live-status[data-state=online]").wait_for()
                alice.connect()
                private_redis.wait_for_subscribers(QUEUE_CHANNEL, 1)

                private_redis.kill()
                page.locator("#live-status[data-state=reconnecting]").wait_for()
                assert page.locator("#live-status").inner_text() == "Reconnecting…"
                alice.ask("Asked while the queue was down")

                private_redis.start()
                page.locator("#live-status[data-state=online]").wait_for()
                asked = page.locator(
                    "#questions .question__text", has_text="Asked while the queue was down"
                )
                asked.wait_for()
                assert errors == []
            finally:
                browser.close()

    try:
        in_own_thread(scenario)
    finally:
        alice.close()
