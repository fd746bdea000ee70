"""Preparing the demo: publish the shifted programme, make the accounts to try it with, and
give the days before today a record made through the real services.

Every registration, stay in a room, question, vote, run-sheet move and feedback answer goes
through the service that makes it in the running festival, at the instant it would have
happened: so the dashboard, the punctuality page and the charts read the demo exactly as they
read a real festival, and a service's rule (no question outside `live`, feedback only from
people who were in the room) holds for the demo too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import delete, select, update

from networkfest import process_cache
from networkfest.accounts import services as accounts
from networkfest.accounts.models import User
from networkfest.demo import rules
from networkfest.insights import services as insights
from networkfest.insights.models import Feedback
from networkfest.insights.rules import FeedbackAnswer
from networkfest.live import presence
from networkfest.live.models import CallClick, Presence
from networkfest.notifications.models import Notice, Reminder
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.rules import QaMode, SessionSpec, check
from networkfest.programme.services import PublishResult, publish_schedule
from networkfest.qa import services as qa
from networkfest.qa.models import Question, Vote
from networkfest.registration import services as registration
from networkfest.registration.models import Registration
from networkfest.timing import services as timing
from networkfest.timing.models import AgendaMove, Announcement
from networkfest.types import DbSession


@dataclass
class DemoAccount:
    role: str
    email: str
    name: str
    password: str


@dataclass
class DemoRecord:
    """What the record holds, for the command's summary and the tests."""

    sessions: int = 0
    registrations: int = 0
    stays: int = 0
    questions: int = 0
    votes: int = 0
    moves: int = 0
    feedback: int = 0
    stories: dict[str, str] = field(default_factory=dict)


@dataclass
class DemoResult:
    publish: PublishResult
    accounts: list[DemoAccount]
    live_session: str | None
    next_session: str | None
    # The demo host's next session after the live one, to try hosting before a start.
    host_next_session: str | None = None
    record: DemoRecord = field(default_factory=DemoRecord)


DEMO_PASSWORD = "networkfest-demo"
ATTENDEE_EMAIL = "attendee@example.org"
# The demo's people besides the three accounts: fictional, at example.org, never signed in.
PEOPLE = (
    "Aisha Begum",
    "Ben Carter",
    "Chloe Davies",
    "Daniel Evans",
    "Efua Asante",
    "Fiona MacLeod",
    "George Whitfield",
    "Hannah Roberts",
    "Imran Qureshi",
    "Jess Thomas",
    "Kwame Boateng",
    "Laura Jenkins",
    "Mohammed Ali",
    "Niamh O'Connor",
    "Owen Hughes",
    "Poppy Clarke",
    "Rajesh Patel",
    "Sarah Lloyd",
    "Tariq Hussain",
    "Una Griffiths",
    "Victoria Adeyemi",
    "Will Morgan",
    "Yasmin Sheikh",
    "Zoe Turner",
    "Callum Fraser",
    "Delyth Rees",
    "Euan Stewart",
    "Grace Okonkwo",
    "Harriet Cole",
    "Jamal Williams",
    "Kirsty Bell",
    "Liam Doherty",
    "Megan Price",
    "Nadia Rahman",
    "Sunil Mehta",
)


def _email(name: str) -> str:
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")
    return f"{local}@example.org"


