"""Commitments' units of work: record one from feedback, list a person's, edit the words,
answer how it went (on the page, through the API or a follow-up link), switch mails off.

`record_commitment` does not commit: the feedback records it in its own unit of work. Every
other function here is one unit of work and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from networkfest.accounts.models import User
from networkfest.commitments.links import FollowUpLink
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import (
    Answer,
    CommitmentRefused,
    follow_up_due_at,
    link_refusal,
)
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession

NOT_FOUND = "You have no commitment with that number."
# Ids are 32-bit integers in PostgreSQL; a larger number in a URL is simply not one of them.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class MyCommitment:
    """A commitment with its session (and festival, for the time zone) and when it is due."""

    commitment: Commitment
    session: FestivalSession
    follow_up_due: datetime | None

    @property
    def timezone(self) -> str:
        return self.session.festival.timezone


def record_commitment(
    db: DbSession, session_id: int, user_id: int, text: str, now: datetime
) -> Commitment | None:
    """Make the feedback's "what will you do differently?" the person's commitment; the
    caller commits.

    New words create it or replace its words (an answer already given stays). No words
    remove a commitment that has no answer yet; one that has an answer stays as it is, so
    what the person said about how it went is never lost by changing their feedback.
    """
    commitment = _find(db, session_id, user_id)
    if not text:
        if commitment is not None and commitment.answer is None:
            db.execute(
                delete(Commitment)
                .where(Commitment.id == commitment.id, Commitment.answer.is_(None))
                .execution_options(synchronize_session="fetch")
            )
            return None
        return commitment
    if commitment is None:
        try:
            with db.begin_nested():
                commitment = Commitment(
                    session_id=session_id,
                    user_id=user_id,
                    text=text,
                    made_at=now,
                    updated_at=now,
                    note="",
                )
                db.add(commitment)
            return commitment
        except IntegrityError:
            # Two tabs sent feedback at once: the other insert won, so this one replaces it.
            commitment = _find(db, session_id, user_id)
            assert commitment is not None
    if commitment.text != text:
        commitment.text = text
        commitment.updated_at = now
    return commitment


def my_commitments(db: DbSession, user_id: int) -> list[MyCommitment]:
    """The person's commitments, in the order of their sessions."""
    rows = db.execute(
        _with_session()
        .where(Commitment.user_id == user_id)
        .order_by(FestivalSession.starts_at, Commitment.id)
    ).all()
    return [_view(commitment, festival_session) for commitment, festival_session in rows]


def my_commitment(db: DbSession, commitment_id: int, user_id: int) -> MyCommitment:
    """One of the person's commitments; someone else's is as missing as one that never was."""
    if not 0 < commitment_id <= MAX_ID:
        raise CommitmentRefused("not_found", NOT_FOUND)
    row = db.execute(
        _with_session().where(Commitment.id == commitment_id, Commitment.user_id == user_id)
    ).first()
    if row is None:
        raise CommitmentRefused("not_found", NOT_FOUND)
    commitment, festival_session = row
    return _view(commitment, festival_session)


def edit_text(
    db: DbSession, commitment_id: int, user_id: int, text: str, now: datetime
) -> MyCommitment:
    """Change the words (already checked by `rules.clean_text`)."""
    mine = my_commitment(db, commitment_id, user_id)
    if mine.commitment.text != text:
        mine.commitment.text = text
        mine.commitment.updated_at = now
    db.commit()
    return mine


def answer_commitment(
    db: DbSession,
    commitment_id: int,
    user_id: int,
    answer: Answer,
    note: str,
    now: datetime,
) -> MyCommitment:
    """The owner says how it went; they may change the answer and note at any time."""
    mine = my_commitment(db, commitment_id, user_id)
    mine.commitment.answer = str(answer)
    mine.commitment.note = note
    mine.commitment.answered_at = now
    db.commit()
    return mine


@dataclass(frozen=True)
class LinkTarget:
    """What a follow-up link points at, and why it cannot be used (None when it can)."""

    commitment: Commitment | None
    session: FestivalSession | None
    refusal: CommitmentRefused | None


def link_target(
    db: DbSession, link: FollowUpLink, signed_in_id: int | None, now: datetime
) -> LinkTarget:
    """Read the link's commitment and judge the link; changes nothing (mail scanners GET)."""
    row = db.execute(_with_session().where(Commitment.id == link.commitment_id)).first()
    commitment, festival_session = (row[0], row[1]) if row is not None else (None, None)
    refusal = link_refusal(
        owner_id=commitment.user_id if commitment is not None else None,
        link_user_id=link.user_id,
        signed_in_id=signed_in_id,
        answered=commitment is not None and commitment.answer is not None,
        expires_at=link.expires_at,
        now=now,
    )
    return LinkTarget(commitment, festival_session, refusal)


def answer_through_link(
    db: DbSession,
    link: FollowUpLink,
    signed_in_id: int | None,
    answer: Answer,
    note: str,
    now: datetime,
) -> Commitment:
    """Answer through a follow-up link, once: one conditional update that only an unanswered
    commitment of the link's owner takes, so a second click or a racing tab is refused."""
    target = link_target(db, link, signed_in_id, now)
    if target.refusal is not None:
        db.rollback()
        raise target.refusal
    won = db.execute(
        update(Commitment)
        .where(
            Commitment.id == link.commitment_id,
            Commitment.user_id == link.user_id,
            Commitment.answer.is_(None),
        )
        .values(answer=str(answer), note=note, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise CommitmentRefused("used", "This link has been used already: your answer is saved.")
    db.commit()
    commitment = db.get(Commitment, link.commitment_id, populate_existing=True)
    assert commitment is not None
    return commitment


def follow_up_mails_on(db: DbSession, user_id: int) -> bool:
    return bool(db.scalar(select(User.follow_up_mails).where(User.id == user_id)))


def set_follow_up_mails(db: DbSession, user_id: int, on: bool) -> None:
    """The person's switch "E-mail me follow-ups"."""
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(follow_up_mails=on)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _find(db: DbSession, session_id: int, user_id: int) -> Commitment | None:
    return db.scalar(
        select(Commitment).where(Commitment.session_id == session_id, Commitment.user_id == user_id)
    )


def _with_session() -> Select[Commitment, FestivalSession]:
    return (
        select(Commitment, FestivalSession)
        .join(FestivalSession, FestivalSession.id == Commitment.session_id)
        .options(joinedload(FestivalSession.festival))
    )


def _view(commitment: Commitment, festival_session: FestivalSession) -> MyCommitment:
    due = follow_up_due_at(
        festival_session.ends_at,
        festival_session.festival.follow_up_weeks,
        cancelled=festival_session.cancelled,
    )
    return MyCommitment(commitment, festival_session, due)
