"""iCalendar (RFC 5545) feeds built from domain objects and a base URL.

Everything in a feed is a function of the published programme: UIDs come from
slugs, DTSTAMP is the publishing time of the schedule version, and nothing reads
the clock, so two builds of the same version are byte for byte the same and the
feed's ETag holds until the programme changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.enums import STATUS

from networkfest.feeds import rules
from networkfest.programme.models import Festival, FestivalSession
from networkfest.registration.personal_agenda import HOSTING
from networkfest.registration.rules import RegistrationStatus

PRODID = "-//Networkfest//Calendar feeds//EN"
REFRESH = timedelta(hours=1)
REFRESH_TEXT = "PT1H"


@dataclass(frozen=True)
class Place:
    """A person's place in a session, as their personal feed shows it."""

    status: str  # confirmed | waitlisted | hosting (registration.personal_agenda.HOSTING)
    position: int  # rank on the waitlist; 0 when confirmed
    updated_at: datetime


def build_calendar(
    festival: Festival,
    sessions: Iterable[FestivalSession],
    *,
    name: str,
    feed: str,
    base_url: str,
    stamp: datetime,
    places: Mapping[int, Place] | None = None,
) -> bytes:
    """A subscribable calendar of the given sessions (cancelled ones kept, as cancelled).

    `feed` names the feed (e.g. `schedule`, `theme-method`) for the calendar's own
    UID, which `Calendar.new` would otherwise draw at random on every build.
    """
    calendar = Calendar.new(name=name, prodid=PRODID, uid=rules.feed_uid(festival.slug, feed))
    # RFC 7986 wants VALUE=DURATION, which icalendar's `refresh_interval` leaves out.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", REFRESH_TEXT)
    zone = ZoneInfo(festival.timezone)
    first, last = festival.starts, festival.ends
    for festival_session in sessions:
        place = places.get(festival_session.id) if places is not None else None
        calendar.add_component(
            session_event(festival, festival_session, base_url=base_url, stamp=stamp, place=place)
        )
        first = min(first, festival_session.starts_at.astimezone(zone).date())
        last = max(last, festival_session.ends_at.astimezone(zone).date())
    # Zone rules for the feed's own dates only: the full 1970-2038 history is mostly noise.
    calendar.add_missing_timezones(
        first_date=first - timedelta(days=1), last_date=last + timedelta(days=2)
    )
    return calendar.to_ical()


def session_event(
    festival: Festival,
    festival_session: FestivalSession,
    *,
    base_url: str,
    stamp: datetime,
    place: Place | None = None,
) -> Event:
    zone = ZoneInfo(festival.timezone)
    summary = festival_session.title
    if place is not None and place.status == RegistrationStatus.WAITLISTED:
        summary = rules.waitlist_summary(summary, place.position)
    live_url = rules.live_room_url(base_url, festival_session.slug)
    return Event.new(
        uid=rules.session_uid(festival.slug, festival_session.slug),
        stamp=max(stamp, place.updated_at) if place is not None else stamp,
        sequence=festival_session.sequence,
        start=rules.calendar_time(festival_session.starts_at, zone),
        end=rules.calendar_time(festival_session.ends_at, zone),
        summary=summary,
        description=_description(festival_session, live_url, place),
        location=live_url,
        url=rules.session_page_url(base_url, festival_session.slug),
        categories=[festival_session.theme.name],
        status=_status(festival_session, place),
    )


def _status(festival_session: FestivalSession, place: Place | None) -> STATUS:
    if festival_session.cancelled:
        return STATUS.CANCELLED
    if place is not None and place.status == RegistrationStatus.WAITLISTED:
        return STATUS.TENTATIVE
    return STATUS.CONFIRMED


def _description(festival_session: FestivalSession, live_url: str, place: Place | None) -> str:
    lines: list[str] = []
    if festival_session.cancelled:
        lines.append("This session has been cancelled.")
    elif place is not None:
        lines.append(_place_line(place))
    lines.append(festival_session.purpose)
    if festival_session.hosts:
        lines.append("Hosted by " + ", ".join(host.name for host in festival_session.hosts) + ".")
    if not festival_session.cancelled:
        lines.append(f"Join the live room: {live_url}")
    return "\n\n".join(lines)


def _place_line(place: Place) -> str:
    if place.status == RegistrationStatus.WAITLISTED:
        return f"You are number {place.position} on the waitlist."
    if place.status == HOSTING:
        return "You host this session."
    return "Your place is confirmed."
