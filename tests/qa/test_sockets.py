"""The Q&A events of the live protocol through Flask-SocketIO's test client: asking, voting,
moderation and the question state a join returns, every rule and error code."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from networkfest.audit.models import AuditEntry
from networkfest.extensions import db
from networkfest.qa.models import Question
from networkfest.registration.models import Registration
from tests.factories import DURING
from tests.live.helpers import (
    AFTER,
    LOBBY,
    REGISTERED,
    Room,
    ask,
    emit,
    error_code,
    events,
    joined,
    person,
)

# --- asking ----------------------------------------------------------------------------------


def test_waitlisted_people_and_other_hosts_may_not_ask(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    watcher, stranger, outsider = (
        socket_client(),
        socket_client(room.other),
        socket_client(room.outsider_host),
    )
    # Deliberately past the seat counter: the place is turned into a waitlisted one by hand
    # (its seat stays counted), since only who may ask is under test, not the waitlist.
    db.session.execute(
        Registration.__table__.update()
        .where(Registration.user_id == room.other.id)
        .values(status="waitlisted")
    )
    db.session.commit()
    assert error_code(ask(watcher, room.slug)) == "unauthenticated"
    assert error_code(ask(stranger, room.slug)) == "forbidden"
    assert error_code(ask(outsider, room.slug)) == "forbidden"
    for user in (room.attendee, room.host, room.organiser):
        ack = ask(socket_client(user), room.slug, f"From {user.name}")
        assert ack["ok"] is True, ack


def test_ask_only_while_live(socket_client, room: Room, clock) -> None:
    sio = socket_client(room.attendee)
    for instant in (LOBBY, AFTER, LOBBY - timedelta(hours=1)):
        clock.set(instant)
        assert error_code(ask(sio, room.slug)) == "not_live"
    clock.set(DURING)
    assert ask(sio, room.slug)["ok"] is True


def test_ask_in_a_session_with_qa_off(socket_client, factory, clock) -> None:
    festival = factory.festival()
    session = factory.session(festival, qa_mode="off")
    slug = session.slug
    user = factory.user()
    factory.registration(session, user, "confirmed", REGISTERED)
    attendee = person(user)
    clock.set(DURING)
    assert error_code(ask(socket_client(attendee), slug)) == "qa_off"


def test_ask_validates_text(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    sio = socket_client(room.attendee)
    assert error_code(ask(sio, room.slug, "   ")) == "invalid"
    assert error_code(ask(sio, room.slug, "x" * 501)) == "too_long"
    assert error_code(ask(sio, room.slug, "x" * 1_000_000)) == "too_long"
    assert error_code(emit(sio, "ask", {"session": room.slug, "text": ["a"]})) == "invalid"
    assert error_code(emit(sio, "ask", {"session": room.slug})) == "invalid"
    bad_anonymous = {"session": room.slug, "text": "Hi", "anonymous": "yes"}
    assert error_code(emit(sio, "ask", bad_anonymous)) == "invalid"
    assert error_code(ask(sio, "no-such-session")) == "not_found"
    for payload in (None, [], 1, "text", {"session": None, "text": "x"}):
        assert error_code(emit(sio, "ask", payload)) == "invalid"
    ack = ask(sio, room.slug, "  " + "y" * 500 + "  ")
    assert ack["ok"] is True and ack["question"]["text"] == "y" * 500


def test_rate_limit_counts_the_database(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    sio = socket_client(room.attendee)
    for n in range(3):
        assert ask(sio, room.slug, f"Question {n}")["ok"] is True
        clock.advance(timedelta(seconds=5))
    assert error_code(ask(sio, room.slug, "One more")) == "rate_limited"
    # Another connection (another process, say) shares the same count.
    assert error_code(ask(socket_client(room.attendee), room.slug, "Again")) == "rate_limited"
    assert ask(socket_client(room.other), room.slug, "Someone else")["ok"] is True
    clock.advance(timedelta(seconds=50))
    assert ask(sio, room.slug, "After a minute")["ok"] is True


def test_moderated_question_reaches_hosts_and_asker_only(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    host, asker, other, watcher = (
        socket_client(room.host),
        socket_client(room.attendee),
        socket_client(room.other),
        socket_client(),
    )
    for sio in (host, asker, other, watcher):
        joined(sio, room.slug)
        sio.get_received("/live")
    ack = ask(asker, room.slug, "Pending one", anonymous=True)
    question = ack["question"]
    assert set(question) == {
        "id",
        "session",
        "text",
        "author",
        "votes",
        "status",
        "pinned",
        "created_at",
    }
    assert question["status"] == "pending" and question["author"] is None
    assert question["votes"] == 0 and question["session"] == room.slug
    assert [q["id"] for q in events(host, "question")] == [question["id"]]
    assert [q["id"] for q in events(asker, "question")] == [question["id"]]
    assert events(other, "question") == [] and events(watcher, "question") == []
    assert [q["id"] for q in joined(host, room.slug)["questions"]] == [question["id"]]
    assert [q["status"] for q in joined(asker, room.slug)["questions"]] == ["pending"]
    assert joined(other, room.slug)["questions"] == []
    assert joined(watcher, room.slug)["questions"] == []


def test_open_question_reaches_the_whole_room(socket_client, factory, clock) -> None:
    festival = factory.festival()
    session = factory.session(festival, qa_mode="open")
    slug = session.slug
    user = factory.user(name="Named Asker")
    factory.registration(session, user, "confirmed", REGISTERED)
    asker = person(user)
    clock.set(DURING)
    watcher = socket_client()
    joined(watcher, slug)
    sio = socket_client(asker)
    ack = ask(sio, slug, "Open one")
    assert ack["question"]["status"] == "visible" and ack["question"]["author"] == "Named Asker"
    assert [q["text"] for q in events(watcher, "question")] == ["Open one"]


# --- voting ----------------------------------------------------------------------------------


def approved_question(socket_client, room: Room) -> int:
    asker = socket_client(room.attendee)
    question_id = ask(asker, room.slug, "Vote on me")["question"]["id"]
    approve = {"question": question_id, "action": "approve"}
    assert emit(socket_client(room.host), "moderate", approve)["ok"] is True
    return question_id


def test_vote_and_withdraw(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    question_id = approved_question(socket_client, room)
    watcher = socket_client()
    joined(watcher, room.slug)
    attendee, other = socket_client(room.attendee), socket_client(room.other)
    assert emit(attendee, "vote", {"question": question_id, "value": 1}) == {"ok": True, "votes": 1}
    assert emit(attendee, "vote", {"question": question_id, "value": 1})["votes"] == 1
    assert emit(other, "vote", {"question": question_id, "value": 1})["votes"] == 2
    assert emit(attendee, "vote", {"question": question_id, "value": 0})["votes"] == 1
    assert emit(attendee, "vote", {"question": question_id, "value": 0})["votes"] == 1
    assert [q["votes"] for q in events(watcher, "question")][-1] == 1
    assert joined(other, room.slug)["my_votes"] == [question_id]
    assert joined(attendee, room.slug)["my_votes"] == []
    assert db.session.scalar(select(Question.votes).where(Question.id == question_id)) == 1


def test_vote_rules(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    pending_id = ask(socket_client(room.attendee), room.slug, "Still pending")["question"]["id"]
    question_id = approved_question(socket_client, room)
    watcher, stranger = socket_client(), socket_client(room.outsider_host)
    assert error_code(emit(watcher, "vote", {"question": question_id, "value": 1})) == (
        "unauthenticated"
    )
    assert error_code(emit(stranger, "vote", {"question": question_id, "value": 1})) == "forbidden"
    other = socket_client(room.other)
    assert error_code(emit(other, "vote", {"question": pending_id, "value": 1})) == "not_found"
    assert error_code(emit(other, "vote", {"question": 999_999, "value": 1})) == "not_found"
    assert error_code(emit(other, "vote", {"question": 2**63, "value": 1})) == "not_found"
    for payload in (
        None,
        [],
        {"question": "1", "value": 1},
        {"question": question_id, "value": 2},
        {"question": question_id, "value": True},
        {"question": question_id},
    ):
        assert error_code(emit(other, "vote", payload)) == "invalid"
    clock.set(AFTER)
    assert error_code(emit(other, "vote", {"question": question_id, "value": 1})) == "not_live"


# --- moderation ------------------------------------------------------------------------------


def test_moderation_rights_and_audit(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    question_id = ask(socket_client(room.attendee), room.slug, "Moderate me")["question"]["id"]
    payload = {"question": question_id, "action": "approve"}
    assert error_code(emit(socket_client(), "moderate", payload)) == "unauthenticated"
    assert error_code(emit(socket_client(room.other), "moderate", payload)) == "forbidden"
    assert error_code(emit(socket_client(room.outsider_host), "moderate", payload)) == "forbidden"
    host = socket_client(room.host)
    organiser = socket_client(room.organiser)
    assert emit(host, "moderate", payload)["question"]["status"] == "visible"
    pinned = emit(organiser, "moderate", {"question": question_id, "action": "pin"})
    assert pinned["question"]["pinned"] is True
    answered = emit(host, "moderate", {"question": question_id, "action": "answer"})
    assert answered["question"]["status"] == "answered"
    assert emit(host, "moderate", {"question": question_id, "action": "unpin"})["ok"]
    assert emit(host, "moderate", {"question": question_id, "action": "hide"})["ok"]
    assert error_code(emit(host, "moderate", {"question": question_id, "action": "x"})) == (
        "invalid"
    )
    assert error_code(emit(host, "moderate", {"question": 424_242, "action": "hide"})) == (
        "not_found"
    )
    for bad in (None, [], {"question": question_id}, {"question": "1", "action": "hide"}):
        assert error_code(emit(host, "moderate", bad)) == "invalid"
    entries = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.target).order_by(AuditEntry.id)
    ).all()
    assert [(a, t) for a, _, t in entries] == [
        ("question.approve", str(question_id)),
        ("question.pin", str(question_id)),
        ("question.answer", str(question_id)),
        ("question.unpin", str(question_id)),
        ("question.hide", str(question_id)),
    ]
    assert entries[1][1] == room.organiser.id and entries[0][1] == room.host.id


def test_hidden_question_text_never_reaches_attendees(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    host, attendee = socket_client(room.host), socket_client(room.other)
    joined(host, room.slug)
    joined(attendee, room.slug)
    question_id = approved_question(socket_client, room)
    host.get_received("/live")
    attendee.get_received("/live")
    emit(host, "moderate", {"question": question_id, "action": "hide"})
    seen = events(attendee, "question")
    assert seen == [
        {
            "id": question_id,
            "session": room.slug,
            "text": None,
            "author": None,
            "votes": 0,
            "status": "hidden",
            "pinned": False,
            "created_at": seen[0]["created_at"],
        }
    ]
    assert any(q["text"] == "Vote on me" for q in events(host, "question"))
    assert joined(attendee, room.slug)["questions"] == []
    assert [q["status"] for q in joined(host, room.slug)["questions"]] == ["hidden"]
    approved = emit(host, "moderate", {"question": question_id, "action": "approve"})
    assert approved["question"]["status"] == "visible"
    assert [q["text"] for q in events(attendee, "question")] == ["Vote on me"]


def test_organisers_see_who_asked_anonymously(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    question_id = ask(socket_client(room.attendee), room.slug, "Secret", anonymous=True)[
        "question"
    ]["id"]
    organiser_view = joined(socket_client(room.organiser), room.slug)["questions"]
    assert organiser_view[0]["asked_by"] == room.attendee.name
    host_view = joined(socket_client(room.host), room.slug)["questions"]
    assert host_view[0]["id"] == question_id and "asked_by" not in host_view[0]
    assert host_view[0]["author"] is None


# --- state -----------------------------------------------------------------------------------


def test_state_is_sorted_pinned_then_votes_then_time(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    host = socket_client(room.host)
    asker = socket_client(room.organiser)
    ids = []
    for n in range(3):
        ids.append(ask(asker, room.slug, f"Q{n}")["question"]["id"])
        clock.advance(timedelta(seconds=1))
    for question_id in ids:
        emit(host, "moderate", {"question": question_id, "action": "approve"})
    emit(socket_client(room.attendee), "vote", {"question": ids[2], "value": 1})
    emit(host, "moderate", {"question": ids[1], "action": "pin"})
    state = joined(socket_client(), room.slug)
    assert [q["id"] for q in state["questions"]] == [ids[1], ids[2], ids[0]]


def test_reconnect_gets_the_same_state(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    question_id = approved_question(socket_client, room)
    sio = socket_client(room.other)
    emit(sio, "vote", {"question": question_id, "value": 1})
    first = joined(sio, room.slug)
    sio.disconnect("/live")
    again = socket_client(room.other)
    second = joined(again, room.slug)
    assert second["questions"] == first["questions"]
    assert second["my_votes"] == first["my_votes"] == [question_id]


def test_questions_persist_for_a_fresh_app(app_settings, socket_client, room: Room, clock) -> None:
    from networkfest import create_app

    clock.set(DURING)
    question_id = approved_question(socket_client, room)
    db.session.rollback()  # end this test's read transaction: SQLite begins them IMMEDIATE
    fresh = create_app(app_settings)
    with fresh.app_context():
        response = fresh.test_client().get(f"/api/v1/sessions/{room.slug}/questions")
        assert [q["id"] for q in response.get_json()["questions"]] == [question_id]
        db.session.remove()
        db.engine.dispose()
