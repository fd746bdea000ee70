"""The hosts' outcomes form, and the template helpers that show outcomes on other slices' pages.

The form lives in the live room's backstage panel (`templates/outcomes/_backstage.html`,
included by `live/room.html`): a plain HTML post that works without JavaScript, back to the
room with a flash once saved. What it carries is checked again by the rules; a problem comes
back as a 4xx page that keeps what the host typed. The session page, the agenda and the front
page ask the helpers below (guarded by `is defined`), so programme, registration and
festival_day never import this slice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from networkfest import context, jobs
from networkfest.authz import HOST_OF_SESSION, require
from networkfest.extensions import db
from networkfest.outcomes import services
from networkfest.outcomes.forms import OutcomesForm
from networkfest.outcomes.models import Outcome
from networkfest.outcomes.rules import (
    MAX_LINKS,
    MAX_SUMMARY_LENGTH,
    REFUSAL_MESSAGES,
    OutcomesInvalid,
    Refusal,
)
from networkfest.programme.markdown import render as render_markdown
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.published import PublishedProgramme, PublishedSession
from networkfest.programme.queries import session_by_slug
from networkfest.programme.routes import add_session_page_part

bp = Blueprint("outcomes", __name__)

REFUSAL_STATUS = {"forbidden": 403}
SAVED = (
    "The outcomes are saved: they show on the session's page and in the agenda of everyone "
    "registered. Everyone who was in the room gets one mail about them after the end."
)


@dataclass(frozen=True)
class OutcomeView:
    """Outcomes as pages show them: the summary rendered and sanitised, the links as kept."""

    summary_html: Markup
    links: list[dict[str, str]]
    updated_at: datetime


def view_of(outcome: Outcome) -> OutcomeView:
    return OutcomeView(
        summary_html=render_markdown(outcome.summary) if outcome.summary else Markup(""),
        links=[{"title": link["title"], "url": link["url"]} for link in outcome.links],
        updated_at=outcome.updated_at,
    )


def _cached_outcome(festival_session: FestivalSession) -> OutcomeView | None:
    """A session's outcomes for a page: only those of sessions that have any are loaded (an
    agenda asks for each of its sessions), each once per request."""
    if festival_session.id not in services.outcomes_written(db.session):
        return None
    cache: dict[int, OutcomeView | None] = g.setdefault("outcomes_by_session", {})
    if festival_session.id not in cache:
        outcome = services.outcome_of(db.session, festival_session.id)
        cache[festival_session.id] = None if outcome is None else view_of(outcome)
    return cache[festival_session.id]


def festival_outcomes(festival: Festival) -> list[tuple[FestivalSession, OutcomeView]]:
    """Every session of the festival with outcomes, in start order (the front page after it)."""
    rows = db.session.execute(
        select(FestivalSession, Outcome)
        .join(Outcome, Outcome.session_id == FestivalSession.id)
        .where(FestivalSession.festival_id == festival.id)
        .order_by(FestivalSession.starts_at, FestivalSession.id)
    )
    return [(festival_session, view_of(outcome)) for festival_session, outcome in rows]


def _form_for(outcome: Outcome | None) -> OutcomesForm:
    form = OutcomesForm(formdata=None)
    form.summary.data = outcome.summary if outcome is not None else ""
    form.fill_rows(list(outcome.links) if outcome is not None else [])
    return form


def backstage_panel(festival_session: FestivalSession) -> dict[str, Any]:
    """What the hosts' panel in the live room needs: the form, filled with the outcomes so
    far, and whether the window is open (with when it opens and closes)."""
    outcome = services.outcome_of(db.session, festival_session.id)
    state = services.window_of(db.session, festival_session, context.now())
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return {
        "may_write": services.may_write(festival_session, user),
        "form": _form_for(outcome),
        "outcome": None if outcome is None else view_of(outcome),
        "open": state.open,
        "refusal": None if state.refusal is None else REFUSAL_MESSAGES[state.refusal],
        "not_yet": state.refusal == Refusal.NOT_YET,
        "opens_at": state.window.opens_at,
        "closes_at": state.window.closes_at,
        "last_item": festival_session.agenda_items[-1].title
        if festival_session.agenda_items
        else None,
    }


def _outcomes_part(programme: PublishedProgramme, published: PublishedSession) -> str:
    """The session page kept for visitors changes when its outcomes do."""
    written = services.outcomes_written(db.session).get(published.id)
    return "" if written is None else written.isoformat()


@bp.record_once
def _add_to_the_session_page(state: BlueprintSetupState) -> None:
    add_session_page_part(state.app, _outcomes_part)


@bp.app_context_processor
def _outcomes_helpers() -> dict[str, Any]:
    return {
        "outcome_for": _cached_outcome,
        "festival_outcomes": festival_outcomes,
        "outcomes_backstage": backstage_panel,
        "outcomes_limits": {"links": MAX_LINKS, "summary": MAX_SUMMARY_LENGTH},
    }


def _session_or_404(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404, description="There is no session at this address.")
    return festival_session


@bp.post("/sessions/<slug>/outcomes")
@require(HOST_OF_SESSION, services.FORBIDDEN)
def save(slug: str) -> Response | tuple[str, int]:
    """Save the outcomes and go back to the room; a problem keeps the text on a 4xx page."""
    festival_session = _session_or_404(slug)
    # The CSRF token is checked before any view runs; the fields are the rules' to judge.
    form = OutcomesForm()
    try:
        services.save(
            db.session,
            festival_session,
            current_user._get_current_object(),
            form.summary.data,
            form.link_rows(),
            context.now(),
        )
    except services.OutcomesRefused as refused:
        db.session.rollback()
        return _form_page(festival_session, form, [refused.message], refused.code)
    except OutcomesInvalid as invalid:
        db.session.rollback()
        return _form_page(festival_session, form, invalid.problems, "invalid")
    # Written after the end, the mail is due now: run the jobs rather than wait for them.
    jobs.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    flash(SAVED, "success")
    return redirect(url_for("live.room", slug=festival_session.slug, _anchor="outcomes-title"), 303)


def _form_page(
    festival_session: FestivalSession, form: OutcomesForm, problems: list[str], code: str
) -> tuple[str, int]:
    """The form again with what the host typed and every problem: nothing typed is lost."""
    form.fill_rows(form.link_rows())
    status = REFUSAL_STATUS.get(code, 400 if code == "invalid" else 409)
    return (
        render_template(
            "outcomes/form_page.html",
            session=festival_session,
            form=form,
            problems=problems,
            can_retry=code == "invalid",
        ),
        status,
    )
