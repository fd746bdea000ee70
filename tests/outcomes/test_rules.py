"""The outcomes' pure rules: what they may say, and when they may be written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.outcomes import rules
from networkfest.outcomes.rules import Link, OutcomesInvalid, Refusal
from networkfest.timing.rules import Move, PlannedItem, Slot, run_sheet

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)
AGENDA = [PlannedItem("Welcome", 5), PlannedItem("Pairs", 25), PlannedItem("Wrap up", 15)]
LAST_PLANNED = START + timedelta(minutes=30)


def minutes(n: float) -> datetime:
    return START + timedelta(minutes=n)


def problems(summary: object, links: object) -> list[str]:
    with pytest.raises(OutcomesInvalid) as raised:
        rules.clean_outcomes(summary, links)
    return raised.value.problems


# What outcomes may say ---------------------------------------------------------------------


def test_a_summary_and_links_are_trimmed_and_kept_in_order():
    clean = rules.clean_outcomes(
        "  **Two** pitfalls\r\nnamed.  ",
        [
            {"title": " Slides ", "url": " https://example.org/slides.pdf "},
            {"title": "Template", "url": "HTTP://example.org/t"},
        ],
    )
    assert clean.summary == "**Two** pitfalls\nnamed."
    assert clean.links == (
        Link("Slides", "https://example.org/slides.pdf"),
        Link("Template", "HTTP://example.org/t"),
    )
    assert clean.links_json()[0] == {"title": "Slides", "url": "https://example.org/slides.pdf"}


def test_the_summary_may_be_empty_only_when_there_are_links():
    assert rules.clean_outcomes("", [{"title": "Slides", "url": "https://x.example"}]).summary == ""
    assert rules.clean_outcomes(None, [{"title": "S", "url": "https://x.example"}]).summary == ""
    assert rules.clean_outcomes("Notes", None).links == ()
    assert problems("   ", []) == ["Write a summary, or add at least one link."]


def test_limits_are_inclusive():
    longest = "x" * rules.MAX_SUMMARY_LENGTH
    url = "https://example.org/" + "a" * (rules.MAX_URL_LENGTH - len("https://example.org/"))
    links = [{"title": "t" * rules.MAX_TITLE_LENGTH, "url": url}] * rules.MAX_LINKS
    clean = rules.clean_outcomes(longest, links)
    assert len(clean.summary) == rules.MAX_SUMMARY_LENGTH
    assert len(clean.links) == rules.MAX_LINKS


def test_every_problem_is_reported_at_once():
    found = problems(
        "x" * (rules.MAX_SUMMARY_LENGTH + 1),
        [
            {"title": "", "url": "javascript:alert(1)"},
            {"title": "t" * (rules.MAX_TITLE_LENGTH + 1), "url": "https://example.org"},
            {"title": "Fine", "url": "https://example.org/" + "a" * rules.MAX_URL_LENGTH},
            {"title": "Spaces", "url": "https://example.org/a b"},
            {"title": "No host", "url": "https:///path"},
            {"title": "Two\nlines", "url": "ftp://example.org/file"},
            {"title": "No address", "url": ""},
            "not an object",
            {"title": 3, "url": "https://example.org"},
            {"title": "Fine", "url": "https://example.org"},
            {"title": "Eleventh", "url": "https://example.org"},
        ],
    )
    assert found == [
        "Please keep the summary to 5,000 characters (it has 5,001).",
        "Please give at most 10 links (there are 11).",
        "Link 1: give it a title; its address must start with http:// or https://.",
        "Link 2: keep its title to 120 characters.",
        "Link 3: keep its address to 500 characters.",
        "Link 4: its address must not contain spaces.",
        "Link 5: its address needs a site name after http:// or https://.",
        "Link 6: its title must be one line of plain text; "
        "its address must start with http:// or https://.",
        "Link 7: give its address.",
        "Link 8 must have a title and an address.",
        "Link 9: the title and the address must be text.",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "mailto:someone@example.org",
        "//example.org/no-scheme",
        "example.org",
        "https://exa\u200bmple.org",
        "https://[not-an-ip/",
    ],
)
def test_only_http_and_https_addresses_are_links(url):
    assert rules.url_problem(url) is not None
    assert problems("Notes", [{"title": "Link", "url": url}])[0].startswith("Link 1: ")


def test_what_is_not_text_is_refused_with_a_clear_message():
    assert problems(42, []) == ["The summary must be text."]
    assert problems("Notes", {"title": "x"}) == [
        "The links must be a list of titles and addresses."
    ]


# Who may write ---------------------------------------------------------------------------


def test_hosts_and_organisers_with_a_proved_address_may_write():
    assert rules.may_write(verified=True, host=True, organiser=False)
    assert rules.may_write(verified=True, host=False, organiser=True)
    assert not rules.may_write(verified=True, host=False, organiser=False)
    assert not rules.may_write(verified=False, host=True, organiser=True)


# When they may be written ------------------------------------------------------------------


def refusal(at, moves=(), agenda=AGENDA, cancelled=False):
    sheet = run_sheet(Slot(START, END), agenda, list(moves), at)
    return rules.writing_refusal(sheet, cancelled=cancelled)


def window(at, moves=(), agenda=AGENDA):
    return rules.writing_window(run_sheet(Slot(START, END), agenda, list(moves), at))


def test_on_plan_the_window_opens_with_the_last_items_planned_start():
    assert refusal(minutes(29)) == Refusal.NOT_YET
    assert refusal(LAST_PLANNED) is None
    assert window(minutes(10)) == rules.Window(LAST_PLANNED, END + timedelta(hours=48))


def test_a_host_who_drives_opens_it_by_moving_to_the_last_item():
    moves = [Move(0, START), Move(1, minutes(6))]
    # Past the last item's planned start, but the host is still on item 2.
    assert refusal(minutes(35), moves) == Refusal.NOT_YET
    assert window(minutes(35), moves).opens_at is None
    late = [*moves, Move(2, minutes(38))]
    assert refusal(minutes(37.9), late) == Refusal.NOT_YET
    assert refusal(minutes(38), late) is None
    assert window(minutes(40), late).opens_at == minutes(38)


def test_an_early_move_to_the_last_item_opens_it_early():
    moves = [Move(0, START), Move(1, minutes(4)), Move(2, minutes(20))]
    assert refusal(minutes(19), moves) == Refusal.NOT_YET
    assert refusal(minutes(20), moves) is None


def test_a_last_item_never_reached_opens_at_the_end():
    moves = [Move(0, START), Move(1, minutes(6))]
    assert refusal(END - timedelta(seconds=1), moves) == Refusal.NOT_YET
    assert refusal(END, moves) is None
    assert window(END, moves).opens_at == END


def test_a_session_without_an_agenda_opens_at_its_start():
    assert refusal(START - timedelta(seconds=1), agenda=[]) == Refusal.NOT_YET
    assert refusal(START, agenda=[]) is None
    assert window(START, agenda=[]).opens_at == START


def test_it_closes_48_hours_after_the_end():
    closes = END + timedelta(hours=48)
    assert refusal(closes - timedelta(seconds=1)) is None
    assert refusal(closes) == Refusal.CLOSED


def test_a_cancelled_session_has_no_window():
    assert refusal(LAST_PLANNED, cancelled=True) == Refusal.CANCELLED
    assert refusal(END + timedelta(hours=1), cancelled=True) == Refusal.CANCELLED


def test_every_refusal_has_words_for_the_host():
    assert set(rules.REFUSAL_MESSAGES) == set(Refusal)
