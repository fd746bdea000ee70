"""The live room page, the join-the-call redirect and the hosts' CSV export of questions."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import Conflict, Forbidden, HTTPException
from werkzeug.wrappers import Response as BaseResponse

from networkfest.authz import HOST_OF_SESSION, PARTICIPANT, is_organiser, is_verified, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.live import presence, services
from networkfest.live.rules import ask_invitation
from networkfest.polls import services as polls
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug
from networkfest.qa import rules as qa_rules
from networkfest.qa import services as qa
from networkfest.qa.rules import QuestionStatus
from networkfest.registration.services import registration_state
from networkfest.timing.presenters import countdown
from networkfest.timing.rules import Phase
from networkfest.timing.services import clock_state, session_phase

bp = Blueprint("live", __name__)

CALL_PHASES = (Phase.LOBBY, Phase.LIVE)
CALL_REFUSED = "The call is for people with a confirmed place in this session."


def _session_or_404(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404)
    return festival_session


def _refuse(error: type[HTTPException], message: str) -> NoReturn:
    """A 4xx whose page says exactly why (the error handler shows `networkfest_message`)."""
    exception = error(message)
    exception.networkfest_message = message  # type: ignore[attr-defined]
    raise exception


def _user() -> Any:
    return current_user if current_user.is_authenticated else None


@bp.get("/sessions/<slug>/live")
def room(slug: str) -> str:
    festival_session = _session_or_404(slug)
    instant = now()
    phase = session_phase(festival_session, instant)
    viewer = qa.viewer_for(db.session, festival_session, _user())
    questions = qa.snapshot(db.session, festival_session, viewer)
    if request.args.get("sort") == "newest":
        questions.sort(key=lambda q: (not q["pinned"], -q["created_at"], -q["id"]))
    user = _user()
    # The place matters only to someone who cannot ask: no query for the others.
    place = (
        registration_state(db.session, festival_session, user)
        if user is not None and not viewer.participant
        else {"status": "none"}
    )
    clock = clock_state(db.session, festival_session, instant)
    return render_template(
        "live/room.html",
        session=festival_session,
        slug=festival_session.slug,
        phase=phase,
        clock=clock,
        starts_in=countdown(clock["starts_at"] - clock["server_now"]),
        people_in_room=presence.people_in_room(
            db.session, festival_session.id, besides=user.id if user is not None else None
        ),
        invitation=ask_invitation(
            signed_in=user is not None,
            verified=is_verified(user),
            participant=viewer.participant,
            qa_mode=festival_session.qa_mode,
            phase=phase,
            cancelled=festival_session.cancelled,
            places_left=festival_session.places_left,
            place=None if place["status"] == "none" else place["status"],
        ),
        waitlist_position=place.get("position"),
        pending_count=sum(1 for q in questions if q["status"] == QuestionStatus.PENDING)
        if viewer.moderator
        else 0,
        is_host=viewer.moderator,
        viewer=viewer,
        questions=[q for q in questions if q["status"] in qa_rules.PUBLIC_STATUSES]
        + (
            []
            if viewer.moderator
            else [q for q in questions if q["status"] == QuestionStatus.PENDING]
        ),
        backstage=[
            q for q in questions if q["status"] in (QuestionStatus.PENDING, QuestionStatus.HIDDEN)
        ]
        if viewer.moderator
        else [],
        my_votes=set(qa.my_votes(db.session, festival_session, viewer.user_id)),
        can_call=viewer.participant and not festival_session.cancelled,
        call_open=phase in CALL_PHASES and not festival_session.cancelled,
        ask_refusal=qa_rules.ask_refusal(viewer, festival_session.qa_mode, phase),
        pending_label=qa_rules.pending_label(phase, viewer.moderator),
        sort=request.args.get("sort", "top"),
        max_length=qa_rules.MAX_QUESTION_LENGTH,
        polls=polls.session_polls(db.session, festival_session, viewer),
    )


@bp.post("/sessions/<slug>/call")
@require(PARTICIPANT, CALL_REFUSED)
def call(slug: str) -> BaseResponse:
    """Through to the video call: for people with a place, from the lobby until the end.

    A POST with the page's CSRF token: a click is counted as attendance, so no other site
    (an image tag, a link) can count one. It answers with a page that moves on to the video
    room rather than a redirect: browsers hold a form's redirects to the policy's
    `form-action 'self'`, and a video service's own redirects (to a region, to its sign-in)
    lead to hosts no policy could list."""
    festival_session = _session_or_404(slug)
    if festival_session.cancelled:
        _refuse(Forbidden, CALL_REFUSED)
    instant = now()
    if session_phase(festival_session, instant) not in CALL_PHASES:
        flash("The call opens with the lobby, shortly before the start, and closes at the end.")
        return redirect(url_for("live.room", slug=festival_session.slug), 303)
    target = services.record_call_click(db.session, festival_session, current_user.id, instant)
    response = make_response(
        render_template("live/call.html", session=festival_session, join_url=target)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sessions/<slug>/questions.csv")
@require(HOST_OF_SESSION, "Only this session's hosts and organisers can export its questions.")
def questions_csv(slug: str) -> BaseResponse:
    festival_session = _session_or_404(slug)
    if session_phase(festival_session, now()) != Phase.ENDED:
        _refuse(Conflict, "The questions can be exported once the session has ended.")
    body = qa.questions_csv(db.session, festival_session, organiser=is_organiser(current_user))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{festival_session.slug}-questions.csv"'
        },
    )
