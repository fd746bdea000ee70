"""Programme pages: the week, one session, the change history and the organiser's upload."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.app import App
from flask_login import current_user

from networkfest import pagecache
from networkfest.accounts.links import password_link
from networkfest.authz import ORGANISER, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.formatting import in_zone
from networkfest.programme.changes import Change, describe_change
from networkfest.programme.forms import ScheduleUploadForm
from networkfest.programme.markdown import render as render_markdown
from networkfest.programme.models import FestivalSession
from networkfest.programme.published import (
    PublishedProgramme,
    PublishedSession,
    published_programme,
)
from networkfest.programme.queries import (
    current_festival,
    festival_sessions,
    session_by_slug,
    session_row_by_slug,
    versions,
)
from networkfest.programme.rules import FORMAT_LABELS, FORMATS, check
from networkfest.programme.services import PublishResult, publish

bp = Blueprint("programme", __name__)

# Slices above the programme add to its pages through template helpers (registration's place
# panel, festival day's marks of time and place). What they add to the schedule page must
# change its ETag too, or a 304 would keep a "Live now" past the session's end: each says
# what its additions depend on with `add_schedule_etag_part`, from the published programme
# (`published`) and the request, without a query where it can.
SCHEDULE_ETAG_PARTS = "networkfest.schedule_etag_parts"
EtagPart = Callable[[PublishedProgramme], str]


def add_schedule_etag_part(app: App, part: EtagPart) -> None:
    """Hash `part(programme)` into the schedule page's ETag on every request (once per app)."""
    parts: list[EtagPart] = app.extensions.setdefault(SCHEDULE_ETAG_PARTS, [])
    if part not in parts:
        parts.append(part)


# The same for a session's page, kept for visitors in `pagecache`: what the slices above add
# to it for a visitor (festival day's mark, the outcomes) is named by `add_session_page_part`,
# so a kept page is never served across a start, an end or a new summary.
SESSION_PAGE_PARTS = "networkfest.session_page_parts"
SessionPagePart = Callable[[PublishedProgramme, PublishedSession], str]


def add_session_page_part(app: App, part: SessionPagePart) -> None:
    """Put `part(programme, session)` into the key of the page kept for visitors (once per
    app)."""
    parts: list[SessionPagePart] = app.extensions.setdefault(SESSION_PAGE_PARTS, [])
    if part not in parts:
        parts.append(part)


@bp.app_template_filter("format_label")
def format_label(value: str) -> str:
    return FORMAT_LABELS.get(value, value)


@bp.app_template_filter("markdown")
def markdown_filter(value: str) -> Any:
    return render_markdown(value)


def schedule_etag(programme: PublishedProgramme | None, theme: str, format_: str) -> str:
    """Changes when the programme, the places left, the filters or the signed-in person do,
    and when what the slices above add to the page does (`add_schedule_etag_part`)."""
    parts: list[str] = [theme, format_]
    if current_user.is_authenticated:
        parts.append(current_user.get_id())
    if programme is not None:
        parts.append(programme.fingerprint)
        parts += [part(programme) for part in current_app.extensions.get(SCHEDULE_ETAG_PARTS, ())]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:32]


def days_of(
    sessions: list[FestivalSession], timezone: str
) -> list[tuple[date, list[FestivalSession]]]:
    """Sessions grouped by their day in festival time, in start order."""

    def day(fs: FestivalSession) -> date:
        return in_zone(fs.starts_at, timezone).date()

    return [(d, list(group)) for d, group in groupby(sessions, key=day)]


