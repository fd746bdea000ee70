"""Q&A units of work: ask, vote, moderate, and the questions a viewer may see.

Every write commits before the caller acknowledges or broadcasts it, so a restart loses
nothing and a reconnecting client gets the same state.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from networkfest import database, process_cache
from networkfest.accounts.models import User
from networkfest.audit import services as audit
from networkfest.authz import is_organiser
from networkfest.clock import to_epoch_ms
from networkfest.programme.models import FestivalSession
from networkfest.qa import rules
from networkfest.qa.models import Question, Vote
from networkfest.qa.rules import QaError, QuestionStatus, Viewer
from networkfest.registration.services import holds_confirmed_place
from networkfest.timing.services import phase_or_cancelled
from networkfest.types import DbSession


@dataclass(frozen=True)
class QuestionView:
    """A written question as the live room sends it, taken before the commit: afterwards
    every attribute would be read again, a round trip each, while the room waits."""

    id: int
    session_id: int
    author_id: int | None
    status: str
    revision: int
    full: dict[str, Any]
    redacted: dict[str, Any]


def view_of(question: Question, slug: str | None = None) -> QuestionView:
    """`slug` as `payload` takes it."""
    return QuestionView(
        id=question.id,
        session_id=question.session_id,
        author_id=question.author_id,
        status=question.status,
        revision=question.revision,
        full=payload(question, slug=slug),
        redacted=redacted(question, slug=slug),
    )


# The statements of every join and vote, built once: composing one and deriving its cache
# key cost more CPU than SQLite takes to run it.
_QUESTIONS = (
    select(Question)
    .where(Question.session_id == bindparam("session_id"))
    .options(selectinload(Question.author))
)
_MY_VOTES = (
    select(Vote.question_id)
    .join(Question, Question.id == Vote.question_id)
    .where(Question.session_id == bindparam("session_id"), Vote.user_id == bindparam("user_id"))
    .order_by(Vote.question_id)
)


def viewer_for(db: DbSession, festival_session: FestivalSession, user: User | None) -> Viewer:
    if user is None:
        return Viewer(user_id=None)
    return Viewer(
        user_id=user.id,
        confirmed=holds_confirmed_place(db, festival_session.id, user.id),
        host=festival_session.is_host(user),
        organiser=is_organiser(user),
    )


def looking(festival_session: FestivalSession, user: User | None) -> Viewer:
    """The person as what the room shows them depends on it: who they are and whether they
    moderate. Whether they hold a place decides what they may do, not what they see, so it
    is not read: a join (everyone's, at a session's start) needs no query for it."""
    if user is None:
        return Viewer(user_id=None)
    return Viewer(
        user_id=user.id, host=festival_session.is_host(user), organiser=is_organiser(user)
    )


def payload(
    question: Question, *, asked_by: bool = False, slug: str | None = None
) -> dict[str, Any]:
    """The `question` object of the live protocol; `asked_by` only ever for organisers.
    `slug` is the room's, when the caller holds it: a join's room is in no session
    (`programme.queries.room_to_read`), and its question's `session` would be read again."""
    data: dict[str, Any] = {
        "id": question.id,
        "session": question.session.slug if slug is None else slug,
        "text": question.text,
        "author": None if question.anonymous or question.author is None else question.author.name,
        "votes": question.votes,
        "status": question.status,
        "pinned": question.pinned,
        "created_at": to_epoch_ms(question.created_at),
    }
    if asked_by:
        data["asked_by"] = question.author.name if question.author is not None else None
    return data


def redacted(question: Question, *, slug: str | None = None) -> dict[str, Any]:
    """What a room without the right to see a hidden question gets: enough to remove it;
    `slug` as `payload` takes it."""
    return {
        "id": question.id,
        "session": question.session.slug if slug is None else slug,
        "text": None,
        "author": None,
        "votes": question.votes,
        "status": QuestionStatus.HIDDEN,
        "pinned": False,
        "created_at": to_epoch_ms(question.created_at),
    }


ASKED = "qa.asked"


