"""A room with prepared polls, and the poll events of the live protocol."""

from __future__ import annotations

from typing import Any

from networkfest.extensions import db
from networkfest.polls import services
from networkfest.programme.models import FestivalSession
from networkfest.qa.rules import Viewer
from tests.live.helpers import REGISTERED, emit

PREPARED = [
    {
        "question": "Which pitfall does your network have?",
        "options": ["Unclear purpose", "Hard to show it was worth it", "Fizzling out"],
        "multiple": True,
        "results": "live",
    },
    {
        "question": "Written method?",
        "options": ["Yes", "No"],
        "multiple": False,
        "results": "closed",
    },
]


def prepare(session_id: int, polls: list[dict[str, Any]] = PREPARED) -> list[int]:
    """Give the session prepared polls as publishing would; their ids, in the file's order."""
    festival_session = db.session.get(FestivalSession, session_id)
    assert festival_session is not None
    festival_session.prepared_polls = polls
    db.session.commit()
    services.sync_prepared(db.session, festival_session.festival_id, REGISTERED)
    viewer = Viewer(user_id=None, host=True)
    ids = [p["id"] for p in services.session_polls(db.session, festival_session, viewer)]
    db.session.commit()
    return ids


def open_poll(sio: Any, slug: str, poll: int) -> dict[str, Any]:
    return emit(sio, "poll_open", {"session": slug, "poll": poll})


def answer(sio: Any, poll: int, *choices: int) -> dict[str, Any]:
    return emit(sio, "poll_answer", {"poll": poll, "choices": list(choices)})


def close(sio: Any, poll: int) -> dict[str, Any]:
    return emit(sio, "poll_close", {"poll": poll})


def votes(poll: dict[str, Any]) -> list[int | None]:
    return [option["votes"] for option in poll["options"]]
