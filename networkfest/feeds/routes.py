"""Calendar feeds and the frab schedule: thin handlers with cheap conditional GETs.

The ETag of a public feed depends only on the schedule version, the path and the
base URL, so a 304 is decided from the published version (kept per process by
`process_cache`: forgotten in every process when a festival's row is written, read again
within `process_cache.UNTOLD_S` where nothing tells), before the festival is even loaded,
let alone any calendar built.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from networkfest import pagecache, process_cache
from networkfest.authz import SIGNED_IN, require
from networkfest.extensions import db, limiter
from networkfest.feeds import frab, ical, queries, rules, services
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.queries import current_festival, festival_sessions

bp = Blueprint("feeds", __name__)

# Part of every ETag: bump it when the feeds' output changes shape, so caches refetch.
FEED_REVISION = "2"
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"
ICALENDAR = "text/calendar; charset=utf-8"
JSON = "application/json"
XML = "application/xml; charset=utf-8"

# The published festival's id and schedule version (`current_festival`'s row, two columns):
# table columns, so it runs as plain Core, without the ORM's per-statement work.
_FESTIVAL_TABLE = Festival.__table__
_PUBLISHED = (
    select(_FESTIVAL_TABLE.c.id, _FESTIVAL_TABLE.c.version)
    .order_by(_FESTIVAL_TABLE.c.id.desc())
    .limit(1)
)


# The public feeds: the same bytes for everyone, decided by the schedule version.
PUBLIC_FEEDS = frozenset(
    f"{bp.name}.{view}"
    for view in ("schedule_ics", "theme_ics", "session_ics", "schedule_json", "schedule_xml")
)


@limiter.request_filter
def _public_feeds_unlimited() -> bool:
    """Public feeds carry no rate limit, so they skip the limiter's search for the limits that
    apply (about 6% of a 304's CPU); every route with a limit is checked as before."""
    return request.endpoint in PUBLIC_FEEDS


@bp.get("/schedule.ics")
def schedule_ics() -> BaseResponse:
    def build(festival: Festival) -> bytes:
        sessions = festival_sessions(db.session, festival)
        return _calendar(festival, sessions, festival.name, "schedule")

    return _public_feed(_published(), ICALENDAR, build)


@bp.get("/themes/<slug>.ics")
def theme_ics(slug: str) -> BaseResponse:
    published = _published()
    theme = queries.theme_by_slug(db.session, published.id, slug)
    if theme is None:
        abort(404)

    def build(festival: Festival) -> bytes:
        sessions = [s for s in festival_sessions(db.session, festival) if s.theme_id == theme.id]
        return _calendar(festival, sessions, f"{festival.name}: {theme.name}", f"theme-{slug}")

    return _public_feed(published, ICALENDAR, build)


@bp.get("/sessions/<slug>.ics")
def session_ics(slug: str) -> BaseResponse:
    published = _published()
    session_id = queries.session_id_by_slug(db.session, published.id, slug)
    if session_id is None:
        abort(404)

    def build(festival: Festival) -> bytes:
        sessions = queries.sessions_by_id(db.session, [session_id])
        titles = ", ".join(s.title for s in sessions)
        return _calendar(festival, sessions, f"{festival.name}: {titles}", f"session-{slug}")

    return _public_feed(published, ICALENDAR, build)


@bp.get("/schedule.json")
def schedule_json() -> BaseResponse:
    def build(festival: Festival) -> bytes:
        document = _frab(festival)
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    return _public_feed(_published(), JSON, build)


@bp.get("/schedule.xml")
def schedule_xml() -> BaseResponse:
    return _public_feed(_published(), XML, lambda festival: frab.frab_xml(_frab(festival)))


@bp.get("/calendar/<token>.ics")
def personal_ics(token: str) -> BaseResponse:
    """A person's private feed: their confirmed and waitlisted sessions, marked as such."""
    user = queries.user_by_calendar_token(db.session, token)
    if user is None:
        abort(404)
    festival = _festival()
    places = queries.agenda_places(db.session, user.id, festival.id)
    etag = rules.feed_etag(
        *_etag_base(festival.id, festival.version),
        *(f"{sid}:{p.status}:{p.position}:{p.updated_at.isoformat()}" for sid, p in places.items()),
    )
    not_modified = _not_modified(etag, PRIVATE_CACHE)
    if not_modified is not None:
        return not_modified
    body = ical.build_calendar(
        festival,
        queries.sessions_by_id(db.session, places),
        name=f"{festival.name}: my sessions",
        feed=f"personal-{user.id}",
        base_url=current_app.config["BASE_URL"],
        stamp=queries.feed_stamp(db.session, festival),
        places=places,
    )
    return _response(body, ICALENDAR, etag, PRIVATE_CACHE)


@bp.post("/calendar/reset")
@require(SIGNED_IN)
def reset_calendar_token() -> BaseResponse:
    services.reset_calendar_token(db.session, current_user._get_current_object())
    flash(
        "Your calendar link has been reset. The old link no longer works: "
        "subscribe again with the new one below.",
        "success",
    )
    return redirect(url_for("registration.agenda"))


def _etag_base(festival_id: int, version: int) -> tuple[object, ...]:
    """What every feed's body depends on: format, programme version, address and base URL."""
    return (FEED_REVISION, festival_id, version, request.path, current_app.config["BASE_URL"])


PUBLISHED = "feeds.published"
process_cache.forget_when_written(PUBLISHED, (Festival,))


@dataclass(frozen=True)
class Published:
    id: int
    version: int


def _published() -> Published:
    """The published festival's (id, version); 404 before anything is published."""
    published = process_cache.read_through(db.session, PUBLISHED, "festival", _read_published)
    if published is None:
        abort(404)
    return published


def _read_published() -> Published | None:
    if db.session.registry.has() and db.session().in_transaction():
        # The request already holds a transaction (on SQLite, the write lock): use it, since a
        # second connection would wait on that lock.
        row = db.session.connection().execute(_PUBLISHED).first()
    else:
        # The common case: a pooled connection for one statement, no ORM session to set up
        # and tear down for two integers.
        with db.engine.connect() as connection:
            row = connection.execute(_PUBLISHED).first()
    return Published(row.id, row.version) if row is not None else None


def _festival() -> Festival:
    festival = current_festival(db.session)
    if festival is None:
        abort(404)
    return festival


def _calendar(
    festival: Festival, sessions: Sequence[FestivalSession], name: str, feed: str
) -> bytes:
    return ical.build_calendar(
        festival,
        sessions,
        name=name,
        feed=feed,
        base_url=current_app.config["BASE_URL"],
        stamp=queries.feed_stamp(db.session, festival),
    )


def _frab(festival: Festival) -> dict[str, object]:
    return frab.frab_schedule(
        festival, festival_sessions(db.session, festival), base_url=current_app.config["BASE_URL"]
    )


def _public_feed(
    published: Published, content_type: str, build: Callable[[Festival], bytes]
) -> BaseResponse:
    """Answer 304 when the client holds this version of this path; else the body built for
    it, building it only once per version. A body is kept under the ETag of the festival it
    was built from, so a publication between the two reads can never pair a new body with
    an old tag."""
    etag = rules.feed_etag(*_etag_base(published.id, published.version))
    not_modified = _not_modified(etag, PUBLIC_CACHE)
    if not_modified is not None:
        return not_modified
    # Built once per version, path and base URL (all in the ETag), then served from memory.
    body = pagecache.kept(etag)
    if body is None:
        festival = db.session.get(Festival, published.id)
        if festival is None:
            abort(404)
        etag = rules.feed_etag(*_etag_base(festival.id, festival.version))
        body = build(festival)
        pagecache.keep(etag, body)
    return _response(body, content_type, etag, PUBLIC_CACHE)


def _not_modified(etag: str, cache_control: str) -> Response | None:
    # If-None-Match compares weakly (RFC 9110 13.1.2), and `*` matches any current feed.
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def _response(body: bytes, content_type: str, etag: str, cache_control: str) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response
