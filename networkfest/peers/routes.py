"""`/sessions/<slug>/peers`: the people from a session who chose to stay in touch, shown to
those of them only; choosing and withdrawing; the session page's link to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from networkfest import context, pagecache
from networkfest.authz import SIGNED_IN, require
from networkfest.extensions import db
from networkfest.peers import rules, services
from networkfest.peers.forms import SHARE, ChoiceForm
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug
from networkfest.programme.routes import page_session
from networkfest.timing.rules import Phase
from networkfest.timing.services import session_phase

bp = Blueprint("peers", __name__)

# Personal details: never kept by a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "private, no-store"}


def _session_or_404(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404)
    return festival_session


def _page(template: str, status: int = 200, **values: Any) -> Response:
    return Response(
        render_template(template, **values), status=status, mimetype="text/html", headers=NO_STORE
    )


def _not_yours(festival_session: FestivalSession, refusal: str | None) -> Response:
    """A 403 that says who can see the list, and why this person cannot choose."""
    return _page(
        "peers/not_yours.html",
        403,
        session=festival_session,
        reason=refusal,
        who_sees=rules.WHO_SEES,
    )


@bp.get("/sessions/<slug>/peers")
@require(SIGNED_IN)
def peers(slug: str) -> Response:
    festival_session = _session_or_404(slug)
    user = current_user._get_current_object()
    now = context.now()
    refusal = services.choice_refused(db.session, festival_session, user, now)
    chose = services.has_consent(db.session, festival_session.id, user.id)
    person = rules.access(chose=chose, refusal=refusal)
    if person is rules.Access.NONE:
        return _not_yours(festival_session, refusal)
    listed = (
        services.peers_for(db.session, festival_session.id, user.id)
        if person is rules.Access.SEES
        else None
    )
    return _page(
        "peers/peers.html",
        session=festival_session,
        chose=chose,
        peers=listed,
        form=ChoiceForm(),
        who_sees=rules.WHO_SEES,
    )


@bp.post("/sessions/<slug>/peers")
@require(SIGNED_IN)
def choose(slug: str) -> BaseResponse:
    """Choose to stay in touch, or stop sharing: checked again here, whatever the page showed."""
    festival_session = _session_or_404(slug)
    user = current_user._get_current_object()
    now = context.now()
    person = services.access_for(db.session, festival_session, user, now)
    if not rules.may_change_choice(person):
        return _not_yours(
            festival_session, services.choice_refused(db.session, festival_session, user, now)
        )
    form = ChoiceForm()
    if not form.validate_on_submit():
        abort(400)
    if form.choice.data == SHARE:
        try:
            services.choose(db.session, festival_session, user, now)
        except services.PeerRefused as refused:
            db.session.rollback()
            return _not_yours(festival_session, refused.message)
        flash(
            "You are sharing your name, organisation and e-mail with the others from this "
            "session who chose it too.",
            "success",
        )
    else:
        services.withdraw(db.session, festival_session.id, user.id, now)
        flash(
            "You have stopped sharing: nobody from this session sees your details now.",
            "success",
        )
    return redirect(url_for("peers.peers", slug=festival_session.slug), 303)


@bp.app_context_processor
def _peers_helpers() -> dict[str, Any]:
    def peers_link(festival_session: FestivalSession) -> str | None:
        """The peers page's address for a signed-in person it has something for (after the
        end: the list, or the choice); None for everyone else."""
        if not current_user.is_authenticated or festival_session.cancelled:
            return None
        now = context.now()
        if session_phase(festival_session, now) != Phase.ENDED:
            return None
        person = services.access_for(db.session, festival_session, current_user, now)
        if person is rules.Access.NONE:
            return None
        return url_for("peers.peers", slug=festival_session.slug)

    return {"peers_link": peers_link}


def _peers_link_part(slug: str) -> str:
    """A session page's way to its peers page, for the reader it has something for."""
    festival_session = page_session(slug)
    if festival_session is None or not current_user.is_authenticated:
        return ""
    return render_template("peers/_session_link.html", session=festival_session)


@bp.record_once
def _add_peers_link_part(state: BlueprintSetupState) -> None:
    pagecache.add_part(state.app, "peers_link", _peers_link_part)
