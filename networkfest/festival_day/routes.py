"""The front page, and the marks of time and place that the programme's pages show.

The programme's own pages (`/schedule`, `/sessions/<slug>`) and the personal agenda sit in
slices below this one and cannot ask timing or registration for marks themselves; they stay
where they are (their URLs and endpoint names are public) and their templates ask the
helpers this module registers (`session_mark`, `now_anchor`), as the session page already
asks registration for its place panel. The schedule page's ETag takes in what the marks
depend on through `programme.routes.add_schedule_etag_part`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, make_response, render_template
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from networkfest import context
from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from networkfest.festival_day import presenters, rules, services
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.queries import current_festival
from networkfest.programme.routes import add_schedule_etag_part, add_session_page_part
from networkfest.registration.personal_agenda import Place, places
from networkfest.timing.rules import ClockSettings

bp = Blueprint("festival_day", __name__)


def _instant() -> datetime:
    """One instant per request, so every mark on a page is read at the same moment."""
    if "festival_day_now" not in g:
        g.festival_day_now = context.now()
    instant: datetime = g.festival_day_now
    return instant


def _viewer_places() -> dict[int, Place]:
    """The signed-in person's places by session id, read once per request; none for visitors."""
    if not current_user.is_authenticated:
        return {}
    if "festival_day_places" not in g:
        g.festival_day_places = places(db.session, current_user.id)
    held: dict[int, Place] = g.festival_day_places
    return held


def _settings(festival_session: FestivalSession) -> ClockSettings:
    """The session's festival's clock settings, read once per request and festival."""
    if "festival_day_settings" not in g:
        g.festival_day_settings = {}
    cache: dict[int, ClockSettings] = g.festival_day_settings
    festival_id = festival_session.festival_id
    if festival_id not in cache:
        cache[festival_id] = services.clock_settings(festival_session.festival)
    return cache[festival_id]


@bp.get("/")
def front_page() -> Response:
    """The festival's front page: dates and a countdown before it, what is live and what is
    next during it (with the viewer's own next session), thanks and feedback after it."""
    festival = current_festival(db.session)
    instant = _instant()
    page = (
        services.front_page(
            db.session,
            festival,
            current_user.id if current_user.is_authenticated else None,
            instant,
        )
        if festival is not None
        else None
    )
    response = make_response(
        render_template(
            "festival_day/front_page.html",
            page=page,
            server_now=to_epoch_ms(instant),
            countdown=presenters.countdown,
        )
    )
    # The countdowns are rendered for this instant: never answer from a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def session_mark(festival_session: FestivalSession) -> services.SessionMark:
    """For templates: the session's mark of time now and the viewer's place in it."""
    return services.session_mark(
        festival_session,
        _viewer_places().get(festival_session.id),
        _instant(),
        _settings(festival_session),
    )


def now_anchor(sessions: Iterable[FestivalSession]) -> str | None:
    """For the programme: the slug of the session "Jump to now" lands on, or None."""
    shown = list(sessions)
    key = rules.now_anchor([services.listed(fs, _settings(fs)) for fs in shown], _instant())
    return next((fs.slug for fs in shown if fs.id == key), None)


@bp.app_context_processor
def _festival_day_helpers() -> dict[str, Any]:
    return {"session_mark": session_mark, "now_anchor": now_anchor}


@bp.app_template_filter("epoch_ms")
def epoch_ms(instant: datetime) -> int:
    """For `data-countdown-to`: instants as static/js/clock.js counts them."""
    return to_epoch_ms(instant)


def _marks_etag_part(festival: Festival) -> str:
    return services.marks_fingerprint(db.session, festival, _viewer_places(), _instant())


def _session_mark_part(festival_session: FestivalSession) -> str:
    return repr(session_mark(festival_session))


@bp.record_once
def _mark_the_schedule(state: BlueprintSetupState) -> None:
    add_schedule_etag_part(state.app, _marks_etag_part)
    add_session_page_part(state.app, _session_mark_part)
