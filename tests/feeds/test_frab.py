"""The frab schedule, validated against the shared JSON schema and XSD."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft6Validator

from networkfest.programme.models import Festival
from tests.conftest import skip_or_fail
from tests.factories import FESTIVAL_START

SCHEMAS = Path("/work/shared/schemas")


def validate_json(document: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text())
    Draft6Validator.check_schema(schema)
    validator = Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def validate_xml(body: bytes, tmp_path: Path) -> None:
    xmllint = shutil.which("xmllint")
    if xmllint is None:
        skip_or_fail("xmllint is not installed")
    path = tmp_path / "schedule.xml"
    path.write_bytes(body)
    result = subprocess.run(
        [xmllint, "--noout", "--schema", str(SCHEMAS / "frab-schedule.xsd"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def programme(factory: Any, festival: Festival) -> dict[str, Any]:
    hosts = [factory.user(name="Asha Patel"), factory.user(name="Ben O'Neill & Co <x>")]
    morning = FESTIVAL_START + timedelta(hours=1)  # 10:00 BST Monday
    return {
        "a": factory.session(festival, slug="a-first", starts_at=morning, hosts=hosts),
        "b": factory.session(
            festival, slug="b-parallel", starts_at=morning + timedelta(minutes=15), theme="method"
        ),
        "c": factory.session(festival, slug="c-after", starts_at=morning + timedelta(minutes=45)),
        "late": factory.session(
            festival,
            slug="late-night",
            starts_at=datetime.fromisoformat("2026-09-22T02:30:00+01:00"),
            minutes=30,
            agenda=[("Talk", 30)],
            format="talk",
        ),
        "gone": factory.session(festival, slug="gone", status="cancelled"),
        "hosts": hosts,
    }


def all_events(document: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    found = {}
    for day in document["schedule"]["conference"]["days"]:
        for room, events in day["rooms"].items():
            for event in events:
                assert event["room"] == room
                found[event["slug"].split("-", 2)[2]] = (event, day)
    return found


def test_json_is_valid_against_the_shared_schema(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    response = client.get("/schedule.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    validate_json(response.get_json())


def test_xml_is_valid_against_the_shared_xsd(
    client: FlaskClient, programme: dict[str, Any], tmp_path: Path
) -> None:
    response = client.get("/schedule.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    validate_xml(response.data, tmp_path)


def test_empty_programme_is_still_valid(
    client: FlaskClient, festival: Festival, tmp_path: Path
) -> None:
    document = client.get("/schedule.json").get_json()
    validate_json(document)
    assert len(document["schedule"]["conference"]["days"]) == 5
    validate_xml(client.get("/schedule.xml").data, tmp_path)


def test_conference_fields(client: FlaskClient, programme: dict[str, Any]) -> None:
    document = client.get("/schedule.json").get_json()
    schedule = document["schedule"]
    conference = schedule["conference"]
    assert schedule["version"] == "1"
    assert conference["acronym"] == "networkfest_2026"
    assert conference["title"] == "Networkfest 2026"
    assert (conference["start"], conference["end"]) == ("2026-09-21", "2026-09-25")
    assert conference["daysCount"] == 5
    assert conference["time_zone_name"] == "Europe/London"
    assert [t["name"] for t in conference["tracks"]] == [
        "Having a method",
        "Ruthless about purpose",
        "Learning between peers",
    ]
    assert {room["type"] for room in conference["rooms"]} == {"online"}
    assert [room["name"] for room in conference["rooms"]] == ["Lane 1", "Lane 2"]


def test_cancelled_sessions_are_left_out(
    client: FlaskClient, programme: dict[str, Any], tmp_path: Path
) -> None:
    assert "gone" not in all_events(client.get("/schedule.json").get_json())
    assert b"gone" not in client.get("/schedule.xml").data


def test_overlapping_sessions_get_different_rooms(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    events = all_events(client.get("/schedule.json").get_json())
    assert events["a-first"][0]["room"] == "Lane 1"
    assert events["b-parallel"][0]["room"] == "Lane 2"
    assert events["c-after"][0]["room"] == "Lane 1"
    placed = [event for event, _ in events.values()]
    for one in placed:
        for other in placed:
            overlap = one["date"] < other["end"] and other["date"] < one["end"]
            if one is not other and overlap:
                assert one["room"] != other["room"]


def test_event_fields(client: FlaskClient, programme: dict[str, Any]) -> None:
    event, day = all_events(client.get("/schedule.json").get_json())["a-first"]
    session = programme["a"]
    assert event["id"] == session.id
    assert event["guid"] == str(
        uuid.uuid5(uuid.NAMESPACE_URL, "a-first@networkfest-2026.networkfest")
    )
    assert event["date"] == "2026-09-21T10:00:00+01:00"
    assert event["start"] == "10:00"
    assert event["duration"] == "00:45"
    assert event["end"] == "2026-09-21T10:45:00+01:00"
    assert event["url"] == "http://localhost/sessions/a-first"
    assert event["track"] == "Ruthless about purpose"
    assert event["type"] == "peer-circle"
    assert event["abstract"] == session.purpose
    assert event["persons"] == [
        {"id": host.id, "public_name": host.name} for host in programme["hosts"]
    ]
    assert day["index"] == 1
    assert day["date"] == "2026-09-21"
    assert day["day_start"] == "2026-09-21T04:00:00+01:00"
    assert day["day_end"] == "2026-09-22T03:59:00+01:00"


def test_a_session_after_midnight_belongs_to_the_evening_before(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    event, day = all_events(client.get("/schedule.json").get_json())["late-night"]
    assert day["date"] == "2026-09-21"
    assert event["date"] == "2026-09-22T02:30:00+01:00"
    assert event["start"] == "02:30"


def test_identities_are_stable_and_unique(client: FlaskClient, programme: dict[str, Any]) -> None:
    first = client.get("/schedule.json").get_json()
    assert first == client.get("/schedule.json").get_json()
    placed = [event for event, _ in all_events(first).values()]
    for key in ("guid", "id", "slug"):
        assert len({event[key] for event in placed}) == len(placed)


def test_xml_says_what_the_json_says(client: FlaskClient, programme: dict[str, Any]) -> None:
    document = client.get("/schedule.json").get_json()
    root = ET.fromstring(client.get("/schedule.xml").data)
    assert root.findtext("version") == "1"
    assert root.findtext("conference/acronym") == "networkfest_2026"
    xml_events = {e.get("guid"): e for e in root.iter("event")}
    json_events = {event["guid"]: event for event, _ in all_events(document).values()}
    assert set(xml_events) == set(json_events)
    for guid, element in xml_events.items():
        event = json_events[guid]
        assert element.get("id") == str(event["id"])
        for tag in ("title", "room", "date", "start", "duration", "slug", "track"):
            assert element.findtext(tag) == str(event[tag])
    names = [p.text for e in root.iter("event") for p in e.iter("person")]
    assert "Ben O'Neill & Co <x>" in names


def test_control_characters_do_not_break_the_xml(
    client: FlaskClient, factory: Any, festival: Festival, tmp_path: Path
) -> None:
    factory.session(festival, slug="odd-text", title="Bell\x07 and tab\t", description="a\x0bb")
    body = client.get("/schedule.xml").data
    validate_xml(body, tmp_path)
    assert ET.fromstring(body).find("day/room/event/title").text == "Bell and tab\t"
