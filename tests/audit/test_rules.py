"""How audit entries read: pure, no app."""

from __future__ import annotations

from networkfest.audit.rules import action_label, detail_lines


def test_known_actions_read_as_words_and_unknown_ones_as_stored() -> None:
    assert action_label("schedule.publish") == "Published the schedule"
    assert action_label("question.hide") == "Hid a question"
    assert action_label("something.new") == "something.new"


def test_details_are_sorted_plain_text() -> None:
    assert detail_lines({"to": "hidden", "from": None, "organiser": True, "n": 3}) == [
        ("from", "none"),
        ("n", "3"),
        ("organiser", "yes"),
        ("to", "hidden"),
    ]
    assert detail_lines(None) == []
