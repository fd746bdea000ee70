"""Publishing: versions, recorded changes, cancellation, idempotence, all or nothing, hosts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from networkfest.audit.models import AuditEntry
from networkfest.extensions import db
from networkfest.programme.models import ScheduleVersion
from networkfest.programme.queries import current_festival, session_by_slug
from networkfest.programme.services import publish
from networkfest.registration.models import Registration
from tests.programme.schedules import FESTIVAL, schedule, session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TWO = schedule(session(), session("beta", starts="2026-09-22T14:00:00", extra="capacity = 10"))


def version_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(ScheduleVersion)) or 0)


def test_first_publish_creates_the_festival_sessions_and_version_one(app) -> None:
    result = publish(db.session, TWO, NOW)
    assert result.ok and result.version == 1
    assert [c.kind for c in result.changes] == ["added", "added"]
    festival = current_festival(db.session)
    assert festival is not None
    assert festival.name == "Test festival" and festival.version == 1
    assert [t.slug for t in festival.themes] == ["method", "purpose"]
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    assert beta.capacity == 10 and beta.sequence == 0 and beta.version == 1
    assert [(i.title, i.minutes) for i in beta.agenda_items] == [("Welcome", 10), ("Work", 20)]
    assert beta.starts_at == datetime(2026, 9, 22, 13, 0, tzinfo=UTC)
    entry = db.session.scalar(select(AuditEntry))
    assert entry is not None and entry.action == "schedule.publish"
    assert entry.detail == {"version": 1, "changes": 2}


def test_publishing_the_same_file_twice_creates_no_new_version(app) -> None:
    assert publish(db.session, TWO, NOW).version == 1
    again = publish(db.session, TWO, NOW)
    assert again.ok and again.version is None and again.changes == []
    reworded = publish(db.session, "# only a comment is new\n" + TWO, NOW)
    assert reworded.version is None
    assert version_count() == 1


def test_changes_are_recorded_and_sequences_rise(app) -> None:
    publish(db.session, TWO, NOW)
    changed = schedule(
        session(title="Alpha, renamed", starts="2026-09-21T11:00:00"),
        session("beta", starts="2026-09-22T14:00:00", extra="capacity = 12"),
        session("gamma", starts="2026-09-23T09:00:00"),
    )
    result = publish(db.session, changed, NOW)
    assert result.version == 2
    kinds = {(c.kind, c.session) for c in result.changes}
    assert kinds == {
        ("retitled", "alpha"),
        ("moved", "alpha"),
        ("changed", "beta"),
        ("added", "gamma"),
    }
    beta_change = next(c.as_json() for c in result.changes if c.session == "beta")
    assert beta_change["fields"] == ["capacity"]
    moved = next(c.as_json() for c in result.changes if c.kind == "moved")
    assert moved["from_label"] == "Monday 21 September, 10:00 BST"
    assert moved["to_label"] == "Monday 21 September, 11:00 BST"
    alpha = session_by_slug(db.session, "alpha")
    gamma = session_by_slug(db.session, "gamma")
    assert alpha is not None and gamma is not None
    assert (alpha.sequence, alpha.version, alpha.title) == (1, 2, "Alpha, renamed")
    assert (gamma.sequence, gamma.version) == (0, 2)
    stored = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 2))
    assert stored is not None and stored.changes == [c.as_json() for c in result.changes]


def test_agenda_and_host_changes_are_other_changes(app) -> None:
    publish(db.session, TWO, NOW)
    changed = schedule(
        session(
            hosts='["other@example.org"]',
            agenda='[{ title = "Welcome", minutes = 5 }, { title = "Work", minutes = 25 }]',
        ),
        session("beta", starts="2026-09-22T14:00:00", extra="capacity = 10"),
    )
    result = publish(db.session, changed, NOW)
    assert [c.as_json() for c in result.changes] == [
        {
            "kind": "changed",
            "session": "alpha",
            "title": "Alpha session",
            "fields": ["hosts", "agenda"],
        }
    ]
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None
    assert [h.email for h in alpha.hosts] == ["other@example.org"]
    assert [i.minutes for i in alpha.agenda_items] == [5, 25]


def test_a_session_missing_from_the_file_is_cancelled_and_keeps_its_registrations(
    app, factory
) -> None:
    publish(db.session, TWO, NOW)
    beta = session_by_slug(db.session, "beta")
    attendee = factory.user()
    assert beta is not None
    factory.registration(beta, attendee, "confirmed", NOW)

    result = publish(db.session, schedule(session()), NOW)
    assert [(c.kind, c.session) for c in result.changes] == [("cancelled", "beta")]
    db.session.expire_all()
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    assert beta.status == "cancelled" and beta.sequence == 1 and beta.version == 2
    assert beta.confirmed_count == 1
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1

    restored = publish(db.session, TWO, NOW)
    assert [(c.kind, c.session) for c in restored.changes] == [("restored", "beta")]
    db.session.expire_all()
    beta = session_by_slug(db.session, "beta")
    assert beta is not None and beta.status == "scheduled" and beta.sequence == 2
    assert beta.confirmed_count == 1


def test_a_file_with_errors_publishes_nothing(app) -> None:
    publish(db.session, TWO, NOW)
    broken = schedule(session(title="Changed"), session("beta", theme="nonsense"))
    result = publish(db.session, broken, NOW)
    assert not result.ok and result.version is None
    assert result.errors[0].location == "session 'beta'"
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None and alpha.title == "Alpha session"
    assert version_count() == 1


def test_capacity_below_the_confirmed_places_is_an_error_and_nothing_changes(app) -> None:
    publish(db.session, TWO, NOW)
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    # The counter alone, without registrations: the publisher reads only the counter.
    beta.confirmed_count = 5
    db.session.commit()
    shrunk = schedule(
        session(title="Also renamed"),
        session("beta", starts="2026-09-22T14:00:00", extra="capacity = 4"),
    )
    result = publish(db.session, shrunk, NOW)
    assert not result.ok
    (error,) = result.errors
    assert (error.location, error.field) == ("session 'beta'", "capacity")
    assert "5 people already have a confirmed place" in error.message
    db.session.expire_all()
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None and alpha.title == "Alpha session"


def test_hosts_without_accounts_are_invited(app, factory) -> None:
    existing = factory.user(email="host@example.org", name="Known Host")
    text = schedule(
        session(hosts='["host@example.org", "amira.hassan@example.org"]'),
        session("beta", starts="2026-09-22T10:00:00", hosts='["joy@example.org"]'),
        extra='[[host]]\nemail = "joy@example.org"\nname = "Joy Mensah"\n',
    )
    result = publish(db.session, text, NOW)
    assert sorted(u.email for u in result.invited) == [
        "amira.hassan@example.org",
        "joy@example.org",
    ]
    invited = {u.email: u for u in result.invited}
    assert invited["amira.hassan@example.org"].name == "Amira Hassan"
    assert invited["joy@example.org"].name == "Joy Mensah"
    assert all(u.password_hash is None for u in result.invited)
    assert existing.name == "Known Host"
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None
    assert sorted(h.email for h in alpha.hosts) == ["amira.hassan@example.org", "host@example.org"]
    assert publish(db.session, text + "\n", NOW).invited == []


def test_festival_details_changing_alone_make_a_version(app) -> None:
    publish(db.session, TWO, NOW)
    renamed = TWO.replace('name = "Test festival"', 'name = "Test festival 2"')
    result = publish(db.session, renamed, NOW)
    assert result.version == 2
    assert [c.as_json() for c in result.changes] == [
        {"kind": "festival", "title": "Test festival", "fields": ["name"]}
    ]
    festival = current_festival(db.session)
    assert festival is not None and festival.name == "Test festival 2"


def test_a_theme_still_used_by_a_cancelled_session_is_kept(app) -> None:
    text = schedule(session(), session("beta", theme="purpose", starts="2026-09-22T10:00:00"))
    publish(db.session, text, NOW)
    festival_only_method = FESTIVAL.replace(
        '{ slug = "purpose", name = "Ruthless about purpose" },', ""
    )
    result = publish(db.session, schedule(session(), festival=festival_only_method), NOW)
    assert result.version == 2
    beta = session_by_slug(db.session, "beta")
    assert beta is not None and beta.cancelled and beta.theme.slug == "purpose"


def test_a_clash_with_another_publication_publishes_nothing(app) -> None:
    publish(db.session, TWO, NOW)
    festival = current_festival(db.session)
    assert festival is not None
    festival.version = 0  # as if another process had not seen version 1 yet
    db.session.commit()
    result = publish(db.session, schedule(session(title="Renamed")), NOW)
    assert not result.ok and result.version is None
    assert "changed while this was being published" in result.errors[0].message
    db.session.expire_all()
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None and alpha.title == "Alpha session"
    assert version_count() == 1
