"""Poll units of work: prepare from the programme, open, answer, close, and what a viewer sees.

Every change to a poll is one conditional UPDATE of its row that raises its revision, so two
hosts, a storm of answers and the hard stop queue on the row's lock and none is lost: an
answer whose UPDATE finds the poll no longer open is refused and written nowhere. Counts are
read after that lock is taken, so a later revision never carries fewer answers. Every write
commits before the caller acknowledges or broadcasts it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    any_,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from networkfest import database, process_cache
from networkfest.accounts.models import User
from networkfest.polls import rules
from networkfest.polls.models import Poll, PollChoice
from networkfest.polls.rules import PollError, PollStatus
from networkfest.programme.models import FestivalSession
from networkfest.programme.rules import PollSpec
from networkfest.qa.rules import Viewer
from networkfest.qa.services import safe_cell, viewer_for
from networkfest.timing.services import phase_or_cancelled
from networkfest.types import DbSession, UTCDateTime

ANOTHER_OPEN = "Another poll is open in this room: close it first."


@dataclass(frozen=True)
class PollView:
    """A poll as the live room sends it, taken before the commit: `full` with the counts,
    `public` as people without the hosts' view may see it now (votes null while hidden)."""

    id: int
    session_id: int
    status: str
    results: str
    revision: int
    full: dict[str, Any]
    public: dict[str, Any]


Counts = tuple[dict[int, int], int]
"""(votes per option id, people who answered)."""


def view_of(poll: Poll, slug: str, counts: Counts) -> PollView:
    return PollView(
        id=poll.id,
        session_id=poll.session_id,
        status=poll.status,
        results=poll.results,
        revision=poll.revision,
        full=payload(poll, slug, counts, visible=True),
        public=payload(
            poll, slug, counts, visible=rules.counts_visible(poll.results, poll.status, False)
        ),
    )


def payload(poll: Poll, slug: str, counts: Counts, *, visible: bool) -> dict[str, Any]:
    """The `poll` object of the live protocol; option ids are 1 to the number of options."""
    votes, total = counts
    return {
        "id": poll.id,
        "session": slug,
        "question": poll.question,
        "options": [
            {"id": number, "text": text, "votes": votes.get(number, 0) if visible else None}
            for number, text in enumerate(poll.options, start=1)
        ],
        "multiple": poll.multiple,
        "results": poll.results,
        "status": poll.status,
        "total": total,
    }


def _counts(db: DbSession, poll_ids: list[int]) -> dict[int, Counts]:
    """Votes per option and people who answered, for several polls in two queries."""
    votes: dict[int, dict[int, int]] = defaultdict(dict)
    totals: dict[int, int] = {}
    if poll_ids:
        for poll_id, option, number in db.execute(
            select(PollChoice.poll_id, PollChoice.option, func.count())
            .where(PollChoice.poll_id.in_(poll_ids))
            .group_by(PollChoice.poll_id, PollChoice.option)
        ):
            votes[poll_id][option] = number
        for poll_id, number in db.execute(
            select(PollChoice.poll_id, func.count(distinct(PollChoice.user_id)))
            .where(PollChoice.poll_id.in_(poll_ids))
            .group_by(PollChoice.poll_id)
        ):
            totals[poll_id] = number
    return {poll_id: (votes[poll_id], totals.get(poll_id, 0)) for poll_id in poll_ids}


# The statements of every answer, built once: composing one and deriving its cache key cost
# more CPU than SQLite takes to run it, and a storm of answers is all these.
_CLAIM_OPEN = (
    update(Poll)
    .where(Poll.id == bindparam("poll_id"), Poll.status == PollStatus.OPEN)
    .values(revision=Poll.revision + 1)
    .returning(Poll.revision)
    .execution_options(synchronize_session=False)
)
_FORMER_ANSWER = delete(PollChoice).where(
    PollChoice.poll_id == bindparam("poll_id"), PollChoice.user_id == bindparam("user_id")
)
_ADD_CHOICE = insert(PollChoice)
_OPTION_COUNTS = (
    select(PollChoice.option, func.count())
    .where(PollChoice.poll_id == bindparam("poll_id"))
    .group_by(PollChoice.option)
)
_PEOPLE = select(func.count(distinct(PollChoice.user_id))).where(
    PollChoice.poll_id == bindparam("poll_id")
)


