"""Account pages through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from networkfest.accounts import services
from networkfest.accounts.links import password_link
from networkfest.accounts.models import ApiToken, User
from networkfest.audit.models import AuditEntry
from networkfest.extensions import db, socketio
from networkfest.mail import outbox
from tests.factories import PASSWORD
from tests.pages import without_csrf_tokens

NEW = "a brand new password"


def signup(client, email="ann@example.org", password=NEW, confirm=None, name="Ann"):
    data = {"name": name, "email": email, "password": password, "confirm": confirm or password}
    return client.post("/signup", data=data)


def page(response) -> str:
    return response.get_data(as_text=True)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def test_sign_up_asks_the_owner_to_confirm_the_address(app, client) -> None:
    assert client.get("/signup").status_code == 200
    response = signup(client, email=" Ann@Example.org ")
    assert response.status_code == 200 and "Check your e-mail" in page(response)
    user = db.session.scalar(select(User))
    assert user.email == "ann@example.org" and user.password_hash.startswith("scrypt:")
    assert not user.verified
    assert client.get("/me").status_code == 302  # not signed in by signing up
    [mail] = outbox(app)
    assert mail.to == "ann@example.org"
    link = re.search(r"http://localhost/verify/\S+", mail.body).group(0)
    confirmed = client.get(path_of(link))
    assert confirmed.status_code == 200 and "confirmed" in page(confirmed)
    db.session.expire_all()
    assert db.session.get(User, user.id).verified
    again = client.get(path_of(link))
    assert again.status_code == 400 and "no longer works" in page(again)


def test_sign_up_with_a_taken_address_answers_alike_and_tells_the_owner(
    app, client, factory
) -> None:
    factory.user(email="ann@example.org")
    taken = signup(client, email="ANN@EXAMPLE.ORG")
    fresh = signup(app.test_client(), email="bea@example.org", name="Bea")
    assert taken.status_code == fresh.status_code == 200

    def alike(response, address: str) -> str:
        return without_csrf_tokens(page(response).replace(address, "X"))

    assert alike(taken, "ann@example.org") == alike(fresh, "bea@example.org")
    assert db.session.scalar(select(User).where(User.name == "Ann")) is None
    mails = {mail.to: mail for mail in outbox(app)}
    assert "tried to sign up" in mails["ann@example.org"].subject
    assert "/login" in mails["ann@example.org"].body
    assert "/verify/" in mails["bea@example.org"].body


def test_sign_up_checks_every_field(client) -> None:
    response = signup(client, email="not-an-address", password="short", confirm="shorter")
    text = page(response)
    assert response.status_code == 400
    assert "right format" in text
    assert "10 to 200 characters" in text
    assert "do not match" in text
    assert 'aria-invalid="true"' in text


def test_log_in_and_out(client, factory) -> None:
    user = factory.user()
    assert client.get("/login").status_code == 200
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/schedule"
    assert client.get("/me").status_code == 200
    # A typed /logout asks rather than signs out: a GET must not (another site's link could).
    asked = client.get("/logout")
    assert asked.status_code == 200 and "You are signed in as" in page(asked)
    assert 'action="/logout"' in page(asked) and 'type="submit"' in page(asked)
    assert client.get("/me").status_code == 200
    assert client.post("/logout").status_code == 302
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "You are not signed in." in page(client.get("/logout"))


def test_a_wrong_password_is_refused_clearly(client, factory) -> None:
    user = factory.user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 400
    assert "do not match an account" in page(response)
    unknown = client.post("/login", data={"email": "x@example.org", "password": "wrong password"})
    assert page(unknown).count("do not match an account") == 1


def test_next_is_honoured_only_for_local_paths(client, factory) -> None:
    user = factory.user()
    form = page(client.get("/login?next=/me/agenda"))
    assert 'value="/me/agenda"' in form
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/login", data=data | {"next": "/me/agenda"})
    assert response.headers["Location"] == "/me/agenda"
    client.post("/logout")
    response = client.post("/login", data=data | {"next": "//evil.example/steal"})
    assert response.headers["Location"] == "/schedule"
    assert "evil" not in page(client.get("/login?next=https://evil.example/"))


def test_login_required_pages_send_visitors_to_sign_in(client) -> None:
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logging_out_closes_that_sign_ins_live_connections(
    app, client, factory, login, socket_client
):
    user = factory.user()
    elsewhere = socket_client(user)  # another browser: its own sign-in
    login(client, user)
    here = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert here.is_connected("/live") and elsewhere.is_connected("/live")
    client.post("/logout")
    assert not here.is_connected("/live")
    assert elsewhere.is_connected("/live")


def test_a_cookie_copied_before_signing_out_is_dead(app, client, factory, login) -> None:
    user = factory.user()
    login(client, user)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/me").status_code == 200
    client.post("/logout")
    assert copy.get("/me").status_code == 302
    assert copy.get("/api/v1/me").status_code == 401


def test_signing_out_everywhere_ends_every_sign_in_and_connection(
    app, client, factory, login, socket_client
) -> None:
    user = factory.user()
    elsewhere = app.test_client()
    login(elsewhere, user)
    live = socket_client(user)
    login(client, user)
    response = client.post("/me/sign-out-everywhere")
    assert response.status_code == 302
    assert client.get("/me").status_code == 302
    assert elsewhere.get("/me").status_code == 302
    assert not live.is_connected("/live")
    assert services.authenticate(db.session, user.email, PASSWORD) == user  # password kept


def test_changing_the_password_ends_the_other_sign_ins(app, client, factory, login) -> None:
    user = factory.user()
    elsewhere = app.test_client()
    login(elsewhere, user)
    login(client, user)
    data = {"current": PASSWORD, "password": NEW, "confirm": NEW}
    assert client.post("/me/password", data=data).status_code == 302
    assert client.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302


def test_password_reset_by_mail_works_once(app, client, factory) -> None:
    user = factory.user()
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/forgot-password", data={"email": user.email.upper()})
    assert response.status_code == 200 and "Check your e-mail" in page(response)
    [mail] = outbox(app)
    assert mail.to == user.email and "24 hours" in mail.body
    link = re.search(r"http://localhost/set-password/reset/\S+", mail.body).group(0)
    assert client.get(path_of(link)).status_code == 200
    short = client.post(path_of(link), data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    response = client.post(path_of(link), data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert client.get("/me").status_code == 200
    # Used once: the link is dead, and sign-ins from before the reset have ended.
    reused = client.get(path_of(link))
    assert reused.status_code == 400 and "no longer works" in page(reused)
    assert other_device.get("/me").status_code == 302
    client.post("/logout")
    ok = client.post("/login", data={"email": user.email, "password": NEW})
    assert ok.status_code == 302


def test_a_reset_revokes_tokens_and_moves_the_calendar_feed(app, client, factory) -> None:
    factory.festival()
    user = factory.user()
    raw = services.create_api_token(db.session, user, "script", user.created_at)
    old_feed = f"/calendar/{user.calendar_token}.ics"
    assert client.get(old_feed).status_code == 200
    link = path_of(password_link(user, "reset"))
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302
    bearer = {"Authorization": f"Bearer {raw}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert app.test_client().get(old_feed).status_code == 404
    db.session.expire_all()
    assert app.test_client().get(f"/calendar/{user.calendar_token}.ics").status_code == 200


def test_forgotten_password_answers_the_same_for_unknown_addresses(app, client, factory) -> None:
    user = factory.user()
    known = page(client.post("/forgot-password", data={"email": user.email}))
    unknown = page(client.post("/forgot-password", data={"email": "nobody@example.org"}))
    assert without_csrf_tokens(known.replace(user.email, "X")) == without_csrf_tokens(
        unknown.replace("nobody@example.org", "X")
    )
    assert [mail.to for mail in outbox(app)] == [user.email]


def test_an_expired_reset_link_is_refused(app, client, factory) -> None:
    user = factory.user()
    link = path_of(password_link(user, "reset"))
    app.config["PASSWORD_TOKEN_MAX_AGE"] = -1
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400 and "no longer works" in page(response)
    assert services.authenticate(db.session, user.email, PASSWORD) == user


def test_forged_and_unknown_links(client, factory) -> None:
    user = factory.user()
    assert client.get("/set-password/reset/forged.token.here").status_code == 400
    token = password_link(user, "reset").rsplit("/", 1)[1]
    assert client.get(f"/set-password/invite/{token}").status_code == 400
    assert client.get(f"/set-password/other/{token}").status_code == 404


def test_an_invited_host_claims_their_account(app, client, clock) -> None:
    host = services.create_user(db.session, "host@example.org", "Hana Host", None, clock.now())
    link = path_of(password_link(host, "invite"))
    form = client.get(link)
    assert form.status_code == 200 and "named as a host" in page(form)
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert client.get(link).status_code == 400
    assert services.authenticate(db.session, "host@example.org", NEW) is not None


def test_profile_name_and_password(client, factory, login) -> None:
    user = factory.user()
    login(client, user)
    assert client.post("/me", data={"name": ""}).status_code == 400
    assert client.post("/me", data={"name": " Ann Renamed "}).status_code == 302
    assert "Ann Renamed" in page(client.get("/me"))
    wrong = client.post("/me/password", data={"current": "nope", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 400 and "not your current password" in page(wrong)
    data = {"current": PASSWORD, "password": NEW, "confirm": NEW}
    assert client.post("/me/password", data=data).status_code == 302
    assert client.get("/me").status_code == 200
    assert services.authenticate(db.session, user.email, NEW) is not None


def test_tokens_are_shown_once_and_can_be_revoked(client, factory, login) -> None:
    user = factory.user()
    login(client, user)
    assert client.post("/me/tokens", data={"name": ""}).status_code == 400
    response = client.post("/me/tokens", data={"name": "My <script>"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'value="(nf_[^"]+)"', page(response)).group(1)
    assert "My &lt;script&gt;" in page(response)
    listing = page(client.get("/me"))
    assert raw not in listing and "My &lt;script&gt;" in listing
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.application.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    token = db.session.scalar(select(ApiToken))
    other = factory.user()
    stranger = client.application.test_client()
    login(stranger, other)
    assert stranger.post(f"/me/tokens/{token.id}/revoke").status_code == 404
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 302
    assert client.application.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def test_the_organiser_page_is_for_organisers_only(client, factory, login) -> None:
    assert client.get("/organiser/users").status_code == 302
    login(client, factory.user())
    assert client.get("/organiser/users").status_code == 403
    assert client.post("/organiser/users/1/role", data={"organiser": "1"}).status_code == 403


def test_organisers_see_invites_and_change_roles(app, client, factory, login, clock) -> None:
    boss = factory.organiser(name="Boss")
    person = factory.user(name="Pat Person")
    host = services.create_user(db.session, "host@example.org", "Hana Host", None, clock.now())
    login(client, boss)
    listing = page(client.get("/organiser/users"))
    assert "Pat Person" in listing and "Invited" in listing
    # The signed payload names the host and their stamp; its timestamp may differ by a second.
    assert password_link(host, "invite").split(".")[0] in listing
    assert "Hana Host" not in page(client.get("/organiser/users?q=pat"))
    response = client.post(f"/organiser/users/{person.id}/role", data={"organiser": "1"})
    assert response.status_code == 302
    assert db.session.get(User, person.id).organiser
    assert db.session.scalar(select(AuditEntry.action)) == "user.role"
    assert client.post(f"/organiser/users/{person.id}/role", data={}).status_code == 400
    assert client.post("/organiser/users/9999/role", data={"organiser": "1"}).status_code == 404


def test_the_last_organiser_is_told_why_they_cannot_step_down(client, factory, login) -> None:
    boss = factory.organiser()
    login(client, boss)
    response = client.post(
        f"/organiser/users/{boss.id}/role", data={"organiser": "0"}, follow_redirects=True
    )
    assert "at least one organiser" in page(response)
    assert db.session.get(User, boss.id).organiser


def test_an_unconfirmed_account_is_shown_so_and_not_made_an_organiser(
    client, factory, login
) -> None:
    boss = factory.organiser(name="Boss")
    person = factory.user(name="Ok", email="ok@example.org", verified=False)
    login(client, boss)
    listing = page(client.get("/organiser/users?q=ok@"))
    assert "Address not confirmed" in listing and "Active" not in listing
    assert f"/organiser/users/{person.id}/role" not in listing
    refusal = "Ok has not confirmed their address yet: they can be made an organiser once they"
    assert refusal in listing
    # The server refuses it whatever the form sent.
    response = client.post(
        f"/organiser/users/{person.id}/role", data={"organiser": "1"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert refusal in page(response)
    assert not db.session.get(User, person.id).organiser
    assert db.session.scalar(select(AuditEntry)) is None


def test_the_organisers_menu_shows_only_with_the_organisers_rights(
    client, factory, login, clock
) -> None:
    flagged = factory.organiser(verified=False)
    login(client, flagged)
    for path in ("/me", "/organiser/users"):
        shown = page(client.get(path))
        assert 'href="/organiser/insights"' not in shown and "Organiser</span>" not in shown
    services.verify(db.session, db.session.get(User, flagged.id), clock.now())
    for path in ("/me", "/organiser/users"):
        shown = page(client.get(path))
        assert 'href="/organiser/insights"' in shown and "Organiser</span>" in shown


def test_an_organiser_who_steps_down_lands_where_they_may_go(client, factory, login) -> None:
    factory.organiser(name="Boss")
    me = factory.organiser(name="Bea")
    login(client, me)
    response = client.post(f"/organiser/users/{me.id}/role", data={"organiser": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    landed = client.get("/me")
    assert landed.status_code == 200
    assert "You are no longer an organiser." in page(landed)
    assert not db.session.get(User, me.id).organiser


def test_taking_someone_elses_role_stays_on_the_people_page(client, factory, login) -> None:
    boss, other = factory.organiser(name="Boss"), factory.organiser(name="Bea")
    login(client, boss)
    response = client.post(f"/organiser/users/{other.id}/role?q=bea", data={"organiser": "0"})
    assert response.headers["Location"] == "/organiser/users?q=bea"
    assert "Bea is no longer an organiser." in page(client.get("/organiser/users?q=bea"))


def test_download_my_data(client, factory, login) -> None:
    user = factory.user()
    login(client, user)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["account"]["email"] == user.email


def test_delete_my_account(client, factory, login) -> None:
    user = factory.user()
    user_id = user.id
    login(client, user)
    assert client.get("/me/delete").status_code == 200
    wrong = client.post("/me/delete", data={"password": "not it"})
    assert wrong.status_code == 400 and "not your password" in page(wrong)
    assert client.post("/me/delete", data={"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert client.get("/me").status_code == 302


def test_privacy_page(client) -> None:
    response = client.get("/privacy")
    assert response.status_code == 200
    assert "what we keep and why" in page(response)


def test_a_tokens_creation_is_shown_in_festival_time(client, factory, login) -> None:
    """Like every other date here: the festival's clock and zone, not the server's UTC."""
    user = factory.user()
    created = datetime(2026, 9, 21, 9, 5, tzinfo=UTC)
    services.create_api_token(db.session, user, "Calendar helper", created)
    db.session.commit()
    login(client, user)
    assert "21 September 2026, 09:05 UTC" in page(client.get("/me"))  # no festival yet
    factory.festival()
    html = page(client.get("/me"))
    assert "Monday 21 September, 10:05 BST" in html
    assert "UTC" not in html
