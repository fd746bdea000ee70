"""`networkfest user create` and `networkfest user token`."""

from __future__ import annotations

from networkfest.accounts import cli, services
from networkfest.accounts.auth import user_for_token
from networkfest.extensions import db

PASSWORD = "a long enough password"


def test_create_the_first_organiser_with_a_password(runner) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create",
            "Boss@Example.org",
            "--name",
            "Bo Ss",
            "--password",
            PASSWORD,
            "--organiser",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@example.org (organiser)." in result.output
    user = services.authenticate(db.session, "boss@example.org", PASSWORD)
    assert user is not None and user.organiser and user.name == "Bo Ss"


def test_without_a_password_or_a_terminal_it_prints_a_set_password_link(runner, client) -> None:
    result = runner.invoke(args=["user", "create", "host@example.org", "--name", "Host"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://localhost/set-password/invite/")
    user = services.user_by_email(db.session, "host@example.org")
    assert user.invited and not user.organiser
    path = link.removeprefix("http://localhost")
    response = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def test_a_password_is_prompted_for_on_a_terminal(runner, monkeypatch) -> None:
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    result = runner.invoke(
        args=["user", "create", "ann@example.org", "--name", "Ann"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert services.authenticate(db.session, "ann@example.org", PASSWORD) is not None


def test_bad_input_is_refused_clearly(runner, factory) -> None:
    factory.user(email="taken@example.org")
    cases = [
        (["user", "create", "not-an-address", "--name", "X", "--password", PASSWORD], "EMAIL"),
        (["user", "create", "a@example.org", "--name", "X", "--password", "short"], "10 to 200"),
        (["user", "create", "a@example.org", "--name", " ", "--password", PASSWORD], "--name"),
        (
            ["user", "create", "TAKEN@example.org", "--name", "X", "--password", PASSWORD],
            "already exists",
        ),
        (["user", "token", "nobody@example.org"], "No account"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert message in result.output, result.output


def test_token_prints_a_working_token_alone_on_the_last_line(runner, factory) -> None:
    user = factory.user(email="ann@example.org")
    result = runner.invoke(args=["user", "token", "ANN@example.org"])
    assert result.exit_code == 0, result.output
    raw = result.output.rstrip("\n").splitlines()[-1]
    assert raw.startswith("nf_") and " " not in raw
    assert user_for_token(raw) == user


def test_link_prints_an_invitation_or_a_reset_link(runner, factory, clock) -> None:
    services.create_user(db.session, "host@example.org", "Host", None, clock.now())
    factory.user(email="ann@example.org")
    invite = runner.invoke(args=["user", "link", "host@example.org"])
    reset = runner.invoke(args=["user", "link", "ann@example.org"])
    assert "/set-password/invite/" in invite.output
    assert "/set-password/reset/" in reset.output
