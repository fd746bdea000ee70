"""Reminders go out once per person and session, across app instances and restarts."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from networkfest.extensions import db
from networkfest.mail import outbox
from networkfest.notifications import reminders
from networkfest.notifications.models import Reminder
from tests.factories import FESTIVAL_START
from tests.notifications.helpers import run_in

START = FESTIVAL_START + timedelta(hours=2)


class Notices:
    """Stands in for `realtime.emit.to_user("notice", ...)`; thread-safe for the race test."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, payload: dict[str, Any], user_id: int) -> None:
        with self._lock:
            self.sent.append((user_id, payload))


@pytest.fixture
def programme(factory, clock):
    festival = factory.festival()
    first = factory.session(festival, starts_at=START, minutes=45)
    later = factory.session(festival, starts_at=START + timedelta(hours=2), minutes=45)
    people = {name: factory.user(name=name) for name in ("ann", "bob", "cat", "dan")}
    factory.registration(first, people["ann"], "confirmed", clock.now())
    factory.registration(first, people["bob"], "confirmed", clock.now())
    factory.registration(first, people["cat"], "waitlisted", clock.now())
    factory.registration(first, people["dan"], "cancelled", clock.now())
    factory.registration(later, people["ann"], "confirmed", clock.now())
    ids = {name: user.id for name, user in people.items()}
    emails = {name: user.email for name, user in people.items()}
    db.session.commit()
    return {"first": first.id, "later": later.id, "ids": ids, "emails": emails}


def test_nothing_is_due_early_and_next_due_is_reported(app, clock, programme):
    clock.set(START - timedelta(minutes=20))
    notices = Notices()

    assert reminders.send_due_reminders(db.session, clock.now(), notices) == 0
    assert reminders.next_reminder_due(db.session, clock.now()) == START - timedelta(minutes=15)
    assert reminders.next_reminder_due(db.session, clock.now(), 30) == clock.now()
    assert outbox(app) == [] and notices.sent == []


def test_confirmed_attendees_get_one_reminder_across_instances_and_a_restart(
    app, clock, programme, another_app
):
    clock.set(START - timedelta(minutes=14))
    notices = Notices()

    sent_here = reminders.send_due_reminders(db.session, clock.now(), notices)
    second = another_app()
    sent_there = run_in(
        second, lambda: reminders.send_due_reminders(db.session, clock.now(), notices)
    )
    restarted = another_app()
    sent_after_restart = run_in(
        restarted,
        lambda: reminders.send_due_reminders(
            db.session, clock.now() + timedelta(minutes=5), notices
        ),
    )

    assert (sent_here, sent_there, sent_after_restart) == (2, 0, 0)
    mails = outbox(app) + outbox(second) + outbox(restarted)
    assert sorted(m.to for m in mails) == sorted(
        [programme["emails"]["ann"], programme["emails"]["bob"]]
    )
    assert all(m.subject.startswith("Starting soon: ") for m in mails)
    assert sorted(user_id for user_id, _ in notices.sent) == sorted(
        [programme["ids"]["ann"], programme["ids"]["bob"]]
    )
    payload = notices.sent[0][1]
    assert payload["kind"] == "reminder"
    assert payload["starts_at"] == int(START.timestamp() * 1000)
    assert payload["url"].endswith("/live")
    claims = db.session.scalars(select(Reminder).where(Reminder.kind == "before")).all()
    assert len(claims) == 2
    assert reminders.next_reminder_due(db.session, clock.now()) == START + timedelta(
        hours=2, minutes=-15
    )


def test_racing_instances_send_each_reminder_once(app, clock, programme, another_app):
    clock.set(START - timedelta(minutes=1))
    notices = Notices()
    apps = [another_app(), another_app(), another_app()]
    barrier = threading.Barrier(len(apps))
    counts: list[int] = []

    def work(instance: Flask) -> None:
        with instance.app_context():
            barrier.wait()
            try:
                counts.append(reminders.send_due_reminders(db.session, clock.now(), notices))
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
    assert len(notices.sent) == 2


def test_no_reminder_once_the_session_has_started(app, clock, programme):
    clock.set(START)
    assert reminders.send_due_reminders(db.session, clock.now(), Notices()) == 0
    assert outbox(app) == []


def test_no_transaction_is_open_while_a_reminder_is_mailed_or_announced(
    app, clock, programme, monkeypatch
):
    """On SQLite under gevent an open transaction holds the write lock through the SMTP
    conversation (or a Redis emit), and every other greenlet's BEGIN then stops the hub."""
    clock.set(START - timedelta(minutes=14))
    open_while_sending: list[bool] = []
    sent_mail = reminders.send_mail

    def watched_mail(*args: Any) -> None:
        open_while_sending.append(db.session().in_transaction())
        sent_mail(*args)

    def watched_notice(payload: dict[str, Any], user_id: int) -> None:
        open_while_sending.append(db.session().in_transaction())

    monkeypatch.setattr(reminders, "send_mail", watched_mail)
    assert reminders.send_due_reminders(db.session, clock.now(), watched_notice) == 2
    assert open_while_sending == [False] * 4
    assert sorted(mail.to for mail in outbox(app)) == sorted(
        [programme["emails"]["ann"], programme["emails"]["bob"]]
    )
