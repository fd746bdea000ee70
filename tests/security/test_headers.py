"""Security headers: every response gets each one it does not set itself, the 304s included."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from networkfest.security import HSTS, SECURITY_HEADERS, missing_headers


def test_missing_headers_keeps_a_response_s_own_and_compares_names_case_blind() -> None:
    present = ["content-security-policy", "X-FRAME-OPTIONS", "ETag"]
    added = dict(missing_headers(present, secure=False))
    assert "Content-Security-Policy" not in added and "X-Frame-Options" not in added
    assert set(added) == {name for name, _ in SECURITY_HEADERS} - {
        "Content-Security-Policy",
        "X-Frame-Options",
    }
    assert HSTS not in missing_headers(present, secure=False)
    assert HSTS in missing_headers(present, secure=True)
    assert missing_headers([name for name, _ in (*SECURITY_HEADERS, HSTS)], secure=True) == []


def test_every_security_header_on_a_feed_304_and_an_api_answer(
    app: Any, client: FlaskClient, factory: Any
) -> None:
    factory.festival()
    etag = client.get("/schedule.ics").headers["ETag"]
    for response in (
        client.get("/schedule.ics", headers={"If-None-Match": etag}),
        client.get("/api/v1/sessions"),
        client.get("/schedule.ics", headers={"If-None-Match": etag}, base_url="https://localhost"),
    ):
        for name, value in SECURITY_HEADERS:
            assert response.headers.get_all(name) == [value], (response.status, name)
    assert response.status_code == 304
    assert response.headers["Strict-Transport-Security"] == HSTS[1]
