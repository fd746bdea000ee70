"""With the database unreachable, people get a clear 503 and the API a JSON error; then it heals."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from networkfest import create_app
from networkfest.extensions import db
from tests.conftest import postgres_url
from tests.server import free_port


class TcpProxy:
    """A switchable TCP forwarder standing between the app and PostgreSQL."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """The database 'goes away': refuse new connections and cut the open ones."""
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone does not.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for conn in self.connections:
            conn.close()
        self.connections.clear()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _accept(self) -> None:
        assert self.listener is not None
        listener = self.listener
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied_app(suite_database_url: str | None) -> Iterator[tuple[object, TcpProxy]]:
    real = make_url(suite_database_url or postgres_url())
    proxy = TcpProxy(free_port(), (real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TICKER": False,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"connect_timeout": 2},
            },
        }
    )
    with app.app_context():
        db.create_all()
    try:
        yield app, proxy
    finally:
        proxy.stop()
        with app.app_context():
            db.engine.dispose()


def test_database_outage_answers_503_and_recovers(proxied_app) -> None:
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/sessions").status_code == 200

    proxy.stop()
    page = client.get("/schedule")
    assert page.status_code == 503
    assert "Briefly unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/sessions")
    assert api.status_code == 503
    assert api.get_json() == {
        "error": {
            "code": "unavailable",
            "message": "The festival is briefly unavailable. Please try again in a moment.",
        }
    }
    assert client.get("/healthz").status_code == 503

    proxy.start()
    assert client.get("/healthz").status_code == 200
    assert client.get("/schedule").status_code == 200
    assert client.get("/api/v1/sessions").status_code == 200
