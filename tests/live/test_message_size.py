"""The live namespace accepts small messages only: the engine.io server is built with 64 kB."""

from __future__ import annotations

from flask import Flask

from networkfest.extensions import socketio


def test_the_socket_server_refuses_messages_over_64_kb(app: Flask) -> None:
    # Enforced by python-engineio (HTTP 413 for polling, a closed WebSocket otherwise).
    assert socketio.server.eio.max_http_buffer_size == 64_000
