"""Every route and every live event against a table of the rights it needs.

The table is the contract: a route or event missing from it (or a stale entry) fails the
first tests, so nothing new ships unguarded. Then each route, with each of its methods, is
tried as a visitor, as signed-in people who lack the right (an attendee without a place, a
host of ANOTHER session) and as the person who has it; each live event likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from networkfest import authz
from networkfest.accounts.links import password_link, verification_link
from networkfest.accounts.models import User
from networkfest.commitments.links import follow_up_url
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer
from networkfest.commitments.services import record_commitment
from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from networkfest.web import LiveRoom
from tests.conftest import sign_in
from tests.security.conftest import AFTER, DURING, World

# The right each endpoint needs; per-session rights take the session from the URL's slug.
# public: anyone. signed_in: any account. organiser: the organiser flag. host: hosts at least
# one session. host_of_session: this session's hosts and organisers. participant: confirmed
# attendees of this session, its hosts and organisers. token_owner: holding a secret link.
# verified: an account whose address its owner proved. own_object: signed in, and the
# object in the URL must be the caller's own (else 404). peer: signed in, and chose to stay
# in touch with the others from this session (or, after the end, was in its room): nobody in
# this world has, so everyone is refused.
ROUTES: dict[str, str] = {
    "accounts.change_password": "signed_in",
    "accounts.change_role": "organiser",
    "accounts.create_token": "verified",
    "accounts.resend_verification": "signed_in",
    "accounts.sign_out_everywhere": "signed_in",
    "accounts.verify": "token_owner",
    "privacy.delete_account": "signed_in",
    "privacy.download_data": "signed_in",
    "accounts.forgot_password": "public",
    "accounts.login": "public",
    "accounts.logout": "public",
    "accounts.confirm_logout": "public",
    "privacy.notice": "public",
    "accounts.profile": "signed_in",
    "accounts.revoke_token": "own_object",
    "accounts.set_password": "token_owner",
    "accounts.signup": "public",
    "accounts.users": "organiser",
    "api.agenda": "signed_in",
    "api.cancel": "signed_in",
    "api.get_session": "public",
    "api.list_sessions": "public",
    "api.me": "signed_in",
    "api.register": "verified",
    "api.revoke_this_token": "signed_in",
    "api.registration_state": "signed_in",
    "api.session_questions": "public",
    "api.session_polls": "public",
    "api.my_commitments": "signed_in",
    "api.answer_commitment": "own_object",
    "api.session_peers": "peer",
    "api.session_outcomes": "public",
    "api.write_outcomes": "host_of_session",
    "audit.log": "organiser",
    "commitments.answer": "own_object",
    "commitments.edit_text": "own_object",
    "commitments.follow_up": "token_owner",
    "commitments.follow_up_mails": "signed_in",
    "commitments.my_commitments": "signed_in",
    "feeds.personal_ics": "token_owner",
    "feeds.reset_calendar_token": "signed_in",
    "feeds.schedule_ics": "public",
    "feeds.schedule_json": "public",
    "feeds.schedule_xml": "public",
    "feeds.session_ics": "public",
    "feeds.theme_ics": "public",
    "festival_day.front_page": "public",
    "healthz": "public",
    "insights.dashboard": "organiser",
    "insights.dashboard_csv": "organiser",
    "insights.feedback": "signed_in",
    "insights.feedback_results": "host_of_session",
    "insights.host_dashboard": "host",
    "insights.host_dashboard_csv": "host",
    "notifications.notice_seen": "own_object",
    "live.call": "participant",
    "live.questions_csv": "host_of_session",
    "live.room": "public",
    "polls.polls_csv": "host_of_session",
    "outcomes.save": "host_of_session",
    "peers.peers": "peer",
    "peers.choose": "peer",
    "openapi.openapi_json": "public",
    "programme.changes": "public",
    "programme.organiser_schedule": "organiser",
    "programme.schedule": "public",
    "programme.session_page": "public",
    "registration.agenda": "signed_in",
    "registration.cancel": "signed_in",
    "registration.register": "verified",
    "static": "public",
    "timing.punctuality": "organiser",
}

# The same for the live namespace's events (`on_<event>` handlers).
EVENTS: dict[str, str] = {
    "connect": "public",
    "disconnect": "public",
    "join": "public",
    "leave": "public",
    "clock_sync": "public",
    "ask": "participant",
    "vote": "participant",
    "moderate": "host_of_session",
    "agenda_next": "host_of_session",
    "feedback": "signed_in",
    "poll_open": "host_of_session",
    "poll_answer": "participant",
    "poll_close": "host_of_session",
}

# Who must be refused, and who must get through, for each right.
REFUSED: dict[str, tuple[str, ...]] = {
    "signed_in": ("visitor",),
    "verified": ("visitor", "unverified"),
    "own_object": ("visitor",),
    "organiser": ("visitor", "stranger", "attendee", "host", "other_host", "unverified"),
    "host": ("visitor", "stranger", "attendee", "unverified"),
    "host_of_session": ("visitor", "stranger", "attendee", "other_host", "unverified"),
    "participant": ("visitor", "stranger", "other_host", "unverified"),
    "peer": ("visitor", "stranger", "attendee", "host", "other_host", "organiser", "unverified"),
}
ALLOWED: dict[str, tuple[str, ...]] = {
    "public": ("visitor", "attendee"),
    "signed_in": ("attendee",),
    "verified": ("attendee",),
    "own_object": ("attendee",),
    "organiser": ("organiser",),
    "host": ("host", "other_host"),
    "host_of_session": ("host", "organiser"),
    "participant": ("attendee", "host", "organiser"),
}
# Rights that `networkfest.authz` guards declare on the view (`required_right`).
DECLARED = {
    "signed_in": "signed_in",
    "verified": "verified",
    "own_object": "signed_in",
    "organiser": "organiser",
    "host": "host",
    "host_of_session": "host_of_session",
    "participant": "participant",
    "peer": "signed_in",
}
GUARDED = sorted(name for name in ROUTES.values() if name in REFUSED)


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def rules_of(app: Flask) -> Iterator[Rule]:
    yield from app.url_map.iter_rules()


def user_id(world: World, actor: str) -> int | None:
    return {
        "visitor": None,
        "attendee": world.attendee_id,
        "stranger": world.stranger_id,
        "host": world.host_id,
        "other_host": world.other_host_id,
        "organiser": world.organiser_id,
        "unverified": world.unverified_id,
    }[actor]


def url_for_rule(app: Flask, rule: Rule, world: World, *, own: bool = True) -> str:
    """A real URL for the rule; `own=False` gives secrets and ids that are not the attendee's."""
    attendee = db.session.get(User, world.attendee_id)
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "slug":
            values[argument] = "purpose" if rule.endpoint == "feeds.theme_ics" else world.slug
        elif argument == "token" and rule.endpoint == "feeds.personal_ics":
            values[argument] = attendee.calendar_token if own else "not-a-calendar-token"
        elif argument in ("token", "purpose") and rule.endpoint == "accounts.set_password":
            link = urlsplit(password_link(attendee, "reset")).path.split("/")
            values["purpose"], values["token"] = "reset", link[-1] if own else "not.a.link"
        elif argument == "token" and rule.endpoint == "accounts.verify":
            unverified = db.session.get(User, world.unverified_id)
            link = urlsplit(verification_link(unverified)).path.split("/")
            values[argument] = link[-1] if own else "not.a.link"
        elif argument == "token" and rule.endpoint == "commitments.follow_up":
            link = follow_up_url(attendee_commitment(world), world.attendee_id, Answer.DONE, AFTER)
            values[argument] = urlsplit(link).path.split("/")[-1] if own else "not.a.link"
        elif argument == "commitment_id":
            values[argument] = attendee_commitment(world)
        elif argument == "user_id":
            values[argument] = world.attendee_id
        elif argument == "token_id":
            values[argument] = world.token_id
        elif argument == "notice_id":
            values[argument] = world.notice_id
        elif argument == "table":
            values[argument] = "sessions"
        elif argument == "filename":
            values[argument] = "css/site.css"
        else:
            raise AssertionError(f"no test value for <{argument}> in {rule.rule}")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def attendee_commitment(world: World) -> int:
    """The attendee's commitment in the world's session (their feedback's words), made on
    first use."""
    found = db.session.scalar(select(Commitment.id).where(Commitment.user_id == world.attendee_id))
    if found is not None:
        return found
    festival_session = session_by_slug(db.session, world.slug)
    assert festival_session is not None
    made = record_commitment(
        db.session, festival_session.id, world.attendee_id, "Timebox every item", AFTER
    )
    assert made is not None
    db.session.commit()
    return made.id


