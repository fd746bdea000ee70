"""The demo: the shifted programme and its accounts, through the real services."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from networkfest.accounts.models import User
from networkfest.config import PROJECT_ROOT
from networkfest.demo.services import DEMO_PASSWORD, prepare_demo
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug


def test_prepare_demo_publishes_the_shifted_programme_and_accounts_twice(app) -> None:
    text = (PROJECT_ROOT / "schedule" / "networkfest-2026.toml").read_text("utf-8")
    now = datetime(2026, 11, 26, 16, 44, tzinfo=UTC)
    first = prepare_demo(db.session, text, now)
    assert first.publish.version == 1
    assert first.live_session is not None and first.next_session is not None
    live = session_by_slug(db.session, first.live_session)
    upcoming = session_by_slug(db.session, first.next_session)
    assert live is not None and upcoming is not None
    assert live.starts_at <= now < live.ends_at
    assert 0 < (upcoming.starts_at - now).total_seconds() <= 10 * 60
    assert [a.role for a in first.accounts] == ["organiser", "host", "attendee"]
    host = db.session.scalar(select(User).where(User.email == first.accounts[1].email))
    assert host is not None and host.password_hash is not None
    assert db.session.scalars(
        select(FestivalSession).where(FestivalSession.hosts.contains(host))
    ).first()

    later = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    second = prepare_demo(db.session, text, later)
    assert second.publish.version == 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.email.in_([a.email for a in second.accounts]))
        )
        == 3
    )
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    assert organiser is not None and organiser.organiser
    assert all(a.password == DEMO_PASSWORD for a in second.accounts)
