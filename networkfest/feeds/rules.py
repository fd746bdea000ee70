"""Pure rules of the feeds: identities, calendar times, lanes, frab days, cache validators. No I/O.

Identities are derived from slugs only, never drawn at random, so that a calendar
that refreshes a feed updates its events instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import quote

# pretalx's convention: a festival "day" runs from 04:00 to 03:59 local time, so a
# late-night session belongs to the evening it started in.
DAY_STARTS = time(4, 0)
# The frab JSON schema's own pattern for `time_zone_name` (it rejects e.g. "Etc/UTC").
_FRAB_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9_-]+")
# XML 1.0 forbids these control characters even when escaped.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def session_uid(festival_slug: str, session_slug: str) -> str:
    """The iCalendar UID of a session: the same in every feed and every build."""
    return f"{session_slug}@{festival_slug}.networkfest"


def feed_uid(festival_slug: str, feed: str) -> str:
    """The UID of a whole calendar (RFC 7986), e.g. `feed-schedule@networkfest-2026.networkfest`."""
    return f"feed-{feed}@{festival_slug}.networkfest"


def session_page_url(base_url: str, session_slug: str) -> str:
    """The session's public page; its path is public (docs/architecture.md), so feeds need
    no request to build it."""
    return f"{base_url}/sessions/{quote(session_slug, safe='')}"


def live_room_url(base_url: str, session_slug: str) -> str:
    """The live room, where the join link appears when the lobby opens; never the video link."""
    return session_page_url(base_url, session_slug) + "/live"


def frab_guid(uid: str) -> str:
    """frab's guid: a UUID derived from the session's UID, so it never changes either."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uid))


def room_guid(festival_slug: str, lane: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lane-{lane}@{festival_slug}.networkfest"))


def frab_acronym(festival_slug: str) -> str:
    """The frab JSON schema rejects hyphens inside an acronym."""
    return festival_slug.replace("-", "_")


def frab_time_zone_name(timezone: str) -> str | None:
    """The zone's name when frab's schema accepts it; otherwise it is left out."""
    return timezone if _FRAB_ZONE_NAME.match(timezone) else None


def frab_slug(acronym: str, session_id: int, session_slug: str) -> str:
    """`<acronym>-<id>-<slug>`: frab's classic event slug, which both schemas accept.

    The zero-padded id keeps the part after the first hyphen long enough for the
    XSD and unique even if two slugs normalise to the same text.
    """
    tail = _SLUG_UNSAFE.sub("-", session_slug.lower()).strip("-_")
    return f"{acronym}-{session_id:04d}" + (f"-{tail}" if tail else "")


def assign_lanes(intervals: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """Greedy interval colouring: each interval takes the lowest lane free at its start.

    Taken in the given order (callers sort by start, then slug) this uses the fewest
    lanes possible and gives the same answer for the same programme every time.
    Lanes are numbered from 1.
    """
    lane_ends: list[datetime] = []
    lanes: list[int] = []
    for starts_at, ends_at in intervals:
        for index, lane_end in enumerate(lane_ends):
            if lane_end <= starts_at:
                lane_ends[index] = ends_at
                lanes.append(index + 1)
                break
        else:
            lane_ends.append(ends_at)
            lanes.append(len(lane_ends))
    return lanes


def calendar_time(instant: datetime, zone: tzinfo) -> datetime:
    """An instant as a feed writes it: in festival time (with its TZID), or in UTC when the
    clocks go back and that local time happens twice.

    RFC 5545 (3.3.5) reads a repeated local time as its first occurrence, so a session ending
    at 01:30 GMT, written as 01:30 local, would end an hour early in every calendar.
    """
    local = instant.astimezone(zone)
    if local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset():
        return instant.astimezone(UTC)
    return local


def frab_day(local_start: datetime) -> date:
    """The festival day a session belongs to, from its start in festival time."""
    return (local_start - timedelta(hours=DAY_STARTS.hour, minutes=DAY_STARTS.minute)).date()


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """A frab day's first and last minute, in festival time."""
    start = datetime.combine(day, DAY_STARTS, tzinfo=zone)
    return start, start + timedelta(days=1, minutes=-1)


def hours_minutes(minutes: int) -> str:
    """frab's duration: "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def xml_safe(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text)


def feed_etag(*parts: object) -> str:
    """A strong validator from everything a feed's body depends on (unquoted)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8"))
    return digest.hexdigest()[:40]


def lookup_key_ok(key: str, max_length: int) -> bool:
    """Whether a slug or token from a URL may be looked up at all.

    Over-long keys cannot exist, and PostgreSQL refuses NUL characters outright.
    """
    return 0 < len(key) <= max_length and "\x00" not in key


def waitlist_summary(title: str, position: int) -> str:
    return f"{title} (waitlist position {position})"
