"""Pure account rules: no app, no database."""

from __future__ import annotations

import pytest

from networkfest.accounts.rules import (
    account_state,
    may_drop_organiser,
    normalise_email,
    organiser_refusal,
    safe_next,
)


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Ann.Smith@Example.ORG \n") == "ann.smith@example.org"


@pytest.mark.parametrize("target", ["/schedule", "/sessions/a?x=1", "/me#tokens"])
def test_local_paths_are_safe(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "schedule",
        "/ok\r\nSet-Cookie: x=1",
        "/tab\tpath",
    ],
)
def test_other_sites_and_odd_paths_are_refused(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize(
    ("is_organiser", "flag", "count", "allowed"),
    [
        (True, False, 1, False),
        (True, False, 2, True),
        (False, True, 0, True),
        (False, False, 1, True),
        (True, True, 1, True),
    ],
)
def test_the_last_organiser_stays(
    is_organiser: bool, flag: bool, count: int, allowed: bool
) -> None:
    assert may_drop_organiser(is_organiser, flag, count) is allowed


@pytest.mark.parametrize(
    ("invited", "verified", "state"),
    [
        (True, True, "invited"),
        (True, False, "invited"),
        (False, False, "unconfirmed"),
        (False, True, "active"),
    ],
)
def test_an_accounts_state(invited: bool, verified: bool, state: str) -> None:
    assert account_state(invited, verified) == state


def test_only_a_verified_account_can_be_made_an_organiser() -> None:
    assert organiser_refusal("Ok", invited=False, verified=True) is None
    assert organiser_refusal("Ok", invited=True, verified=True) is None
    assert organiser_refusal("Ok", invited=False, verified=False) == (
        "Ok has not confirmed their address yet: they can be made an organiser once they have."
    )
    assert organiser_refusal("Hana", invited=True, verified=False) == (
        "Hana has not accepted their invitation yet: they can be made an organiser once they have."
    )
