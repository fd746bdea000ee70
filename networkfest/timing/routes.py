"""The organisers' punctuality table: which sessions started late, overran, ended on time,
and which have no verdict yet or left no record of their start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request

from networkfest.authz import ORGANISER, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.programme.queries import current_festival
from networkfest.timing import presenters, services

bp = Blueprint("timing", __name__)

# Column name in the query string → the figure to sort rows by (None: no verdict).
SORT_KEYS: dict[str, Callable[[services.PunctualityRow], Any]] = {
    "starts": lambda row: row.session.starts_at,
    "title": lambda row: row.session.title.casefold(),
    "started_late": lambda row: row.started_late_s,
    "overran": lambda row: row.overran_items,
    "on_time": lambda row: row.ended_on_time,
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
    rows = sort_rows(services.punctuality_report(db.session, festival, now()), sort, order)
    return render_template(
        "timing/punctuality.html",
        rows=rows,
        columns=COLUMNS,
        sort=sort,
        order=order,
    )


def sort_rows(
    rows: list[services.PunctualityRow], sort: str, order: str
) -> list[services.PunctualityRow]:
    """Sorted by a column, then by start; rows without a verdict go last either way, as on
    the dashboard: "not yet" and "no record" are not smaller or larger than a figure."""
    key = SORT_KEYS[sort]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    present.sort(
        key=lambda row: (key(row), row.session.starts_at, row.session.slug),
        reverse=order == "desc",
    )
    missing.sort(key=lambda row: (row.session.starts_at, row.session.slug))
    return present + missing


@bp.app_context_processor
def clock_helpers() -> dict[str, object]:
    """For `timing/_clock.html`, wherever it is included: wording and the hosts' summary."""
    return {
        "clock_view": presenters.clock_view,
        "clock_duration": presenters.duration,
        "clock_punctuality": lambda festival_session: services.session_punctuality(
            db.session, festival_session, now()
        ),
    }
