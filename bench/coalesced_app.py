"""Networkfest with vote updates sent through `networkfest.fanout` (for `bench.votes --coalesced`).

A preview of the wiring proposed to the integrator, applied here without touching the
qa package: a changed question that is visible and has votes is offered to the
coalescer; everything else (new questions, moderation) is sent at once, superseding any
pending offer for that question.
"""

import os

if os.environ.get("NETWORKFEST_ASYNC_MODE") == "gevent":
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()

from networkfest import create_app, fanout
from networkfest.live.protocol import session_room
from networkfest.qa import services
from networkfest.qa import sockets as qa_sockets
from networkfest.qa.models import Question

_plain_publish = qa_sockets.publish


def _publish(question: Question) -> None:
    if question.status == "visible" and question.votes > 0:
        payload = services.payload(question)
        fanout.publish("question", payload, session_room(question.session_id), question.id)
    else:
        _plain_publish(question)


qa_sockets.publish = _publish
app = create_app()
fanout.init_app(app)