def client_as(app: Flask, world: World, actor: str) -> FlaskClient:
    """A fresh client signed in as the actor (by the login session Flask-Login reads)."""
    client = app.test_client()
    uid = user_id(world, actor)
    if uid is not None:
        sign_in(client, db.session.get(User, uid))
    return client


def call(app: Flask, world: World, actor: str, method: str, url: str) -> TestResponse:
    response = client_as(app, world, actor).open(url, method=method, data={})
    response.close()  # static files stream from an open file
    db.session.rollback()
    return response


def sent_to_login(response: TestResponse) -> bool:
    return response.status_code in (302, 303) and urlsplit(response.location).path == "/login"


def refusal_problem(response: TestResponse, actor: str, api: bool) -> str | None:
    """None when the response is the refusal the actor should get."""
    if actor == "visitor":
        ok = response.status_code == 401 if api else sent_to_login(response)
    else:
        ok = response.status_code == 403
    return None if ok else f"{actor} got {response.status_code} {response.location or ''}"


def allowed_problem(response: TestResponse, actor: str) -> str | None:
    if response.status_code >= 500 or response.status_code in (401, 403) or sent_to_login(response):
        return f"{actor} was refused: {response.status_code} {response.location or ''}"
    return None


# The table is complete and honest --------------------------------------------------------


