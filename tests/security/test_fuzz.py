"""Arbitrary input at every live event, every HTML form and every API route.

Whatever arrives: no 5xx, nothing logged at ERROR, acknowledgements always in the
protocol's shape, API errors always in the API's shape, and afterwards the pages that show
stored text still render, with that text escaped. Each test builds one app and draws many
examples against it (the state they leave behind is part of what is tested), so the
function-scoped fixtures are shared by the examples on purpose.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from networkfest.extensions import db
from networkfest.realtime.protocol import ERROR_CODES
from networkfest.realtime.ratelimit import DEFAULT_LIMITS
from tests.conftest import test_settings as base_settings
from tests.security.conftest import DURING, World
from tests.security.test_authz import client_as, methods, url_for_rule, user_id

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    # The examples run inside one test against one app (no fixtures re-entered per
    # example); on a busy CI machine generating nested payloads can be slow, which is fine.
    suppress_health_check=[HealthCheck.too_slow],
)

NASTY = st.sampled_from(
    [
        "<script>alert('fuzz')</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7 * 7 }}",
        "' OR 1=1 --",
        "\u0000\u202e\ufeff",
        '=HYPERLINK("http://evil.example")',
        "a" * 600,
        "",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | NASTY
)
JSONISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
EVENT_KEYS = (
    "session",
    "question",
    "text",
    "anonymous",
    "value",
    "action",
    "t0",
    "worth",
    "different",
    "follow_up",
)
MARKERS = ("<script>alert('fuzz')", "<img src=x onerror")


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    """No HTTP limits, and event limits too high to hide what the handlers do."""
    return {
        **base_settings(database_url, clock),
        "RATELIMIT_ENABLED": False,
        "SOCKET_RATE_LIMITS": {event: "100000 per minute" for event in DEFAULT_LIMITS},
    }


def event_payloads(world: World) -> st.SearchStrategy[Any]:
    """Mostly objects with the protocol's keys (real slugs and ids among the values)."""
    value = JSONISH | st.sampled_from(
        [world.slug, world.other_slug, world.question_id, 1, 0, "pin", "hide", "approve"]
    )
    shaped = st.dictionaries(st.sampled_from(EVENT_KEYS), value, max_size=len(EVENT_KEYS))
    return shaped | JSONISH


def assert_pages_render_escaped(app: Flask, world: World) -> None:
    for actor in ("visitor", "host", "organiser"):
        client = client_as(app, world, actor)
        for url in (
            f"/sessions/{world.slug}",
            f"/sessions/{world.slug}/live",
            "/schedule",
            "/organiser/audit" if actor == "organiser" else "/schedule/changes",
        ):
            response = client.get(url)
            assert response.status_code == 200, (actor, url, response.status_code)
            body = response.get_data(as_text=True)
            assert not any(marker in body for marker in MARKERS), (actor, url)
    db.session.rollback()


def assert_no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


def test_live_events_take_any_payload(
    app: Flask,
    world: World,
    clock: Any,
    socket_client: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from networkfest.accounts.models import User
    from networkfest.web import LiveRoom

    caplog.set_level(logging.ERROR)
    clock.set(DURING)
    events = sorted(name[3:] for name in dir(LiveRoom) if name.startswith("on_"))
    events = [e for e in events if e not in ("connect", "disconnect")]
    clients = {}
    for actor in ("visitor", "attendee", "host"):
        uid = user_id(world, actor)
        clients[actor] = socket_client(db.session.get(User, uid) if uid else None)
    db.session.rollback()

    @FUZZ
    @given(
        actor=st.sampled_from(sorted(clients)),
        event=st.sampled_from(events),
        payload=event_payloads(world),
    )
    def attack(actor: str, event: str, payload: Any) -> None:
        ack = clients[actor].emit(event, payload, namespace="/live", callback=True)
        db.session.rollback()
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
        if not ack["ok"]:
            error = ack["error"]
            assert set(error) == {"code", "message"}, ack
            assert error["code"] in ERROR_CODES and isinstance(error["message"], str), ack

    attack()
    assert_no_errors_logged(caplog)
    assert_pages_render_escaped(app, world)


FORM_FIELDS = (
    "email",
    "password",
    "confirm",
    "current",
    "name",
    "next",
    "worth",
    "different",
    "follow_up",
    "organiser",
    "confirm_clash",
    "publish",
    "q",
)


def post_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in methods(rule) and not rule.rule.startswith("/api/")
        ),
        key=lambda rule: rule.rule,
    )


def test_every_form_takes_any_fields(
    app: Flask, world: World, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    clock.set(DURING)
    rules = post_rules(app)
    assert rules, "no forms found"
    text = st.text(max_size=300) | NASTY

    @FUZZ
    @given(
        index=st.integers(min_value=0, max_value=len(rules) - 1),
        actor=st.sampled_from(["visitor", "attendee", "host", "organiser"]),
        fields=st.dictionaries(st.sampled_from(FORM_FIELDS) | st.text(max_size=12), text),
        upload=st.none() | st.binary(max_size=400),
    )
    def attack(index: int, actor: str, fields: dict[str, str], upload: bytes | None) -> None:
        rule = rules[index]
        data: dict[str, Any] = dict(fields)
        if upload is not None:
            data["file"] = (io.BytesIO(upload), "schedule.toml")
        client: FlaskClient = client_as(app, world, actor)
        response = client.post(url_for_rule(app, rule, world), data=data)
        db.session.rollback()
        assert response.status_code < 500, (rule.rule, actor, response.status_code)

    attack()
    assert_no_errors_logged(caplog)
    assert_pages_render_escaped(app, world)


def api_rules(app: Flask) -> list[tuple[Rule, str]]:
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in methods(rule)
    ]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def test_every_api_route_takes_any_body_and_params(
    app: Flask, world: World, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    clock.set(DURING)
    routes = api_rules(app)
    bearer = {"Authorization": f"Bearer {world.raw_token}"}

    @FUZZ
    @given(
        index=st.integers(min_value=0, max_value=len(routes) - 1),
        auth=st.sampled_from(["none", "token", "wrong", "cookie"]),
        slug=st.none() | st.text(min_size=1, max_size=90) | NASTY,
        body=st.none() | JSONISH | st.binary(max_size=200),
        params=st.dictionaries(st.text(max_size=10), st.text(max_size=40), max_size=3),
    )
    def attack(index: int, auth: str, slug: str | None, body: Any, params: dict[str, str]) -> None:
        rule, method = routes[index]
        url = url_for_rule(app, rule, world)
        if slug is not None and "<slug>" in rule.rule:
            url = url.replace(f"/{world.slug}", "/" + quote(slug, safe=""))
        client = client_as(app, world, "attendee" if auth == "cookie" else "visitor")
        headers = {"none": {}, "token": bearer, "wrong": {"Authorization": "Bearer nf_x"}}.get(
            auth, {}
        )
        kwargs: dict[str, Any] = {"headers": headers, "query_string": params}
        if isinstance(body, bytes):
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["json"] = body
        response = client.open(url, method=method, **kwargs)
        db.session.rollback()
        assert response.status_code < 500, (method, url, response.status_code)
        if response.status_code >= 400:
            error = (response.get_json(silent=True) or {}).get("error")
            assert isinstance(error, dict), (method, url, response.get_data(as_text=True)[:200])
            assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str)

    attack()
    assert_no_errors_logged(caplog)
    assert_pages_render_escaped(app, world)
