"""The demo through the real services: the programme, the accounts, and a record that makes the
dashboard, the punctuality page and the charts show what they are for from the first run."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from networkfest.accounts.models import User
from networkfest.audit.models import AuditEntry
from networkfest.clock import SettableClock
from networkfest.config import PROJECT_ROOT
from networkfest.demo import cli as demo_cli
from networkfest.demo.services import DEMO_PASSWORD, DemoResult, prepare_demo
from networkfest.extensions import db
from networkfest.insights import services as insights
from networkfest.insights.models import Feedback
from networkfest.live.models import Presence
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import current_festival, session_by_slug
from networkfest.qa.models import Question, Vote
from networkfest.registration.models import Registration
from networkfest.timing import services as timing
from networkfest.timing.models import AgendaMove

TEXT = (PROJECT_ROOT / "schedule" / "networkfest-2026.toml").read_text("utf-8")
NOW = datetime(2026, 11, 26, 16, 44, tzinfo=UTC)  # a Thursday, 16:44 GMT


@pytest.fixture
def demo(app: Flask, clock: SettableClock) -> DemoResult:
    clock.set(NOW)
    return prepare_demo(db.session, TEXT, NOW)


def sign_in(client: FlaskClient, email: str) -> FlaskClient:
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code in (302, 303)
    return client


def account(result: DemoResult, role: str) -> str:
    return next(a.email for a in result.accounts if a.role == role)


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_prepare_demo_publishes_the_shifted_programme_and_accounts_twice(demo: DemoResult) -> None:
    assert demo.publish.version == 1
    assert demo.live_session is not None and demo.next_session is not None
    live = session_by_slug(db.session, demo.live_session)
    upcoming = session_by_slug(db.session, demo.next_session)
    assert live is not None and upcoming is not None
    assert live.starts_at <= NOW < live.ends_at
    assert timedelta(0) < upcoming.starts_at - NOW <= timedelta(minutes=17)
    assert [a.role for a in demo.accounts] == ["organiser", "host", "attendee"]
    host = db.session.scalar(select(User).where(User.email == account(demo, "host")))
    assert host is not None and host.password_hash is not None
    host_next = session_by_slug(db.session, str(demo.host_next_session))
    assert host_next is not None and host_next.starts_at >= live.ends_at
    assert host in live.hosts and host in host_next.hosts and host not in upcoming.hosts

    later = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    second = prepare_demo(db.session, TEXT, later)
    assert second.publish.version == 2
    emails = [a.email for a in second.accounts]
    assert db.session.scalar(select(func.count()).where(User.email.in_(emails))) == 3
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    assert organiser is not None and organiser.organiser
    assert all(a.password == DEMO_PASSWORD for a in second.accounts)
    # The record was made anew for the new times: only its own rows, none in the future.
    ended = db.session.scalar(select(func.count()).where(FestivalSession.ends_at <= later))
    assert second.record.sessions == ended
    assert count(AgendaMove) == second.record.moves and count(Feedback) == second.record.feedback
    assert not db.session.scalar(select(func.count()).where(AgendaMove.started_at > later))
    assert not db.session.scalar(select(func.count()).where(Presence.joined_at > later))
    assert not db.session.scalar(select(func.count()).where(Feedback.created_at > later))


@pytest.mark.parametrize(
    "now", [NOW, datetime(2026, 11, 26, 23, 40, tzinfo=UTC)], ids=["afternoon", "night"]
)
def test_no_host_of_the_published_demo_is_in_two_sessions_at_once(
    app: Flask, clock: SettableClock, now: datetime
) -> None:
    """The schedule check's rule, on the sessions as published: a host's sessions never
    overlap, the demo host's (the live one's and the next of theirs) included."""
    clock.set(now)
    assert prepare_demo(db.session, TEXT, now).publish.ok
    published = db.session.scalars(select(FestivalSession)).all()
    overlapping = [
        (first.slug, second.slug, host.email)
        for first, second in itertools.combinations(published, 2)
        if first.starts_at < second.ends_at and second.starts_at < first.ends_at
        for host in set(first.hosts) & set(second.hosts)
    ]
    assert overlapping == []


def test_the_record_is_made_through_the_services(demo: DemoResult) -> None:
    record = demo.record
    assert record.sessions >= 10
    assert min(record.registrations, record.stays, record.questions, record.votes) > 0
    assert min(record.moves, record.feedback) > 0
    assert (count(Registration), count(Question), count(Vote), count(AgendaMove)) == (
        record.registrations,
        record.questions,
        record.votes,
        record.moves,
    )
    assert count(Feedback) == record.feedback
    # Each run-sheet move was made by timing.services.agenda_next, which audits it.
    moves = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "agenda.next")
    )
    assert moves == record.moves
    # Places were taken by registration.services.register: full sessions have a waitlist.
    assert db.session.scalar(select(func.count()).where(Registration.status == "waitlisted"))
    full = db.session.scalars(
        select(FestivalSession).where(FestivalSession.capacity.is_not(None))
    ).all()
    assert all(s.confirmed_count <= (s.capacity or 0) for s in full)
    # Feedback with comments and answers to the follow-up question.
    comments = db.session.scalars(select(Feedback.different).where(Feedback.different != ""))
    assert len(list(comments)) > 10
    assert db.session.scalar(select(func.count()).where(Feedback.follow_up.is_(True)))


def test_the_demo_dashboard_shows_attendance_feedback_and_punctuality(
    demo: DemoResult, client: FlaskClient
) -> None:
    festival = current_festival(db.session)
    assert festival is not None
    totals = insights.dashboard_data(db.session, festival, NOW).figures.festival
    assert totals is not None
    assert totals.attended > 0 and totals.registered > 0 and totals.waitlisted > 0
    assert totals.worth_count > 0 and totals.worth_mean is not None and totals.follow_up_yes > 0
    assert totals.questions > 0 and totals.answered > 0
    assert totals.recorded > 0 and totals.late_starts >= 1 and totals.overran_items >= 1
    assert totals.no_record >= 1 and 0 < totals.ended_on_time < totals.recorded

    sign_in(client, account(demo, "organiser"))
    page = client.get("/organiser/insights").get_data(as_text=True)
    assert page.count('role="img"') == 4  # every chart has something to draw
    assert "No record" in page and "Not yet" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/organiser/insights/sessions.csv").text)))
    late = [r for r in rows if r["started_late_s"] and int(r["started_late_s"]) > 0]
    overran = [r for r in rows if r["overran_items"] and int(r["overran_items"]) > 0]
    assert late and overran
    punctuality = client.get("/organiser/punctuality").get_data(as_text=True)
    assert "No record:" in punctuality and "Not yet:" in punctuality
    assert (
        "No: cut off at the end" in punctuality
        and '<span class="badge badge--ok">Yes' in punctuality
    )


def test_the_demo_host_has_sessions_with_a_record(demo: DemoResult, client: FlaskClient) -> None:
    festival = current_festival(db.session)
    assert festival is not None
    host = db.session.scalar(select(User).where(User.email == account(demo, "host")))
    assert host is not None
    rows = timing.punctuality_report(db.session, festival, NOW)
    own = [r for r in rows if host in r.session.hosts and r.ended]
    assert own and all(r.verdict == "recorded" for r in own)
    # The invitation publishing made is accepted: a verified host, with the host's rights.
    sign_in(client, host.email)
    assert client.get("/host/insights").status_code == 200
    assert client.get(f"/sessions/{own[0].session.slug}/feedback/results").status_code == 200


def test_the_live_room_has_people_and_questions_waiting(demo: DemoResult) -> None:
    live = session_by_slug(db.session, str(demo.live_session))
    assert live is not None
    in_room = db.session.scalar(
        select(func.count()).where(Presence.session_id == live.id, Presence.left_at.is_(None))
    )
    assert in_room and in_room > 0
    attendee = db.session.scalar(select(User).where(User.email == account(demo, "attendee")))
    statuses = {
        r.user_id: r.status
        for r in db.session.scalars(select(Registration).where(Registration.session_id == live.id))
    }
    assert attendee is not None and statuses[attendee.id] == "confirmed"


def test_the_same_instant_makes_the_same_record(app: Flask, clock: SettableClock) -> None:
    clock.set(NOW)
    first = prepare_demo(db.session, TEXT, NOW)
    festival = current_festival(db.session)
    assert festival is not None
    before = insights.dashboard_data(db.session, festival, NOW).figures.sessions
    again = prepare_demo(db.session, TEXT, NOW)
    after = insights.dashboard_data(db.session, festival, NOW).figures.sessions
    assert again.record == first.record
    assert [s.as_row() for s in after] == [s.as_row() for s in before]


def test_every_page_says_it_is_a_demo_while_the_demo_serves(
    demo: DemoResult, app: Flask, client: FlaskClient
) -> None:
    assert "This is a demo." not in client.get("/schedule").get_data(as_text=True)
    app.config["DEMO"] = True
    for path in ("/schedule", "/login", f"/sessions/{demo.live_session}"):
        assert "This is a demo." in client.get(path).get_data(as_text=True), path


def test_the_demo_command_turns_the_banner_on_and_prints_the_way_in(
    app: Flask, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`networkfest demo` without serving: the database is the test's, already made."""
    clock.set(NOW)
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(demo_cli.flask_migrate, "upgrade", lambda: None)
    monkeypatch.setattr(demo_cli, "now", lambda: NOW)
    monkeypatch.setattr(demo_cli, "serve", lambda app, host, port: served.append((host, port)))
    monkeypatch.delenv("NETWORKFEST_BASE_URL", raising=False)
    result = app.test_cli_runner().invoke(args=["demo", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert app.config["DEMO"] is True
    assert served == [("127.0.0.1", 5123)]
    # Mails, feeds and the live room's accepted origin follow the port.
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"
    assert "Live now: http://127.0.0.1:5123/sessions/" in result.output
    assert "The host's next session: http://127.0.0.1:5123/sessions/" in result.output
    assert "sessions already over" in result.output
    assert "host      amira.hassan@example.org  password: networkfest-demo" in result.output
