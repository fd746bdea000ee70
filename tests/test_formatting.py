"""Dates, times and counts as people read them."""

from __future__ import annotations

from networkfest.formatting import how_many


def test_how_many_agrees_the_noun_with_the_count() -> None:
    assert how_many(1, "change") == "1 change"
    assert how_many(0, "change") == "0 changes"
    assert how_many(2, "change") == "2 changes"
    assert how_many(1, "person", "people") == "1 person"
    assert how_many(3, "person", "people") == "3 people"