# A group of answers on PostgreSQL (built once): the polls' row locks in id order, then one
# statement that claims each poll still open (revision raised), removes the options each
# person no longer chooses and adds the ones they now choose; then each poll's counts, read
# under those locks. Nothing changes in a poll that is not open (no revision comes back for
# it). Removing only what is no longer chosen means no row is removed and added again within
# the statement, which sees one snapshot.
_ANSWERED = bindparam("answered", type_=ARRAY(Integer))
_LOCK_POLLS = select(Poll.id).where(Poll.id == any_(_ANSWERED)).order_by(Poll.id).with_for_update()
_CLAIMED = (
    update(Poll)
    .where(Poll.id == any_(_ANSWERED), Poll.status == PollStatus.OPEN)
    .values(revision=Poll.revision + 1)
    .returning(Poll.id, Poll.revision)
    .cte("claimed")
)
_PICK_ROWS = database.integer_rows("poll_id", "user_id", "option")
_PICKS = select(_PICK_ROWS.c.poll_id, _PICK_ROWS.c.user_id, _PICK_ROWS.c.option).cte("picks")
_ADDED = postgresql.insert(PollChoice).from_select(
    ["poll_id", "user_id", "option", "answered_at"],
    select(
        _PICKS.c.poll_id,
        _PICKS.c.user_id,
        _PICKS.c.option,
        bindparam("now", type_=UTCDateTime()),
    ).join(_CLAIMED, _CLAIMED.c.id == _PICKS.c.poll_id),
)
_ANSWER_TOGETHER = (
    select(_CLAIMED.c.id, _CLAIMED.c.revision)
    .add_cte(
        delete(PollChoice)
        .where(
            PollChoice.poll_id.in_(select(_CLAIMED.c.id)),
            tuple_(PollChoice.poll_id, PollChoice.user_id).in_(
                select(_PICKS.c.poll_id, _PICKS.c.user_id)
            ),
            tuple_(PollChoice.poll_id, PollChoice.user_id, PollChoice.option).not_in(
                select(_PICKS.c.poll_id, _PICKS.c.user_id, _PICKS.c.option)
            ),
        )
        .cte("dropped")
    )
    .add_cte(
        _ADDED.on_conflict_do_update(
            index_elements=["poll_id", "user_id", "option"],
            set_={"answered_at": _ADDED.excluded.answered_at},
        ).cte("added")
    )
)
_OPTION_COUNTS_AMONG = (
    select(PollChoice.poll_id, PollChoice.option, func.count())
    .where(PollChoice.poll_id == any_(_ANSWERED))
    .group_by(PollChoice.poll_id, PollChoice.option)
)
_PEOPLE_AMONG = (
    select(PollChoice.poll_id, func.count(distinct(PollChoice.user_id)))
    .where(PollChoice.poll_id == any_(_ANSWERED))
    .group_by(PollChoice.poll_id)
)


def _answer_counts(db: DbSession, poll: Poll) -> Counts:
    """One poll's counts as `_counts` gives them, in one query for a single-choice poll (one
    row per person who answered, so the people are the sum of the votes)."""
    votes = {option: number for option, number in db.execute(_OPTION_COUNTS, {"poll_id": poll.id})}
    if not poll.multiple:
        return votes, sum(votes.values())
    return votes, db.scalar(_PEOPLE, {"poll_id": poll.id}) or 0


def _view(db: DbSession, poll: Poll) -> PollView:
    return view_of(poll, poll.session.slug, _counts(db, [poll.id])[poll.id])


