"""With CSRF on (as in production): the follow-up link's Confirm and the page's forms need
their token, also for a person who is not signed in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.commitments import links
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer
from networkfest.extensions import db
from tests import conftest
from tests.commitments.helpers import ENDS, commit_to, ended_session

SENT = ENDS + timedelta(weeks=4)


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    return conftest.test_settings(database_url, clock) | {"WTF_CSRF_ENABLED": True}


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def answer() -> str | None:
    db.session.rollback()
    return db.session.scalars(select(Commitment.answer)).one()


def test_confirming_a_link_needs_the_token_from_its_page(factory, client, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    path = urlsplit(links.follow_up_url(cid, ended.owner_id, Answer.DONE, SENT)).path
    clock.set(SENT)

    refused = client.post(path, data={"answer": "done"})
    assert refused.status_code == 400 and answer() is None

    token = token_in(client.get(path).get_data(as_text=True))
    saved = client.post(path, data={"answer": "done", "csrf_token": token})
    assert saved.status_code == 200 and answer() == "done"


def test_the_pages_forms_need_the_token(factory, signed_in):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    client = signed_in(db.session.get(User, ended.owner_id))

    assert client.post(f"/me/commitments/{cid}/answer", data={"answer": "done"}).status_code == 400
    assert client.post("/me/commitments/follow-up-mails", data={}).status_code == 400
    assert answer() is None
    db.session.rollback()
    assert db.session.get(User, ended.owner_id).follow_up_mails is True

    token = token_in(client.get("/me/commitments").get_data(as_text=True))
    done = client.post(
        f"/me/commitments/{cid}/answer", data={"answer": "done", "csrf_token": token}
    )
    assert done.status_code == 303 and answer() == "done"
