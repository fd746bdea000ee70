"""The commitments' pure rules: when a follow-up is due, which answers count, what text is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.commitments.rules import (
    LINK_LIFETIME,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    Answer,
    CommitmentRefused,
    clean_answer,
    clean_note,
    clean_text,
    follow_up_due,
    follow_up_due_at,
    link_expires_at,
    link_refusal,
)
from networkfest.insights.rules import MAX_DIFFERENT_LENGTH

ENDS = datetime(2026, 9, 21, 9, 45, tzinfo=UTC)


def refusal_code(call, *args):
    with pytest.raises(CommitmentRefused) as caught:
        call(*args)
    return caught.value.code


def test_a_follow_up_falls_due_the_festivals_weeks_after_the_session_ends():
    assert follow_up_due_at(ENDS, 4) == ENDS + timedelta(weeks=4)
    assert follow_up_due_at(ENDS, 1) == ENDS + timedelta(days=7)
    assert not follow_up_due(ENDS, 4, ENDS + timedelta(weeks=4, seconds=-1))
    assert follow_up_due(ENDS, 4, ENDS + timedelta(weeks=4))
    assert follow_up_due(ENDS, 4, ENDS + timedelta(weeks=30))


def test_no_follow_up_when_turned_off_or_the_session_was_cancelled():
    assert follow_up_due_at(ENDS, 0) is None
    assert not follow_up_due(ENDS, 0, ENDS + timedelta(weeks=100))
    assert follow_up_due_at(ENDS, 4, cancelled=True) is None
    assert not follow_up_due(ENDS, 4, ENDS + timedelta(weeks=5), cancelled=True)


def test_the_three_answers_count_and_nothing_else():
    assert [clean_answer(a) for a in ("done", "partly", "not_yet")] == list(Answer)
    for wrong in ("Done", "not yet", "", None, 1, True, ["done"], {"a": "done"}):
        assert refusal_code(clean_answer, wrong) == "invalid"


def test_notes_are_optional_trimmed_sanitised_and_limited():
    assert clean_note(None) == ""
    assert clean_note("  It went well \r\n\tmostly\x07  ") == "It went well \n\tmostly"
    assert clean_note("x" * MAX_NOTE_LENGTH) == "x" * MAX_NOTE_LENGTH
    assert MAX_NOTE_LENGTH == 1000
    assert refusal_code(clean_note, "x" * (MAX_NOTE_LENGTH + 1)) == "too_long"
    assert refusal_code(clean_note, 5) == "invalid"


def test_the_words_keep_the_feedbacks_limit_and_are_not_empty():
    assert MAX_TEXT_LENGTH == MAX_DIFFERENT_LENGTH == 500
    assert clean_text("  Timebox every item ") == "Timebox every item"
    assert clean_text("<b>bold</b>") == "<b>bold</b>"  # kept as typed, rendered escaped
    assert refusal_code(clean_text, "x" * 501) == "too_long"
    assert refusal_code(clean_text, "   ") == "invalid"
    assert refusal_code(clean_text, "\x00\x01") == "invalid"
    assert refusal_code(clean_text, None) == "invalid"


def test_links_expire_sixty_days_after_the_mail():
    sent = ENDS + timedelta(weeks=4)
    assert timedelta(days=60) == LINK_LIFETIME
    assert link_expires_at(sent) == sent + timedelta(days=60)


def refusal(**overrides):
    values = {
        "owner_id": 7,
        "link_user_id": 7,
        "signed_in_id": None,
        "answered": False,
        "expires_at": ENDS + timedelta(days=60),
        "now": ENDS + timedelta(days=1),
    }
    values.update(overrides)
    found = link_refusal(**values)
    return None if found is None else found.code


def test_a_link_works_for_its_owner_signed_in_or_not():
    assert refusal() is None
    assert refusal(signed_in_id=7) is None
    assert refusal(now=ENDS + timedelta(days=60)) is None


def test_a_link_is_refused_for_someone_else_when_used_expired_or_gone():
    assert refusal(signed_in_id=8) == "forbidden"
    assert refusal(owner_id=8) == "not_found"
    assert refusal(owner_id=None) == "not_found"
    assert refusal(answered=True) == "used"
    assert refusal(now=ENDS + timedelta(days=60, seconds=1)) == "expired"
