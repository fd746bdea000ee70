"""Outcomes in a person's data: the outcomes they wrote; erasure forgets only who wrote them."""

from __future__ import annotations

from sqlalchemy import select

from networkfest.extensions import db
from networkfest.outcomes import services
from networkfest.outcomes.models import Outcome
from networkfest.privacy import services as privacy
from tests.outcomes.helpers import END, LINKS


def test_export_holds_the_outcomes_the_person_wrote(cast):
    services.save(db.session, cast.session, cast.host, "Notes.", LINKS, END)

    mine = privacy.export_user_data(db.session, cast.host)["outcomes_written"]
    theirs = privacy.export_user_data(db.session, cast.attendee)["outcomes_written"]

    assert mine == [
        {
            "session": cast.session.slug,
            "summary": "Notes.",
            "links": LINKS,
            "updated_at": END.isoformat(),
        }
    ]
    assert theirs == []


def test_erasure_keeps_the_outcomes_and_forgets_the_writer(cast, clock):
    services.save(db.session, cast.session, cast.host, "Notes.", LINKS, END)

    privacy.delete_account(db.session, cast.host, clock.now())

    db.session.expire_all()
    outcome = db.session.scalar(select(Outcome))
    assert (outcome.summary, outcome.links, outcome.updated_by) == ("Notes.", LINKS, None)
