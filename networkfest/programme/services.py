"""Publishing the programme: a checked file becomes rows and a numbered version, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from networkfest import signals
from networkfest.accounts import services as accounts
from networkfest.accounts.links import password_link
from networkfest.accounts.models import User
from networkfest.audit.rules import AuditAction
from networkfest.audit.services import record
from networkfest.formatting import festival_datetime, how_many
from networkfest.mail import send_mail
from networkfest.programme.changes import Change, ChangeKind
from networkfest.programme.models import (
    AgendaItem,
    Festival,
    FestivalSession,
    ScheduleVersion,
    Theme,
)
from networkfest.programme.rules import (
    CheckResult,
    FestivalSpec,
    Problem,
    Schedule,
    SessionSpec,
    SessionStatus,
    check,
)
from networkfest.types import DbSession

# Session fields compared between versions, beside the start, end and title.
OTHER_FIELDS = (
    "purpose",
    "format",
    "theme",
    "capacity",
    "join_url",
    "qa",
    "description",
    "hosts",
    "agenda",
    "polls",
)


@dataclass
class PublishResult:
    """What publishing did: the new version number, or None when nothing changed or it failed."""

    problems: list[Problem] = field(default_factory=list)
    version: int | None = None
    changes: list[Change] = field(default_factory=list)
    # Hosts' accounts: new invitations, unverified accounts turned into invitations (both
    # with a link to send), and verified accounts attached.
    invited: list[User] = field(default_factory=list)
    reinvited: list[User] = field(default_factory=list)
    attached: list[User] = field(default_factory=list)
    # People this version no longer names as a host of a session they hosted.
    removed_host_ids: set[int] = field(default_factory=set)

    @property
    def hosts_summary(self) -> str:
        """For the organiser: how each host named in the file came to be one."""
        parts = [
            how_many(len(self.invited), "host invited", "hosts invited"),
            how_many(len(self.attached), "existing account attached", "existing accounts attached"),
            how_many(
                len(self.reinvited),
                "unverified account sent an invitation",
                "unverified accounts sent an invitation",
            ),
        ]
        return ", ".join(parts)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def publish(
    db: DbSession, text: str, now: datetime, published_by_id: int | None = None
) -> PublishResult:
    """Check the file, then publish it as one transaction; nothing is written if it has errors."""
    result: CheckResult = check(text)
    if not result.ok or result.schedule is None:
        return PublishResult(problems=result.problems)
    return publish_schedule(
        db, result.schedule, text, now, published_by_id, warnings=result.warnings
    )


def publish_schedule(
    db: DbSession,
    schedule: Schedule,
    source: str,
    now: datetime,
    published_by_id: int | None = None,
    warnings: list[Problem] | None = None,
) -> PublishResult:
    """Publish an already checked schedule (the demo publishes a shifted one)."""
    outcome = PublishResult(problems=list(warnings or []))
    fingerprint = schedule.fingerprint()
    festival = db.scalar(select(Festival).where(Festival.slug == schedule.festival.slug))
    if festival is not None and _latest_fingerprint(db, festival) == fingerprint:
        return outcome
    existing = _sessions_by_slug(db, festival)
    capacity_problems = _capacity_problems(schedule, existing)
    if capacity_problems:
        outcome.problems.extend(capacity_problems)
        return outcome
    try:
        changes: list[Change] = []
        if festival is None:
            festival = Festival(slug=schedule.festival.slug, version=0)
            db.add(festival)
        else:
            changed = _festival_changes(festival, schedule.festival)
            if changed:
                changes.append(Change(ChangeKind.FESTIVAL, festival.name, fields=tuple(changed)))
        _apply_festival(db, festival, schedule.festival, existing.values())
        themes = {t.slug: t for t in festival.themes}
        number = festival.version + 1
        hosts = _hosts(db, schedule, now, outcome)
        seen: set[str] = set()
        for spec in schedule.sessions:
            seen.add(spec.slug)
            row = existing.get(spec.slug)
            hosted_before = {host.id for host in row.hosts} if row is not None else set()
            target, session_changes = _apply_session(
                db, festival, row, spec, themes, hosts, schedule.festival.timezone
            )
            outcome.removed_host_ids |= hosted_before - {host.id for host in target.hosts}
            if session_changes:
                if row is not None:
                    target.sequence += 1
                target.version = number
                changes.extend(session_changes)
        for slug, row in existing.items():
            if slug not in seen and row.status != SessionStatus.CANCELLED:
                row.status = SessionStatus.CANCELLED
                row.sequence += 1
                row.version = number
                changes.append(Change(ChangeKind.CANCELLED, row.title, session=slug))
        if not changes:
            # Only the wording of the file changed: nothing to publish, nothing to keep.
            db.rollback()
            return PublishResult(problems=outcome.problems)
        festival.version = number
        db.add(
            ScheduleVersion(
                festival=festival,
                number=number,
                published_at=now,
                content_hash=fingerprint,
                source=source,
                changes=[change.as_json() for change in changes],
                published_by_id=published_by_id,
            )
        )
        record(
            db,
            actor_id=published_by_id,
            action=AuditAction.SCHEDULE_PUBLISH,
            target=festival.slug,
            now=now,
            detail={"version": number, "changes": len(changes)},
        )
        db.flush()
        # Read before the commit: reading it after would open a transaction (on SQLite the
        # write lock) and hold it while the receivers of the signal below do their work.
        festival_id = festival.id
        reinvited_ids = [user.id for user in outcome.reinvited]
        db.commit()
    except IntegrityError:
        # Another publication (or a registration) got in first; the database refused ours.
        db.rollback()
        outcome.problems.append(
            Problem(
                "error",
                "file",
                "",
                "the programme changed while this was being published: nothing was "
                "published; please check the file again and republish",
            )
        )
        return PublishResult(problems=outcome.problems)
    except Exception:
        db.rollback()
        raise
    outcome.version = number
    outcome.changes = changes
    signals.send(
        signals.programme_published,
        "programme",
        festival_id=festival_id,
        version=number,
        changes=changes,
        now=now,
    )
    _tell_the_live_room(outcome, reinvited_ids)
    for user in outcome.reinvited:
        _mail_invitation(user)
    return outcome


def _mail_invitation(user: User) -> None:
    """The address's owner gets the invitation: only they can open it (and so verify it)."""
    send_mail(
        user.email,
        "You are a host at the festival: choose your password",
        f"Hello {user.name},\n\nThe organisers have named you as a host. Choose your "
        f"password with this link (it works once):\n{password_link(user, 'invite')}\n\n"
        "If someone else had signed up with this address, they have been signed out.\n",
    )


