"""Follow-up mails go once per commitment, when due, across app instances and a restart."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer
from networkfest.commitments.services import answer_commitment, set_follow_up_mails
from networkfest.extensions import db
from networkfest.mail import outbox
from networkfest.notifications import follow_ups
from networkfest.notifications.jobs import follow_up
from networkfest.programme.models import Festival, FestivalSession
from tests.commitments.helpers import ENDS, commit_to, ended_session
from tests.notifications.helpers import run_in

DUE = ENDS + timedelta(weeks=4)


@pytest.fixture
def committed(factory: Any) -> dict[str, Any]:
    """Two people's commitments in one ended session."""
    ended = ended_session(factory)
    return {
        "ended": ended,
        "owner": commit_to(ended.session_id, ended.owner_id, "Timebox every item"),
        "other": commit_to(ended.session_id, ended.other_id, "Ask before telling"),
    }


def test_nothing_is_due_before_the_weeks_have_passed(app, clock, committed):
    clock.set(DUE - timedelta(seconds=1))

    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 0
    assert follow_ups.next_follow_up_due(db.session, clock.now()) == DUE
    assert follow_up(clock.now()) == DUE
    assert outbox(app) == []


def test_each_commitment_is_followed_up_once_across_instances_and_a_restart(
    app, clock, committed, another_app
):
    clock.set(DUE + timedelta(minutes=1))

    sent_here = follow_ups.send_due_follow_ups(db.session, clock.now())
    second = another_app()
    sent_there = run_in(second, lambda: follow_ups.send_due_follow_ups(db.session, clock.now()))
    restarted = another_app()
    sent_after_restart = run_in(
        restarted,
        lambda: follow_ups.send_due_follow_ups(db.session, clock.now() + timedelta(days=3)),
    )

    assert (sent_here, sent_there, sent_after_restart) == (2, 0, 0)
    mails = outbox(app) + outbox(second) + outbox(restarted)
    ended = committed["ended"]
    assert sorted(m.to for m in mails) == sorted(
        [ended.owner_email, db.session.get(User, ended.other_id).email]
    )
    claims = db.session.scalars(select(Commitment.followed_up_at)).all()
    assert claims == [DUE + timedelta(minutes=1)] * 2
    assert follow_ups.next_follow_up_due(db.session, clock.now()) is None


def test_racing_instances_send_each_follow_up_once(app, clock, committed, another_app):
    clock.set(DUE)
    apps = [another_app(), another_app(), another_app()]
    barrier = threading.Barrier(len(apps))
    counts: list[int] = []

    def work(instance: Flask) -> None:
        with instance.app_context():
            barrier.wait()
            try:
                counts.append(follow_ups.send_due_follow_ups(db.session, clock.now()))
            finally:
                db.session.remove()

    db.session.rollback()
    threads = [threading.Thread(target=work, args=(instance,)) for instance in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 2
    assert sum(len(outbox(instance)) for instance in apps) == 2


def test_the_mail_has_the_words_three_links_and_the_page(app, clock, committed, client):
    clock.set(DUE)
    follow_ups.send_due_follow_ups(db.session, clock.now())

    mail = next(m for m in outbox(app) if m.to == committed["ended"].owner_email)
    assert mail.subject == "How did it go? Your commitment from “Network bingo”"
    assert "Timebox every item" in mail.body
    urls = dict(re.findall(r"^(Done|Partly|Not yet): (\S+)$", mail.body, re.MULTILINE))
    assert sorted(urls) == ["Done", "Not yet", "Partly"]
    assert "http://localhost/me/commitments" in mail.body
    # The links expire 60 days after the mail; the date is in the festival's time zone.
    assert "Friday 18 December, 09:45 GMT" in mail.body
    page = client.get(urls["Not yet"].removeprefix("http://localhost"))
    assert page.status_code == 200
    assert 'value="not_yet" required checked' in page.get_data(as_text=True)


def test_no_follow_up_for_people_who_turned_them_off_or_already_answered(app, clock, committed):
    ended = committed["ended"]
    set_follow_up_mails(db.session, ended.owner_id, False)
    answer_commitment(db.session, committed["other"], ended.other_id, Answer.DONE, "", ENDS)
    clock.set(DUE)

    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 0
    assert follow_ups.next_follow_up_due(db.session, clock.now()) is None
    assert outbox(app) == []


def test_no_follow_up_when_the_festival_turned_them_off_or_the_session_was_cancelled(
    app, clock, committed
):
    ended = committed["ended"]
    db.session.get(Festival, ended.festival_id).follow_up_weeks = 0
    db.session.commit()
    clock.set(DUE + timedelta(weeks=60))
    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 0

    db.session.get(Festival, ended.festival_id).follow_up_weeks = 2
    db.session.get(FestivalSession, ended.session_id).status = "cancelled"
    db.session.commit()
    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 0
    assert follow_ups.next_follow_up_due(db.session, clock.now()) is None
    assert outbox(app) == []


def test_the_festivals_own_weeks_decide_when(app, clock, committed):
    ended = committed["ended"]
    db.session.get(Festival, ended.festival_id).follow_up_weeks = 1
    db.session.commit()
    clock.set(ENDS + timedelta(weeks=1))

    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 2


def test_no_transaction_is_open_while_a_follow_up_is_mailed(app, clock, committed, monkeypatch):
    """The claim is committed before the mail: SMTP never holds the database's write lock."""
    clock.set(DUE)
    open_while_sending: list[bool] = []
    sent_mail = follow_ups.send_mail

    def watched_mail(*args: Any) -> None:
        open_while_sending.append(db.session().in_transaction())
        sent_mail(*args)

    monkeypatch.setattr(follow_ups, "send_mail", watched_mail)
    assert follow_ups.send_due_follow_ups(db.session, clock.now()) == 2
    assert open_while_sending == [False, False]