# -- preparing from the programme ------------------------------------------------------------


def sync_prepared(db: DbSession, festival_id: int, now: datetime) -> list[int]:
    """Keep each session's `ready` polls in step with the polls its schedule file prepares.

    A prepared poll keeps its id while it waits. One already opened is history: it stays as
    it ran, and if the file then changes it, the new wording becomes a new prepared poll.
    Returns the ids of the sessions whose polls changed.
    """
    sessions = db.scalars(
        select(FestivalSession).where(FestivalSession.festival_id == festival_id)
    ).all()
    rows = db.scalars(
        select(Poll).where(
            Poll.session_id.in_([s.id for s in sessions]), Poll.prepared_position.is_not(None)
        )
    ).all()
    existing = {(row.session_id, row.prepared_position): row for row in rows}
    changed: set[int] = set()
    for festival_session in sessions:
        specs = [_spec(data) for data in festival_session.prepared_polls or []]
        for position, spec in enumerate(specs):
            row = existing.pop((festival_session.id, position), None)
            if row is not None and _same(row, spec):
                continue
            if row is not None and row.status == PollStatus.READY:
                row.question, row.options = spec.question, list(spec.options)
                row.multiple, row.results = spec.multiple, spec.results
                row.revision += 1
                changed.add(festival_session.id)
                continue
            if row is not None:
                row.prepared_position = None  # it ran: keep it as it was
                db.flush()
            db.add(_new_poll(festival_session.id, spec, PollStatus.READY, now, position))
            changed.add(festival_session.id)
    for row in existing.values():
        if row.status == PollStatus.READY:
            db.delete(row)
        else:
            row.prepared_position = None
        changed.add(row.session_id)
    db.commit()
    return sorted(changed)


def prepared_lists(
    db: DbSession, session_ids: list[int], now: datetime
) -> list[tuple[int, dict[str, Any]]]:
    """For each of these sessions whose room is open now (lobby or live), the hosts' list of
    prepared polls: (session id, `prepared_polls` payload `{session, polls}`), the polls
    ready to open in the order they were made, with their (empty) counts."""
    sessions = db.scalars(select(FestivalSession).where(FestivalSession.id.in_(session_ids))).all()
    open_rooms = {
        s.id: s.slug for s in sessions if rules.hosts_see_prepared_live(phase_or_cancelled(s, now))
    }
    ready: dict[int, list[dict[str, Any]]] = {session_id: [] for session_id in open_rooms}
    for poll in db.scalars(
        select(Poll)
        .where(Poll.session_id.in_(list(open_rooms)), Poll.status == PollStatus.READY)
        .order_by(Poll.id)
    ):
        ready[poll.session_id].append(
            payload(poll, open_rooms[poll.session_id], ({}, 0), visible=True)
        )
    return [
        (session_id, {"session": open_rooms[session_id], "polls": polls})
        for session_id, polls in sorted(ready.items())
    ]


def _spec(data: dict[str, Any]) -> PollSpec:
    return PollSpec(
        question=str(data["question"]),
        options=tuple(str(o) for o in data["options"]),
        multiple=bool(data.get("multiple", False)),
        results=str(data.get("results", "live")),
    )


def _same(row: Poll, spec: PollSpec) -> bool:
    return (row.question, tuple(row.options), row.multiple, row.results) == (
        spec.question,
        spec.options,
        spec.multiple,
        spec.results,
    )


def _new_poll(
    session_id: int, spec: PollSpec, status: str, now: datetime, position: int | None
) -> Poll:
    return Poll(
        session_id=session_id,
        prepared_position=position,
        question=spec.question,
        options=list(spec.options),
        multiple=spec.multiple,
        results=spec.results,
        status=status,
        open_in_session=session_id if status == PollStatus.OPEN else None,
        revision=0,
        opened_at=now if status == PollStatus.OPEN else None,
        created_at=now,
    )


