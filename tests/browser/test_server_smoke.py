"""The browser harness itself: a real server answers a real Chromium."""

from __future__ import annotations


def test_health_page_loads_in_chromium(new_page, server) -> None:
    page = new_page()
    response = page.goto("/healthz")
    assert response is not None and response.status == 200
    assert '"status":"ok"' in page.content().replace(" ", "")
