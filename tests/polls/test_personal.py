"""A person's poll answers in their data download, and gone with their account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.polls.models import PollChoice
from networkfest.privacy.services import delete_account, export_user_data
from tests.factories import DURING
from tests.live.helpers import Room
from tests.polls.helpers import answer, open_poll, prepare


def test_answers_are_exported_and_erased(
    socket_client: Any, room: Room, clock: SettableClock
) -> None:
    clock.set(DURING)
    polls = prepare(room.session_id)
    open_poll(socket_client(room.host), room.slug, polls[0])
    answer(socket_client(room.attendee), polls[0], 1, 3)
    answer(socket_client(room.other), polls[0], 3)
    user = db.session.get(User, room.attendee.id)
    assert user is not None
    data = export_user_data(db.session, user)
    assert data["poll_answers"] == [
        {
            "session": room.slug,
            "poll": "Which pitfall does your network have?",
            "choices": ["Unclear purpose", "Fizzling out"],
            "answered_at": data["poll_answers"][0]["answered_at"],
        }
    ]
    delete_account(db.session, user, DURING)
    left = db.session.scalars(select(PollChoice.user_id)).all()
    assert left == [room.other.id]
