"""Pure account rules: no app, no database."""

from __future__ import annotations

import pytest

from networkfest.accounts.rules import may_drop_organiser, normalise_email, safe_next


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