def test_every_route_is_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in rules_of(app)}
    assert sorted(endpoints - set(ROUTES)) == [], "new routes need a right in ROUTES"
    assert sorted(set(ROUTES) - endpoints) == [], "ROUTES lists routes that no longer exist"


def test_every_event_is_in_the_table() -> None:
    events = {name[3:] for name in dir(LiveRoom) if name.startswith("on_")}
    assert sorted(events - set(EVENTS)) == [], "new events need a right in EVENTS"
    assert sorted(set(EVENTS) - events) == [], "EVENTS lists events that no longer exist"


def test_guarded_routes_use_the_one_mechanism(app: Flask) -> None:
    """Each guarded view declares the table's right through `networkfest.authz`."""
    wrong = {}
    for endpoint, needed in ROUTES.items():
        declared = getattr(app.view_functions.get(endpoint), "required_right", None)
        expected = DECLARED.get(needed)
        if expected is not None and declared != expected:
            wrong[endpoint] = (needed, declared)
        if expected is None and declared not in (None, "public"):
            wrong[endpoint] = (needed, declared)
    assert wrong == {}


# Routes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("right", GUARDED)
def test_routes_refuse_people_without_the_right(app: Flask, world: World, right: str) -> None:
    problems = []
    for rule in rules_of(app):
        if ROUTES.get(rule.endpoint) != right:
            continue
        api = rule.rule.startswith("/api/")
        for method in methods(rule):
            url = url_for_rule(app, rule, world)
            for actor in REFUSED[right]:
                problem = refusal_problem(call(app, world, actor, method, url), actor, api)
                if problem:
                    problems.append(f"{method} {url}: {problem}")
    assert problems == []


@pytest.mark.parametrize("right", sorted(ALLOWED))
def test_routes_let_the_right_people_in(app: Flask, world: World, clock: Any, right: str) -> None:
    clock.set(DURING)
    problems = []
    for rule in rules_of(app):
        if ROUTES.get(rule.endpoint) != right:
            continue
        for method in methods(rule):
            for actor in ALLOWED[right]:
                url = url_for_rule(app, rule, world)
                problem = allowed_problem(call(app, world, actor, method, url), actor)
                if problem:
                    problems.append(f"{method} {url}: {problem}")
    assert problems == []


def test_objects_of_other_people_are_not_found(app: Flask, world: World) -> None:
    """Someone else's token or notice is a 404 for a signed-in stranger, and stays theirs."""
    for rule in rules_of(app):
        if ROUTES[rule.endpoint] != "own_object":
            continue
        url = url_for_rule(app, rule, world)
        for method in methods(rule):
            assert call(app, world, "stranger", method, url).status_code == 404, url


