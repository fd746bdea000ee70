"""Why someone cannot ask: the words the live page shows, decided by a pure rule."""

from __future__ import annotations

import pytest

from networkfest.qa.rules import Viewer, ask_refusal, pending_label

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
        (ATTENDEE, "moderated", "ended", "Questions closed when the session ended."),
        (Viewer(user_id=None), "open", "ended", "Questions closed when the session ended."),
        (ATTENDEE, "off", "ended", "Questions are switched off for this session."),
        (ATTENDEE, "moderated", "live", None),
        (Viewer(user_id=3, host=True), "open", "live", None),
    ],
)
def test_ask_refusal(viewer: Viewer, qa_mode: str, phase: str, refusal: str | None) -> None:
    assert ask_refusal(viewer, qa_mode, phase) == refusal


@pytest.mark.parametrize(
    ("phase", "moderator", "label"),
    [
        ("live", False, "Awaiting moderation"),
        ("live", True, "Awaiting moderation"),
        ("ended", False, "Not shown to the room"),
        # Hosts and organisers can still approve it after the end.
        ("ended", True, "Awaiting moderation"),
    ],
)
def test_a_pending_question_says_whether_it_can_still_be_shown(
    phase: str, moderator: bool, label: str
) -> None:
    assert pending_label(phase, moderator) == label
