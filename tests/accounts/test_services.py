"""Account services against a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from networkfest.accounts import services
from networkfest.accounts.auth import user_for_token
from networkfest.accounts.models import ApiToken, User
from networkfest.audit.models import AuditEntry
from networkfest.extensions import db

GOOD = "a long enough password"


def test_create_user_normalises_the_address_and_hashes_with_scrypt(app, clock) -> None:
    user = services.create_user(db.session, "  Ann@Example.ORG ", " Ann ", GOOD, clock.now())
    assert user.email == "ann@example.org"
    assert user.name == "Ann"
    assert user.password_hash.startswith("scrypt:")
    assert GOOD not in user.password_hash
    assert not user.organiser and not user.invited


def test_an_address_is_unique_whatever_its_case(app, clock) -> None:
    services.create_user(db.session, "ann@example.org", "Ann", GOOD, clock.now())
    with pytest.raises(services.DuplicateEmail, match="already exists"):
        services.create_user(db.session, "ANN@example.org", "Ann again", GOOD, clock.now())


def test_a_sign_up_race_lost_at_the_unique_constraint_is_a_friendly_duplicate(
    app, clock, monkeypatch
) -> None:
    services.create_user(db.session, "ann@example.org", "Ann", GOOD, clock.now())
    # The other sign-up passed the check before this one committed.
    monkeypatch.setattr(services, "user_by_email", lambda _db, _email: None)
    with pytest.raises(services.DuplicateEmail):
        services.create_user(db.session, "Ann@example.org", "Ann twin", GOOD, clock.now())
    assert db.session.scalar(select(User).where(User.name == "Ann twin")) is None


def test_authenticate(app, clock) -> None:
    services.create_user(db.session, "ann@example.org", "Ann", GOOD, clock.now())
    assert services.authenticate(db.session, "ANN@example.org ", GOOD) is not None
    assert services.authenticate(db.session, "ann@example.org", GOOD + "!") is None
    assert services.authenticate(db.session, "nobody@example.org", GOOD) is None


def test_an_invited_account_cannot_sign_in_until_claimed(app, clock) -> None:
    host = services.create_user(db.session, "host@example.org", "Host", None, clock.now())
    assert host.invited
    assert services.authenticate(db.session, "host@example.org", "") is None
    stamp = host.security_stamp
    services.claim_invite(db.session, host, GOOD, clock.now())
    assert not host.invited and host.security_stamp != stamp
    assert services.authenticate(db.session, "host@example.org", GOOD) == host
    with pytest.raises(services.AccountError, match="already been used"):
        services.claim_invite(db.session, host, "another long password", clock.now())


def test_set_password_rotates_the_security_stamp(app, factory) -> None:
    user = factory.user()
    stamp = user.security_stamp
    services.set_password(db.session, user, GOOD)
    assert user.security_stamp != stamp
    assert services.user_for_link(db.session, user.id, stamp) is None
    assert services.user_for_link(db.session, user.id, user.security_stamp) == user


def test_invite_host_reuses_an_existing_account(app, factory, clock) -> None:
    existing = factory.user(email="known@example.org")
    assert services.invite_host(db.session, "Known@Example.org", "K", clock.now()) == (
        existing,
        services.HOST_ATTACHED,
    )
    invited, how = services.invite_host(db.session, "new@example.org", " New Host ", clock.now())
    db.session.commit()
    assert how == services.HOST_INVITED and invited.invited and invited.name == "New Host"
    again = services.invite_host(db.session, "new@example.org", "New Host", clock.now())
    assert again == (invited, services.HOST_PENDING)


def test_api_tokens_are_kept_only_as_hashes_and_can_be_revoked(app, factory, clock) -> None:
    user, other = factory.user(), factory.user()
    raw = services.create_api_token(db.session, user, " laptop ", clock.now())
    stored = db.session.scalar(select(ApiToken))
    assert raw.startswith("nf_") and stored.name == "laptop"
    assert raw not in stored.token_hash
    assert user_for_token(raw) == user
    assert not services.revoke_api_token(db.session, other, stored.id)
    assert user_for_token(raw) == user
    assert services.revoke_api_token(db.session, user, stored.id)
    assert user_for_token(raw) is None


def test_organiser_role_changes_are_audited(app, factory, clock) -> None:
    boss, person = factory.organiser(), factory.user()
    services.set_organiser(db.session, boss, person, True, clock.now())
    assert person.organiser
    entry = db.session.scalar(select(AuditEntry))
    # The person is named by id: their address is never copied into the log.
    assert (entry.action, entry.actor_id, entry.subject_id) == ("user.role", boss.id, person.id)
    assert person.email not in entry.target
    assert entry.detail == {"organiser": True}
    services.set_organiser(db.session, person, boss, False, clock.now())
    assert not boss.organiser


def test_the_last_organiser_cannot_drop_their_own_role(app, factory, clock) -> None:
    boss = factory.organiser()
    with pytest.raises(services.AccountError, match="at least one organiser"):
        services.set_organiser(db.session, boss, boss, False, clock.now())
    assert boss.organiser
    assert db.session.scalar(select(AuditEntry)) is None


def test_an_unverified_account_is_not_made_an_organiser(app, factory, clock) -> None:
    boss, person = factory.organiser(), factory.user(name="Ok", verified=False)
    with pytest.raises(services.AccountError, match="Ok has not confirmed their address yet"):
        services.set_organiser(db.session, boss, person, True, clock.now())
    assert not db.session.get(User, person.id).organiser
    assert db.session.scalar(select(AuditEntry)) is None


def test_an_unverified_organiser_does_not_count_as_the_one_left(app, factory, clock) -> None:
    """A flag on an unverified account holds no rights: it cannot keep the festival managed,
    and taking it away is never the last organiser stepping down."""
    boss, flagged = factory.organiser(), factory.organiser(verified=False)
    with pytest.raises(services.AccountError, match="at least one organiser"):
        services.set_organiser(db.session, boss, boss, False, clock.now())
    services.set_organiser(db.session, boss, flagged, False, clock.now())
    assert boss.organiser and not flagged.organiser


def test_search_users(app, factory) -> None:
    factory.user(name="Ann Smith", email="ann@example.org")
    factory.user(name="Bob Jones", email="bob@example.org")
    assert [u.name for u in services.search_users(db.session, "SMITH")] == ["Ann Smith"]
    assert [u.name for u in services.search_users(db.session, "bob@")] == ["Bob Jones"]
    assert services.search_users(db.session, "%") == []
    assert len(services.search_users(db.session, "")) == 2
