"""The front page's countdown text, as the page shows it before its script takes over."""

from __future__ import annotations

import pytest

from networkfest.festival_day.presenters import countdown


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (-5_000, "0:00"),
        (0, "0:00"),
        (1, "0:01"),  # seconds round up, as the session clock's do
        (59_000, "0:59"),
        (3_600_000, "1:00:00"),
        (86_399_000, "23:59:59"),
        (86_400_000, "1 day 0:00:00"),
        (3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_000, "3 days 4:05:06"),
    ],
)
def test_countdown(ms: int, text: str) -> None:
    assert countdown(ms) == text
