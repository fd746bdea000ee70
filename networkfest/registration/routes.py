"""Register, cancel and the personal agenda: thin handlers over `registration.services`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response

from networkfest import context, pagecache
from networkfest.accounts.links import personal_feed_url, personal_webcal_url
from networkfest.authz import SIGNED_IN, VERIFIED, require
from networkfest.errors import error_response
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug
from networkfest.programme.routes import page_session
from networkfest.registration import personal_agenda, rules, services
from networkfest.registration.rules import RegistrationStatus
from networkfest.timing.rules import Phase
from networkfest.timing.services import session_phase

bp = Blueprint("registration", __name__)


def _panel_part(slug: str) -> str:
    """A session page's register and cancel panel, for its reader (`registration_panel`)."""
    festival_session = page_session(slug)
    if festival_session is None:
        return ""
    return render_template("registration/_panel.html", session=festival_session)


@bp.record_once
def _add_panel_part(state: BlueprintSetupState) -> None:
    pagecache.add_part(state.app, "registration_panel", _panel_part)


JOINABLE_PHASES = (Phase.LOBBY, Phase.LIVE)


def _session_page(festival_session: FestivalSession) -> str:
    return url_for("programme.session_page", slug=festival_session.slug)


def _session_or_404(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404)
    return festival_session


@bp.app_context_processor
def _registration_helpers() -> dict[str, Any]:
    def registration_state_for(festival_session: FestivalSession) -> dict[str, Any] | None:
        """The signed-in person's state in a session, or None for visitors."""
        if not current_user.is_authenticated:
            return None
        return services.registration_state(db.session, festival_session, current_user)

    return {
        "registration_state_for": registration_state_for,
        "registration_open": lambda s: (
            rules.registration_refusal(s.status, s.ends_at, context.now()) is None
        ),
        "cancellation_open": lambda s: rules.cancellation_refusal(s.ends_at, context.now()) is None,
    }


@bp.post("/sessions/<slug>/register")
@require(VERIFIED)
def register(slug: str) -> Response | tuple[Any, int] | str:
    festival_session = _session_or_404(slug)
    now = context.now()
    state = services.registration_state(db.session, festival_session, current_user)
    if state["status"] not in rules.ACTIVE_STATUSES and request.form.get("confirm_clash") != "1":
        clashes = personal_agenda.clashes_for(db.session, festival_session, current_user)
        if (
            clashes
            and rules.registration_refusal(festival_session.status, festival_session.ends_at, now)
            is None
        ):
            return render_template(
                "registration/confirm_clash.html",
                session=festival_session,
                clashes=clashes,
                session_url=_back_to(festival_session),
                back_to_room=_from_room(),
            )
    try:
        result = services.register(db.session, festival_session, current_user, now)
    except services.RegistrationRefused as refused:
        return error_response(409, refused.message, refused.code)
    if result.status == RegistrationStatus.CONFIRMED:
        message = "You have a place." if result.created else "You already have a place."
        flash(f"{message} “{festival_session.title}” is in your agenda.", "success")
    else:
        flash(
            f"“{festival_session.title}” is full. You are number {result.position} on the "
            "waitlist; we will tell you if a place comes free.",
            "info",
        )
    return redirect(_back_to(festival_session), 303)


def _from_room() -> bool:
    """Registered from the live room ("Register to ask"): a fixed token, never a URL, so the
    form cannot send anyone elsewhere."""
    return request.form.get("next") == "room"


def _back_to(festival_session: FestivalSession) -> str:
    """Back where the person registered: the live room they asked from, else the session page."""
    if _from_room():
        return url_for("live.room", slug=festival_session.slug)
    return _session_page(festival_session)


@bp.post("/sessions/<slug>/cancel")
@require(SIGNED_IN)
def cancel(slug: str) -> Response | tuple[Response, int]:
    festival_session = _session_or_404(slug)
    registration = services.find_registration(db.session, festival_session, current_user)
    try:
        cancelled = registration is not None and services.cancel_registration(
            db.session, registration, context.now()
        )
    except services.CancellationRefused as refused:
        return error_response(409, refused.message, refused.code)
    if not cancelled:
        flash("You had no place in this session, so there was nothing to cancel.", "warning")
    else:
        flash(f"Your registration for “{festival_session.title}” is cancelled.", "success")
    return redirect(_session_page(festival_session), 303)


@bp.route("/me/agenda")
@require(SIGNED_IN)
def agenda() -> str:
    now = context.now()
    days = personal_agenda.my_agenda(db.session, current_user, hosting=True)
    joinable = {
        entry.session.id
        for day in days
        for entry in day.entries
        if not entry.session.cancelled and session_phase(entry.session, now) in JOINABLE_PHASES
    }
    return render_template(
        "registration/agenda.html",
        days=days,
        joinable=joinable,
        feed_url=personal_feed_url(current_user),
        webcal_url=personal_webcal_url(current_user),
    )
