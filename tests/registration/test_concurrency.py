"""200 people register at once for 20 places, over HTTP, against a real server process.

The database must hold the line: exactly 20 confirmed, 180 waitlisted with positions 1..180,
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.models import FestivalSession, Registration
from tests import factories
from tests.conftest import drop_postgres_database, fresh_postgres_database, postgres_url, run_tag
from tests.factories import FESTIVAL_START
from tests.server import LiveServer, running_server

PEOPLE = 200
CAPACITY = 20


def _seed(server: LiveServer) -> tuple[str, list[str]]:
    """A session of 20 places and 200 people with personal tokens, straight into the database."""
    with server.app.app_context():
        festival = factories.make_festival(db.session)
        session = factories.make_session(db.session, festival, capacity=CAPACITY)
        tokens = []
        for _ in range(PEOPLE):
            user = factories.make_user(db.session)
            raw = new_api_token()
            db.session.add(
                ApiToken(
                    user_id=user.id,
                    name="load",
                    token_hash=hash_token(raw),
                    created_at=FESTIVAL_START,
                )
            )
            tokens.append(raw)
        slug = session.slug
        db.session.commit()
    server.set_clock(FESTIVAL_START)
    return slug, tokens


def _register_all_at_once(server: LiveServer, slug: str, tokens: list[str]) -> list[Any]:
    barrier = threading.Barrier(len(tokens))
    url = f"{server.url}/api/v1/sessions/{slug}/registration"

    def register(token: str) -> tuple[int, dict[str, Any]]:
        with requests.Session() as http:
            barrier.wait(timeout=60)
            response = http.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
            return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(register, tokens))


def _assert_never_overbooked(server: LiveServer, slug: str, tokens: list[str]) -> None:
    results = _register_all_at_once(server, slug, tokens)

    assert {status for status, _ in results} == {201}, results
    confirmed = [body for _, body in results if body["status"] == "confirmed"]
    waitlisted = sorted(body["position"] for _, body in results if body["status"] == "waitlisted")
    assert len(confirmed) == CAPACITY
    assert waitlisted == list(range(1, PEOPLE - CAPACITY + 1))

    with server.app.app_context():
        session = db.session.scalar(select(FestivalSession).where(FestivalSession.slug == slug))
        assert session.confirmed_count == CAPACITY
        counts = dict(
            db.session.execute(
                select(Registration.status, func.count())
                .where(Registration.session_id == session.id)
                .group_by(Registration.status)
            ).all()
        )
        assert counts == {"confirmed": CAPACITY, "waitlisted": PEOPLE - CAPACITY}

    # Each answer was decided before its commit: it must be the state everyone reads after.
    url = f"{server.url}/api/v1/sessions/{slug}/registration"
    with requests.Session() as http:
        for token, (_, answered) in zip(tokens, results, strict=True):
            again = http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert again.json() == answered


def test_200_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    with running_server(url, tmp_path / "server.log") as server:
        slug, tokens = _seed(server)
        _assert_never_overbooked(server, slug, tokens)


@pytest.fixture
def dedicated_postgres(worker_id: str) -> Any:
    """A database of its own, so the test never clashes with the suite's database."""
    url = fresh_postgres_database(postgres_url(), f"networkfest_concurrency_{run_tag(worker_id)}")
    yield url
    drop_postgres_database(url)


@pytest.mark.postgres
def test_200_at_once_on_postgresql(dedicated_postgres: str, tmp_path: Path) -> None:
    with running_server(dedicated_postgres, tmp_path / "server.log") as server:
        slug, tokens = _seed(server)
        _assert_never_overbooked(server, slug, tokens)
