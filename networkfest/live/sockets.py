"""PLACEHOLDER: replaced by the live-room helper."""

from flask_socketio import Namespace


class LiveNamespace(Namespace):
    pass
