"""The audit log: every organiser and host action is recorded, and organisers can read it."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from networkfest.audit import services
from networkfest.audit.models import AuditEntry
from networkfest.audit.rules import AuditAction
from networkfest.extensions import db
from tests.factories import DURING, FESTIVAL_START
from tests.live.helpers import REGISTERED
from tests.programme.schedules import schedule, session


def actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_publishing_and_role_changes_are_recorded(
    client: FlaskClient, factory: Any, login: Any
) -> None:
    organiser = factory.organiser(name="Orla Organiser")
    person = factory.user(name="Pat Person")
    login(client, organiser)
    published = client.post(
        "/organiser/schedule",
        data={"file": (io.BytesIO(schedule(session()).encode()), "fest.toml"), "publish": "1"},
        content_type="multipart/form-data",
    )
    assert published.status_code == 200
    assert client.post(f"/organiser/users/{person.id}/role", data={"organiser": "1"}).status_code
    assert actions() == ["schedule.publish", "user.role"]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert entry[0].actor_id == organiser.id and entry[0].detail["version"] == 1
    assert entry[1].subject_id == person.id and entry[1].detail == {"organiser": True}
    assert person.email not in entry[1].target  # people are named by id, never by address


def test_moderation_and_run_sheet_moves_are_recorded(
    factory: Any, socket_client: Any, clock: Any
) -> None:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    attendee = factory.user()
    festival_session = factory.session(festival, hosts=[host], qa_mode="moderated")
    factory.registration(festival_session, attendee, "confirmed", REGISTERED)
    slug = festival_session.slug
    clock.set(DURING)
    asked = socket_client(attendee).emit(
        "ask", {"session": slug, "text": "Why?"}, namespace="/live", callback=True
    )
    sio = socket_client(host)
    for action in ("approve", "pin", "answer"):
        ack = sio.emit(
            "moderate",
            {"question": asked["question"]["id"], "action": action},
            namespace="/live",
            callback=True,
        )
        assert ack["ok"], ack
    assert sio.emit("agenda_next", {"session": slug}, namespace="/live", callback=True)["ok"]
    assert actions() == ["question.approve", "question.pin", "question.answer", "agenda.next"]


def test_organisers_read_it_newest_first_filtered_and_paged(
    client: FlaskClient, factory: Any, login: Any
) -> None:
    organiser = factory.organiser(name="Orla Organiser")
    factory.festival()
    for n in range(60):
        services.record(
            db.session,
            actor_id=organiser.id,
            action="question.hide" if n % 2 else "user.role",
            target=f"target-{n}" if n != 59 else "<script>alert(1)</script>",
            now=FESTIVAL_START + timedelta(minutes=n),
            detail={"n": n},
        )
    db.session.commit()
    login(client, organiser)
    page = client.get("/organiser/audit").get_data(as_text=True)
    assert page.index("&lt;script&gt;alert(1)&lt;/script&gt;") < page.index("target-58")
    assert "<script>alert(1)" not in page
    assert "60 entries" in page and "page 1 of 2" in page and "Older entries" in page
    assert "Orla Organiser" in page and "Hid a question" in page and "BST" in page
    older = client.get("/organiser/audit?page=2").get_data(as_text=True)
    assert "target-0<" in older and "target-58" not in older and "Newer entries" in older
    hidden = client.get("/organiser/audit?action=question.hide").get_data(as_text=True)
    assert "30 entries" in hidden and "target-58" not in hidden and "target-57" in hidden
    fallback = client.get("/organiser/audit?action=nope&page=99")
    assert fallback.status_code == 200
    assert "page 2 of 2" in fallback.get_data(as_text=True)
    assert client.get("/organiser/audit?page=x").status_code == 200


def test_written_up_outcomes_read_as_words(client: FlaskClient, factory: Any, login: Any) -> None:
    organiser = factory.organiser(name="Orla Organiser")
    factory.festival()
    services.record(
        db.session,
        actor_id=organiser.id,
        action=AuditAction.OUTCOMES_SAVE,
        target="bingo",
        now=FESTIVAL_START,
        detail={"links": 2, "summary_length": 104},
    )
    db.session.commit()
    login(client, organiser)

    page = client.get("/organiser/audit").get_data(as_text=True)

    assert '<option value="outcomes.save">Wrote up the outcomes</option>' in page
    assert "<td>Wrote up the outcomes</td>" in page
    assert "<li>summary length: 104</li>" in page and "summary_length" not in page
    assert ">outcomes.save<" not in page


def test_only_organisers_read_it(client: FlaskClient, factory: Any, login: Any) -> None:
    response = client.get("/organiser/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, factory.user())
    assert client.get("/organiser/audit").status_code == 403


def test_an_empty_log_says_so(client: FlaskClient, factory: Any, login: Any) -> None:
    login(client, factory.organiser())
    assert "Nothing has been recorded" in client.get("/organiser/audit").get_data(as_text=True)
