"""A python-socketio client in one session's live room, for tests against real server processes.

It joins on every (re)connect and again when the server says the message queue is back
(`queue: up`), and keeps what it was told: questions, clock events, queue statuses, joins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import socketio

WAIT_S = 30.0


class RoomClient:
    def __init__(
        self,
        url: str,
        token: str,
        session: str,
        *,
        origin: str | None = None,
        transports: list[str] | None = None,
    ) -> None:
        self.url, self.token, self.session = url, token, session
        self.transports = transports
        self.questions: dict[int, dict[str, Any]] = {}
        self.clocks: list[dict[str, Any]] = []
        self.states: list[dict[str, Any]] = []
        self.queue: list[str] = []
        # Told it was signed out (its credentials ended), and then disconnected by the server.
        self.signed_out = False
        self.changed = threading.Condition()
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            randomization_factor=0,
            # A browser-like Origin: the public address the server trusts.
            websocket_extra_options={"origin": origin or url},
        )
        self.sio.on("connect", self._rejoin, namespace="/live")
        self.sio.on("question", self._question, namespace="/live")
        self.sio.on("clock", self._clock, namespace="/live")
        self.sio.on("queue", self._queue, namespace="/live")
        self.sio.on("logged_out", self._logged_out, namespace="/live")
        self.sio.on("disconnect", self._disconnected, namespace="/live")

    def connect(self) -> None:
        self.sio.connect(
            self.url,
            namespaces=["/live"],
            auth={"token": self.token},
            transports=self.transports,
            wait_timeout=WAIT_S,
        )
        self.wait_for(lambda: len(self.states) >= 1, "the first join")

    def _rejoin(self) -> None:
        # An ack cannot arrive while the client's own reader runs this handler: join from a task.
        self.sio.start_background_task(self._join)

    def _join(self) -> None:
        try:
            ack = self.sio.call(
                "join", {"session": self.session}, namespace="/live", timeout=WAIT_S
            )
        except socketio.exceptions.SocketIOError:
            # The connection went away mid-call (a kill, or the test's end): the next connect
            # joins again, and a test waiting for that state fails on its own timeout.
            return
        assert ack["ok"], ack
        with self.changed:
            self.states.append(ack["state"])
            for question in ack["state"]["questions"]:
                self.questions[question["id"]] = question
            self.changed.notify_all()

    def _question(self, payload: dict[str, Any]) -> None:
        with self.changed:
            self.questions[payload["id"]] = payload
            self.changed.notify_all()

    def _clock(self, payload: dict[str, Any]) -> None:
        with self.changed:
            self.clocks.append(payload)
            self.changed.notify_all()

    def _logged_out(self, payload: dict[str, Any] | None = None) -> None:
        with self.changed:
            self.signed_out = True
            self.changed.notify_all()

    def _disconnected(self, reason: Any = None) -> None:
        with self.changed:
            self.changed.notify_all()

    def connected(self) -> bool:
        return bool(self.sio.connected)

    def _queue(self, payload: dict[str, Any]) -> None:
        with self.changed:
            self.queue.append(payload["status"])
            self.changed.notify_all()
        if payload["status"] == "up":
            self._rejoin()

    def ask(self, text: str) -> dict[str, Any]:
        ack = self.sio.call(
            "ask",
            {"session": self.session, "text": text, "anonymous": False},
            namespace="/live",
            timeout=WAIT_S,
        )
        assert ack["ok"], ack
        return ack["question"]

    def vote(self, question_id: int) -> int:
        ack = self.sio.call(
            "vote", {"question": question_id, "value": 1}, namespace="/live", timeout=WAIT_S
        )
        assert ack["ok"], ack
        return int(ack["votes"])

    def texts(self) -> set[str]:
        with self.changed:
            return {q["text"] for q in self.questions.values()}

    def warnings(self, kind: str) -> int:
        with self.changed:
            return sum(1 for c in self.clocks if (c.get("warning") or {}).get("kind") == kind)

    def joins(self) -> int:
        with self.changed:
            return len(self.states)

    def last_state(self) -> dict[str, Any]:
        with self.changed:
            return self.states[-1]

    def wait_for(self, predicate: Callable[[], bool], what: str) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=WAIT_S), f"timed out waiting for {what}"

    def close(self) -> None:
        """Disconnect, or stop trying to reconnect: a client the server disconnected would
        otherwise try again for as long as the test process lives, drawing on the global
        `random` (its back-off) under a later test's feet (Hypothesis treats that as a
        strategy using `random`)."""
        self.sio.shutdown()