# -- in the room --------------------------------------------------------------------------


# What deciding on a poll reads with it: its session, festival and hosts, in the same round
# trip. Built once, as the statement for a group of answers.
_IN_SESSION = joinedload(Poll.session)
_WITH_ROOM = (
    _IN_SESSION.joinedload(FestivalSession.festival),
    _IN_SESSION.joinedload(FestivalSession.hosts),
)
_POLLS_WITH_ROOM = (
    select(Poll).where(Poll.id.in_(bindparam("poll_ids", expanding=True))).options(*_WITH_ROOM)
)


def find_poll(db: DbSession, poll_id: int) -> Poll | None:
    """The poll with its room (`_WITH_ROOM`), at once."""
    return db.get(Poll, poll_id, options=_WITH_ROOM)


def find_polls(db: DbSession, poll_ids: Iterable[int]) -> dict[int, Poll]:
    """`find_poll` for a group of answers, in one round trip, by id."""
    found = db.scalars(_POLLS_WITH_ROOM, {"poll_ids": list(set(poll_ids))}).unique()
    return {poll.id: poll for poll in found}


def _poll(db: DbSession, poll_id: int) -> Poll:
    poll = find_poll(db, poll_id)
    if poll is None:
        raise PollError("not_found", "There is no such poll.")
    return poll


def _moderator(db: DbSession, festival_session: FestivalSession, user: User | None) -> Viewer:
    viewer = viewer_for(db, festival_session, user)
    rules.check_moderator(viewer)
    return viewer


def _take(poll: Poll, **values: Any) -> None:
    """The row as a conditional UPDATE left it, without reading it again."""
    for key, value in values.items():
        set_committed_value(poll, key, value)


def open_prepared(
    db: DbSession, festival_session: FestivalSession, user: User | None, poll_id: int, now: datetime
) -> PollView:
    """Open a prepared poll; opening the poll that is already open answers it as it is (a
    retry after a lost acknowledgement must not fail)."""
    _moderator(db, festival_session, user)
    rules.check_live(phase_or_cancelled(festival_session, now))
    poll = db.get(Poll, poll_id)
    if poll is None or poll.session_id != festival_session.id:
        raise PollError("not_found", "There is no such poll in this session.")
    try:
        row = db.execute(
            update(Poll)
            .where(Poll.id == poll_id, Poll.status == PollStatus.READY)
            .values(
                status=PollStatus.OPEN,
                open_in_session=festival_session.id,
                opened_at=now,
                revision=Poll.revision + 1,
            )
            .returning(Poll.revision)
            .execution_options(synchronize_session=False)
        ).first()
    except IntegrityError:
        db.rollback()
        raise PollError("invalid", ANOTHER_OPEN) from None
    if row is None:
        db.refresh(poll)
        if poll.status == PollStatus.CLOSED:
            raise PollError("invalid", "This poll has closed: a poll runs once.")
    else:
        _take(
            poll,
            status=PollStatus.OPEN,
            open_in_session=festival_session.id,
            opened_at=now,
            revision=row[0],
        )
    view = view_of(poll, festival_session.slug, _counts(db, [poll.id])[poll.id])
    db.commit()
    return view


def open_written(
    db: DbSession,
    festival_session: FestivalSession,
    user: User | None,
    spec: PollSpec,
    now: datetime,
) -> PollView:
    """Open a poll a host wrote in the room."""
    _moderator(db, festival_session, user)
    rules.check_live(phase_or_cancelled(festival_session, now))
    poll = _new_poll(festival_session.id, spec, PollStatus.OPEN, now, None)
    poll.revision = 1
    try:
        db.add(poll)
        db.flush()
    except IntegrityError:
        db.rollback()
        raise PollError("invalid", ANOTHER_OPEN) from None
    view = view_of(poll, festival_session.slug, ({}, 0))
    db.commit()
    return view


