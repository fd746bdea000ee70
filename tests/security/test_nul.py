"""A NUL character is refused at the door: PostgreSQL cannot store one (found by the fuzzer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.security import has_nul
from tests.security.conftest import DURING, World


def test_has_nul_looks_everywhere() -> None:
    assert has_nul("a\x00b") and has_nul({"k\x00": 1}) and has_nul([1, {"a": ["\x00"]}])
    assert not has_nul({"text": "fine", "n": 0, "list": [None, 1.5]})


def test_nul_paths_are_404_and_queries_and_forms_400(client: FlaskClient, world: World) -> None:
    api = client.get("/api/v1/sessions/%00")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
    assert client.get("/schedule?theme=%00").status_code == 400
    signup = client.post("/signup", data={"name": "Nul\x00", "email": "n@example.org"})
    assert signup.status_code == 400 and "NUL" in signup.get_data(as_text=True)


def test_live_events_answer_invalid(
    world: World, socket_client: Callable[..., Any], clock: Any
) -> None:
    clock.set(DURING)
    sio = socket_client(db.session.get(User, world.attendee_id))
    ack = sio.emit(
        "ask", {"session": world.slug, "text": "Why\x00?"}, namespace="/live", callback=True
    )
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