def visible_questions(
    db: DbSession, festival_session: FestivalSession, viewer: Viewer
) -> list[Question]:
    """The session's questions this viewer may see, pinned first, then by votes, then oldest;
    no query in a room where no one has asked yet (`asked_in`)."""
    if not asked_in(db, festival_session):
        return []
    questions = db.scalars(_QUESTIONS, {"session_id": festival_session.id}).all()
    seen = [q for q in questions if rules.can_see(q.status, viewer, q.author_id)]
    return sorted(seen, key=lambda q: rules.top_order(q.pinned, q.votes, q.created_at, q.id))


def snapshot(db: DbSession, festival_session: FestivalSession, viewer: Viewer) -> list[dict]:
    return [
        payload(q, asked_by=viewer.organiser and q.anonymous, slug=festival_session.slug)
        for q in visible_questions(db, festival_session, viewer)
    ]


def asked_in(db: DbSession, festival_session: FestivalSession) -> bool:
    """Whether anyone has asked a question in the room, from this process's memory: at a
    session's start everyone joins a room with none, and then there is nothing to read,
    nor votes on it. Only a question asked or deleted changes it (`process_cache`), never
    a storm of votes."""
    return _asked(db, festival_session.id)


_asked = process_cache.any_row(ASKED, Question.session_id)


def my_votes(db: DbSession, festival_session: FestivalSession, user_id: int | None) -> list[int]:
    """The ids of the questions the person voted for; no query in a room with no question
    yet (as at a session's start, when everyone joins)."""
    if user_id is None or not asked_in(db, festival_session):
        return []
    return list(db.scalars(_MY_VOTES, {"session_id": festival_session.id, "user_id": user_id}))


# A person's questions in the rate window (`rules.check_rate`).
_RECENT = select(func.count(Question.id).label("recent")).where(
    Question.author_id == bindparam("author_id"),
    Question.created_at > bindparam("window_start", type_=Question.created_at.type),
)
_ASKED_COLUMNS = ["session_id", "author_id", "anonymous", "text", "status", "created_at"]
# PostgreSQL only (SQLite has no INSERT inside a WITH): the count and the new question in one
# statement, the question written only while the count is under `rules.RATE_LIMIT`; the
# count comes back either way, for `rules.check_rate` to refuse it in its words, and with it
# whether the room had a question before this one (`_count_and_insert`). The other columns
# take their defaults, as a new question's do.
_WINDOW = select(
    _RECENT.scalar_subquery().label("recent"),
    exists().where(Question.session_id == bindparam("session_id")).label("asked_before"),
).cte("window")
_NEW_QUESTION = (
    insert(cast(Table, Question.__table__))
    .from_select(
        [*_ASKED_COLUMNS, "updated_at"],
        select(
            *(bindparam(name, type_=Question.__table__.c[name].type) for name in _ASKED_COLUMNS),
            bindparam("created_at", type_=Question.created_at.type),
        )
        .select_from(_WINDOW)
        .where(_WINDOW.c.recent < bindparam("rate_limit")),
    )
    .returning(Question.id)
    .cte("new_question")
)
_COUNTED_AND_ASKED = select(
    _WINDOW.c.recent, _WINDOW.c.asked_before, _NEW_QUESTION.c.id
).select_from(_WINDOW.outerjoin(_NEW_QUESTION, true()))


def ask(
    db: DbSession,
    festival_session: FestivalSession,
    user: User | None,
    text: object,
    anonymous: bool,
    now: datetime,
) -> QuestionView:
    """A new question, the rules checked in their order. On PostgreSQL the rate count and
    the INSERT are one statement: each round trip waits for a turn of a hub that may be
    writing the last question to thousands of sockets, and the room waits for this one
    after it (docs/benchmarks.md, "The final figures on the Intel machine").

    `festival_session` may be this process's shared copy of the room
    (`programme.queries.room_to_read`), so the question is written by its session's id,
    never through the relationship, which would put the copy into `db`."""
    viewer = viewer_for(db, festival_session, user)
    rules.check_participant(viewer)
    status = rules.initial_status(festival_session.qa_mode)
    rules.check_live(phase_or_cancelled(festival_session, now))
    question = Question(
        session_id=festival_session.id,
        author=user,
        author_id=viewer.user_id,
        anonymous=anonymous,
        text=rules.clean_text(text),
        status=status,
        pinned=False,
        votes=0,
        revision=0,
        created_at=now,
        updated_at=now,
    )
    window = {"author_id": viewer.user_id, "window_start": rules.rate_window_start(now)}
    if database.on_postgresql(db):
        _count_and_insert(db, question, window)
    else:
        rules.check_rate(db.scalar(_RECENT, window) or 0)
        db.add(question)
        db.flush()
    view = view_of(question, festival_session.slug)
    db.commit()
    return view


