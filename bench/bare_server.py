"""The floor: a bare Flask-SocketIO server speaking just enough of `/live` to be measured.

It runs on the same worker stack as Networkfest (`gunicorn -c gunicorn.conf.py
bench.bare_server:app`) and broadcasts the same payloads, with no database, no
authorisation and no rules: whatever Networkfest costs above it is Networkfest's own.
`GET /hello` is the floor for pages.
"""

import os

if os.environ.get("NETWORKFEST_ASYNC_MODE") == "gevent":
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()

import itertools
import time
from typing import Any

from flask import Flask, request
from flask_socketio import Namespace, SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode=os.environ.get("NETWORKFEST_ASYNC_MODE", "threading"),
    max_http_buffer_size=64_000,
)
_ids = itertools.count(1)
_votes: dict[int, set[str]] = {}
_questions: dict[int, dict[str, Any]] = {}


def _room(slug: str) -> str:
    return f"session:{slug}"


def _now_ms() -> int:
    return int(time.time() * 1000)


class BareLive(Namespace):
    """join, ask and vote, with the payload shapes of DESIGN's live protocol."""

    def on_join(self, payload: dict[str, Any]) -> dict[str, Any]:
        join_room(_room(payload["session"]))
        now = _now_ms()
        clock = {
            "session": payload["session"],
            "phase": "live",
            "server_now": now,
            "starts_at": now,
            "ends_at": now + 3_600_000,
            "item": None,
            "warning": None,
        }
        return {"ok": True, "state": {"clock": clock, "questions": [], "my_votes": []}}

    def on_ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        question = {
            "id": next(_ids),
            "session": payload["session"],
            "text": payload["text"],
            "author": None if payload.get("anonymous") else "Bench attendee",
            "votes": 0,
            "status": "visible",
            "pinned": False,
            "created_at": _now_ms(),
        }
        _votes[question["id"]] = set()
        _questions[question["id"]] = question
        emit("question", question, to=_room(payload["session"]))
        return {"ok": True, "question": question}

    def on_vote(self, payload: dict[str, Any]) -> dict[str, Any]:
        """One broadcast per vote: the naive baseline the coalescer is measured against."""
        question = _questions[payload["question"]]
        _votes[question["id"]].add(request.sid)  # type: ignore[attr-defined]
        question = {**question, "votes": len(_votes[question["id"]])}
        _questions[question["id"]] = question
        emit("question", question, to=_room(question["session"]))
        return {"ok": True, "votes": question["votes"]}


socketio.on_namespace(BareLive("/live"))


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
