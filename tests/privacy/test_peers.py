"""Staying in touch in a person's data: their own choices in the download (never who else
chose), and gone before the account goes, so they vanish from every list."""

from __future__ import annotations

from networkfest.extensions import db
from networkfest.peers import services
from networkfest.peers.models import PeerConsent
from networkfest.privacy import services as privacy
from tests.peers.helpers import AFTER, choose, ended_session, session_of


def test_the_download_lists_their_choices_and_their_profile_line(factory, clock) -> None:
    world = ended_session(factory, clock)
    world.ann.organisation, world.ann.role = "Care Network", "Lead"
    db.session.commit()
    choose(world, world.ann, world.ben)
    title = session_of(world).title
    data = privacy.export_user_data(db.session, world.ann)
    assert data["staying_in_touch"] == [
        {"session": world.slug, "title": title, "chosen_at": AFTER.isoformat()}
    ]
    assert (data["account"]["organisation"], data["account"]["role"]) == ("Care Network", "Lead")
    # Who else chose is theirs to tell, not Ann's.
    assert "ben@example.org" not in str(data) and "Ben Bright" not in str(data)


def test_nothing_chosen_is_an_empty_list(factory, clock) -> None:
    world = ended_session(factory, clock)
    assert privacy.export_user_data(db.session, world.cal)["staying_in_touch"] == []


def test_deleting_the_account_takes_the_choices_and_the_others_stop_seeing_them(
    factory, clock
) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    ann_id, ben_id = world.ann.id, world.ben.id
    privacy.delete_account(db.session, world.ann, AFTER)
    assert [c.user_id for c in db.session.query(PeerConsent)] == [ben_id]
    assert services.peers_for(db.session, world.session_id, ben_id) == []
    assert services.peers_for(db.session, world.session_id, ann_id) is None
