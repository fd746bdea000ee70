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
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.app import App
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from networkfest import pagecache
from networkfest.accounts.links import password_link
from networkfest.authz import ORGANISER, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.formatting import in_zone
from networkfest.programme.changes import Change, describe_change
from networkfest.programme.forms import ScheduleUploadForm
from networkfest.programme.markdown import render as render_markdown
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.queries import (
    current_festival,
    festival_sessions,
    seat_counts,
    session_by_slug,
    versions,
)
from networkfest.programme.rules import FORMAT_LABELS, FORMATS, check
from networkfest.programme.services import PublishResult, publish

bp = Blueprint("programme", __name__)

# Slices above the programme add to its pages through template helpers (registration's place
# panel, festival day's marks of time and place). What they add to the schedule page must
# change its ETag too, or a 304 would keep a "Live now" past the session's end: each says
# what its additions depend on with `add_schedule_etag_part`.
SCHEDULE_ETAG_PARTS = "networkfest.schedule_etag_parts"
# Stands for the visitor's CSRF token in a page kept for every visitor (`pagecache`).
CSRF_SLOT = "networkfest-csrf-token-slot"
EtagPart = Callable[[Festival], str]


def add_schedule_etag_part(app: App, part: EtagPart) -> None:
    """Hash `part(festival)` into the schedule page's ETag on every request (once per app)."""
    parts: list[EtagPart] = app.extensions.setdefault(SCHEDULE_ETAG_PARTS, [])
    if part not in parts:
        parts.append(part)


# The same for a session's page, kept for visitors in `pagecache`: what the slices above add
# to it for a visitor (festival day's mark, the outcomes) is named by `add_session_page_part`,
# so a kept page is never served across a start, an end or a new summary.
SESSION_PAGE_PARTS = "networkfest.session_page_parts"
SessionPagePart = Callable[[FestivalSession], str]


def add_session_page_part(app: App, part: SessionPagePart) -> None:
    """Put `part(session)` into the key of the page kept for visitors (once per app)."""
    parts: list[SessionPagePart] = app.extensions.setdefault(SESSION_PAGE_PARTS, [])
    if part not in parts:
        parts.append(part)


def _for_visitors(key: tuple[object, ...], build: Callable[..., str]) -> Response:
    """A page that is the same for every visitor while `key` holds: built once (with the
    demo banner on or off), then only the visitor's own CSRF token is put in."""
    key = (*key, bool(current_app.config.get("DEMO")))
    body = pagecache.kept(key)
    if body is None:
        body = build(csrf_token=lambda: CSRF_SLOT).encode()
        pagecache.keep(key, body)
    return make_response(body.replace(CSRF_SLOT.encode(), generate_csrf().encode()))


@bp.app_template_filter("format_label")
def format_label(value: str) -> str:
    return FORMAT_LABELS.get(value, value)


@bp.app_template_filter("markdown")
def markdown_filter(value: str) -> Any:
    return render_markdown(value)


def schedule_etag(festival: Festival | None, theme: str, format_: str) -> str:
    """Changes when the programme, the places left, the filters or the signed-in person do,
    and when what the slices above add to the page does (`add_schedule_etag_part`)."""
    parts: list[str] = [theme, format_]
    if current_user.is_authenticated:
        parts.append(current_user.get_id())
    if festival is not None:
        parts += [str(festival.id), str(festival.version)]
        parts += [f"{id_}:{count}" for id_, count in seat_counts(db.session, festival)]
        parts += [part(festival) for part in current_app.extensions.get(SCHEDULE_ETAG_PARTS, ())]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:32]


def days_of(
    sessions: list[FestivalSession], festival: Festival
) -> list[tuple[date, list[FestivalSession]]]:
    """Sessions grouped by their day in festival time, in start order."""

    def day(fs: FestivalSession) -> date:
        return in_zone(fs.starts_at, festival.timezone).date()

    return [(d, list(group)) for d, group in groupby(sessions, key=day)]


@bp.get("/schedule")
def schedule() -> Response:
    festival = current_festival(db.session)
    theme = request.args.get("theme", "")
    format_ = request.args.get("format", "")
    if festival is not None and theme not in {t.slug for t in festival.themes}:
        theme = ""
    if format_ not in FORMATS:
        format_ = ""
    etag = schedule_etag(festival, theme, format_)
    has_flashes = bool(session.get("_flashes"))
    if not has_flashes and request.if_none_match.contains(etag):
        response = Response(status=304)
    elif has_flashes or current_user.is_authenticated:
        response = make_response(_schedule_page(festival, theme, format_))
    else:
        response = _for_visitors(
            ("schedule", etag), lambda **kept: _schedule_page(festival, theme, format_, **kept)
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _schedule_page(festival: Festival | None, theme: str, format_: str, **context: Any) -> str:
    sessions = festival_sessions(db.session, festival) if festival else []
    shown = [
        fs
        for fs in sessions
        if (not theme or fs.theme.slug == theme) and (not format_ or fs.format == format_)
    ]
    return render_template(
        "programme/schedule.html",
        festival=festival,
        days=days_of(shown, festival) if festival else [],
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


@bp.get("/sessions/<slug>")
def session_page(slug: str) -> Response | str:
    fs = session_by_slug(db.session, slug)
    if fs is None:
        abort(404)

    def build(**kept: Any) -> str:
        return render_template(
            "programme/session.html",
            session=fs,
            items=run_sheet(fs),
            ics_url=url_for("feeds.session_ics", slug=fs.slug),
            live_url=url_for("live.room", slug=fs.slug),
            **kept,
        )

    if current_user.is_authenticated or session.get("_flashes"):
        return build()
    # Everything a visitor's page shows: the session as published, its places and hosts'
    # names (a host may rename), and what the slices above add.
    key = (
        "session",
        fs.id,
        fs.version,
        fs.festival.version,
        fs.confirmed_count,
        *(host.name for host in fs.hosts),
        *(part(fs) for part in current_app.extensions.get(SESSION_PAGE_PARTS, ())),
    )
    return _for_visitors(key, build)


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