def _count_and_insert(db: DbSession, question: Question, window: dict[str, Any]) -> None:
    """`ask`'s rate check and INSERT on PostgreSQL, one round trip; `question`, never added
    to the session, gets the new row's id.

    Only a room's first question changes whether it has one (`asked_in`), so only the first
    tells the processes to forget what they know: a later one would cost every ask a round
    trip to the message queue before its broadcast, and every process what it knows of every
    room. A process that read "none yet" before the first question was committed is told by
    the first one's commit, and keeps nothing it read for longer than `process_cache.UNTOLD_S`
    anyway."""
    written = {name: getattr(question, name) for name in _ASKED_COLUMNS}
    recent, asked_before, question_id = db.execute(
        _COUNTED_AND_ASKED, {**written, **window, "rate_limit": rules.RATE_LIMIT}
    ).one()
    rules.check_rate(recent)
    if not asked_before:
        process_cache.statement_wrote(db, Question, "insert")
    question.id = question_id


@dataclass(frozen=True)
class Ballot:
    """One person's vote (1) or its withdrawal (0) on a question read with its session
    (`find_questions`)."""

    question: Question
    user: User | None
    value: int


def vote(
    db: DbSession, question_id: int, user: User | None, value: int, now: datetime
) -> QuestionView:
    """One vote per person per question (the primary key); the count moves with the row."""
    outcome = cast_votes(db, [Ballot(_question(db, question_id), user, value)], now)[0]
    if isinstance(outcome, QaError):
        raise outcome
    return outcome


def cast_votes(
    db: DbSession, ballots: Sequence[Ballot], now: datetime
) -> list[QuestionView | QaError]:
    """Ballots that arrived together, written in one transaction (`group_commit`): for each
    one the question as it is after the commit, or the rule that refused it.

    Each count is raised or lowered by exactly the rows the ballots inserted or deleted, in
    an UPDATE that holds the question's row lock: concurrent groups queue on it and no vote
    is lost (a recount would read a snapshot taken before the others committed). A person's
    ballots on one question in one group come to their last one. On PostgreSQL the rows and
    the counts change in one statement, after the questions' locks are taken in id order
    (so two processes' groups never wait on each other round a loop), and the locks, the
    statement and the COMMIT go as one batch (`database.committed_together`). On SQLite, which
    holds its one write lock for the whole group, each row is written on its own and then
    each question's count moved once.
    """
    outcomes: list[QuestionView | QaError | None] = []
    last: dict[tuple[int, int], int] = {}
    for ballot in ballots:
        try:
            voter = _voter(db, ballot, now)
        except QaError as refused:
            outcomes.append(refused)
            continue
        last[(ballot.question.id, voter)] = ballot.value
        outcomes.append(None)
    questions = {ballot.question.id: ballot.question for ballot in ballots}
    if last and database.on_postgresql(db):
        _write_votes_together(db, last, questions, now)
    else:
        changes: dict[int, int] = {}
        for (question_id, voter), value in last.items():
            change = _write_vote(db, question_id, voter, value, now)
            changes[question_id] = changes.get(question_id, 0) + change
        for question_id, change in changes.items():
            _bump(db, questions[question_id], votes=Question.votes + change, updated_at=now)
    views = {question_id: view_of(questions[question_id]) for question_id, _ in last}
    answers = [
        outcome if outcome is not None else views[ballot.question.id]
        for outcome, ballot in zip(outcomes, ballots, strict=True)
    ]
    db.commit()
    return answers


def _voter(db: DbSession, ballot: Ballot, now: datetime) -> int:
    """Who may cast this ballot now, or the rule that refuses it."""
    rules.check_vote_value(ballot.value)
    question = ballot.question
    viewer = viewer_for(db, question.session, ballot.user)
    rules.check_participant(viewer)
    if not rules.can_see(question.status, viewer, question.author_id):
        raise QaError("not_found", "There is no such question.")
    rules.check_live(phase_or_cancelled(question.session, now))
    assert viewer.user_id is not None
    return viewer.user_id


