"""`feedback` on the live namespace: the one-minute form, answered from the ended room."""

from __future__ import annotations

from typing import Any

from networkfest import context
from networkfest.authz import SIGNED_IN, authorise
from networkfest.extensions import db
from networkfest.insights import services
from networkfest.insights.rules import FeedbackRefused, clean_feedback
from networkfest.programme.queries import room_by_slug
from networkfest.realtime.protocol import (
    Ack,
    ProtocolError,
    live_event,
    ok,
    require_object,
    require_str,
)


class FeedbackEvents:
    """Mixed into `LiveNamespace`; the same rules as the HTTP form at /sessions/<slug>/feedback."""

    @live_event
    def on_feedback(self, payload: Any = None) -> Ack:
        data = require_object(payload)
        user = authorise(SIGNED_IN)
        assert user is not None
        slug = require_str(data, "session", 80)
        festival_session = room_by_slug(db.session, slug, run_sheet=False)
        if festival_session is None:
            raise ProtocolError("not_found", "There is no such session.")
        try:
            answer = clean_feedback(
                data.get("worth"),
                data.get("different"),
                data.get("follow_up"),
                data.get("stay_in_touch"),
            )
            services.submit_feedback(db.session, festival_session, user.id, answer, context.now())
        except FeedbackRefused as refusal:
            raise ProtocolError(refusal.code, refusal.message) from refusal
        return ok()
