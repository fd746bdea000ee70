"""`/sessions/<slug>/peers`: the list for people who chose, the choice for people in the
room, a clear refusal for everyone else; choosing and withdrawing; the session page's link."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from networkfest.extensions import db
from networkfest.peers.models import PeerConsent
from tests import conftest
from tests.peers.helpers import DURING, choose, ended_session, session_of


def page(client: Any, slug: str) -> tuple[int, str]:
    response = client.get(f"/sessions/{slug}/peers")
    return response.status_code, response.get_data(as_text=True)


def post(client: Any, slug: str, choice: str) -> Any:
    return client.post(f"/sessions/{slug}/peers", data={"choice": choice})


def chosen() -> set[int]:
    return {consent.user_id for consent in db.session.query(PeerConsent)}


def test_people_who_chose_see_each_other_with_their_line_and_a_mail_link(
    factory, clock, signed_in
) -> None:
    world = ended_session(factory, clock)
    world.ben.organisation, world.ben.role = "Care <Network>", "Lead"
    db.session.commit()
    choose(world, world.ann, world.ben)
    status, html = page(signed_in(world.ann), world.slug)
    assert status == 200
    assert "Ben Bright" in html
    assert "Lead, Care &lt;Network&gt;" in html
    assert 'href="mailto:ben@example.org"' in html
    assert "Ann Able" not in html.split("<h2")[1]  # not listed to herself
    assert "Cal Calm" not in html
    assert "Stop sharing" in html


def test_the_list_is_never_cached(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    response = signed_in(world.ann).get(f"/sessions/{world.slug}/peers")
    assert "no-store" in response.headers["Cache-Control"]


def test_someone_in_the_room_who_has_not_chosen_is_offered_the_choice(
    factory, clock, signed_in
) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    status, html = page(signed_in(world.cal), world.slug)
    assert status == 200
    assert 'name="choice" value="share"' in html
    assert "Ann Able" not in html and "ann@example.org" not in html


@pytest.mark.parametrize("who", ["stranger", "organiser", "host_not_in_room"])
def test_anyone_else_gets_a_clear_403(factory, clock, signed_in, who) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    person = factory.user() if who == "host_not_in_room" else getattr(world, who)
    status, html = page(signed_in(person), world.slug)
    assert status == 403
    assert "Only people who were in this session&#39;s room" in html
    assert "Ann Able" not in html and "ann@example.org" not in html


def test_the_host_who_was_in_the_room_sees_nobody_until_they_choose(
    factory, clock, signed_in
) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    status, html = page(signed_in(world.host), world.slug)
    assert status == 200
    assert "Ann Able" not in html and "Ben Bright" not in html


def test_before_the_end_nobody_gets_in(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    clock.set(DURING)
    status, html = page(signed_in(world.ann), world.slug)
    assert status == 403
    assert "once the session has ended" in html


def test_a_visitor_is_sent_to_sign_in(factory, clock, client) -> None:
    world = ended_session(factory, clock)
    for response in (
        client.get(f"/sessions/{world.slug}/peers"),
        post(client, world.slug, "share"),
    ):
        assert response.status_code == 302
        assert urlsplit(response.location).path == "/login"


def test_an_unknown_session_is_a_404(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    assert page(signed_in(world.ann), "no-such-session")[0] == 404


def test_choosing_then_withdrawing(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ben)
    ann = signed_in(world.ann)
    shared = post(ann, world.slug, "share")
    assert shared.status_code == 303
    assert chosen() == {world.ann.id, world.ben.id}
    assert "Ben Bright" in ann.get(shared.location).get_data(as_text=True)
    assert "Ann Able" in page(signed_in(world.ben), world.slug)[1]

    assert post(ann, world.slug, "share").status_code == 303  # saying it again is harmless
    stopped = post(ann, world.slug, "stop")
    assert stopped.status_code == 303
    assert chosen() == {world.ben.id}
    status, html = page(signed_in(world.ben), world.slug)
    assert status == 200
    assert "Ann Able" not in html and "ann@example.org" not in html
    status, html = page(ann, world.slug)
    assert status == 200
    assert "Ben Bright" not in html
    assert 'name="choice" value="share"' in html


def test_withdrawing_stays_open_after_the_session_is_cancelled(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    session_of(world).status = "cancelled"
    db.session.commit()
    assert post(signed_in(world.ann), world.slug, "stop").status_code == 303
    assert chosen() == set()


@pytest.mark.parametrize("who", ["stranger", "organiser"])
def test_people_who_may_not_choose_are_refused_on_the_server(
    factory, clock, signed_in, who
) -> None:
    world = ended_session(factory, clock)
    response = post(signed_in(getattr(world, who)), world.slug, "share")
    assert response.status_code == 403
    assert chosen() == set()


def test_choosing_before_the_end_is_refused(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    clock.set(DURING)
    assert post(signed_in(world.ann), world.slug, "share").status_code == 403
    assert chosen() == set()


@pytest.mark.parametrize("choice", ["", "everyone", "SHARE"])
def test_a_choice_that_is_neither_is_a_400(factory, clock, signed_in, choice) -> None:
    world = ended_session(factory, clock)
    assert post(signed_in(world.ann), world.slug, choice).status_code == 400
    assert chosen() == set()


# The session page's link -------------------------------------------------------------------

LINK = "Staying in touch"


def test_the_session_page_links_to_it_after_the_end_for_people_it_is_for(
    factory, clock, signed_in, client
) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    url = f"/sessions/{world.slug}"
    assert LINK in signed_in(world.ann).get(url).get_data(as_text=True)
    assert LINK in signed_in(world.cal).get(url).get_data(as_text=True)
    assert LINK not in signed_in(world.stranger).get(url).get_data(as_text=True)
    assert LINK not in client.get(url).get_data(as_text=True)
    clock.set(DURING)
    assert LINK not in signed_in(world.cal).get(url).get_data(as_text=True)


# With CSRF on, as in production -------------------------------------------------------------


class TestCsrf:
    @pytest.fixture
    def app_settings(self, database_url: str, clock: Any) -> dict[str, Any]:
        return conftest.test_settings(database_url, clock) | {"WTF_CSRF_ENABLED": True}

    def test_the_choice_needs_the_pages_token(self, factory, clock, signed_in) -> None:
        world = ended_session(factory, clock)
        ann = signed_in(world.ann)
        assert post(ann, world.slug, "share").status_code == 400
        assert chosen() == set()
        html = page(ann, world.slug)[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = ann.post(
            f"/sessions/{world.slug}/peers", data={"choice": "share", "csrf_token": token}
        )
        assert response.status_code == 303
        assert chosen() == {world.ann.id}


def test_someone_who_chose_without_a_proved_address_sees_nobody_and_may_stop(
    factory, clock, signed_in
) -> None:
    world = ended_session(factory, clock)
    world.ben.verified_at = None
    db.session.commit()
    choose(world, world.ann, world.ben)
    ben = signed_in(world.ben)
    status, html = page(ben, world.slug)
    assert status == 200
    assert "Please confirm your e-mail address first" in html
    assert "Ann Able" not in html and "ann@example.org" not in html
    assert "Ben Bright" not in page(signed_in(world.ann), world.slug)[1]
    assert post(ben, world.slug, "stop").status_code == 303
    assert chosen() == {world.ann.id}