@dataclass(frozen=True)
class Answer:
    """One person's answer to a poll read with its session (`find_polls`). The caller holds
    the participant right in the poll's session (a confirmed place, a host, an organiser);
    `moderator` (a host or an organiser) decides whether a prepared poll is visible at all."""

    poll: Poll
    user_id: int
    moderator: bool
    choices: Any


JUST_CLOSED = "This poll has just closed: your answer was not counted."


def cast_answers(
    db: DbSession, answers: Sequence[Answer], now: datetime
) -> list[PollView | PollError]:
    """Answers that arrived together, written in one transaction (`group_commit`): for each
    the poll as it is after the commit, or the rule that refused it.

    One answer per person, replacing their earlier one, only while the poll is open; a
    person's answers to one poll in one group come to their last one. Each poll's row is
    claimed first (`status = 'open'`, revision raised): an answer racing a close either
    commits before the close reads the final counts or finds the poll closed and is refused;
    it is never half-counted. On PostgreSQL the locks, the one statement that writes every
    answer, the counts and the COMMIT go as one batch (`database.committed_together`), taking
    the polls' locks in id order so two processes' groups never wait on each other round a
    loop.
    """
    outcomes: list[PollError | None] = []
    chosen: dict[tuple[int, int], tuple[int, ...]] = {}
    for given in answers:
        try:
            chosen[(given.poll.id, given.user_id)] = _chosen(given, now)
        except PollError as refused:
            outcomes.append(refused)
            continue
        outcomes.append(None)
    # Read before the commit: afterwards every attribute is a round trip.
    answered = [given.poll.id for given in answers]
    polls = {given.poll.id: given.poll for given in answers}
    if not chosen:
        written: dict[int, Counts] = {}
    elif database.on_postgresql(db):
        written = _write_answers_together(db, chosen, polls, now)
    else:
        written = _write_answers(db, chosen, polls, now)
    views = {
        poll_id: view_of(polls[poll_id], polls[poll_id].session.slug, counts)
        for poll_id, counts in written.items()
    }
    db.commit()
    return [
        outcome if outcome is not None else _written(views, poll_id)
        for outcome, poll_id in zip(outcomes, answered, strict=True)
    ]


def _written(views: dict[int, PollView], poll_id: int) -> PollView | PollError:
    """The poll as an answer left it, or the refusal of an answer it closed before taking."""
    view = views.get(poll_id)
    return view if view is not None else PollError("invalid", JUST_CLOSED)


def _chosen(given: Answer, now: datetime) -> tuple[int, ...]:
    """The options of an answer the poll takes now, or the rule that refuses it."""
    poll = given.poll
    if not rules.can_see(poll.status, given.moderator):
        raise PollError("not_found", "There is no such poll.")
    rules.check_live(phase_or_cancelled(poll.session, now))
    if poll.status != PollStatus.OPEN:
        raise PollError("invalid", "This poll is not open.")
    return rules.clean_choices(given.choices, len(poll.options), poll.multiple)


def _write_answers_together(
    db: DbSession,
    chosen: dict[tuple[int, int], tuple[int, ...]],
    polls: dict[int, Poll],
    now: datetime,
) -> dict[int, Counts]:
    """The counts of each poll that took its answers, as they are under its lock."""
    picks = [(key, option) for key, options in chosen.items() for option in options]
    params = {
        "answered": sorted({poll_id for poll_id, _ in chosen}),
        "poll_ids": [poll_id for (poll_id, _), _ in picks],
        "user_ids": [user_id for (_, user_id), _ in picks],
        "options": [option for _, option in picks],
        "now": now,
    }
    _locks, claimed, option_counts, people = database.committed_together(
        db,
        [
            (_LOCK_POLLS, params),
            (_ANSWER_TOGETHER, params),
            (_OPTION_COUNTS_AMONG, params),
            (_PEOPLE_AMONG, params),
        ],
    )
    votes: dict[int, dict[int, int]] = defaultdict(dict)
    for poll_id, option, number in option_counts:
        votes[poll_id][option] = number
    totals = dict(people)
    for poll_id, revision in claimed:
        _take(polls[poll_id], revision=revision)
    return {poll_id: (votes[poll_id], totals.get(poll_id, 0)) for poll_id, _ in claimed}


