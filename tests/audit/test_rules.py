"""How audit entries read: pure, no app."""

from __future__ import annotations

from networkfest.audit.rules import ACTION_LABELS, AuditAction, action_label, detail_lines


def test_known_actions_read_as_words_and_unknown_ones_as_stored() -> None:
    assert action_label("schedule.publish") == "Published the schedule"
    assert action_label("question.hide") == "Hid a question"
    assert action_label("something.new") == "something.new"
    assert action_label("outcomes.save") == "Wrote up the outcomes"


def test_every_action_the_log_records_reads_as_words() -> None:
    """`services.record` takes only an `AuditAction` (mypy holds every caller to it), so an
    action added there without its words fails here; and no words are kept for none."""
    assert [action for action in AuditAction if action not in ACTION_LABELS] == []
    assert set(ACTION_LABELS) == set(AuditAction)
    assert all("." not in label and "_" not in label for label in ACTION_LABELS.values())


def test_details_are_sorted_plain_text() -> None:
    assert detail_lines(
        {"to": "hidden", "from": None, "organiser": True, "n": 3, "summary_length": 104}
    ) == [
        ("from", "none"),
        ("n", "3"),
        ("organiser", "yes"),
        ("summary length", "104"),
        ("to", "hidden"),
    ]
    assert detail_lines(None) == []
