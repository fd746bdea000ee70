"""What registered people are told when a published programme changes their session, through
the real publication and its signals: who hears, in which words, and which notices go away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.mail import Mail, outbox
from networkfest.notifications import changes as change_notices
from networkfest.notifications.notices import unseen_notices
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.queries import session_by_slug
from networkfest.programme.services import PublishResult, publish
from networkfest.registration import services as registration
from tests.programme import schedules

START = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ALPHA = schedules.session()
BETA = schedules.session(
    "beta", title="Beta session", starts="2026-09-21T11:00:00", extra="capacity = 2"
)
WITH_BETA = schedules.schedule(ALPHA, BETA)
WITHOUT_BETA = schedules.schedule(ALPHA)
CANCELLED = "“Beta session” has been cancelled. Your registration is kept in your agenda."
BACK_ON = (
    "“Beta session” is back on: it starts Monday 21 September, 11:00 BST. "
    "Your registration is still in your agenda."
)


class Steps:
    """Publications and places a minute apart, as an organiser and people would make them."""

    def __init__(self) -> None:
        self.now = START

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def publish(self, text: str) -> PublishResult:
        result = publish(db.session, text, self.tick())
        assert result.ok and result.version is not None, result.problems
        db.session.expire_all()
        return result


def beta() -> FestivalSession:
    session = session_by_slug(db.session, "beta")
    assert session is not None
    return session


def unseen(person: User) -> list[str]:
    return [notice.message for notice in unseen_notices(db.session, person.id)]


def mails_since(app: Flask, count: int) -> Callable[[User], list[Mail]]:
    """The mails each person got after the first `count` in the outbox."""
    later = outbox(app)[count:]
    return lambda person: [mail for mail in later if mail.to == person.email]


def registered_then_cancelled(factory, steps: Steps) -> dict[str, User]:
    """Beta (two places) with Ann and Bob confirmed, Cat and Dan waiting; then cancelled."""
    steps.publish(WITH_BETA)
    people = {name: factory.user(name=name.title()) for name in ("ann", "bob", "cat", "dan")}
    for person in people.values():
        registration.register(db.session, beta(), person, steps.tick())
    steps.publish(WITHOUT_BETA)
    return people


def test_back_on_tells_those_still_registered_and_withdraws_the_cancelled_notice(
    app, factory, signed_in
) -> None:
    steps = Steps()
    people = registered_then_cancelled(factory, steps)
    ann, bob, cat, dan = (people[name] for name in ("ann", "bob", "cat", "dan"))
    assert all(unseen(person) == [CANCELLED] for person in people.values())
    # Bob gives his place up while it is cancelled: nobody gets it until it is back.
    registration.cancel_registration(
        db.session, registration.find_registration(db.session, beta(), bob), steps.tick()
    )
    before = len(outbox(app))

    restored = steps.publish(WITH_BETA)

    assert [str(change.kind) for change in restored.changes] == ["restored"]
    mails = mails_since(app, before)
    for person in (ann, dan):
        [mail] = mails(person)
        assert mail.subject == "Programme change: Beta session"
        assert f"\n\n{BACK_ON}\n\n" in mail.body
        assert unseen(person) == [BACK_ON]
    # Cat has Bob's place: one message, saying so and when.
    [mail] = mails(cat)
    assert mail.subject == "You have a place: Beta session"
    promoted = (
        "A place came free: you are now confirmed for “Beta session”, which starts "
        "Monday 21 September, 11:00 BST."
    )
    assert promoted in mail.body
    assert unseen(cat) == [promoted]
    # Bob is told nothing, and is not left with the untrue notice either.
    assert mails(bob) == []
    assert unseen(bob) == []

    page = signed_in(ann).get("/sessions/beta").get_data(as_text=True)
    assert "is back on: it starts Monday 21 September, 11:00 BST" in page
    assert "has been cancelled" not in page


def test_telling_a_version_again_sends_nothing_and_keeps_its_notices(app, factory) -> None:
    steps = Steps()
    people = registered_then_cancelled(factory, steps)
    restored = steps.publish(WITH_BETA)
    before = len(outbox(app))
    festival = db.session.scalar(select(Festival))
    assert festival is not None and restored.version is not None

    again = change_notices.notify_changes(
        db.session, festival, restored.changes, restored.version, steps.tick()
    )

    assert again == 0
    assert outbox(app)[before:] == []
    assert unseen(people["ann"]) == [BACK_ON]


def test_cancelled_again_withdraws_the_back_on_notice(app, factory) -> None:
    steps = Steps()
    people = registered_then_cancelled(factory, steps)
    steps.publish(WITH_BETA)

    steps.publish(WITHOUT_BETA)

    assert unseen(people["ann"]) == [CANCELLED]


def test_renamed_and_moved_says_the_old_title_once_and_both_times(app, factory) -> None:
    steps = Steps()
    steps.publish(WITH_BETA)
    ann = factory.user(name="Ann")
    registration.register(db.session, beta(), ann, steps.tick())
    before = len(outbox(app))
    later = schedules.session(
        "beta",
        title="Beta session — now later",
        starts="2026-09-21T11:15:00",
        extra="capacity = 2",
    )

    steps.publish(schedules.schedule(ALPHA, later))

    said = (
        "“Beta session” is now called “Beta session — now later” and has moved from "
        "Monday 21 September, 11:00 BST to Monday 21 September, 11:15 BST."
    )
    [mail] = mails_since(app, before)(ann)
    assert mail.subject == "Programme change: Beta session — now later"
    assert f"\n\n{said}\n\n" in mail.body
    assert unseen(ann) == [said]
