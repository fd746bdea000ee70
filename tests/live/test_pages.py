"""The live room page, the join-the-call redirect and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.live.models import CallClick
from networkfest.programme.models import FestivalSession
from tests.factories import DURING, SESSION_START
from tests.live.helpers import AFTER, LOBBY, Room, emit


def page(client, slug: str, query: str = "") -> str:
    response = client.get(f"/sessions/{slug}/live{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def asked(socket_client, room: Room, text: str, *, approve: bool = True, **extra) -> int:
    ack = emit(socket_client(room.attendee), "ask", {"session": room.slug, "text": text, **extra})
    question_id = ack["question"]["id"]
    if approve:
        emit(socket_client(room.host), "moderate", {"question": question_id, "action": "approve"})
    return question_id


def test_page_renders_questions_escaped(client, socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    asked(socket_client, room, "<script>alert(1)</script>")
    asked(socket_client, room, "Held back", approve=False)
    html = page(client, room.slug)
    assert f'<section id="live-room" data-session="{room.slug}" data-phase="live"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "Held back" not in html
    assert "Join the call" not in html
    assert "vendor/socket.io/socket.io.min.js" in html and "js/live.js" in html
    assert "BST" in html  # times say their zone
    assert "style=" not in html and "<script>" not in html.replace("<script src=", "")


def test_unknown_session_is_404(client) -> None:
    assert client.get("/sessions/nope/live").status_code == 404


def test_host_sees_backstage_and_pending(client, login, socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    asked(socket_client, room, "Held back", approve=False)
    login(client, room.host)
    html = page(client, room.slug)
    assert "Backstage" in html and "Held back" in html and "Approve" in html


def test_asker_sees_own_pending_question(client, login, socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    asked(socket_client, room, "My own pending one", approve=False)
    login(client, room.attendee)
    html = page(client, room.slug)
    assert "My own pending one" in html and "Awaiting moderation" in html
    assert "Backstage" not in html


def test_organiser_sees_who_asked_anonymously(
    client, login, socket_client, room: Room, clock
) -> None:
    clock.set(DURING)
    asked(socket_client, room, "Anonymous one", anonymous=True)
    login(client, room.organiser)
    assert f"asked by {room.attendee.name}" in page(client, room.slug)


def test_ask_form_says_why_it_is_closed(client, login, room: Room, clock) -> None:
    clock.set(LOBBY)
    assert "Sign in with a confirmed place" in page(client, room.slug)
    login(client, room.attendee)
    html = page(client, room.slug)
    assert "Questions open when the session starts" in html
    assert 'data-phase="lobby"' in html and "Join the call" in html


def test_a_room_without_qa_says_so_instead_of_an_empty_list(
    client, login, factory, room: Room, clock
) -> None:
    """qa = "off": one note where the questions would be, no tabs, list or ask form; the
    hosts keep their polls and the call."""
    festival_session = db.session.get(FestivalSession, room.session_id)
    host = db.session.get(User, room.host.id)
    assert festival_session is not None and host is not None
    quiet = factory.session(festival_session.festival, hosts=[host], qa_mode="off", slug="quiet")
    clock.set(DURING)
    for who in (None, room.host):
        if who is not None:
            login(client, who)
        html = page(client, quiet.slug)
        assert '<p id="qa-off" class="panel live-questions live-qa-off">' in html
        assert "There is no Q&amp;A in this session." in html
        assert 'id="questions"' not in html and 'id="questions-title"' not in html
        assert "data-sort=" not in html and "No questions yet." not in html
        assert 'id="ask-form"' not in html and "Ask a question" not in html
        assert "new questions" not in html
    assert "Write a poll" in html and "Join the call" in html
    assert 'id="backstage"' not in html and "Nothing waiting for moderation." not in html


def opening_tag(html: str, element_id: str) -> str | None:
    """The opening tag of the element with this id, or None when the page has none."""
    found = re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', html)
    return found.group(0) if found else None


def is_hidden(html: str, element_id: str) -> bool:
    tag = opening_tag(html, element_id)
    assert tag is not None, element_id
    return re.search(r"\shidden[\s>]", tag) is not None


def test_an_ended_room_says_when_questions_closed(
    client, login, socket_client, room: Room, clock
) -> None:
    """No empty form under words about the start: when questions closed, with its zone; the
    asker's question no host approved is not "awaiting" any more, though hosts may still
    approve it."""
    clock.set(DURING)
    asked(socket_client, room, "Left waiting", approve=False)
    clock.set(AFTER)
    for who in (None, room.attendee):
        if who is not None:
            login(client, who)
        html = page(client, room.slug)
        note = re.search(r'<p id="ask-closed"[^>]*>(.*?)</p>', html, re.S)
        assert note is not None and not is_hidden(html, "ask-closed")
        assert " ".join(re.sub(r"<[^>]+>", "", note.group(1)).split()) == (
            "Questions closed when the session ended at 10:45 BST."
        )
        assert is_hidden(html, "ask-form")
        assert "Questions open when the session starts" not in html
        assert "live-invite" not in html and "Sign in to ask" not in html
    assert "Left waiting" in html and "Not shown to the room" in html
    assert "Awaiting moderation" not in html
    client.post("/logout")
    login(client, room.host)
    html = page(client, room.slug)
    assert "Left waiting" in html and "Awaiting moderation" in html
    assert "Not shown to the room" not in html


def test_before_the_end_the_closed_note_waits_hidden(client, login, room: Room, clock) -> None:
    """Rendered hidden, for static/js/live/ask.js to show when the room's clock reaches the
    end; a cancelled session never ends, so it has none."""
    clock.set(DURING)
    login(client, room.attendee)
    html = page(client, room.slug)
    assert is_hidden(html, "ask-closed") and not is_hidden(html, "ask-form")
    festival_session = db.session.get(FestivalSession, room.session_id)
    assert festival_session is not None
    festival_session.status = "cancelled"
    db.session.commit()
    clock.set(AFTER)
    html = page(client, room.slug)
    assert opening_tag(html, "ask-closed") is None and not is_hidden(html, "ask-form")


def test_sort_newest(client, socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    asked(socket_client, room, "First asked")
    clock.advance(timedelta(seconds=30))
    asked(socket_client, room, "Second asked")
    html = page(client, room.slug, "?sort=newest")
    assert html.index("Second asked") < html.index("First asked")
    html = page(client, room.slug)
    assert html.index("First asked") < html.index("Second asked")


def test_call_moves_on_to_the_video_room_and_counts(client, login, room: Room, clock) -> None:
    assert client.post(f"/sessions/{room.slug}/call").status_code in (302, 303)  # to sign in
    login(client, room.attendee)
    clock.set(SESSION_START - timedelta(hours=1))
    early = client.post(f"/sessions/{room.slug}/call")
    assert early.status_code == 303 and early.headers["Location"].endswith("/live")
    join_url = db.session.get(FestivalSession, room.session_id).join_url
    assert join_url.startswith("https://meet.example.org/")
    for instant in (LOBBY, DURING):
        clock.set(instant)
        response = client.post(f"/sessions/{room.slug}/call")
        # A page that moves on, not a redirect: the policy's form-action 'self' would hold a
        # form's redirect to another site, and it stays as strict as every other page's.
        assert response.status_code == 200 and "Location" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        assert "form-action 'self'" in response.headers["Content-Security-Policy"]
        html = response.get_data(as_text=True)
        assert f'<meta http-equiv="refresh" content="0; url={join_url}">' in html
        assert f'<a href="{join_url}" rel="noopener">go to the video room</a>' in html
    clock.set(AFTER)
    assert client.post(f"/sessions/{room.slug}/call").status_code == 303
    clicks = db.session.scalars(select(CallClick.user_id)).all()
    assert clicks == [room.attendee.id, room.attendee.id]


def test_opening_the_call_address_counts_nothing(client, login, room: Room, clock) -> None:
    login(client, room.attendee)
    clock.set(DURING)
    assert client.get(f"/sessions/{room.slug}/call").status_code == 405
    assert db.session.scalars(select(CallClick)).all() == []


def test_call_is_for_people_with_a_place(client, login, room: Room, clock) -> None:
    clock.set(DURING)
    login(client, room.outsider_host)
    response = client.post(f"/sessions/{room.slug}/call")
    assert response.status_code == 403
    assert "confirmed place" in response.get_data(as_text=True)
    assert client.post("/sessions/nope/call").status_code == 404


def test_csv_export_for_hosts_after_the_session(
    client, login, socket_client, room: Room, clock
) -> None:
    clock.set(DURING)
    asked(socket_client, room, "=HYPERLINK(1)")
    asked(socket_client, room, "Quiet one", anonymous=True)
    url = f"/sessions/{room.slug}/questions.csv"
    login(client, room.host)
    assert client.get(url).status_code == 409
    clock.set(AFTER)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["text"] for r in rows] == ["'=HYPERLINK(1)", "Quiet one"]
    assert rows[1]["author"] == "" and "asked_by" not in rows[1]
    client.post("/logout")
    login(client, room.organiser)
    rows = list(csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True))))
    assert rows[1]["asked_by"] == room.attendee.name
    client.post("/logout")
    login(client, room.attendee)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(client, room.outsider_host)
    assert client.get(url).status_code == 403