def _write_votes_together(
    db: DbSession,
    votes: dict[tuple[int, int], int],
    questions: dict[int, Question],
    now: datetime,
) -> None:
    keys = list(votes)
    params = {
        "question_ids": [question_id for question_id, _ in keys],
        "user_ids": [voter for _, voter in keys],
        "values": list(votes.values()),
        "voted": sorted({question_id for question_id, _ in keys}),
        "now": now,
    }
    _locks, counts = database.committed_together(
        db, [(_LOCK_QUESTIONS, params), (_CAST_TOGETHER, params)]
    )
    for row in counts:
        _take_current(questions[row.id], row[1:])


def _write_vote(db: DbSession, question_id: int, voter: int, value: int, now: datetime) -> int:
    """One person's vote on SQLite, where the group's transaction has held the database's
    only write lock since it began: the row inserted unless it is there (a concurrent vote by
    the same person wrote it, as wanted) or deleted, in one statement; the rows that changed,
    by which the group then moves the question's count once (`cast_votes`)."""
    params = {"question_id": question_id, "user_id": voter}
    if value:
        cast = db.execute(_CAST_ON_SQLITE, {**params, "created_at": now}).first()
        return 0 if cast is None else 1
    removed = db.execute(_WITHDRAW_ON_SQLITE, params)
    return -removed.rowcount  # type: ignore[attr-defined]


_CAST_ON_SQLITE = sqlite.insert(Vote).on_conflict_do_nothing().returning(Vote.question_id)
_WITHDRAW_ON_SQLITE = delete(Vote).where(
    Vote.question_id == bindparam("question_id"), Vote.user_id == bindparam("user_id")
)


def _bump(db: DbSession, question: Question, **values: Any) -> None:
    """Change the row and raise its revision in one statement under its lock, and take back
    the row as it now is: another transaction may have changed it since it was read."""
    row = db.execute(
        update(Question)
        .where(Question.id == question.id)
        .values(revision=Question.revision + 1, **values)
        .returning(*_CURRENT)
        .execution_options(synchronize_session=False)
    ).one()
    _take_current(question, row)


def _take_current(question: Question, row: Any) -> None:
    """The question as a statement's RETURNING found it (`_CURRENT`), without a reload."""
    for column, value in zip(_CURRENT, row, strict=True):
        set_committed_value(question, column.key, value)
    if question.author_id is None:
        set_committed_value(question, "author", None)


# What a concurrent change can alter: moderation, votes, an author deleting their account.
_CURRENT = (
    Question.votes,
    Question.revision,
    Question.status,
    Question.pinned,
    Question.anonymous,
    Question.author_id,
)


# A group's votes on PostgreSQL (built once): the questions' row locks in id order, then
# every person's row inserted or deleted and each count moved by exactly the rows that
# changed, in one statement.
_VOTED = bindparam("voted", type_=ARRAY(Integer))
_LOCK_QUESTIONS = (
    select(Question.id).where(Question.id == any_(_VOTED)).order_by(Question.id).with_for_update()
)
_BALLOTS = database.integer_rows("question_id", "user_id", "value")
_INCOMING = select(_BALLOTS.c.question_id, _BALLOTS.c.user_id, _BALLOTS.c.value).cte("ballots")
_CAST_ROWS = (
    postgresql.insert(Vote)
    .from_select(
        ["question_id", "user_id", "created_at"],
        select(
            _INCOMING.c.question_id,
            _INCOMING.c.user_id,
            bindparam("now", type_=Vote.created_at.type),
        ).where(_INCOMING.c.value == 1),
    )
    .on_conflict_do_nothing()
    .returning(Vote.question_id)
    .cte("cast_votes")
)
_WITHDRAWN_ROWS = (
    delete(Vote)
    .where(
        Vote.question_id == _INCOMING.c.question_id,
        Vote.user_id == _INCOMING.c.user_id,
        _INCOMING.c.value == 0,
    )
    .returning(Vote.question_id)
    .cte("withdrawn_votes")
)
_MOVES = union_all(
    select(_CAST_ROWS.c.question_id, literal(1).label("n")),
    select(_WITHDRAWN_ROWS.c.question_id, literal(-1).label("n")),
).cte("moves")
_CAST_TOGETHER = (
    update(Question)
    .where(Question.id == any_(_VOTED))
    .values(
        votes=Question.votes
        + select(func.coalesce(func.sum(_MOVES.c.n), 0))
        .where(_MOVES.c.question_id == Question.id)
        .scalar_subquery(),
        revision=Question.revision + 1,
        updated_at=bindparam("now"),
    )
    .returning(Question.id, *_CURRENT)
)


