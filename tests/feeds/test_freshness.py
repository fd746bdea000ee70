"""When a remembered reading of the published version may still answer (a pure rule)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.feeds.freshness import TTL, Published, Reading, fresh

READ_AT = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
READING = Reading(Published(id=1, version=3), READ_AT)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (READ_AT, True),
        (READ_AT + TTL - timedelta(microseconds=1), True),
        (READ_AT + TTL, False),
        # The clock was set back (a test, or a corrected server clock): read again.
        (READ_AT - timedelta(microseconds=1), False),
    ],
)
def test_fresh(now: datetime, expected: bool) -> None:
    assert fresh(READING, now) is expected


def test_nothing_remembered_is_never_fresh() -> None:
    assert fresh(None, READ_AT) is False
