"""The live room for the people in it: "Register to ask" instead of a closed form, the hosts'
pending questions first with their count, how many people are in the room, and the lobby's
countdown to the start."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.live.rules import AskInvitation, ask_invitation
from networkfest.programme.queries import session_by_slug
from tests.factories import DURING, SESSION_START
from tests.live.helpers import AFTER, LOBBY, REGISTERED, Room, emit


def page(client, slug: str) -> str:
    response = client.get(f"/sessions/{slug}/live")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# The rule ------------------------------------------------------------------------------


def invitation(**facts) -> AskInvitation | None:
    values = {
        "signed_in": True,
        "verified": True,
        "participant": False,
        "qa_mode": "moderated",
        "phase": "live",
        "cancelled": False,
        "places_left": 3,
        "place": None,
    }
    return ask_invitation(**{**values, **facts})


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, AskInvitation.REGISTER),
        ({"places_left": None}, AskInvitation.REGISTER),  # no limit on places
        ({"phase": "lobby"}, AskInvitation.REGISTER),
        ({"phase": "scheduled"}, AskInvitation.REGISTER),
        ({"places_left": 0}, AskInvitation.FULL),
        ({"places_left": 0, "place": "waitlisted"}, AskInvitation.WAITLISTED),
        ({"place": "cancelled"}, AskInvitation.REGISTER),  # they may register again
        ({"signed_in": False, "verified": False}, AskInvitation.SIGN_IN),
        ({"verified": False}, AskInvitation.VERIFY),
        ({"participant": True}, None),  # the form
        ({"qa_mode": "off"}, None),
        ({"phase": "ended"}, None),  # a place would not help any more
        ({"cancelled": True}, None),
    ],
)
def test_ask_invitation(facts, expected) -> None:
    assert invitation(**facts) == expected


# Register to ask -------------------------------------------------------------------------


def test_an_attendee_without_a_place_is_invited_to_register(
    client, login, factory, room: Room, clock
) -> None:
    clock.set(DURING)
    login(client, factory.user())
    html = page(client, room.slug)
    assert 'id="ask-form"' not in html and 'data-invitation="register"' in html
    form = html[html.index('data-invitation="register"') :]
    assert f'action="/sessions/{room.slug}/register"' in form
    assert 'name="next" value="room"' in form and 'name="csrf_token"' in form
    assert "Register to ask" in form and "There is no limit on places." in form


def test_register_to_ask_comes_back_to_the_room_able_to_ask(
    client, login, factory, room: Room, clock
) -> None:
    clock.set(DURING)
    person = factory.user()
    login(client, person)
    response = client.post(f"/sessions/{room.slug}/register", data={"next": "room"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sessions/{room.slug}/live")
    html = page(client, room.slug)
    assert 'id="ask-form"' in html and "data-invitation" not in html
    assert "You have a place." in html


def test_next_is_a_token_never_a_place_to_go(client, login, factory, room: Room, clock) -> None:
    clock.set(DURING)
    login(client, factory.user())
    response = client.post(
        f"/sessions/{room.slug}/register", data={"next": "https://elsewhere.example.org/"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sessions/{room.slug}")


def test_a_clash_on_the_way_keeps_the_way_back_to_the_room(
    client, login, factory, room: Room, clock
) -> None:
    clock.set(DURING)
    person = factory.user()
    festival = session_by_slug(db.session, room.slug).festival
    overlapping = factory.session(festival, starts_at=SESSION_START, title="At the same time")
    factory.registration(overlapping, person, "confirmed", REGISTERED)
    login(client, person)
    html = client.post(f"/sessions/{room.slug}/register", data={"next": "room"}).get_data(
        as_text=True
    )
    assert "This overlaps your agenda" in html
    assert 'name="next" value="room"' in html
    assert f'href="/sessions/{room.slug}/live"' in html  # "Keep my agenda as it is"
    response = client.post(
        f"/sessions/{room.slug}/register", data={"next": "room", "confirm_clash": "1"}
    )
    assert response.headers["Location"].endswith(f"/sessions/{room.slug}/live")


def test_a_visitor_is_asked_to_sign_in(client, room: Room, clock) -> None:
    clock.set(DURING)
    html = page(client, room.slug)
    assert 'id="ask-form"' not in html and 'data-invitation="sign-in"' in html
    assert "Sign in with a confirmed place to ask questions." in html
    assert f'href="/login?next=/sessions/{room.slug}/live"' in html and "Sign in to ask" in html


def test_an_unverified_person_is_asked_to_confirm_their_address(
    client, login, factory, room: Room, clock
) -> None:
    clock.set(DURING)
    login(client, factory.user(verified=False))
    html = page(client, room.slug)
    assert 'data-invitation="verify"' in html and "Confirm your e-mail address" in html
    assert "Register to ask" not in html


def test_a_full_session_points_to_the_waitlist_and_a_waitlisted_person_sees_their_place(
    client, login, factory, festival, clock
) -> None:
    host = factory.user()
    full = factory.session(festival, capacity=1, hosts=[host])
    factory.registration(full, factory.user(), "confirmed", REGISTERED)
    clock.set(full.starts_at + timedelta(minutes=5))
    login(client, factory.user())
    html = page(client, full.slug)
    assert 'data-invitation="full"' in html and "Register to ask" not in html
    assert f'href="/sessions/{full.slug}"' in html and "Join the waitlist" in html
    client.post("/logout")
    waiting = factory.user()
    factory.registration(full, waiting, "waitlisted", REGISTERED)
    login(client, waiting)
    html = page(client, full.slug)
    assert 'data-invitation="waitlisted"' in html and "You are number 1 on the waitlist" in html


def test_people_with_a_place_and_ended_rooms_keep_the_form(
    client, login, factory, room: Room, clock
) -> None:
    clock.set(DURING)
    login(client, room.attendee)
    assert 'id="ask-form"' in page(client, room.slug)
    client.post("/logout")
    login(client, factory.user())
    clock.set(AFTER)
    html = page(client, room.slug)
    assert 'id="ask-form"' in html and "data-invitation" not in html


# Hosts: pending questions first, counted ---------------------------------------------------


def test_hosts_see_the_pending_count_and_backstage_before_the_questions(
    client, login, socket_client, room: Room, clock
) -> None:
    clock.set(DURING)
    attendee = socket_client(room.attendee)
    for question in ("First held", "Second held", "Approved one"):
        ack = emit(attendee, "ask", {"session": room.slug, "text": question})
        if question == "Approved one":
            emit(
                socket_client(room.host),
                "moderate",
                {"question": ack["question"]["id"], "action": "approve"},
            )
    login(client, room.host)
    html = page(client, room.slug)
    assert "2 questions waiting for you to moderate." in text(html)
    assert 'href="#backstage-title"' in html and "js/pending-count.js" in html
    # Above the fold: the count in the header, before the clock; the queue before the room's list.
    assert html.index("data-pending-summary") < html.index('id="session-clock"')
    assert html.index('id="backstage"') < html.index('id="questions"')
    assert html.index("First held") < html.index('id="questions"')
    assert "live-layout--host" in html


def test_attendees_see_no_pending_count(client, login, room: Room, clock) -> None:
    clock.set(DURING)
    login(client, room.attendee)
    html = page(client, room.slug)
    assert "data-pending-summary" not in html and "pending-count.js" not in html


# People in the room and the lobby's countdown -----------------------------------------------


def test_everyone_sees_how_many_people_are_in_the_room(client, login, room: Room, clock) -> None:
    clock.set(DURING)
    for user_id, sid, left in (
        (room.attendee.id, "a-1", None),
        (room.attendee.id, "a-2", None),  # a second tab: still one person
        (room.other.id, "o-1", None),
        (room.host.id, "h-1", DURING - timedelta(minutes=1)),  # left already
    ):
        db.session.add(
            Presence(
                session_id=room.session_id,
                user_id=user_id,
                sid=sid,
                joined_at=DURING - timedelta(minutes=5),
                left_at=left,
            )
        )
    db.session.commit()
    html = text(page(client, room.slug))
    assert "In the room: 2 people (signed-in people, counted when this page opened" in html
    # A person in the room is told about the others.
    login(client, room.attendee)
    assert "In the room: 1 other person" in text(page(client, room.slug))
    client.post("/logout")
    login(client, room.organiser)
    assert "In the room: 2 other people" in text(page(client, room.slug))


def test_an_empty_room_says_so(client, login, room: Room, clock) -> None:
    clock.set(DURING)
    assert "In the room: no one yet" in text(page(client, room.slug))
    login(client, room.attendee)
    assert "In the room: no one else yet" in text(page(client, room.slug))


def test_the_lobby_counts_down_to_the_start(client, room: Room, clock) -> None:
    clock.set(LOBBY)
    html = page(client, room.slug)
    starts = session_by_slug(db.session, room.slug).starts_at
    assert f'data-countdown-to="{to_epoch_ms(starts)}"' in html
    assert "Lobby open" in html and "The session starts in 5:00." in text(html)
    clock.set(DURING)
    assert "data-countdown-to" not in page(client, room.slug)