def prepare_demo(db: DbSession, text: str, now: datetime) -> DemoResult:
    """Publish the demo programme moved around `now`, make the demo accounts, and the record.

    Idempotent: a second run clears the record, moves the programme again, keeps the
    accounts (their passwords are reset to the demo password so the printed instructions
    stay true) and makes the record anew for the new times.
    """
    checked = check(text)
    if checked.schedule is None:
        return DemoResult(PublishResult(problems=checked.problems), [], None, None)
    programme = rules.shift_for_demo(checked.schedule, now)
    shifted = programme.schedule
    clear_record(db, shifted.festival.slug)
    outcome = publish_schedule(db, shifted, text, now, warnings=checked.warnings)
    if not outcome.ok:
        return DemoResult(outcome, [], None, None)
    host_email = programme.host or "host@example.org"
    wanted = [
        DemoAccount("organiser", "organiser@example.org", "Olu Organiser", DEMO_PASSWORD),
        DemoAccount("host", host_email, shifted.host_name(host_email), DEMO_PASSWORD),
        DemoAccount("attendee", ATTENDEE_EMAIL, "Ada Attendee", DEMO_PASSWORD),
    ]
    for account in wanted:
        user = accounts.user_by_email(db, account.email)
        if user is None:
            user = accounts.create_user(
                db,
                account.email,
                account.name,
                account.password,
                now,
                organiser=account.role == "organiser",
            )
        else:
            account.name = user.name
            if user.invited:
                # The host named in the file was invited by publishing: the demo accepts
                # the invitation for them, which also proves the (fictional) address.
                accounts.claim_invite(db, user, account.password, now)
            elif not accounts.check_password(user, account.password):
                accounts.set_password(db, user, account.password)
            if not user.verified:
                accounts.verify(db, user, now)
        if account.role == "organiser" and not user.organiser:
            user.organiser = True
            db.commit()
    record = make_record(db, programme, now)
    return DemoResult(outcome, wanted, programme.live, programme.next, programme.host_next, record)


def clear_record(db: DbSession, festival_slug: str) -> None:
    """Forget what happened in the demo festival's sessions, before its times move again.

    The programme, its versions and the accounts stay; everything people did goes, so the
    new record fits the new times.
    """
    festival = db.scalar(select(Festival).where(Festival.slug == festival_slug))
    if festival is None:
        return
    ids = list(
        db.scalars(select(FestivalSession.id).where(FestivalSession.festival_id == festival.id))
    )
    if not ids:
        return
    questions = select(Question.id).where(Question.session_id.in_(ids))
    db.execute(delete(Vote).where(Vote.question_id.in_(questions)))
    for model in (
        Question,
        Feedback,
        Presence,
        CallClick,
        AgendaMove,
        Announcement,
        Reminder,
        Notice,
        Registration,
    ):
        db.execute(delete(model).where(model.session_id.in_(ids)))
        process_cache.statement_wrote(db, model, "delete")
    db.execute(update(FestivalSession).where(FestivalSession.id.in_(ids)).values(confirmed_count=0))
    process_cache.statement_wrote(db, FestivalSession, "update")
    db.commit()


def _people(db: DbSession, now: datetime) -> list[User]:
    """The demo's attendee first, then the fictional people; made once, kept across runs."""
    attendee = accounts.user_by_email(db, ATTENDEE_EMAIL)
    people = [attendee] if attendee is not None else []
    for name in PEOPLE:
        user = accounts.user_by_email(db, _email(name))
        if user is None:
            user = accounts.create_user(db, _email(name), name, None, now)
        people.append(user)
    return people


