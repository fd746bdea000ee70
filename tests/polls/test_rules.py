"""Poll rules, pure: a poll's text and options, which answers count, who sees the counts."""

from __future__ import annotations

import pytest

from networkfest.polls import rules
from networkfest.polls.rules import PollError
from networkfest.programme.rules import SCHEDULE_WORDS, PollFault, PollSpec, poll_problems
from networkfest.qa.rules import Audience, Viewer


def test_a_good_poll_is_trimmed() -> None:
    spec, problems = poll_problems("  Which one?  ", [" A ", "B"], False, "closed")
    assert problems == []
    assert spec == PollSpec("Which one?", ("A", "B"), False, "closed")


def test_every_problem_at_once() -> None:
    spec, problems = poll_problems("x" * 201, ["A", "a", "", "y" * 101], "yes", "later")
    assert spec is None
    fields = [field for field, _ in problems]
    assert fields == ["question", "options[2]", "options[3]", "options[4]", "multiple", "results"]


@pytest.mark.parametrize(
    "options",
    [["only one"], [f"option {n}" for n in range(11)], "A, B", None],
)
def test_two_to_ten_options(options: object) -> None:
    spec, problems = poll_problems("Which?", options, False, "live")
    assert spec is None and [field for field, _ in problems] == ["options"]


def test_ten_options_and_a_200_character_question_are_fine() -> None:
    spec, _ = poll_problems("q" * 200, [f"o{n}" * 20 for n in range(10)], True, "live")
    assert spec is not None and len(spec.options) == 10


def test_the_schedule_checker_keeps_its_words() -> None:
    """Organisers read these in the schedule checker's report: the host's wording is apart."""
    _, problems = poll_problems("", ["A", "a", ""], "yes", "later")
    assert problems == [
        ("question", "must be a non-empty text"),
        ("options[2]", "'a' is listed twice"),
        ("options[3]", "must be a non-empty text"),
        ("multiple", "must be true or false"),
        ("results", "'later' is not one of: live, closed"),
    ]
    _, few = poll_problems("Which?", ["A"], False, "live")
    assert few == [("options", "a poll needs 2 to 10 options (got 1)")]


@pytest.mark.parametrize(
    ("question", "options", "message"),
    [
        ("", [], "Write the poll's question. Give 2 to 10 options, one per line."),
        ("Which?", ["A"], "Give 2 to 10 options, one per line."),
        ("Which?", "A, B", "Give 2 to 10 options, one per line."),
        ("Which?", ["A", "A"], "'A' is listed twice: give each option once."),
        ("Which?", ["Tea", "tea "], "'tea' is listed twice: give each option once."),
        ("Which?", ["A", " "], "Option 2 is empty: give each option some text."),
        ("Which?", ["A", "b" * 101], "Option 2 is 101 characters long: keep each option to 100."),
    ],
)
def test_a_written_poll_is_refused_in_words_for_the_host(
    question: str, options: object, message: str
) -> None:
    with pytest.raises(PollError) as refused:
        rules.written_poll(question, options, False, "live")
    assert refused.value.message == message


def test_a_written_poll_refused_for_length_says_too_long() -> None:
    with pytest.raises(PollError) as long:
        rules.written_poll("q" * 201, ["A", "B"], False, "live")
    assert long.value.code == "too_long"
    assert long.value.message == "The question is 201 characters long: keep it to 200."
    with pytest.raises(PollError) as duplicate:
        rules.written_poll("Which?", ["A", "A"], False, "live")
    assert duplicate.value.code == "invalid"


def test_a_written_poll_from_a_client_other_than_the_form() -> None:
    """The protocol takes `multiple` and `results` too; the form always sends good ones."""
    with pytest.raises(PollError) as refused:
        rules.written_poll("Which?", ["A", "B"], "yes", "never")
    assert refused.value.code == "invalid"
    assert refused.value.message == (
        "Say whether people may choose more than one option. "
        "Say whether the results show as answers come in or when you close the poll."
    )


def test_one_choice_for_a_single_choice_poll() -> None:
    assert rules.clean_choices([2], 3, multiple=False) == (2,)
    for bad in ([1, 2], [], [0], [4], [True], ["1"], 1, None):
        with pytest.raises(PollError) as refused:
            rules.clean_choices(bad, 3, multiple=False)
        assert refused.value.code == "invalid"


def test_several_distinct_choices_for_a_multiple_choice_poll() -> None:
    assert rules.clean_choices([3, 1], 3, multiple=True) == (1, 3)
    with pytest.raises(PollError):
        rules.clean_choices([1, 1], 3, multiple=True)


def test_who_sees_the_counts() -> None:
    assert rules.counts_visible("live", "open", moderator=False)
    assert not rules.counts_visible("closed", "open", moderator=False)
    assert rules.counts_visible("closed", "open", moderator=True)
    assert rules.counts_visible("closed", "closed", moderator=False)
    assert not rules.counts_visible("live", "ready", moderator=False)


def test_prepared_polls_are_the_hosts_until_opened() -> None:
    assert not rules.can_see("ready", moderator=False)
    assert rules.can_see("ready", moderator=True)
    assert rules.can_see("open", moderator=False) and rules.can_see("closed", moderator=False)


def test_who_may_run_polls() -> None:
    """Who may answer is the participant right, asked of `authz` by the handler
    (test_sockets.py: anonymous and outsiders are refused)."""
    with pytest.raises(PollError) as anonymous:
        rules.check_moderator(Viewer(user_id=None))
    assert anonymous.value.code == "unauthenticated"
    with pytest.raises(PollError) as attendee:
        rules.check_moderator(Viewer(user_id=1, confirmed=True))
    assert attendee.value.code == "forbidden"
    rules.check_moderator(Viewer(user_id=1, host=True))
    rules.check_moderator(Viewer(user_id=1, organiser=True))


@pytest.mark.parametrize("phase", ["scheduled", "lobby", "ended", "cancelled"])
def test_polls_only_while_live(phase: str) -> None:
    with pytest.raises(PollError) as refused:
        rules.check_live(phase)
    assert refused.value.code == "not_live"
    rules.check_live("live")


def test_who_is_told_about_a_poll() -> None:
    assert rules.audiences("ready", "live") == [(Audience.HOSTS, True)]
    assert rules.audiences("open", "live") == [(Audience.ROOM, True)]
    assert rules.audiences("open", "closed") == [(Audience.ROOM, False), (Audience.HOSTS, True)]
    assert rules.audiences("closed", "closed") == [(Audience.ROOM, True)]


@pytest.mark.parametrize(
    ("phase", "told"),
    [("scheduled", False), ("lobby", True), ("live", True), ("ended", False), ("cancelled", False)],
)
def test_hosts_see_a_new_prepared_list_while_the_room_is_open(phase: str, told: bool) -> None:
    assert rules.hosts_see_prepared_live(phase) is told


def test_every_poll_problem_has_words_for_the_host_and_the_schedule_file() -> None:
    assert set(rules.HOST_WORDS) == set(SCHEDULE_WORDS) == set(PollFault)
