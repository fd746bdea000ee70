"""The feeds' pure rules: identities, lanes, frab days and validators."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from networkfest import links
from networkfest.feeds import rules

LONDON = ZoneInfo("Europe/London")
JSON_SLUG = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")
XSD_SLUG = re.compile(r"^[a-z0-9_]{4,}-[a-z0-9\-_]{4,}$")
JSON_ACRONYM = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")


def at(hour: int, minute: int = 0, day: int = 21) -> datetime:
    return datetime(2026, 9, day, hour, minute, tzinfo=UTC)


def test_uid_is_made_of_slugs_only() -> None:
    uid = rules.session_uid("networkfest-2026", "network-bingo")
    assert uid == "network-bingo@networkfest-2026.networkfest"
    assert rules.session_uid("networkfest-2026", "network-bingo") == uid


def test_frab_guid_is_a_stable_uuid5_of_the_uid() -> None:
    guid = rules.frab_guid("network-bingo@networkfest-2026.networkfest")
    assert uuid.UUID(guid).version == 5
    assert guid == rules.frab_guid("network-bingo@networkfest-2026.networkfest")
    assert guid != rules.frab_guid("other@networkfest-2026.networkfest")


def test_room_guids_differ_by_lane_and_stay_put() -> None:
    assert rules.room_guid("nf-2026", 1) == rules.room_guid("nf-2026", 1)
    assert rules.room_guid("nf-2026", 1) != rules.room_guid("nf-2026", 2)


def test_acronym_turns_hyphens_into_underscores() -> None:
    acronym = rules.frab_acronym("networkfest-2026")
    assert acronym == "networkfest_2026"
    assert JSON_ACRONYM.match(acronym)


def test_frab_slug_satisfies_both_schemas() -> None:
    for session_id, slug in [(1, "network-bingo"), (12, "ab"), (7, "Odd Slug!"), (3, "--")]:
        frab_slug = rules.frab_slug("networkfest_2026", session_id, slug)
        assert JSON_SLUG.match(frab_slug), frab_slug
        assert XSD_SLUG.match(frab_slug), frab_slug
    assert rules.frab_slug("nf_2026", 12, "network-bingo") == "nf_2026-0012-network-bingo"


def test_time_zone_name_kept_only_when_frab_accepts_it() -> None:
    assert rules.frab_time_zone_name("Europe/London") == "Europe/London"
    assert rules.frab_time_zone_name("UTC") == "UTC"
    assert rules.frab_time_zone_name("Etc/GMT+1") is None


def test_lanes_overlapping_sessions_never_share_one() -> None:
    intervals = [(at(9), at(10)), (at(9, 30), at(10, 30)), (at(9, 45), at(11)), (at(10), at(11))]
    lanes = rules.assign_lanes(intervals)
    assert lanes == [1, 2, 3, 1]
    for i, (start_a, end_a) in enumerate(intervals):
        for j, (start_b, end_b) in enumerate(intervals):
            if i < j and start_a < end_b and start_b < end_a:
                assert lanes[i] != lanes[j]


def test_back_to_back_sessions_share_a_lane_and_no_lane_is_wasted() -> None:
    intervals = [(at(9), at(10)), (at(10), at(11)), (at(11), at(12))]
    assert rules.assign_lanes(intervals) == [1, 1, 1]
    assert rules.assign_lanes([]) == []


def test_lanes_are_stable_for_the_same_programme() -> None:
    intervals = [(at(h), at(h) + timedelta(minutes=90)) for h in range(8, 16)]
    assert rules.assign_lanes(intervals) == rules.assign_lanes(list(intervals))
    assert max(rules.assign_lanes(intervals)) == 2


def test_frab_day_runs_from_four_to_three_fifty_nine() -> None:
    assert rules.frab_day(datetime(2026, 9, 22, 3, 59, tzinfo=LONDON)) == date(2026, 9, 21)
    assert rules.frab_day(datetime(2026, 9, 22, 4, 0, tzinfo=LONDON)) == date(2026, 9, 22)


def test_day_bounds_carry_the_festival_offset() -> None:
    start, end = rules.day_bounds(date(2026, 9, 21), LONDON)
    assert start.isoformat() == "2026-09-21T04:00:00+01:00"
    assert end.isoformat() == "2026-09-22T03:59:00+01:00"
    start, end = rules.day_bounds(date(2026, 10, 24), LONDON)
    assert end.isoformat() == "2026-10-25T03:59:00+00:00"


def test_calendar_time_is_local_unless_the_clocks_make_it_happen_twice() -> None:
    # 01:30 on 25 October 2026 happens twice in London: BST (00:30 UTC), then GMT (01:30 UTC).
    before = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    after = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert rules.calendar_time(before, LONDON).tzinfo is UTC
    assert rules.calendar_time(after, LONDON).tzinfo is UTC
    assert rules.calendar_time(after, LONDON) == after
    for unambiguous in (at(9), datetime(2026, 10, 24, 23, 30, tzinfo=UTC), at(2, day=25)):
        local = rules.calendar_time(unambiguous, LONDON)
        assert local.tzinfo is LONDON and local == unambiguous


def test_durations_are_hours_and_minutes() -> None:
    assert rules.hours_minutes(45) == "00:45"
    assert rules.hours_minutes(90) == "01:30"


def test_urls_follow_the_public_paths() -> None:
    assert rules.session_page_url("https://nf.example.org", "a b") == (
        "https://nf.example.org/sessions/a%20b"
    )
    assert rules.live_room_url("https://nf.example.org", "bingo") == (
        "https://nf.example.org/sessions/bingo/live"
    )


def test_webcal_replaces_the_scheme() -> None:
    assert links.webcal_url("https://nf.example.org/calendar/x.ics") == (
        "webcal://nf.example.org/calendar/x.ics"
    )
    assert links.webcal_url("http://127.0.0.1:5000/calendar/x.ics") == (
        "webcal://127.0.0.1:5000/calendar/x.ics"
    )
    assert links.webcal_url("webcal://already") == "webcal://already"


def test_etag_changes_with_any_part() -> None:
    tag = rules.feed_etag("1", 1, 3, "/schedule.ics")
    assert tag == rules.feed_etag("1", 1, 3, "/schedule.ics")
    assert tag != rules.feed_etag("1", 1, 4, "/schedule.ics")
    assert tag != rules.feed_etag("1", 1, 3, "/schedule.json")
    assert re.fullmatch(r"[0-9a-f]{40}", tag)


def test_xml_safe_drops_forbidden_control_characters() -> None:
    assert rules.xml_safe("a\x00b\x0bc\td\ne") == "abc\td\ne"


def test_waitlist_summary() -> None:
    assert rules.waitlist_summary("Bingo", 2) == "Bingo (waitlist position 2)"


def test_lookup_keys_must_be_plausible() -> None:
    assert rules.lookup_key_ok("network-bingo", 80)
    assert not rules.lookup_key_ok("", 80)
    assert not rules.lookup_key_ok("x" * 81, 80)
    assert not rules.lookup_key_ok("a\x00b", 80)
