"""The "what came out of it" mail: once the session has ended and its outcomes exist, everyone
who was in the room hears once, across app instances and restarts; later edits send nothing."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.mail import outbox
from networkfest.notifications import outcomes as outcomes_mail
from networkfest.notifications.models import Reminder
from networkfest.outcomes import services
from networkfest.outcomes.models import Outcome
from tests.factories import SESSION_START
from tests.notifications.helpers import run_in
from tests.outcomes.helpers import END, LAST_ITEM, LINKS, Cast, make_cast


@pytest.fixture
def cast(factory: Any) -> Cast:
    return make_cast(factory)


def attend(cast: Cast, user: Any, joined_at: datetime, left_at: datetime | None, sid: str) -> None:
    db.session.add(
        Presence(
            session_id=cast.session.id,
            user_id=None if user is None else user.id,
            sid=sid,
            joined_at=joined_at,
            left_at=left_at,
        )
    )
    db.session.commit()


@pytest.fixture
def room(cast: Cast, factory: Any) -> dict[str, Any]:
    """Who was in the room: the attendee (twice: two tabs), a visitor, an anonymous watcher;
    someone only in the lobby; and someone who never came."""
    visitor, lobby_only, absent = factory.user(), factory.user(), factory.user()
    attend(cast, cast.attendee, SESSION_START + timedelta(minutes=1), None, "a")
    attend(cast, cast.attendee, SESSION_START + timedelta(minutes=5), END, "b")
    attend(cast, visitor, SESSION_START + timedelta(minutes=2), END, "c")
    attend(cast, None, SESSION_START, END, "anonymous")
    attend(cast, lobby_only, SESSION_START - timedelta(minutes=8), SESSION_START, "d")
    return {
        "in_room": sorted([cast.attendee.email, visitor.email]),
        "not": [lobby_only.email, absent.email],
        "ids": sorted([cast.attendee.id, visitor.id]),
    }


def write(cast: Cast, at: datetime, summary: str = "We named **two** pitfalls.") -> None:
    services.save(db.session, cast.session, cast.host, summary, LINKS, at)


def mailed_at(cast: Cast) -> datetime | None:
    db.session.expire_all()
    return db.session.scalar(select(Outcome.mailed_at).where(Outcome.session_id == cast.session.id))


def test_written_in_the_last_item_the_mail_goes_out_at_the_end_once(app, cast, room, clock):
    write(cast, LAST_ITEM)
    assert outcomes_mail.next_outcomes_due(db.session, LAST_ITEM) == END
    assert outcomes_mail.send_outcomes_mails(db.session, END - timedelta(seconds=1)) == 0

    assert outcomes_mail.send_outcomes_mails(db.session, END) == 2
    assert outcomes_mail.send_outcomes_mails(db.session, END + timedelta(minutes=1)) == 0

    mails = outbox(app)
    assert sorted(m.to for m in mails) == room["in_room"]
    mail = mails[0]
    assert mail.subject == "What came out of it: Network bingo"
    assert "We named **two** pitfalls." in mail.body
    assert "- Slides: https://example.org/slides.pdf" in mail.body
    assert f"http://localhost/sessions/{cast.session.slug}\n" in mail.body
    assert mailed_at(cast) == END
    assert outcomes_mail.next_outcomes_due(db.session, END) is None
    claims = db.session.scalars(select(Reminder.user_id).where(Reminder.kind == "outcomes"))
    assert sorted(claims) == room["ids"]


def test_the_hosts_who_wrote_them_are_not_mailed_their_own_outcomes(app, cast, room):
    attend(cast, cast.host, SESSION_START, END, "host")
    write(cast, LAST_ITEM)
    assert outcomes_mail.send_outcomes_mails(db.session, END) == 2
    assert sorted(m.to for m in outbox(app)) == room["in_room"]
    assert mailed_at(cast) == END  # no one is left waiting for the mail


def test_later_edits_send_nothing(app, cast, room):
    write(cast, LAST_ITEM)
    outcomes_mail.send_outcomes_mails(db.session, END)
    write(cast, END + timedelta(hours=3), summary="Corrected.")

    assert outcomes_mail.send_outcomes_mails(db.session, END + timedelta(hours=3)) == 0
    assert outcomes_mail.next_outcomes_due(db.session, END + timedelta(hours=3)) is None
    assert len(outbox(app)) == 2


def test_written_after_the_end_it_goes_out_on_the_next_run(app, cast, room):
    assert outcomes_mail.next_outcomes_due(db.session, END) is None
    later = END + timedelta(hours=20)
    write(cast, later)

    assert outcomes_mail.next_outcomes_due(db.session, later) == later
    assert outcomes_mail.send_outcomes_mails(db.session, later) == 2
    assert mailed_at(cast) == later


def test_no_outcomes_no_mail_and_nobody_in_the_room_is_marked_at_once(app, cast, factory):
    assert outcomes_mail.send_outcomes_mails(db.session, END) == 0
    write(cast, LAST_ITEM)
    assert outcomes_mail.send_outcomes_mails(db.session, END) == 0
    assert mailed_at(cast) == END
    assert outbox(app) == []


def test_the_job_runs_it_and_says_when_it_is_next_due(app, cast, room):
    write(cast, LAST_ITEM)
    job = app.extensions["networkfest.jobs"]["outcomes"]
    assert job(LAST_ITEM) == END
    assert job(END) is None
    assert len(outbox(app)) == 2


def test_exactly_once_across_two_instances_and_a_restart(app, cast, room, another_app):
    write(cast, LAST_ITEM)
    second = another_app()

    sent_here = outcomes_mail.send_outcomes_mails(db.session, END)
    sent_there = run_in(second, lambda: outcomes_mail.send_outcomes_mails(db.session, END))
    restarted = another_app()
    sent_after_restart = run_in(
        restarted, lambda: outcomes_mail.send_outcomes_mails(db.session, END + timedelta(hours=1))
    )

    assert (sent_here, sent_there, sent_after_restart) == (2, 0, 0)
    mails = outbox(app) + outbox(second) + outbox(restarted)
    assert sorted(m.to for m in mails) == room["in_room"]


def test_racing_instances_mail_each_person_once(app, cast, room, another_app):
    write(cast, LAST_ITEM)
    apps = [another_app(), another_app(), another_app()]
    barrier = threading.Barrier(len(apps))
    counts: list[int] = []

    def work(instance: Flask) -> None:
        with instance.app_context():
            barrier.wait()
            try:
                counts.append(outcomes_mail.send_outcomes_mails(db.session, END))
            finally:
                db.session.remove()

    db.session.rollback()
    threads = [threading.Thread(target=work, args=(instance,)) for instance in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 2
    assert sorted(m.to for instance in apps for m in outbox(instance)) == room["in_room"]
    assert mailed_at(cast) == END


def test_no_transaction_is_open_while_mailing(app, cast, room, monkeypatch):
    write(cast, LAST_ITEM)
    open_while_sending: list[bool] = []
    sent_mail = outcomes_mail.send_mail

    def watched(*args: Any) -> None:
        open_while_sending.append(db.session().in_transaction())
        sent_mail(*args)

    monkeypatch.setattr(outcomes_mail, "send_mail", watched)
    assert outcomes_mail.send_outcomes_mails(db.session, END) == 2
    assert open_while_sending == [False, False]