def _tell_the_live_room(outcome: PublishResult, reinvited_ids: list[int]) -> None:
    """Former hosts lose the hosts' room; accounts turned into invitations lose everything."""
    removed = sorted(outcome.removed_host_ids)
    if removed:
        signals.send(signals.rights_changed, "programme", user_ids=removed, reason="host_removed")
    for user_id in reinvited_ids:
        signals.send(
            signals.credentials_changed,
            "programme",
            user_id=user_id,
            reason="reinvited",
            sign_in_ids=[],
            token_id=None,
            everything=True,
        )


def _latest_fingerprint(db: DbSession, festival: Festival) -> str | None:
    return db.scalar(
        select(ScheduleVersion.content_hash)
        .where(ScheduleVersion.festival_id == festival.id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


def _sessions_by_slug(db: DbSession, festival: Festival | None) -> dict[str, FestivalSession]:
    if festival is None:
        return {}
    rows = db.scalars(
        select(FestivalSession)
        .where(FestivalSession.festival_id == festival.id)
        .options(
            selectinload(FestivalSession.hosts),
            selectinload(FestivalSession.agenda_items),
            selectinload(FestivalSession.theme),
        )
    )
    return {row.slug: row for row in rows}


def _capacity_problems(schedule: Schedule, existing: dict[str, FestivalSession]) -> list[Problem]:
    """Places already given cannot be taken back by a smaller capacity."""
    problems = []
    for spec in schedule.sessions:
        row = existing.get(spec.slug)
        if row is not None and spec.capacity is not None and spec.capacity < row.confirmed_count:
            problems.append(
                Problem(
                    "error",
                    f"session {spec.slug!r}",
                    "capacity",
                    f"{row.confirmed_count} people already have a confirmed place: "
                    f"the capacity cannot go below that (got {spec.capacity})",
                )
            )
    return problems


def _festival_changes(festival: Festival, spec: FestivalSpec) -> list[str]:
    fields = []
    if festival.name != spec.name:
        fields.append("name")
    if festival.timezone != spec.timezone:
        fields.append("timezone")
    if (festival.starts, festival.ends) != (spec.starts, spec.ends):
        fields.append("days")
    if [(t.slug, t.name) for t in festival.themes] != [(t.slug, t.name) for t in spec.themes]:
        fields.append("themes")
    if festival.lobby_minutes != spec.lobby_minutes or list(festival.warning_minutes) != list(
        spec.warnings
    ):
        fields.append("clock")
    if festival.follow_up_weeks != spec.follow_up_weeks:
        fields.append("follow-ups")
    return fields


def _apply_festival(db: DbSession, festival: Festival, spec: FestivalSpec, sessions: Any) -> None:
    festival.name = spec.name
    festival.timezone = spec.timezone
    festival.starts = spec.starts
    festival.ends = spec.ends
    festival.lobby_minutes = spec.lobby_minutes
    festival.warning_minutes = list(spec.warnings)
    festival.follow_up_weeks = spec.follow_up_weeks
    by_slug = {t.slug: t for t in festival.themes}
    in_use = {s.theme_id for s in sessions}
    kept: list[Theme] = []
    for position, theme_spec in enumerate(spec.themes):
        theme = by_slug.pop(theme_spec.slug, None) or Theme(slug=theme_spec.slug)
        theme.name = theme_spec.name
        theme.position = position
        kept.append(theme)
    # A theme dropped from the file stays while a (cancelled) session still refers to it.
    for offset, theme in enumerate(by_slug.values(), start=len(kept)):
        if theme.id in in_use:
            theme.position = offset
            kept.append(theme)
    festival.themes = kept
    db.flush()


def _hosts(
    db: DbSession, schedule: Schedule, now: datetime, outcome: PublishResult
) -> dict[str, User]:
    """Every host's account; hosts without one are invited (no password yet)."""
    emails = sorted({email for s in schedule.sessions for email in s.hosts})
    users: dict[str, User] = {}
    for email in emails:
        user, how = accounts.invite_host(db, email, schedule.host_name(email), now)
        if how == accounts.HOST_INVITED:
            outcome.invited.append(user)
        elif how == accounts.HOST_REINVITED:
            outcome.reinvited.append(user)
        elif how == accounts.HOST_ATTACHED:
            outcome.attached.append(user)
        if user.invited and email in schedule.host_names:
            user.name = schedule.host_names[email]
        users[email] = user
    return users


def _snapshot(row: FestivalSession) -> dict[str, Any]:
    return {
        "purpose": row.purpose,
        "format": row.format,
        "theme": row.theme.slug if row.theme else None,
        "capacity": row.capacity,
        "join_url": row.join_url,
        "qa": row.qa_mode,
        "description": row.description,
        "hosts": sorted(h.email for h in row.hosts),
        "agenda": [(i.title, i.minutes) for i in row.agenda_items],
        "polls": list(row.prepared_polls or []),
    }


def _spec_snapshot(spec: SessionSpec) -> dict[str, Any]:
    return {
        "purpose": spec.purpose,
        "format": spec.format,
        "theme": spec.theme,
        "capacity": spec.capacity,
        "join_url": spec.join_url,
        "qa": spec.qa,
        "description": spec.description,
        "hosts": sorted(spec.hosts),
        "agenda": [(i.title, i.minutes) for i in spec.agenda],
        "polls": [poll.as_json() for poll in spec.polls],
    }


def _apply_session(
    db: DbSession,
    festival: Festival,
    row: FestivalSession | None,
    spec: SessionSpec,
    themes: dict[str, Theme],
    hosts: dict[str, User],
    timezone: str,
) -> tuple[FestivalSession, list[Change]]:
    """Bring one row in line with the file; the changes a reader would want to know about."""
    changes: list[Change] = []
    if row is None:
        row = FestivalSession(festival=festival, slug=spec.slug, confirmed_count=0, sequence=0)
        db.add(row)
        changes.append(Change(ChangeKind.ADDED, spec.title, spec.slug))
    else:
        if row.status == SessionStatus.CANCELLED:
            changes.append(Change(ChangeKind.RESTORED, spec.title, spec.slug))
        if row.title != spec.title:
            changes.append(
                Change(
                    ChangeKind.RETITLED, spec.title, spec.slug, before=row.title, after=spec.title
                )
            )
        if row.starts_at != spec.starts_at or row.ends_at != spec.ends_at:
            changes.append(
                Change(
                    ChangeKind.MOVED,
                    spec.title,
                    spec.slug,
                    before=row.starts_at.isoformat(),
                    after=spec.starts_at.isoformat(),
                    before_label=festival_datetime(row.starts_at, timezone),
                    after_label=festival_datetime(spec.starts_at, timezone),
                    minutes=spec.minutes,
                )
            )
        before, after = _snapshot(row), _spec_snapshot(spec)
        fields = [name for name in OTHER_FIELDS if before[name] != after[name]]
        if fields:
            changes.append(Change(ChangeKind.CHANGED, spec.title, spec.slug, fields=tuple(fields)))
        if not changes:
            return row, []
    row.status = SessionStatus.SCHEDULED
    row.title = spec.title
    row.theme = themes[spec.theme]
    row.purpose = spec.purpose
    row.format = spec.format
    row.starts_at = spec.starts_at
    row.ends_at = spec.ends_at
    row.capacity = spec.capacity
    row.join_url = spec.join_url
    row.qa_mode = spec.qa
    row.description = spec.description
    row.hosts = [hosts[email] for email in spec.hosts]
    row.prepared_polls = [poll.as_json() for poll in spec.polls]
    if [(i.title, i.minutes) for i in row.agenda_items] != [
        (i.title, i.minutes) for i in spec.agenda
    ]:
        row.agenda_items = []
        db.flush()
        row.agenda_items = [
            AgendaItem(position=position, title=item.title, minutes=item.minutes)
            for position, item in enumerate(spec.agenda)
        ]
    db.flush()
    return row, changes
