"""Feedback and the dashboard's data: one unit of work each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from networkfest.accounts.models import User
from networkfest.commitments.figures import follow_through
from networkfest.commitments.services import record_commitment
from networkfest.formatting import day_label, in_zone
from networkfest.insights import figures
from networkfest.insights.models import Feedback
from networkfest.insights.rules import (
    FeedbackAnswer,
    FeedbackRefused,
    feedback_refusal,
)
from networkfest.live.models import Presence
from networkfest.live.presence import was_in_room
from networkfest.peers.services import set_consent
from networkfest.polls.services import turnout
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.qa.models import Question
from networkfest.registration.models import Registration
from networkfest.timing.rules import Phase
from networkfest.timing.services import punctuality_report, session_phase
from networkfest.types import DbSession

# Feedback ------------------------------------------------------------------------------


def my_feedback(db: DbSession, session_id: int, user_id: int) -> Feedback | None:
    return db.scalar(
        select(Feedback).where(Feedback.session_id == session_id, Feedback.user_id == user_id)
    )


def feedback_refused(
    db: DbSession, festival_session: FestivalSession, user_id: int, now: datetime
) -> FeedbackRefused | None:
    """Why this person may not answer now, or None; the form and the socket both ask this."""
    return feedback_refusal(
        phase=session_phase(festival_session, now),
        cancelled=festival_session.cancelled,
        attended=was_in_room(db, festival_session, user_id),
        ends_at=festival_session.ends_at,
        now=now,
    )


def room_feedback_refused(
    db: DbSession, festival_session: FestivalSession, user_id: int, phase: str, now: datetime
) -> FeedbackRefused | None:
    """Why the live room, in `phase`, offers this person no form, or None.

    From the end, whatever the form's POST would refuse, so the room never offers a form the
    server turns down. Before it, only a cancellation: the window cannot have closed yet, and
    whether they were in the room is up to the open page (static/js/feedback.js shows the form
    at the end only if the page was in the room while the session was live)."""
    if phase != Phase.ENDED and not festival_session.cancelled:
        return None
    return feedback_refused(db, festival_session, user_id, now)


def submit_feedback(
    db: DbSession,
    festival_session: FestivalSession,
    user_id: int,
    answer: FeedbackAnswer,
    now: datetime,
) -> Feedback:
    """Record or replace the person's one answer; raises FeedbackRefused when not allowed.

    In the same unit of work, "what will you do differently?" becomes (or stops being) the
    person's commitment and their choice to stay in touch is recorded."""
    refusal = feedback_refused(db, festival_session, user_id, now)
    if refusal is not None:
        raise refusal
    feedback = my_feedback(db, festival_session.id, user_id)
    if feedback is None:
        try:
            with db.begin_nested():
                feedback = Feedback(
                    session_id=festival_session.id,
                    user_id=user_id,
                    worth=answer.worth,
                    different=answer.different,
                    follow_up=answer.follow_up,
                    created_at=now,
                    updated_at=now,
                )
                db.add(feedback)
        except IntegrityError:
            # Two tabs sent it at once: the other insert won, so this one replaces it.
            feedback = my_feedback(db, festival_session.id, user_id)
            assert feedback is not None
    feedback.worth = answer.worth
    feedback.different = answer.different
    feedback.follow_up = answer.follow_up
    feedback.updated_at = now
    record_commitment(db, festival_session.id, user_id, answer.different, now)
    set_consent(db, festival_session.id, user_id, answer.stay_in_touch, now)
    db.commit()
    return feedback


@dataclass(frozen=True)
class FeedbackResults:
    """What a host sees: counts and the answers' text, never who gave them."""

    count: int
    worth_mean: float | None
    distribution: list[tuple[int, int]]
    follow_up_yes: int
    follow_up_no: int
    different: list[str]