def _write_answers(
    db: DbSession,
    chosen: dict[tuple[int, int], tuple[int, ...]],
    polls: dict[int, Poll],
    now: datetime,
) -> dict[int, Counts]:
    """The answers on SQLite, where the transaction holds the database's only write lock
    from its first write to its commit: each poll claimed once (no close can come between),
    each person's former choices removed, then every new choice added in one statement."""
    claimed: set[int] = set()
    closed: set[int] = set()
    added: list[dict[str, Any]] = []
    for (poll_id, user_id), options in chosen.items():
        if poll_id in closed:
            continue
        if poll_id not in claimed:
            row = db.execute(_CLAIM_OPEN, {"poll_id": poll_id}).first()
            if row is None:
                closed.add(poll_id)
                continue
            _take(polls[poll_id], revision=row[0])
            claimed.add(poll_id)
        db.execute(_FORMER_ANSWER, {"poll_id": poll_id, "user_id": user_id})
        added.extend(
            {"poll_id": poll_id, "user_id": user_id, "option": option, "answered_at": now}
            for option in options
        )
    if added:
        db.execute(_ADD_CHOICE, added)
    return {poll_id: _answer_counts(db, polls[poll_id]) for poll_id in claimed}


def close(db: DbSession, poll_id: int, user: User | None, now: datetime) -> PollView:
    """A host closes the poll; closing a closed one answers it as it is."""
    poll = _poll(db, poll_id)
    _moderator(db, poll.session, user)
    if poll.status == PollStatus.READY:
        raise PollError("invalid", "This poll is not open.")
    _claim_close(db, poll, now)
    view = _view(db, poll)
    db.commit()
    return view


def _claim_close(db: DbSession, poll: Poll, now: datetime) -> bool:
    """Close the poll if it is open; True for the caller whose UPDATE closed it."""
    row = db.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.status == PollStatus.OPEN)
        .values(
            status=PollStatus.CLOSED,
            open_in_session=None,
            closed_at=now,
            revision=Poll.revision + 1,
        )
        .returning(Poll.revision)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.refresh(poll)
        return False
    _take(poll, status=PollStatus.CLOSED, open_in_session=None, closed_at=now, revision=row[0])
    return True


def close_at_hard_stop(db: DbSession, now: datetime) -> list[PollView]:
    """Close every open poll whose session has reached its scheduled end; the views of those
    this process closed (another process closing one first makes it skip that one)."""
    due = db.scalars(
        select(Poll)
        .join(FestivalSession, FestivalSession.id == Poll.session_id)
        .where(Poll.status == PollStatus.OPEN, FestivalSession.ends_at <= now)
        .options(joinedload(Poll.session))
        .order_by(Poll.id)
    ).all()
    views = []
    for poll in due:
        if _claim_close(db, poll, now):
            views.append(_view(db, poll))
        db.commit()
    return views


def next_hard_stop(db: DbSession, now: datetime) -> datetime | None:
    """When the next open poll must close."""
    return db.scalar(
        select(func.min(FestivalSession.ends_at))
        .join(Poll, Poll.session_id == FestivalSession.id)
        .where(Poll.status == PollStatus.OPEN)
    )


# -- reading -------------------------------------------------------------------------------


POLLED = "polls.polled"


