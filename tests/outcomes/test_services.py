"""Saving outcomes: who, when and what, checked on the server with the clock passed in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from networkfest.audit.models import AuditEntry
from networkfest.extensions import db
from networkfest.outcomes import services
from networkfest.outcomes.models import Outcome
from networkfest.outcomes.rules import OutcomesInvalid
from networkfest.outcomes.services import OutcomesRefused
from tests.factories import SESSION_START
from tests.outcomes.helpers import CLOSES, END, LAST_ITEM, LINKS, move


def save(cast, user, now, summary="Two pitfalls named.", links=LINKS):
    return services.save(db.session, cast.session, user, summary, links, now)


def refused(cast, user, now, **content) -> str:
    with pytest.raises(OutcomesRefused) as raised:
        save(cast, user, now, **content)
    db.session.rollback()
    return raised.value.code


def test_a_host_writes_in_the_last_item_and_rewrites_later(cast):
    first = save(cast, cast.host, LAST_ITEM)
    assert (first.summary, first.links, first.updated_by) == (
        "Two pitfalls named.",
        LINKS,
        cast.host.id,
    )
    assert first.created_at == first.updated_at == LAST_ITEM

    later = END + timedelta(hours=2)
    second = save(cast, cast.organiser, later, summary="", links=LINKS[:1])
    assert second.id == first.id
    assert (second.summary, second.links, second.updated_by) == ("", LINKS[:1], cast.organiser.id)
    assert (second.created_at, second.updated_at) == (LAST_ITEM, later)
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 1
    assert services.as_json(services.outcome_of(db.session, cast.session.id)) == {
        "summary": "",
        "links": LINKS[:1],
        "updated_at": later.isoformat(timespec="seconds"),
    }
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("outcomes.save") == 2


def test_only_the_sessions_hosts_and_organisers_may_write(cast):
    for person in (cast.attendee, cast.other_host, cast.unverified_host, None):
        assert refused(cast, person, LAST_ITEM) == "forbidden"
    assert services.outcome_of(db.session, cast.session.id) is None


def test_the_server_keeps_the_window_whatever_the_client_sent(cast):
    assert refused(cast, cast.host, LAST_ITEM - timedelta(seconds=1)) == "not_yet"
    assert refused(cast, cast.host, CLOSES) == "closed"
    save(cast, cast.host, CLOSES - timedelta(seconds=1))


def test_a_driving_host_opens_the_window_with_the_move_to_the_last_item(cast):
    move(cast.session, 0, SESSION_START)
    move(cast.session, 1, SESSION_START + timedelta(minutes=5))
    assert refused(cast, cast.host, LAST_ITEM + timedelta(minutes=3)) == "not_yet"
    move(cast.session, 2, LAST_ITEM + timedelta(minutes=4))
    assert save(cast, cast.host, LAST_ITEM + timedelta(minutes=4)).summary


def test_a_cancelled_session_takes_no_outcomes(cast):
    cast.session.status = "cancelled"
    db.session.commit()
    assert refused(cast, cast.organiser, END) == "cancelled"


def test_bad_content_is_refused_with_every_problem_and_nothing_is_written(cast):
    with pytest.raises(OutcomesInvalid) as raised:
        save(cast, cast.host, END, summary="", links=[{"title": "", "url": "ftp://x"}] * 2)
    db.session.rollback()
    assert len(raised.value.problems) == 2
    assert services.outcome_of(db.session, cast.session.id) is None


def test_window_of_tells_the_panel_when_it_opens_and_closes(cast):
    before = services.window_of(db.session, cast.session, SESSION_START)
    assert (before.open, before.window.opens_at, before.window.closes_at) == (
        False,
        LAST_ITEM,
        CLOSES,
    )
    assert services.window_of(db.session, cast.session, LAST_ITEM).open
