"""Changes between versions: kept as JSON in the version, told in one line."""

from __future__ import annotations

from typing import Any

import pytest

from networkfest.programme.changes import Change, ChangeKind, describe_change


def described(document: dict[str, Any]) -> str:
    return describe_change(Change.from_json(document))


def test_describe_change() -> None:
    assert described({"kind": "added", "title": "A"}) == "Added: A"
    assert described({"kind": "cancelled", "title": "A"}) == "Cancelled: A"
    assert described({"kind": "retitled", "from": "A", "to": "B"}) == "Renamed: A is now B"
    moved = {"kind": "moved", "title": "A", "from_label": "Mon 10:00", "to_label": "Tue 11:00"}
    assert described(moved) == "Moved: A, from Mon 10:00 to Tue 11:00"
    assert described({"kind": "changed", "title": "A", "fields": ["capacity"]}) == (
        "Changed: A (capacity)"
    )


@pytest.mark.parametrize(
    "document",
    [
        {"kind": "added", "title": "A", "session": "a"},
        {"kind": "festival", "title": "F", "fields": ["name"]},
        {
            "kind": "moved",
            "title": "A",
            "session": "a",
            "from": "2026-09-21T09:00:00+00:00",
            "to": "2026-09-22T10:00:00+00:00",
            "from_label": "Mon 21 Sep, 10:00 BST",
            "to_label": "Tue 22 Sep, 11:00 BST",
            "minutes": 45,
        },
    ],
)
def test_the_stored_shape_round_trips(document: dict[str, Any]) -> None:
    change = Change.from_json(document)
    assert isinstance(change.kind, ChangeKind)
    assert change.as_json() == document


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Change.from_json({"kind": "exploded", "title": "A"})
