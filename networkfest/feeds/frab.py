"""The programme in the frab schedule format (JSON and XML), as conference tools read it.

One dictionary is built from the domain objects and both serialisations are
written from it, so the JSON and the XML always say the same thing. The mapping
follows pretalx's exporter: days run 04:00-03:59 festival time, and every
parallel lane of the online festival is a room of type `online`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from networkfest.feeds import rules
from networkfest.programme.models import Festival, FestivalSession

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "networkfest"
LANGUAGE = "en"
TIMESLOT = "00:05"


def lane_name(lane: int) -> str:
    return f"Lane {lane}"


def frab_schedule(
    festival: Festival, sessions: Sequence[FestivalSession], *, base_url: str
) -> dict[str, Any]:
    """The frab JSON document; cancelled sessions are left out (the format has no status)."""
    zone = ZoneInfo(festival.timezone)
    acronym = rules.frab_acronym(festival.slug)
    running = sorted((s for s in sessions if not s.cancelled), key=lambda s: (s.starts_at, s.slug))
    lanes = rules.assign_lanes([(s.starts_at, s.ends_at) for s in running])
    rooms = [lane_name(lane) for lane in range(1, max(lanes, default=0) + 1)]

    by_day: dict[date, list[tuple[FestivalSession, int]]] = {}
    for festival_session, lane in zip(running, lanes, strict=True):
        day = rules.frab_day(festival_session.starts_at.astimezone(zone))
        by_day.setdefault(day, []).append((festival_session, lane))
    festival_days = {
        festival.starts + timedelta(days=n)
        for n in range((festival.ends - festival.starts).days + 1)
    }
    days = sorted(festival_days | by_day.keys())

    conference: dict[str, Any] = {
        "acronym": acronym,
        "title": festival.name,
        "start": days[0].isoformat(),
        "end": days[-1].isoformat(),
        "daysCount": len(days),
        "timeslot_duration": TIMESLOT,
        "url": f"{base_url}/schedule",
        "tracks": [{"name": theme.name} for theme in festival.themes],
        "rooms": [
            {
                "name": name,
                "slug": f"lane-{lane}",
                "guid": rules.room_guid(festival.slug, lane),
                "type": "online",
            }
            for lane, name in enumerate(rooms, start=1)
        ],
        "days": [
            _day(index, day, zone, rooms, by_day.get(day, []), acronym, festival, base_url)
            for index, day in enumerate(days, start=1)
        ],
    }
    zone_name = rules.frab_time_zone_name(festival.timezone)
    if zone_name is not None:
        conference["time_zone_name"] = zone_name
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR, "url": f"{base_url}/"},
        "schedule": {
            "version": str(festival.version),
            "base_url": f"{base_url}/",
            "conference": conference,
        },
    }


def _day(
    index: int,
    day: date,
    zone: ZoneInfo,
    rooms: list[str],
    placed: list[tuple[FestivalSession, int]],
    acronym: str,
    festival: Festival,
    base_url: str,
) -> dict[str, Any]:
    day_start, day_end = rules.day_bounds(day, zone)
    events: dict[str, list[dict[str, Any]]] = {name: [] for name in rooms}
    for festival_session, lane in placed:
        events[lane_name(lane)].append(
            _event(festival_session, lane_name(lane), zone, acronym, festival, base_url)
        )
    return {
        "index": index,
        "date": day.isoformat(),
        "day_start": _iso(day_start),
        "day_end": _iso(day_end),
        "rooms": events,
    }


def _event(
    festival_session: FestivalSession,
    room: str,
    zone: ZoneInfo,
    acronym: str,
    festival: Festival,
    base_url: str,
) -> dict[str, Any]:
    starts = festival_session.starts_at.astimezone(zone)
    ends = festival_session.ends_at.astimezone(zone)
    return {
        "guid": rules.frab_guid(rules.session_uid(festival.slug, festival_session.slug)),
        "id": festival_session.id,
        "date": _iso(starts),
        "start": f"{starts:%H:%M}",
        "end": _iso(ends),
        "duration": rules.hours_minutes(festival_session.minutes),
        "room": room,
        "slug": rules.frab_slug(acronym, festival_session.id, festival_session.slug),
        "url": rules.session_page_url(base_url, festival_session.slug),
        "title": festival_session.title,
        "subtitle": "",
        "track": festival_session.theme.name,
        "type": festival_session.format,
        "language": LANGUAGE,
        "abstract": festival_session.purpose,
        "description": festival_session.description,
        "do_not_record": True,
        "persons": [{"id": host.id, "public_name": host.name} for host in festival_session.hosts],
        "links": [],
        "attachments": [],
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def frab_xml(document: dict[str, Any]) -> bytes:
    """The same schedule as frab XML (valid against the c3voc XSD)."""
    schedule = document["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=document["generator"]["name"])
    _text(root, "version", schedule["version"])
    conf = ET.SubElement(root, "conference")
    for key, tag in (
        ("title", "title"),
        ("acronym", "acronym"),
        ("start", "start"),
        ("end", "end"),
        ("daysCount", "days"),
        ("timeslot_duration", "timeslot_duration"),
        ("url", "url"),
        ("time_zone_name", "time_zone_name"),
    ):
        if key in conference:
            _text(conf, tag, conference[key])
    _text(conf, "base_url", schedule["base_url"])
    for track in conference["tracks"]:
        ET.SubElement(conf, "track", name=rules.xml_safe(track["name"]))
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, events in day["rooms"].items():
            room = ET.SubElement(day_element, "room", name=room_name, guid=guids[room_name])
            for event in events:
                _xml_event(room, event)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _xml_event(room: ET.Element, event: dict[str, Any]) -> None:
    element = ET.SubElement(room, "event", id=str(event["id"]), guid=event["guid"])
    for tag in (
        "date",
        "start",
        "duration",
        "room",
        "slug",
        "url",
        "title",
        "subtitle",
        "track",
        "type",
        "language",
        "abstract",
        "description",
    ):
        _text(element, tag, event[tag])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        _text(persons, "person", person["public_name"]).set("id", str(person["id"]))
    recording = ET.SubElement(element, "recording")
    _text(recording, "license", "")
    _text(recording, "optout", "true" if event["do_not_record"] else "false")
    ET.SubElement(element, "links")
    ET.SubElement(element, "attachments")


def _text(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = rules.xml_safe(str(value))
    return element