def moderate(
    db: DbSession, question_id: int, user: User | None, action: str, now: datetime
) -> tuple[QuestionView, str]:
    """Apply a host's or organiser's action and audit it; returns the question and old status."""
    if action not in rules.MODERATION_ACTIONS:
        raise QaError("invalid", f"'action' must be one of: {', '.join(rules.MODERATION_ACTIONS)}.")
    question = _question(db, question_id)
    viewer = viewer_for(db, question.session, user)
    if viewer.user_id is None:
        raise QaError("unauthenticated", "Please sign in to moderate.")
    if not viewer.moderator:
        raise QaError("forbidden", "Only this session's hosts and organisers can moderate.")
    before = question.status
    question.status, question.pinned = rules.moderate(action, question.status, question.pinned)
    question.updated_at = now
    audit.record(
        db,
        actor_id=viewer.user_id,
        action=rules.MODERATION_AUDIT[action],
        target=str(question.id),
        now=now,
        detail={"session": question.session.slug, "from": before, "to": question.status},
    )
    db.flush()
    _bump(db, question)
    view = view_of(question)
    db.commit()
    return view, before


def questions_csv(db: DbSession, festival_session: FestivalSession, organiser: bool) -> str:
    """Every question of the session, for its hosts; organisers also see who asked anonymously."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["id", "created_at", "status", "pinned", "votes", "author", "text"]
    if organiser:
        header.insert(6, "asked_by")
    writer.writerow(header)
    questions = db.scalars(
        select(Question)
        .where(Question.session_id == festival_session.id)
        .options(selectinload(Question.author))
        .order_by(Question.created_at, Question.id)
    )
    for q in questions:
        data = payload(q)
        row = [
            q.id,
            q.created_at.isoformat(),
            q.status,
            "yes" if q.pinned else "no",
            q.votes,
            data["author"] or "",
            q.text,
        ]
        if organiser:
            row.insert(6, q.author.name if q.author is not None else "")
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def safe_cell(value: object) -> object:
    """Stop spreadsheets from running a cell someone typed as a formula (every CSV of what
    people typed in the room: questions, polls)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# What every event about a question reads with it: its author, session, festival and hosts,
# in the same round trip (a session has few hosts to repeat rows for). Built once, as the
# statement for a group of votes: composing them costs more than SQLite takes to run them.
_IN_SESSION = joinedload(Question.session)
_WITH_ROOM = (
    joinedload(Question.author),
    _IN_SESSION.joinedload(FestivalSession.festival),
    _IN_SESSION.joinedload(FestivalSession.hosts),
)
_QUESTIONS_WITH_ROOM = (
    select(Question)
    .where(Question.id.in_(bindparam("question_ids", expanding=True)))
    .options(*_WITH_ROOM)
)


def find_question(db: DbSession, question_id: int) -> Question | None:
    """The question with its room (`_WITH_ROOM`) in one round trip instead of five: a live
    event holds its pooled connection for each round trip it makes (`database.autocommit`)."""
    return db.get(Question, question_id, options=_WITH_ROOM)


def find_questions(db: DbSession, question_ids: Iterable[int]) -> dict[int, Question]:
    """`find_question` for a group of votes, in one round trip, by id."""
    found = db.scalars(_QUESTIONS_WITH_ROOM, {"question_ids": list(set(question_ids))}).unique()
    return {question.id: question for question in found}


def current_views(db: DbSession, question_ids: list[int]) -> list[QuestionView]:
    """Several questions as the live room sends them now, with their authors and sessions."""
    questions = db.scalars(
        select(Question)
        .where(Question.id.in_(question_ids))
        .options(joinedload(Question.author), joinedload(Question.session))
        .order_by(Question.id)
    )
    return [view_of(question) for question in questions]


def _question(db: DbSession, question_id: int) -> Question:
    question = find_question(db, question_id)
    if question is None:
        raise QaError("not_found", "There is no such question.")
    return question
