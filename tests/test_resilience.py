"""With the database unreachable, people get a clear 503 and the API a JSON error; then it heals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from networkfest import create_app
from networkfest.extensions import db
from tests.conftest import postgres_url
from tests.netlink import CuttableLink


@pytest.fixture
def proxied_app(suite_database_url: str | None) -> Iterator[tuple[object, CuttableLink]]:
    real = make_url(suite_database_url or postgres_url())
    proxy = CuttableLink((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TICKER": False,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"connect_timeout": 2},
            },
        }
    )
    with app.app_context():
        db.create_all()
    try:
        yield app, proxy
    finally:
        proxy.close()
        with app.app_context():
            db.engine.dispose()


def test_database_outage_answers_503_and_recovers(proxied_app) -> None:
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/sessions").status_code == 200

    proxy.cut()
    page = client.get("/schedule")
    assert page.status_code == 503
    assert "Briefly unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/sessions")
    assert api.status_code == 503
    assert api.get_json() == {
        "error": {
            "code": "unavailable",
            "message": "The festival is briefly unavailable. Please try again in a moment.",
        }
    }
    assert client.get("/healthz").status_code == 503

    proxy.restore()
    assert client.get("/healthz").status_code == 200
    assert client.get("/schedule").status_code == 200
    assert client.get("/api/v1/sessions").status_code == 200
