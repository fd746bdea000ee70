"""Seed a benchmark database: a festival, one keynote-sized session, and attendees who sign
in the way scripts do (a personal API token each), written straight to the database so
that seeding 2,000 people takes a second, not a benchmark of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from werkzeug.security import generate_password_hash

from bench.common import SECRET, Database
from networkfest import create_app
from networkfest.accounts.models import ApiToken, User
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.programme.models import AgendaItem, Festival, FestivalSession, Theme
from networkfest.registration.models import Registration

SESSION_SLUG = "keynote"
# The one person who signs in through the login form, for the signed-in pages' benchmark.
READER_EMAIL = "reader@bench.example.org"
READER_PASSWORD = "benchmark reader password"


@dataclass
class Seeded:
    session: str
    starts_at: datetime
    ends_at: datetime
    tokens: list[str]
    asker_tokens: list[str]


def schema(database: Database) -> Flask:
    """An app bound to the benchmark database, with every table created."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database.url,
            "SECRET_KEY": SECRET,
            "TESTING": True,
            "TICKER": False,
            "MESSAGE_QUEUE": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def _add_reader(now: datetime) -> None:
    person = User(
        email=READER_EMAIL,
        name="Bench Reader",
        password_hash=generate_password_hash(READER_PASSWORD),
        organiser=False,
        created_at=now,
        verified_at=now,
    )
    db.session.add(person)
    db.session.flush()
    sessions = db.session.scalars(
        db.select(FestivalSession).where(FestivalSession.slug.like("session-%"))
    ).all()
    for other in sessions[::5]:
        db.session.add(_confirmed(other.id, person.id, now))
        other.confirmed_count += 1


def _confirmed(session_id: int, user_id: int, now: datetime) -> Registration:
    return Registration(
        session_id=session_id, user_id=user_id, status="confirmed", queued_at=now, updated_at=now
    )


def seed(
    app: Flask,
    *,
    attendees: int,
    askers: int = 0,
    registered: bool = True,
    capacity: int | None = None,
    starts_at: datetime | None = None,
    minutes: int = 60,
    programme: int = 0,
    reader: bool = False,
    organisers: int = 0,
) -> Seeded:
    """A live (or, with `starts_at`, a scheduled) open-Q&A session and its attendees.

    `programme` adds that many other sessions over the festival's week, for page benchmarks;
    `reader` a person with a password (`READER_EMAIL`), registered for every fifth of them;
    `organisers` makes the first that many people (askers first) organisers.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    starts_at = starts_at or now - timedelta(minutes=5)
    with app.app_context():
        festival = Festival(
            slug="bench-fest",
            name="Benchmark festival",
            timezone="Europe/London",
            starts=date(2026, 1, 1),
            ends=date(2030, 12, 31),
            lobby_minutes=10,
            warning_minutes=[5, 1],
            version=1,
        )
        theme = Theme(slug="learning", name="Learning between peers", position=0)
        festival.themes = [theme]
        session = FestivalSession(
            festival=festival,
            theme=theme,
            slug=SESSION_SLUG,
            title="The keynote",
            purpose="Measure how many attendees one process serves.",
            format="talk",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            capacity=capacity,
            join_url="https://meet.example.org/keynote",
            qa_mode="open",
            description="",
            status="scheduled",
            version=1,
        )
        session.agenda_items = [AgendaItem(position=0, title="Keynote", minutes=minutes)]
        db.session.add(festival)
        for i in range(programme):
            other_start = starts_at + timedelta(days=i % 5, hours=1 + i // 5)
            other = FestivalSession(
                festival=festival,
                theme=theme,
                slug=f"session-{i}",
                title=f"Peer circle {i}",
                purpose="Leave with one thing to try in your own network.",
                format="peer-circle",
                starts_at=other_start,
                ends_at=other_start + timedelta(minutes=45),
                capacity=30,
                join_url=f"https://meet.example.org/session-{i}",
                qa_mode="moderated",
                description="A *short* description.",
                status="scheduled",
                version=1,
            )
            other.agenda_items = [AgendaItem(position=0, title="Circle", minutes=45)]
            db.session.add(other)
        db.session.flush()
        if reader:
            _add_reader(now)
        tokens: list[str] = []
        for i in range(attendees + askers):
            user = User(
                email=f"attendee{i}@bench.example.org",
                name=f"Attendee {i}",
                password_hash=None,
                organiser=i < organisers,
                created_at=now,
                # Only people who proved their address may ask and vote.
                verified_at=now,
            )
            raw = new_api_token()
            user.tokens = [ApiToken(name="bench", token_hash=hash_token(raw), created_at=now)]
            db.session.add(user)
            tokens.append(raw)
        db.session.flush()
        if registered:
            users = db.session.scalars(db.select(User).order_by(User.id)).all()
            db.session.add_all(_confirmed(session.id, user.id, now) for user in users)
            session.confirmed_count = len(users)
        db.session.commit()
        seeded = Seeded(
            SESSION_SLUG, session.starts_at, session.ends_at, tokens[askers:], tokens[:askers]
        )
        db.session.remove()
    return seeded
