"""Every domain's models, imported together so the metadata (and Alembic) sees all tables."""

from networkfest.accounts.models import ApiToken, SignIn, User
from networkfest.audit.models import AuditEntry
from networkfest.commitments.models import Commitment
from networkfest.insights.models import Feedback
from networkfest.live.models import CallClick, Presence
from networkfest.notifications.models import Notice, Reminder
from networkfest.outcomes.models import Outcome
from networkfest.peers.models import PeerConsent
from networkfest.polls.models import Poll, PollChoice
from networkfest.programme.models import (
    AgendaItem,
    Festival,
    FestivalSession,
    ScheduleVersion,
    Theme,
    session_hosts,
)
from networkfest.qa.models import Question, Vote
from networkfest.registration.models import Registration
from networkfest.timing.models import AgendaMove, Announcement

__all__ = [
    "AgendaItem",
    "AgendaMove",
    "Announcement",
    "ApiToken",
    "AuditEntry",
    "CallClick",
    "Commitment",
    "Feedback",
    "Festival",
    "FestivalSession",
    "Notice",
    "Outcome",
    "PeerConsent",
    "Poll",
    "PollChoice",
    "Presence",
    "Question",
    "Registration",
    "Reminder",
    "ScheduleVersion",
    "SignIn",
    "Theme",
    "User",
    "Vote",
    "session_hosts",
]