def test_secret_links_open_only_with_the_secret(app: Flask, world: World) -> None:
    for rule in rules_of(app):
        if ROUTES[rule.endpoint] != "token_owner":
            continue
        good = url_for_rule(app, rule, world)
        bad = url_for_rule(app, rule, world, own=False)
        assert call(app, world, "visitor", "GET", bad).status_code in (400, 404), bad
        assert call(app, world, "stranger", "GET", bad).status_code in (400, 404), bad
        assert call(app, world, "visitor", "GET", good).status_code == 200, good


def test_a_personal_token_opens_the_api_but_not_the_pages(app: Flask, world: World) -> None:
    bearer = {"Authorization": f"Bearer {world.raw_token}"}
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert sent_to_login(client.get("/me", headers=bearer))
    assert sent_to_login(client.get("/me/data.json", headers=bearer))
    wrong = {"Authorization": "Bearer nf_wrong"}
    assert client.get("/api/v1/sessions", headers=wrong).status_code == 401


# Live events ----------------------------------------------------------------------------

EVENT_CLOCK: dict[str, datetime] = {"feedback": AFTER}


def payload_for(event: str, world: World) -> dict[str, Any]:
    return {
        "join": {"session": world.slug},
        "leave": {"session": world.slug},
        "clock_sync": {"t0": 1},
        "ask": {"session": world.slug, "text": "How do we start?", "anonymous": False},
        "vote": {"question": world.question_id, "value": 1},
        "moderate": {"question": world.question_id, "action": "pin"},
        "agenda_next": {"session": world.slug},
        "feedback": {"session": world.slug, "worth": 4, "different": "", "follow_up": False},
        "poll_open": {"session": world.slug, "poll": world.poll_id},
        "poll_answer": {"poll": world.poll_id, "choices": [1]},
        "poll_close": {"poll": world.poll_id},
    }[event]


SOCKET_EVENTS = sorted(event for event in EVENTS if event not in ("connect", "disconnect"))


@pytest.fixture
def emit_as(
    app: Flask, world: World, socket_client: Callable[..., Any]
) -> Callable[[str, str], dict[str, Any]]:
    def _emit(actor: str, event: str) -> dict[str, Any]:
        uid = user_id(world, actor)
        user = db.session.get(User, uid) if uid is not None else None
        sio = socket_client(user)
        ack = sio.emit(event, payload_for(event, world), namespace="/live", callback=True)
        sio.disconnect("/live")
        db.session.rollback()
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
        return ack

    return _emit


@pytest.mark.parametrize("event", [e for e in SOCKET_EVENTS if EVENTS[e] in REFUSED])
def test_events_refuse_people_without_the_right(
    emit_as: Callable[[str, str], dict[str, Any]], clock: Any, event: str
) -> None:
    clock.set(EVENT_CLOCK.get(event, DURING))
    right = EVENTS[event]
    codes = {actor: emit_as(actor, event).get("error", {}).get("code") for actor in REFUSED[right]}
    expected = {
        actor: "unauthenticated" if actor == "visitor" else "forbidden" for actor in REFUSED[right]
    }
    assert codes == expected


@pytest.mark.parametrize("event", SOCKET_EVENTS)
def test_events_let_the_right_people_in(
    emit_as: Callable[[str, str], dict[str, Any]], clock: Any, event: str
) -> None:
    clock.set(EVENT_CLOCK.get(event, DURING))
    for actor in ALLOWED[EVENTS[event]]:
        ack = emit_as(actor, event)
        assert ack["ok"] is True, (actor, ack)


def test_holds_is_the_guards_own_predicate(app: Flask) -> None:
    """What a page offers follows what the page behind it allows: a flag on an unverified
    account is no organiser right."""
    verified = datetime(2026, 9, 1)
    assert authz.holds(User(organiser=True, verified_at=verified), authz.ORGANISER)
    assert not authz.holds(User(organiser=True, verified_at=None), authz.ORGANISER)
    assert not authz.holds(User(organiser=False, verified_at=verified), authz.ORGANISER)
    assert not authz.holds(AnonymousUserMixin(), authz.ORGANISER)
    assert authz.holds(AnonymousUserMixin(), authz.PUBLIC)
    with pytest.raises(ValueError, match="per session"):
        authz.holds(User(organiser=True, verified_at=verified), authz.HOST_OF_SESSION)
