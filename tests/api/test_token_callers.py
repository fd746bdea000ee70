"""An API request with a personal token finds who is asking in this process's memory, as a
live connection does (`accounts.auth`), and is still right: a right gained or lost, a token
revoked or a person deleted reaches the very next request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import update

from networkfest import process_cache
from networkfest.accounts import services as accounts
from networkfest.accounts.auth import CALLERS, TOKEN_READS, read_tokens, token_identity
from networkfest.accounts.models import User
from networkfest.accounts.tokens import hash_token
from networkfest.extensions import db, socketio
from networkfest.privacy import services as privacy
from tests.factories import FESTIVAL_START
from tests.statements import counted


def bearer(app: Flask, user: Any) -> dict[str, str]:
    raw = accounts.create_api_token(db.session, user, "laptop", FESTIVAL_START)
    return {"Authorization": f"Bearer {raw}"}


def register(client: Any, slug: str, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/sessions/{slug}/registration", headers=headers)


def test_a_known_token_asks_the_database_nothing_about_who_is_asking(
    app: Flask, client: Any, factory: Any, festival: Any, clock: Any
) -> None:
    session = factory.session(festival)
    headers = bearer(app, factory.user())
    assert client.get("/api/v1/me/agenda", headers=headers).status_code == 200

    with counted() as statements:
        assert register(client, session.slug, headers).status_code == 201

    assert not [s for s in statements if "api_tokens" in s or "FROM users" in s], statements


def test_a_right_gained_or_lost_reaches_the_next_request(
    app: Flask, client: Any, factory: Any, festival: Any, clock: Any
) -> None:
    """Proving an address is a write of the person's row: it forgets the kept copy when it
    commits, so the next request reads them afresh."""
    session = factory.session(festival)
    person = factory.user(verified=False)
    headers = bearer(app, person)
    refused = register(client, session.slug, headers)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    assert process_cache.cache(CALLERS).get(person.id) is not None

    person.verified_at = clock.now()
    db.session.commit()

    assert register(client, session.slug, headers).status_code == 201
    person.verified_at = None
    db.session.commit()
    assert register(client, session.slug, headers).status_code == 403


def test_a_change_behind_the_apps_back_is_seen_within_the_lifetime(
    app: Flask, client: Any, factory: Any, festival: Any, clock: Any
) -> None:
    session = factory.session(festival)
    person = factory.user(verified=False)
    headers = bearer(app, person)
    assert register(client, session.slug, headers).status_code == 403
    db.session.execute(update(User).where(User.id == person.id).values(verified_at=clock.now()))
    db.session.commit()
    assert register(client, session.slug, headers).status_code == 403  # the kept copy
    clock.advance(timedelta(seconds=app.config["TOKEN_CACHE_SECONDS"]))
    assert register(client, session.slug, headers).status_code == 201


def test_a_revoked_token_is_refused_by_the_next_request(
    app: Flask, client: Any, factory: Any, clock: Any
) -> None:
    headers = bearer(app, factory.user())
    assert client.get("/api/v1/me/agenda", headers=headers).status_code == 200
    assert client.delete("/api/v1/me/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me/agenda", headers=headers).status_code == 401


def test_a_deleted_person_is_refused_by_the_next_request(
    app: Flask, client: Any, factory: Any, clock: Any
) -> None:
    person = factory.user()
    headers = bearer(app, person)
    assert client.get("/api/v1/me/agenda", headers=headers).status_code == 200
    privacy.delete_account(db.session, person, clock.now())
    assert client.get("/api/v1/me/agenda", headers=headers).status_code == 401


def test_tokens_arriving_together_are_read_in_one_statement(app: Flask, factory: Any) -> None:
    """A storm of people the process has not seen: one round trip per group (`read_tokens`),
    each caller answered in order, and each person kept for what follows."""
    people = [factory.user() for _ in range(3)]
    raws = [accounts.create_api_token(db.session, p, "laptop", FESTIVAL_START) for p in people]
    db.session.commit()
    hashes = [hash_token(raw) for raw in raws]
    unknown = hash_token("nf_not-a-token-anybody-holds")

    with counted() as statements:
        found = read_tokens([hashes[0], hashes[1], unknown, hashes[0], hashes[2]])

    assert len(statements) == 1, statements
    owners = [None if identity is None else identity[0] for identity in found]
    assert owners == [people[0].id, people[1].id, None, people[0].id, people[2].id]
    with counted() as statements:
        assert [token_identity(raw) for raw in raws] == [found[0], found[1], found[4]]
        assert token_identity("nf_not-a-token-anybody-holds") is None  # never remembered
    assert len(statements) == 1, statements
    assert all(process_cache.cache(CALLERS).get(p.id) is not None for p in people)


def test_connections_arriving_while_the_first_token_is_gathered_are_read_with_it(
    app: Flask, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first new token's reader gives the hub a turn before it reads: on SQLite, where
    nothing else lets the others in, the tokens that arrive meanwhile (a join storm's
    connections) are read with it in one statement, not one each. The test's turn of the
    hub lasts until all three are waiting, so nothing depends on timing."""
    people = [factory.user() for _ in range(3)]
    raws = [accounts.create_api_token(db.session, p, "laptop", FESTIVAL_START) for p in people]
    db.session.commit()

    def one_turn(_seconds: float) -> None:
        assert current_app.extensions[TOKEN_READS].waiting_at_least(3, 30)

    monkeypatch.setattr(socketio, "sleep", one_turn)

    def connect(raw: str) -> tuple[int, int] | None:
        with app.app_context():
            try:
                return token_identity(raw)
            finally:
                db.session.remove()

    with counted() as statements, ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(connect, raws))

    assert [identity and identity[0] for identity in found] == [p.id for p in people]
    assert len([s for s in statements if "api_tokens" in s]) == 1, statements
