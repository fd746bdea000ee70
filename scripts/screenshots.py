"""Screenshots for README.md: the front page during the festival and the programme with a
session live, 1280 CSS pixels wide, taken from a real server in headless Chromium.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshots/*.png

It publishes schedule/networkfest-2026.toml into a scratch SQLite database, sets the
server's test clock to Monday 21 September, 10:25 BST (the opening circle over, the run-sheet
workshop live, the lobby of "Five questions" open), gives an attendee two places and signs
them in. Needs Chromium at /usr/bin/chromium (or NETWORKFEST_CHROMIUM), as the browser tests.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from networkfest.extensions import db  # noqa: E402
from networkfest.programme.queries import session_by_slug  # noqa: E402
from networkfest.programme.services import publish  # noqa: E402
from networkfest.registration.services import register  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.factories import PASSWORD, make_user  # noqa: E402
from tests.server import running_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
NOW = datetime(2026, 9, 21, 9, 25, tzinfo=UTC)  # 10:25 BST, the first day
PUBLISHED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
WIDTH = 1280


def seed(app: object) -> str:
    """Publish the demo programme and give an attendee two places; returns their address."""
    with app.app_context():  # type: ignore[attr-defined]
        text = (ROOT / "schedule" / "networkfest-2026.toml").read_text(encoding="utf-8")
        result = publish(db.session, text, PUBLISHED)
        assert result.ok, result.problems
        attendee = make_user(db.session, name="Ada Attendee", email="ada@example.org")
        db.session.commit()
        for slug in ("five-questions", "lunchtime-peer-circle"):
            festival_session = session_by_slug(db.session, slug)
            assert festival_session is not None
            register(db.session, festival_session, attendee, PUBLISHED)
        db.session.remove()
    return "ada@example.org"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'screenshots.sqlite3'}"
        # The server refuses production settings it cannot trust; this one is a local copy.
        extra = {"NETWORKFEST_ENV": os.environ.get("NETWORKFEST_ENV", "development")}
        with running_server(url, Path(scratch) / "server.log", extra) as server:
            email = seed(server.app)
            server.set_clock(NOW)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(
                    base_url=server.url,
                    locale="en-GB",
                    timezone_id="Europe/London",
                    viewport={"width": WIDTH, "height": 900},
                )
                page = context.new_page()
                page.goto("/login")
                page.fill("input[name=email]", email)
                page.fill("input[name=password]", PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state()

                page.goto("/")
                page.screenshot(path=str(OUT / "front-page.png"), full_page=True)
                page.set_viewport_size({"width": WIDTH, "height": 1100})
                page.goto("/schedule")
                page.screenshot(path=str(OUT / "programme-live.png"))
                browser.close()
    for name in ("front-page.png", "programme-live.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
