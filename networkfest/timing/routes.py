"""The organisers' punctuality table: which sessions started late, overran, ended on time."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from networkfest.authz import ORGANISER, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.programme.queries import current_festival
from networkfest.timing import presenters, services

bp = Blueprint("timing", __name__)

# Column name in the query string → how to sort rows by it.
SORT_KEYS = {
    "starts": lambda row: (row.session.starts_at, row.session.slug),
    "title": lambda row: (row.session.title.casefold(), row.session.slug),
    "started_late": lambda row: (row.started_late_s, row.session.starts_at),
    "overran": lambda row: (row.overran_items, row.session.starts_at),
    "on_time": lambda row: (row.ended_on_time, row.session.starts_at),
}
COLUMNS = (
    ("starts", "Start"),
    ("title", "Session"),
    ("started_late", "Started late"),
    ("overran", "Overran items"),
    ("on_time", "Ended on time"),
)


@bp.get("/organiser/punctuality")
@require(ORGANISER)
def punctuality() -> str:
    """The festival's punctuality, sortable by `?sort=<column>&order=asc|desc`."""
    festival = current_festival(db.session)
    if festival is None:
        abort(404)
    sort = request.args.get("sort", "starts")
    order = request.args.get("order", "asc")
    if sort not in SORT_KEYS or order not in ("asc", "desc"):
        abort(400, description="Sort by one of the table's columns, ascending or descending.")
    rows = sorted(
        services.punctuality_report(db.session, festival, now()),
        key=SORT_KEYS[sort],
        reverse=order == "desc",
    )
    return render_template(
        "timing/punctuality.html",
        rows=rows,
        columns=COLUMNS,
        sort=sort,
        order=order,
    )


@bp.app_context_processor
def clock_helpers() -> dict[str, object]:
    """For `timing/_clock.html`, wherever it is included: wording and the hosts' summary."""
    return {
        "clock_view": presenters.clock_view,
        "clock_duration": presenters.duration,
        "clock_punctuality": lambda festival_session: services.session_punctuality(
            db.session, festival_session
        ),
    }