@bp.get("/schedule")
def schedule() -> Response:
    programme = published_programme(db.session)
    theme = request.args.get("theme", "")
    format_ = request.args.get("format", "")
    if programme is not None and theme not in programme.themes:
        theme = ""
    if format_ not in FORMATS:
        format_ = ""
    etag = schedule_etag(programme, theme, format_)
    has_flashes = bool(session.get("_flashes"))
    if not has_flashes and request.if_none_match.contains(etag):
        response = Response(status=304)
    elif has_flashes:
        response = make_response(_schedule_page(theme, format_))
    elif current_user.is_authenticated:
        with pagecache.as_visitor():
            shared = schedule_etag(programme, theme, format_)
        response = make_response(
            pagecache.for_reader(
                ("schedule", shared), lambda **kept: _schedule_page(theme, format_, **kept)
            )
        )
    else:
        response = make_response(
            pagecache.for_visitors(
                ("schedule", etag), lambda **kept: _schedule_page(theme, format_, **kept)
            )
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _schedule_page(theme: str, format_: str, **context: Any) -> str:
    festival = current_festival(db.session)
    sessions = festival_sessions(db.session, festival) if festival else []
    shown = [
        fs
        for fs in sessions
        if (not theme or fs.theme.slug == theme) and (not format_ or fs.format == format_)
    ]
    return render_template(
        "programme/schedule.html",
        festival=festival,
        days=days_of(shown, festival.timezone) if festival else [],
        sessions=shown,
        total=len(sessions),
        shown=len(shown),
        theme=theme,
        format=format_,
        formats=FORMATS,
        **context,
    )


def run_sheet(fs: FestivalSession) -> list[dict[str, Any]]:
    """Each agenda item with its planned start and end."""
    items = []
    start = fs.starts_at
    for item in fs.agenda_items:
        end = start + timedelta(minutes=item.minutes)
        items.append({"title": item.title, "minutes": item.minutes, "starts": start, "ends": end})
        start = end
    return items


def page_session(slug: str) -> FestivalSession | None:
    """The session row a page's personal parts are about (the registration panel, the way
    to its peers), read once per request whichever parts ask."""
    found: dict[str, FestivalSession | None] = g.setdefault("page_sessions", {})
    if slug not in found:
        found[slug] = session_row_by_slug(db.session, slug)
    return found[slug]


@bp.get("/sessions/<slug>")
def session_page(slug: str) -> Response | str:
    if session.get("_flashes"):
        return _session_page(slug)
    programme = published_programme(db.session)
    published = programme.session(slug) if programme is not None else None
    if programme is None or published is None:
        abort(404)
    # Everything a visitor's page shows: the festival and the session as published, its
    # places and hosts' names (a host may rename), and what the slices above add.
    key = (
        "session",
        programme.festival_id,
        programme.version,
        published,
        *(
            part(programme, published)
            for part in current_app.extensions.get(SESSION_PAGE_PARTS, ())
        ),
    )
    keeping = pagecache.for_reader if current_user.is_authenticated else pagecache.for_visitors
    return make_response(keeping(key, lambda **kept: _session_page(slug, **kept)))


def _session_page(slug: str, **context: Any) -> str:
    fs = session_by_slug(db.session, slug)
    if fs is None:
        abort(404)
    return render_template(
        "programme/session.html",
        session=fs,
        items=run_sheet(fs),
        ics_url=url_for("feeds.session_ics", slug=fs.slug),
        live_url=url_for("live.room", slug=fs.slug),
        **context,
    )


@bp.get("/schedule/changes")
def changes() -> str:
    festival = current_festival(db.session)
    history = versions(db.session, festival) if festival else []
    return render_template(
        "programme/changes.html",
        festival=festival,
        versions=[
            (
                version,
                [describe_change(Change.from_json(change)) for change in version.changes or []],
            )
            for version in history
        ],
    )


@bp.route("/organiser/schedule", methods=["GET", "POST"])
@require(ORGANISER)
def organiser_schedule() -> tuple[str, int] | str:
    form = ScheduleUploadForm()
    if not form.is_submitted():
        return render_template("programme/organiser_schedule.html", form=form, result=None)
    if not form.validate():
        return render_template("programme/organiser_schedule.html", form=form, result=None), 400
    raw = form.file.data.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        form.file.errors.append("That file is not UTF-8 text. Save it as UTF-8 and try again.")
        return render_template("programme/organiser_schedule.html", form=form, result=None), 400
    publishing = bool(form.publish.data)
    instant: datetime = now()
    if publishing:
        result = publish(db.session, text, instant, published_by_id=current_user.id)
    else:
        checked = check(text)
        result = PublishResult(problems=checked.problems)
    invite_links = [
        (user, password_link(user, "invite")) for user in result.invited + result.reinvited
    ]
    return render_template(
        "programme/organiser_schedule.html",
        form=form,
        result=result,
        publishing=publishing,
        filename=form.file.data.filename,
        change_lines=[describe_change(change) for change in result.changes],
        invite_links=invite_links,
    ), (200 if result.ok else 422)
