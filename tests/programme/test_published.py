"""The published programme kept in each process (`programme.published`): read once, dropped
when a transaction that changed what it holds commits (not before, not on a rollback; that
transaction reads its own change meanwhile), and
seen by another process that no queue tells within its lifetime on the app's clock.
Across processes through the message queue: tests/scale/test_join_caches.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from networkfest import process_cache
from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.process_cache import UNTOLD_S
from networkfest.programme.models import FestivalSession
from networkfest.programme.published import published_programme
from networkfest.registration.services import register
from tests.factories import FESTIVAL_START
from tests.statements import counted

BEFORE = FESTIVAL_START - timedelta(days=1)


def seats(slug: str) -> int:
    programme = published_programme(db.session)
    assert programme is not None
    published = programme.session(slug)
    assert published is not None
    return published.confirmed_count


def test_it_is_read_once_and_asked_nothing_after(factory: Any, festival: Any) -> None:
    host = factory.user(name="Hana Host")
    fs = factory.session(festival, capacity=3, hosts=[host])
    first = published_programme(db.session)
    assert first is not None and first.festival_id == festival.id
    assert first.themes == {"purpose", "method", "learning"}
    published = first.session(fs.slug)
    assert published is not None and published.hosts == ("Hana Host",)
    with counted() as statements:
        assert published_programme(db.session) is first
    assert statements == []
    assert first.session("no-such-session") is None


def test_a_seat_taken_is_seen_once_it_commits_and_a_rollback_changes_nothing(
    factory: Any, festival: Any
) -> None:
    fs = factory.session(festival, capacity=3)
    before = published_programme(db.session)
    taken = update(FestivalSession).where(FestivalSession.id == fs.id).values(confirmed_count=2)
    db.session.execute(taken)
    process_cache.statement_wrote(db.session, FestivalSession, "update")  # as writers say
    assert seats(fs.slug) == 2  # the transaction that wrote it reads its own change
    with Session(db.engine) as reader:  # everyone else: the kept copy, until it commits
        assert published_programme(reader) is before
    db.session.rollback()
    assert published_programme(db.session) is before
    register(db.session, db.session.get(FestivalSession, fs.id), factory.user(), BEFORE)
    after = published_programme(db.session)
    assert after is not None and after is not before
    assert seats(fs.slug) == 1 and after.fingerprint != before.fingerprint


def test_a_hosts_new_name_changes_it_and_the_public_list(
    client: Any, factory: Any, festival: Any
) -> None:
    host = factory.user(name="Hana Host")
    factory.session(festival, hosts=[host])
    assert client.get("/api/v1/sessions").json["sessions"][0]["hosts"] == ["Hana Host"]
    host.name = "Hana Renamed"
    db.session.commit()
    assert client.get("/api/v1/sessions").json["sessions"][0]["hosts"] == ["Hana Renamed"]


def test_another_process_that_no_queue_tells_is_seen_within_the_lifetime(
    another_app: Any, clock: Any, factory: Any, festival: Any
) -> None:
    fs = factory.session(festival, capacity=3)
    slug, session_id, person_id = fs.slug, fs.id, factory.user().id
    assert seats(slug) == 0
    db.session.commit()  # this process's read ends; SQLite lets one transaction at a time
    other: Flask = another_app()
    with other.app_context():
        fs_there = db.session.get(FestivalSession, session_id)
        register(db.session, fs_there, db.session.get(User, person_id), BEFORE)
        db.session.commit()
    assert seats(slug) == 0  # this process was not told
    clock.advance(timedelta(seconds=UNTOLD_S))
    assert seats(slug) == 1
