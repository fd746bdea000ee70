"""Why someone cannot ask: the words the live page shows, decided by a pure rule."""

from __future__ import annotations

import pytest

from networkfest.qa.rules import Viewer, ask_refusal

ATTENDEE = Viewer(user_id=1, confirmed=True)


@pytest.mark.parametrize(
    ("viewer", "qa_mode", "phase", "refusal"),
    [
        (ATTENDEE, "off", "live", "Questions are switched off for this session."),
        (Viewer(user_id=None), "open", "live", "Sign in with a confirmed place to ask questions."),
        (
            Viewer(user_id=2),
            "open",
            "live",
            "Only people with a confirmed place can ask questions.",
        ),
        (
            ATTENDEE,
            "moderated",
            "lobby",
            "Questions open when the session starts and close when it ends.",
        ),
        (
            ATTENDEE,
            "moderated",
            "ended",
            "Questions open when the session starts and close when it ends.",
        ),
        (ATTENDEE, "moderated", "live", None),
        (Viewer(user_id=3, host=True), "open", "live", None),
    ],
)
def test_ask_refusal(viewer: Viewer, qa_mode: str, phase: str, refusal: str | None) -> None:
    assert ask_refusal(viewer, qa_mode, phase) == refusal
