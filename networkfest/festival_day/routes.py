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

from flask import Blueprint, Response, current_app, g, make_response, render_template, session
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from networkfest import context, pagecache
from networkfest.clock import from_epoch_ms, to_epoch_ms
from networkfest.extensions import db
from networkfest.festival_day import presenters, rules, services
from networkfest.outcomes.services import outcomes_written
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.published import (
    PublishedProgramme,
    PublishedSession,
    published_programme,
)
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


# Stands for the server's time in the front page kept for visitors: put in on the way out,
# so the page's clock (static/js/clock.js) starts from the instant it was served.
SERVER_NOW_SLOT = b"networkfest-server-now-slot"


@bp.get("/")
def front_page() -> Response:
    """The festival's front page: dates and a countdown before it, what is live and what is
    next during it (with the viewer's own next session), thanks and feedback after it.

    Its countdowns read to the second, so the page everyone shares is kept for the second it
    was built in, with everything else it shows in its key: the published programme (times,
    places, names) and the outcomes written. A visitor's copy is kept whole; a signed-in
    reader's has their own parts put in (`_front_part`, `templates/festival_day/
    _front_reader.html`): their next session, their places, the feedback open to them."""
    instant = _instant()
    if session.get("_flashes"):
        body = _front_page(instant).encode()
    else:
        programme = published_programme(db.session)
        second = instant.replace(microsecond=0)
        key = (
            "front",
            programme.fingerprint if programme is not None else None,
            second,
            tuple(sorted(outcomes_written(db.session).items())),
        )
        keeping = pagecache.for_reader if current_user.is_authenticated else pagecache.for_visitors
        body = keeping(key, lambda **kept: _front_page(second, **kept))
    response = make_response(body.replace(SERVER_NOW_SLOT, str(to_epoch_ms(instant)).encode()))
    # The countdowns are rendered for this instant: never answer from a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _front_page(instant: datetime, **context: Any) -> str:
    festival = current_festival(db.session)
    page = services.front_page(db.session, festival, instant) if festival is not None else None
    return render_template(
        "festival_day/front_page.html",
        page=page,
        server_now=to_epoch_ms(instant),
        server_now_slot=SERVER_NOW_SLOT.decode(),
        countdown=presenters.countdown,
        **context,
    )


def _reader_front() -> tuple[Festival | None, services.ReaderFront | None]:
    """The festival, and the signed-in reader's part of its front page (None for a visitor),
    read once per request whichever parts ask."""
    if "festival_day_reader" not in g:
        festival = current_festival(db.session)
        reader = (
            services.reader_front(
                db.session, festival, _viewer_places(), current_user.id, _instant()
            )
            if festival is not None and current_user.is_authenticated
            else None
        )
        g.festival_day_reader = (festival, reader)
    found: tuple[Festival | None, services.ReaderFront | None] = g.festival_day_reader
    return found


def _front_part(name: str) -> pagecache.Part:
    """One of the front page's parts for its reader, at this request's instant."""

    def render(arg: str) -> str:
        festival, reader = _reader_front()
        phase, _, open_until = arg.partition("-")
        return render_template(
            "festival_day/_front_reader.html",
            part=name,
            reader=reader,
            zone=festival.timezone if festival is not None else None,
            lobby_minutes=festival.lobby_minutes if festival is not None else None,
            server_now=to_epoch_ms(_instant()),
            countdown=presenters.countdown,
            phase=phase,
            open_until=from_epoch_ms(int(open_until)) if open_until else None,
        )

    return render


FRONT_PARTS = (
    "front_signup",
    "front_yours_before",
    "front_actions_before",
    "front_lede_during",
    "front_yours_during",
    "front_feedback",
)


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


def _marks_etag_part(programme: PublishedProgramme) -> str:
    return services.marks_fingerprint(programme, _viewer_places(), _instant())


def _session_mark_part(programme: PublishedProgramme, published: PublishedSession) -> str:
    """A visitor's page of the session shows its mark of time (a visitor holds no place)."""
    phase, mark = services.published_mark(
        published, services.published_settings(programme), _instant()
    )
    return f"{phase}:{mark}"


def _place_part(line: bool) -> pagecache.Part:
    """The reader's place in a session (by id), for the slots `time_marks` leaves in a page
    kept for everyone: a badge in the marks' line, or a line of its own."""

    def render(session_id: str) -> str:
        # Filling in, the reader's places are already read (the ETag needs them): a card's
        # part finds them without asking who is signed in again.
        held: dict[int, Place] | None = g.get("festival_day_places")
        place = (held if held is not None else _viewer_places()).get(int(session_id))
        if place is None:
            return ""
        marks = current_app.jinja_env.get_template("festival_day/_mark.html").module
        return str(marks.place_line(place) if line else marks.place_badge(place))  # type: ignore[attr-defined]

    return render


@bp.record_once
def _mark_the_schedule(state: BlueprintSetupState) -> None:
    add_schedule_etag_part(state.app, _marks_etag_part)
    add_session_page_part(state.app, _session_mark_part)
    pagecache.add_part(state.app, "place", _place_part(line=False))
    pagecache.add_part(state.app, "place_line", _place_part(line=True))
    for name in FRONT_PARTS:
        pagecache.add_part(state.app, name, _front_part(name))