def feedback_results(db: DbSession, festival_session: FestivalSession) -> FeedbackResults:
    rows = list(
        db.execute(
            select(Feedback.worth, Feedback.different, Feedback.follow_up).where(
                Feedback.session_id == festival_session.id
            )
        )
    )
    worth = Counter(row.worth for row in rows)
    yes = sum(1 for row in rows if row.follow_up)
    return FeedbackResults(
        count=len(rows),
        worth_mean=figures.mean(sum(row.worth for row in rows), len(rows)),
        distribution=[(score, worth[score]) for score in (5, 4, 3, 2, 1)],
        follow_up_yes=yes,
        follow_up_no=len(rows) - yes,
        # Sorted by the text itself, so neither order nor time points at a person.
        different=sorted((row.different for row in rows if row.different), key=str.casefold),
    )


# Dashboard -----------------------------------------------------------------------------


@dataclass
class DashboardData:
    figures: figures.Dashboard
    starts: dict[str, datetime]
    sessions: list[FestivalSession]


def dashboard_data(
    db: DbSession, festival: Festival, now: datetime, host_id: int | None = None
) -> DashboardData:
    """Load the rows for every session that was not cancelled (only the host's own when
    `host_id` is given) and compute the dashboard from them: counts of commitments and of
    poll answers only, never who said or chose what."""
    query = (
        select(FestivalSession)
        .where(
            FestivalSession.festival_id == festival.id,
            FestivalSession.status != SessionStatus.CANCELLED,
        )
        .options(
            selectinload(FestivalSession.theme),
            selectinload(FestivalSession.agenda_items),
            selectinload(FestivalSession.hosts),
        )
        .order_by(FestivalSession.starts_at, FestivalSession.slug)
    )
    if host_id is not None:
        query = query.where(FestivalSession.hosts.any(User.id == host_id))
    sessions = list(db.scalars(query))
    ids = [s.id for s in sessions]
    rows = [
        figures.SessionRow(
            id=s.id,
            slug=s.slug,
            title=s.title,
            theme=s.theme.slug,
            theme_name=s.theme.name,
            day=in_zone(s.starts_at, festival.timezone).date(),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
        )
        for s in sessions
    ]
    registrations = [
        figures.RegistrationRow(r.session_id, r.user_id, r.status)
        for r in db.execute(
            select(Registration.session_id, Registration.user_id, Registration.status).where(
                Registration.session_id.in_(ids)
            )
        )
    ]
    presences = [
        figures.PresenceRow(p.session_id, p.user_id, p.joined_at, p.left_at)
        for p in db.scalars(select(Presence).where(Presence.session_id.in_(ids)))
    ]
    questions = [
        figures.QuestionRow(q.session_id, q.status)
        for q in db.execute(
            select(Question.session_id, Question.status).where(Question.session_id.in_(ids))
        )
    ]
    feedback = [
        figures.FeedbackRow(f.session_id, f.worth, f.different, f.follow_up)
        for f in db.execute(
            select(
                Feedback.session_id, Feedback.worth, Feedback.different, Feedback.follow_up
            ).where(Feedback.session_id.in_(ids))
        )
    ]
    # The timing slice's record: figures only for a session that ended with evidence.
    punctuality = {
        row.session.id: figures.PunctualityFigures(
            row.started_late_s, row.overran_items, row.ended_on_time, row.verdict
        )
        for row in punctuality_report(db, festival, now)
    }
    polls = [
        figures.PollRow(t.session_id, t.poll_id, t.question, t.status, t.answered)
        for t in turnout(db, ids)
    ]
    result = figures.dashboard(
        rows,
        registrations,
        presences,
        questions,
        feedback,
        punctuality,
        themes=[(t.slug, t.name) for t in festival.themes],
        now=now,
        day_label=day_label,
        follow_through=follow_through(db, ids),
        polls=polls,
    )
    return DashboardData(
        figures=result, starts={s.slug: s.starts_at for s in sessions}, sessions=sessions
    )
