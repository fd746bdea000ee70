"""PLACEHOLDER: the live-room helper writes the namespace (connect, join, leave, disconnect)."""

from flask_socketio import Namespace

from networkfest.insights.sockets import FeedbackEvents
from networkfest.qa.sockets import QuestionEvents
from networkfest.timing.sockets import ClockEvents


class LiveNamespace(QuestionEvents, ClockEvents, FeedbackEvents, Namespace):
    pass
