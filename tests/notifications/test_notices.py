"""Change notices: everyone registered hears of a move, a new title, a cancellation or a
return to the programme, once; a return puts the "has been cancelled" notices away."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from networkfest.extensions import db
from networkfest.mail import outbox
from networkfest.notifications import changes as change_notices
from networkfest.notifications.models import Notice
from networkfest.programme.changes import Change, ChangeKind
from tests.factories import FESTIVAL_START

START = FESTIVAL_START + timedelta(hours=3)  # 12:00 BST


def setup_programme(factory, clock):
    festival = factory.festival()
    moved = factory.session(festival, starts_at=START, title="Run sheets")
    retitled = factory.session(festival, starts_at=START, title="Purpose in one line")
    cancelled = factory.session(festival, starts_at=START, title="Bingo", status="cancelled")
    added = factory.session(festival, starts_at=START, title="New one")
    people = {name: factory.user(name=name.title()) for name in ("ann", "bob", "cat")}
    factory.registration(moved, people["ann"], "confirmed", clock.now())
    factory.registration(moved, people["bob"], "waitlisted", clock.now())
    factory.registration(moved, people["cat"], "cancelled", clock.now())
    factory.registration(retitled, people["ann"], "confirmed", clock.now())
    factory.registration(cancelled, people["bob"], "confirmed", clock.now())
    changes = [
        Change(
            ChangeKind.MOVED, "Moved", moved.slug, before_label="Monday 21 September, 11:00 BST"
        ),
        Change(
            ChangeKind.RETITLED, "Retitled", retitled.slug, before="Purpose", after=retitled.title
        ),
        Change(ChangeKind.CANCELLED, "Cancelled", cancelled.slug),
        Change(ChangeKind.ADDED, "Added", added.slug),
        Change(ChangeKind.MOVED, "Elsewhere", "not-in-this-festival"),
        Change(ChangeKind.MOVED, "No session"),
    ]
    return festival, {"moved": moved, "retitled": retitled, "cancelled": cancelled}, people, changes


def test_everyone_registered_gets_a_notice_and_a_mail_once(app, factory, clock):
    festival, sessions, people, changes = setup_programme(factory, clock)

    created = change_notices.notify_changes(db.session, festival, changes, 2, clock.now())
    again = change_notices.notify_changes(db.session, festival, changes, 2, clock.now())

    assert (created, again) == (4, 0)
    notices = db.session.scalars(select(Notice).order_by(Notice.id)).all()
    by_person = {(n.user_id, n.session_id): n.message for n in notices}
    ann, bob = people["ann"].id, people["bob"].id
    assert set(by_person) == {
        (ann, sessions["moved"].id),
        (bob, sessions["moved"].id),
        (ann, sessions["retitled"].id),
        (bob, sessions["cancelled"].id),
    }
    assert by_person[(ann, sessions["moved"].id)] == (
        "“Run sheets” has moved from Monday 21 September, 11:00 BST to "
        "Monday 21 September, 12:00 BST."
    )
    assert by_person[(ann, sessions["retitled"].id)] == (
        "“Purpose” is now called “Purpose in one line”."
    )
    assert "“Bingo” has been cancelled" in by_person[(bob, sessions["cancelled"].id)]
    mails = outbox(app)
    assert len(mails) == 4
    assert people["cat"].email not in {m.to for m in mails}
    assert all(m.subject.startswith("Programme change: ") for m in mails)
    assert all("http://localhost/schedule/changes" in m.body for m in mails)


def test_a_later_version_notifies_again(app, factory, clock):
    festival, sessions, _people, _changes = setup_programme(factory, clock)
    moved = [Change(ChangeKind.MOVED, "Moved", sessions["moved"].slug)]
    assert change_notices.notify_changes(db.session, festival, moved, 2, clock.now()) == 2
    assert change_notices.notify_changes(db.session, festival, moved, 3, clock.now()) == 2
    assert change_notices.notify_changes(db.session, festival, [], 4, clock.now()) == 0


def test_banner_shows_unseen_notices_and_only_the_owner_dismisses(app, factory, clock, signed_in):
    festival, sessions, people, changes = setup_programme(factory, clock)
    change_notices.notify_changes(db.session, festival, changes, 2, clock.now())
    ann_notice = db.session.scalars(
        select(Notice).where(Notice.user_id == people["ann"].id).order_by(Notice.id)
    ).first()
    ann = signed_in(people["ann"])
    page_path = f"/sessions/{sessions['moved'].slug}/feedback"

    html = ann.get(page_path).get_data(as_text=True)
    assert "“Run sheets” has moved" in html
    assert f'action="/notices/{ann_notice.id}/seen"' in html

    assert signed_in(people["bob"]).post(f"/notices/{ann_notice.id}/seen").status_code == 404
    assert ann.post("/notices/999999/seen").status_code == 404
    response = ann.post(f"/notices/{ann_notice.id}/seen", data={"next": page_path})
    assert response.status_code == 303
    assert response.headers["Location"] == page_path
    assert (
        ann.post(f"/notices/{ann_notice.id}/seen", data={"next": "//evil.example"}).headers[
            "Location"
        ]
        == "/schedule"
    )

    db.session.expire_all()
    assert db.session.get(Notice, ann_notice.id).seen_at == clock.now()
    html = ann.get(page_path).get_data(as_text=True)
    assert "“Run sheets” has moved" not in html
    assert "now called “Purpose in one line”" in html
