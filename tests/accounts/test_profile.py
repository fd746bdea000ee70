"""The profile's optional organisation and role line: trimmed, at most 120 characters each,
checked on the server, shown back escaped, and in the API's `/me`."""

from __future__ import annotations

import pytest

from networkfest.accounts import services
from networkfest.accounts.models import User
from networkfest.extensions import db


def saved(user_id: int) -> tuple[str, str, str]:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user.name, user.organisation, user.role


def test_organisation_and_role_are_saved_trimmed(client, factory, login) -> None:
    user = factory.user(name="Ann")
    login(client, user)
    data = {"name": "Ann", "organisation": "  Care <Network>  ", "role": " Lead "}
    response = client.post("/me", data=data)
    assert response.status_code == 302
    assert saved(user.id) == ("Ann", "Care <Network>", "Lead")
    html = client.get("/me").get_data(as_text=True)
    assert 'value="Care &lt;Network&gt;"' in html
    assert 'value="Lead"' in html


def test_they_are_optional_and_can_be_cleared(client, factory, login) -> None:
    user = factory.user(name="Ann")
    login(client, user)
    client.post("/me", data={"name": "Ann", "organisation": "Trust", "role": "Lead"})
    response = client.post("/me", data={"name": "Ann", "organisation": "   ", "role": ""})
    assert response.status_code == 302
    assert saved(user.id) == ("Ann", "", "")


@pytest.mark.parametrize("field", ["organisation", "role"])
def test_more_than_120_characters_is_refused_with_a_message(client, factory, login, field) -> None:
    user = factory.user(name="Ann")
    login(client, user)
    data = {"name": "Ann Changed", field: "x" * 121}
    response = client.post("/me", data=data)
    assert response.status_code == 400
    assert f"Keep your {field} to 120 characters or fewer." in response.get_data(as_text=True)
    assert saved(user.id) == ("Ann", "", "")
    assert client.post("/me", data={"name": "Ann", field: "x" * 120}).status_code == 302
    assert saved(user.id)[1 if field == "organisation" else 2] == "x" * 120


def test_update_profile_trims_every_part(factory) -> None:
    user = factory.user()
    services.update_profile(db.session, user, " Ann ", " Trust ", " Lead ")
    assert saved(user.id) == ("Ann", "Trust", "Lead")


def test_the_api_says_them_too(client, factory, login) -> None:
    user = factory.user(name="Ann")
    login(client, user)
    client.post("/me", data={"name": "Ann", "organisation": "Trust", "role": "Lead"})
    body = client.get("/api/v1/me").get_json()
    assert (body["organisation"], body["role"]) == ("Trust", "Lead")