class _Maker:
    """Makes one session's record through the services, counting what it made."""

    def __init__(self, db: DbSession, people: list[User], now: datetime) -> None:
        self.db = db
        self.people = people
        self.now = now
        self.counts = DemoRecord()
        self.run = secrets.token_hex(4)

    def register(
        self, festival_session: FestivalSession, persons: tuple[int, ...], at: datetime
    ) -> None:
        for n, person in enumerate(persons):
            registration.register(
                self.db, festival_session, self.people[person], at + timedelta(minutes=7 * n)
            )
            self.counts.registrations += 1

    def stay(
        self,
        festival_session: FestivalSession,
        user: User,
        name: str,
        joined: datetime,
        left: datetime | None,
    ) -> None:
        # A connection id of this run's own: presence remembers the open ones per process.
        sid = f"demo-{self.run}-{name}"
        presence.start(self.db, festival_session.id, user.id, sid, joined)
        if left is not None:
            presence.end(self.db, sid, left, session_id=festival_session.id)
        self.counts.stays += 1

    def past(self, festival_session: FestivalSession, plan: rules.SessionRecord) -> None:
        db, start = self.db, festival_session.starts_at
        end = festival_session.ends_at
        host = festival_session.hosts[0] if festival_session.hosts else None
        self.register(festival_session, plan.registrants, start - plan.registered_before)
        if host is not None and plan.host_arrives is not None:
            self.stay(
                festival_session,
                host,
                f"{festival_session.slug}-host",
                start + plan.host_arrives,
                end - timedelta(seconds=30),
            )
        for n, stay in enumerate(plan.stays):
            left = None if stay.left is None else start + stay.left
            self.stay(
                festival_session,
                self.people[stay.person],
                f"{festival_session.slug}-{n}",
                start + stay.joined,
                left,
            )
        moderated = festival_session.qa_mode == QaMode.MODERATED
        for question in plan.questions:
            self.question(festival_session, question, host, plan.host_arrives, moderated)
        for press in plan.presses:
            if host is not None:
                timing.agenda_next(db, festival_session, host.id, start + press)
                self.counts.moves += 1
        for answer in plan.feedback:
            at = min(end + answer.after_end, self.now)
            insights.submit_feedback(
                db,
                festival_session,
                self.people[answer.person].id,
                FeedbackAnswer(answer.worth, answer.different, answer.follow_up),
                at,
            )
            self.counts.feedback += 1

    def question(
        self,
        festival_session: FestivalSession,
        question: rules.AskedQuestion,
        host: User | None,
        host_arrives: timedelta | None,
        moderated: bool,
    ) -> None:
        start, end = festival_session.starts_at, festival_session.ends_at
        asked_at = start + question.at
        if asked_at >= min(end, self.now):
            return
        view = qa.ask(
            self.db, festival_session, self.people[question.asker], question.text, False, asked_at
        )
        self.counts.questions += 1
        host_there = start + max(host_arrives or timedelta(0), timedelta(0))
        moderate_at = max(asked_at, host_there) + timedelta(seconds=40)
        if moderated:
            if host is None or not question.approved or moderate_at >= min(end, self.now):
                return
            qa.moderate(self.db, view.id, host, "approve", moderate_at)
        for n, voter in enumerate(question.voters):
            voted_at = moderate_at + timedelta(seconds=20 * (n + 1))
            if voted_at >= min(end, self.now):
                break
            qa.vote(self.db, view.id, self.people[voter], 1, voted_at)
            self.counts.votes += 1
        answered_at = moderate_at + timedelta(minutes=4)
        if host is not None and question.answered and answered_at < min(end, self.now):
            qa.moderate(self.db, view.id, host, "answer", answered_at)


def make_record(db: DbSession, programme: rules.DemoProgramme, now: datetime) -> DemoRecord:
    """The record of the demo festival up to `now`, through the services (see the module)."""
    festival = db.scalar(select(Festival).where(Festival.slug == programme.schedule.festival.slug))
    if festival is None:
        return DemoRecord()
    rows = {
        s.slug: s
        for s in db.scalars(
            select(FestivalSession).where(FestivalSession.festival_id == festival.id)
        )
    }
    specs: dict[str, SessionSpec] = {s.slug: s for s in programme.schedule.sessions}
    people = _people(db, now)
    maker = _Maker(db, people, now)
    rng = Random(rules.SEED)
    ended = sorted(
        (s for s in programme.schedule.sessions if s.ends_at <= now), key=lambda s: s.starts_at
    )
    stories = rules.assign_stories(
        [
            rules.PastSession(
                spec.slug,
                len(spec.agenda),
                bool(rows[spec.slug].hosts),
                programme.host in spec.hosts,
            )
            for spec in ended
        ]
    )
    for spec in ended:
        row, story = rows[spec.slug], stories[spec.slug]
        plan = rules.plan_record(spec, story, len(people), rng, qa=spec.qa != QaMode.OFF)
        maker.past(row, plan)
        maker.counts.stories[spec.slug] = story
        maker.counts.sessions += 1
    if programme.live is not None:
        row, spec = rows[programme.live], specs[programme.live]
        plan = rules.plan_live(
            spec, len(people), now - spec.starts_at, rng, qa=spec.qa != QaMode.OFF
        )
        maker.past(row, plan)
    for spec in sorted(programme.schedule.sessions, key=lambda s: s.starts_at):
        if spec.starts_at <= now:
            continue
        include = (0,) if spec.slug == programme.next else ()
        registrants = rules.plan_registrations(spec, len(people), rng, include=include)
        maker.register(rows[spec.slug], registrants, now - timedelta(days=2))
    return maker.counts
