"""`networkfest export` / `import`: a festival moves to another database exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from networkfest import create_app
from networkfest.accounts import services
from networkfest.extensions import db
from networkfest.models import (
    AuditEntry,
    Feedback,
    Question,
    ScheduleVersion,
    User,
    Vote,
)
from networkfest.portability import ImportRefused, export_festival, import_festival

NOW = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def festival_data(app: Flask, factory) -> dict[str, object]:
    organiser = factory.organiser(name="Olu Organiser")
    host = factory.user(name="Hana Host")
    attendee = factory.user(name="Ade Attendee")
    festival = factory.festival()
    session = factory.session(festival, hosts=[host], capacity=10)
    db.session.add(
        ScheduleVersion(
            festival_id=festival.id,
            number=1,
            published_at=NOW,
            content_hash="0" * 64,
            source="[festival]\nname = 'Networkfest 2026'\n",
            changes=[{"kind": "added", "session": session.slug}],
            published_by_id=organiser.id,
        )
    )
    factory.registration(session, attendee, "confirmed", NOW)
    question = Question(
        session_id=session.id,
        author_id=attendee.id,
        anonymous=True,
        text="How do we keep <b>momentum</b> between meetings?",
        status="visible",
        pinned=True,
        votes=1,
        created_at=NOW,
        updated_at=NOW,
    )
    db.session.add(question)
    db.session.flush()
    db.session.add(Vote(question_id=question.id, user_id=host.id, created_at=NOW))
    db.session.add(
        Feedback(
            session_id=session.id,
            user_id=attendee.id,
            worth=5,
            different="Start with purpose.",
            follow_up=True,
            created_at=NOW + timedelta(hours=1),
            updated_at=NOW + timedelta(hours=1),
        )
    )
    db.session.add(
        AuditEntry(
            actor_id=host.id,
            action="question.pin",
            target=str(question.id),
            detail={"question": question.id},
            created_at=NOW,
        )
    )
    db.session.commit()
    return {"session": session, "attendee": attendee}


def test_round_trip_restores_every_row_exactly(
    app: Flask, festival_data, scratch_database_url: str
) -> None:
    document = export_festival(db.session, include_secrets=True)
    assert document["tables"]["users"][0]["password_hash"]

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TICKER": False,
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
        }
    )
    with other.app_context():
        db.create_all()
        counts = import_festival(db.session, json.loads(json.dumps(document)))
        again = export_festival(db.session, include_secrets=True)
        # New rows still get fresh ids after an import (PostgreSQL sequences moved on).
        newcomer = User(email="new@example.org", name="New", created_at=NOW)
        db.session.add(newcomer)
        db.session.commit()
        assert newcomer.id > max(u["id"] for u in document["tables"]["users"])
        db.session.remove()
        db.drop_all()
        db.engine.dispose()

    assert again == document
    assert counts["questions"] == 1 and counts["votes"] == 1 and counts["feedback"] == 1


def test_export_leaves_every_secret_behind_unless_asked(app: Flask, festival_data) -> None:
    services.create_api_token(db.session, festival_data["attendee"], "script", NOW)
    document = export_festival(db.session)
    for user in document["tables"]["users"]:
        assert user["password_hash"] is None
        assert user["calendar_token"] is None and user["security_stamp"] is None
    assert document["tables"]["api_tokens"] == [] and document["tables"]["sign_ins"] == []
    assert document["secrets"] is False
    with_secrets = export_festival(db.session, include_secrets=True)
    assert with_secrets["tables"]["api_tokens"][0]["token_hash"]
    assert all(user["calendar_token"] for user in with_secrets["tables"]["users"])


def test_an_import_without_secrets_gives_new_ones(
    app: Flask, festival_data, scratch_database_url: str
) -> None:
    document = export_festival(db.session)
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TICKER": False,
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
        }
    )
    with other.app_context():
        db.create_all()
        import_festival(db.session, json.loads(json.dumps(document)))
        users = db.session.scalars(select(User)).all()
        tokens = {user.calendar_token for user in users}
        assert len(tokens) == len(users) and all(token for token in tokens)
        assert all(user.security_stamp and user.password_hash is None for user in users)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_import_refuses_a_database_that_is_not_empty(app: Flask, festival_data) -> None:
    document = export_festival(db.session)
    with pytest.raises(ImportRefused, match="not empty"):
        import_festival(db.session, document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "something-else"}, "not a Networkfest export"),
        ({"format": "networkfest-export", "version": 99, "tables": {}}, "format version"),
        ({"format": "networkfest-export", "version": 1, "tables": {"nope": []}}, "Unknown tables"),
        (
            {"format": "networkfest-export", "version": 1, "tables": {"users": [{"bogus": 1}]}},
            "does not match",
        ),
    ],
)
def test_import_refuses_documents_it_cannot_restore(app: Flask, document, message) -> None:
    with pytest.raises(ImportRefused, match=message):
        import_festival(db.session, document)


def test_cli_export_then_import_into_an_empty_database(
    app: Flask, runner, festival_data, tmp_path
) -> None:
    path = tmp_path / "festival.json"
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["format"] == "networkfest-export"

    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 1
    assert "not empty" in refused.output
