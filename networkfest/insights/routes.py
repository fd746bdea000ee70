"""Pages: the feedback form and its results, and the insights dashboards."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from networkfest import context
from networkfest.authz import HOST, HOST_OF_SESSION, ORGANISER, SIGNED_IN, require
from networkfest.extensions import db
from networkfest.insights import charts, figures, services
from networkfest.insights.forms import FeedbackForm
from networkfest.insights.rules import (
    NOT_IN_ROOM,
    FeedbackRefused,
    clean_feedback,
    feedback_closes_at,
)
from networkfest.peers.services import has_consent
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import current_festival, session_by_slug

bp = Blueprint("insights", __name__)

TABLES = figures.TABLES
REFUSAL_STATUS = {"not_live": 409, "forbidden": 403, "not_found": 404}


def _session_or_404(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404, description="There is no session at this address.")
    return festival_session


@bp.route("/sessions/<slug>/feedback", methods=["GET", "POST"])
@require(SIGNED_IN)
def feedback(slug: str) -> BaseResponse | tuple[str, int] | str:
    festival_session = _session_or_404(slug)
    now = context.now()
    refusal = services.feedback_refused(db.session, festival_session, current_user.id, now)
    if refusal is not None:
        return _refused(festival_session, refusal)
    existing = services.my_feedback(db.session, festival_session.id, current_user.id)
    form = FeedbackForm()
    if request.method == "GET" and existing is not None:
        form.worth.data = existing.worth
        form.different.data = existing.different
        form.follow_up.data = "yes" if existing.follow_up else "no"
        form.stay_in_touch.data = has_consent(db.session, festival_session.id, current_user.id)
    if form.validate_on_submit():
        try:
            answer = clean_feedback(
                form.worth.data,
                form.different.data,
                form.follow_up.data == "yes",
                bool(form.stay_in_touch.data),
            )
            services.submit_feedback(db.session, festival_session, current_user.id, answer, now)
        except FeedbackRefused as error:
            db.session.rollback()
            return _refused(festival_session, error)
        flash("Thank you: your feedback is saved. You can change it for 48 hours.", "success")
        return redirect(url_for("insights.feedback", slug=slug), 303)
    status = 400 if form.errors else 200
    return (
        render_template(
            "insights/feedback.html",
            session=festival_session,
            form=form,
            existing=existing,
            closes_at=feedback_closes_at(festival_session.ends_at),
        ),
        status,
    )


def _refused(festival_session: FestivalSession, refusal: FeedbackRefused) -> tuple[str, int]:
    status = REFUSAL_STATUS.get(refusal.code, 400)
    return (
        render_template(
            "insights/feedback_closed.html", session=festival_session, message=refusal.message
        ),
        status,
    )


@bp.app_context_processor
def _feedback_helpers() -> dict[str, Any]:
    def room_feedback_refusal(
        festival_session: FestivalSession, phase: str
    ) -> FeedbackRefused | None:
        """For `insights/_feedback.html` in the live room: why the signed-in reader gets no form."""
        return services.room_feedback_refused(
            db.session, festival_session, current_user.id, phase, context.now()
        )

    return {"room_feedback_refusal": room_feedback_refusal, "feedback_not_in_room": NOT_IN_ROOM}


@bp.get("/sessions/<slug>/feedback/results")
@require(HOST_OF_SESSION, "Only this session's hosts and the organisers see its feedback.")
def feedback_results(slug: str) -> str:
    festival_session = _session_or_404(slug)
    results = services.feedback_results(db.session, festival_session)
    chart = charts.bar_chart(
        "worth-distribution",
        "How worthwhile people found it",
        "Number of answers for each score from 5 (very much) to 1 (not at all).",
        [(f"Score {score}", count, "bar--brand") for score, count in results.distribution],
        unit=" answers",
        unit_one=" answer",
        empty="No feedback yet: the scores appear here once people answer the form.",
    )
    return render_template(
        "insights/results.html", session=festival_session, results=results, chart=chart
    )


# Dashboards ----------------------------------------------------------------------------


ORGANISERS_ONLY = "The insights dashboard is for organisers."
HOSTS_ONLY = "The host insights show the sessions you host; you host none."


@bp.get("/organiser/insights")
@require(ORGANISER, ORGANISERS_ONLY)
def dashboard() -> str:
    return _render_dashboard(host_view=False)


@bp.get("/organiser/insights/<table>.csv")
@require(ORGANISER, ORGANISERS_ONLY)
def dashboard_csv(table: str) -> Response:
    return _csv(table, host_id=None)


@bp.get("/host/insights")
@require(HOST, HOSTS_ONLY)
def host_dashboard() -> str:
    return _render_dashboard(host_view=True)


@bp.get("/host/insights/<table>.csv")
@require(HOST, HOSTS_ONLY)
def host_dashboard_csv(table: str) -> Response:
    return _csv(table, host_id=current_user.id)


def _load(host_id: int | None) -> tuple[Any, services.DashboardData, figures.Filters, list[date]]:
    """The festival's figures, filtered and with the sessions in the chosen sort: the page
    and every CSV read this, so a download comes in the order the page shows."""
    festival = current_festival(db.session)
    if festival is None:
        abort(404, description="No festival has been published yet.")
    data = services.dashboard_data(db.session, festival, context.now(), host_id=host_id)
    all_days = figures.days_of(data.figures)
    filters = figures.Filters.parse(request.args, [t.slug for t in festival.themes], all_days)
    if filters.active:
        slugs = figures.matching(data.figures, filters)
        data = services.DashboardData(
            figures=figures.refilter(data.figures, slugs),
            starts=data.starts,
            sessions=[s for s in data.sessions if s.slug in slugs],
        )
    ordered = figures.sort_sessions(
        data.figures.sessions, data.starts, filters.sort, filters.descending
    )
    data = dataclasses.replace(data, figures=dataclasses.replace(data.figures, sessions=ordered))
    return festival, data, filters, all_days


def _render_dashboard(*, host_view: bool) -> str:
    host_id = current_user.id if host_view else None
    festival, data, filters, all_days = _load(host_id)
    if host_view and not data.sessions and not filters.active:
        abort(403, description="The host insights show the sessions you host; you host none.")
    result = data.figures
    return render_template(
        "insights/dashboard.html",
        host_view=host_view,
        festival=festival,
        result=result,
        sessions=result.sessions,
        filters=filters,
        all_days=all_days,
        charts=_charts(result, festival.timezone),
        sort_groups=figures.SESSION_SORT_GROUPS,
        sort_labels=figures.SORT_LABELS,
        csv_endpoint="insights.host_dashboard_csv" if host_view else "insights.dashboard_csv",
        page_endpoint="insights.host_dashboard" if host_view else "insights.dashboard",
        tables=TABLES,
    )


def _charts(result: figures.Dashboard, timezone: str) -> list[charts.BarChart]:
    """The dashboard's charts: each says what it shows, in which unit, and what will appear."""

    def theme_class(slug: str) -> str:
        return f"bar--{slug}" if slug in ("method", "purpose", "learning") else "bar--brand"

    def minutes(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 60, 1)

    # Attendance is a figure only once a session has started: before, it is "not yet", not 0.
    started_days = {f.day.isoformat() for f in result.sessions if f.started and f.day}
    started_themes = {f.theme for f in result.sessions if f.started}

    return [
        charts.bar_chart(
            "attendance-by-day",
            "Attendance by day",
            "People who were in a session's live room during its slot, counted once per "
            f"session and added up for each festival day ({timezone}).",
            [
                (d.label, d.attended if d.key in started_days else None, "bar--brand")
                for d in result.days
            ],
            unit=" people",
            unit_one=" person",
            none_text="not yet",
            empty="No one has been in a live room yet. Each day's attendance appears here "
            "once that day's first session has started.",
        ),
        charts.bar_chart(
            "attendance-by-theme",
            "Attendance by theme",
            "People who were in a session's live room during its slot, counted once per "
            "session and added up for each theme.",
            [
                (t.label, t.attended if t.key in started_themes else None, theme_class(t.key))
                for t in result.themes
            ],
            unit=" people",
            unit_one=" person",
            none_text="not yet",
            empty="No one has been in a live room yet. Each theme's attendance appears here "
            "once its first session has started.",
        ),
        charts.bar_chart(
            "worth-by-theme",
            "Worth it, by theme",
            "Mean answer to “Was this session worth your time?”, from 1 (not at all) to "
            "5 (very much), for each theme.",
            [(t.label, t.worth_mean, theme_class(t.key)) for t in result.themes],
            unit=" of 5",
            scale_max=5,
            none_text="no answers yet",
            empty="No feedback yet. Each theme's mean appears here once people answer the "
            "one-minute feedback form, which opens when a session ends.",
        ),
        charts.bar_chart(
            "punctuality-by-day",
            "Late starts across the week",
            "Mean minutes from the scheduled start to the actual start (the host's first "
            "run-sheet move, or else their arrival in the live room), for each festival day; "
            "only sessions that have ended with a record count.",
            [(d.label, minutes(d.started_late_s_mean), "bar--warn") for d in result.days],
            unit=" min",
            none_text="no record yet",
            empty="No session has ended with a record of its start yet. Each day's mean "
            "appears here once its sessions have ended.",
            zero_is_data=True,
        ),
    ]


def _csv(table: str, host_id: int | None) -> Response:
    if table not in TABLES:
        abort(404, description=f"There is no table called “{table}”.")
    festival, data, _filters, _days = _load(host_id)
    if host_id is not None and not data.sessions:
        abort(403, description="The host insights show the sessions you host; you host none.")
    columns, rows = figures.table(data.figures, table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{festival.slug}-{table}.csv"'},
    )


def _cell(value: Any) -> str:
    """Plain text a spreadsheet will not run: formulas are defused, empty means no figure."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