def session_polls(
    db: DbSession, festival_session: FestivalSession, viewer: Viewer
) -> list[dict[str, Any]]:
    """The session's polls as this viewer may see them, in the order they were made; no
    query in a room without a poll (`polled`)."""
    if not polled(db, festival_session):
        return []
    polls = [
        poll
        for poll in db.scalars(
            select(Poll).where(Poll.session_id == festival_session.id).order_by(Poll.id)
        )
        if rules.can_see(poll.status, viewer.moderator)
    ]
    counts = _counts(db, [poll.id for poll in polls])
    return [
        payload(
            poll,
            festival_session.slug,
            counts[poll.id],
            visible=rules.counts_visible(poll.results, poll.status, viewer.moderator),
        )
        for poll in polls
    ]


def polled(db: DbSession, festival_session: FestivalSession) -> bool:
    """Whether the room has a poll, prepared or made there, from this process's memory: only
    a poll made or deleted changes it (`process_cache`), never a storm of answers."""
    return _polled(db, festival_session.id)


_polled = process_cache.any_row(POLLED, Poll.session_id)


def my_choices(
    db: DbSession, festival_session: FestivalSession, user_id: int | None
) -> dict[str, list[int]]:
    """The caller's answers in this session: poll id (as a JSON key) → option ids; no query
    in a room with no poll."""
    if user_id is None or not polled(db, festival_session):
        return {}
    chosen: dict[str, list[int]] = defaultdict(list)
    for poll_id, option in db.execute(
        select(PollChoice.poll_id, PollChoice.option)
        .join(Poll, Poll.id == PollChoice.poll_id)
        .where(Poll.session_id == festival_session.id, PollChoice.user_id == user_id)
        .order_by(PollChoice.poll_id, PollChoice.option)
    ):
        chosen[str(poll_id)].append(option)
    return dict(chosen)


@dataclass(frozen=True)
class PollTurnout:
    """How many people answered one poll that ran: for the organisers' dashboard, which
    divides it by the people in the room (insights sits above polls and knows those)."""

    session_id: int
    poll_id: int
    question: str
    status: str
    answered: int


def turnout(db: DbSession, session_ids: list[int]) -> list[PollTurnout]:
    """Every opened or closed poll of these sessions with how many people answered it, in
    the order they opened; two queries whatever the number of sessions."""
    polls = db.scalars(
        select(Poll)
        .where(Poll.session_id.in_(session_ids), Poll.status != PollStatus.READY)
        .order_by(Poll.session_id, Poll.opened_at, Poll.id)
    ).all()
    counts = _counts(db, [poll.id for poll in polls])
    return [
        PollTurnout(poll.session_id, poll.id, poll.question, poll.status, counts[poll.id][1])
        for poll in polls
    ]


def current_views(db: DbSession, poll_ids: list[int]) -> list[PollView]:
    """Several polls as the live room sends them now (the coalescer's settling)."""
    polls = db.scalars(
        select(Poll)
        .where(Poll.id.in_(poll_ids))
        .options(joinedload(Poll.session))
        .order_by(Poll.id)
    ).all()
    counts = _counts(db, [poll.id for poll in polls])
    return [view_of(poll, poll.session.slug, counts[poll.id]) for poll in polls]


def polls_csv(db: DbSession, festival_session: FestivalSession) -> str:
    """Every poll the session ran, one row per option, for its hosts and organisers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "poll",
            "question",
            "status",
            "multiple",
            "results",
            "opened_at",
            "closed_at",
            "answered",
            "option",
            "text",
            "votes",
        ]
    )
    polls = db.scalars(
        select(Poll)
        .where(Poll.session_id == festival_session.id, Poll.status != PollStatus.READY)
        .order_by(Poll.opened_at, Poll.id)
    ).all()
    counts = _counts(db, [poll.id for poll in polls])
    for poll in polls:
        votes, total = counts[poll.id]
        for number, text in enumerate(poll.options, start=1):
            row = [
                poll.id,
                poll.question,
                poll.status,
                "yes" if poll.multiple else "no",
                poll.results,
                poll.opened_at.isoformat() if poll.opened_at else "",
                poll.closed_at.isoformat() if poll.closed_at else "",
                total,
                number,
                text,
                votes.get(number, 0),
            ]
            writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
