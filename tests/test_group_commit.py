"""Group commit (`networkfest.group_commit`): callers that arrive while a group is being
written are written together next, once, and each gets its own outcome. Real threads; the
test decides when the first group may finish, so nothing depends on timing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import pytest

from networkfest.group_commit import GroupCommit, Withdrawn

WAIT_S = 30


class Writer:
    """Doubles every number; the first group waits until the test lets it finish."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.release = threading.Event()
        self.first_started = threading.Event()

    def __call__(self, work: Sequence[int]) -> list[int]:
        self.groups.append(list(work))
        if len(self.groups) == 1:
            self.first_started.set()
            assert self.release.wait(WAIT_S)
        if any(n < 0 for n in work):
            raise ValueError("negative")
        return [2 * n for n in work]


def test_a_lone_caller_is_written_at_once() -> None:
    writer = Writer()
    writer.release.set()
    group = GroupCommit(writer)
    assert group.submit(21) == 42
    assert writer.groups == [[21]]


def behind_the_first_group(work: list[int]) -> tuple[Writer, GroupCommit[int, int], list[Any]]:
    """`work` submitted while a group of 1 is being written; then that group may finish.
    The writer, the group, and the futures of `work`, once every one of them is done."""
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    with ThreadPoolExecutor(max_workers=len(work) + 1) as pool:
        first = pool.submit(group.submit, 1)
        assert writer.first_started.wait(WAIT_S)
        others = [pool.submit(group.submit, n) for n in work]
        assert group.waiting_at_least(len(work), WAIT_S)
        writer.release.set()
        assert first.result(WAIT_S) == 2
        wait(others, timeout=WAIT_S)
    return writer, group, others


def test_callers_arriving_during_a_write_are_written_together_next() -> None:
    writer, _, others = behind_the_first_group([2, 3, 4])
    assert [future.result(0) for future in others] == [4, 6, 8]
    assert writer.groups[0] == [1]
    assert sorted(writer.groups[1]) == [2, 3, 4]
    assert len(writer.groups) == 2


def test_a_failed_write_is_every_caller_of_its_group_and_the_next_group_still_runs() -> None:
    writer, group, failing = behind_the_first_group([-1, 5])
    for future in failing:
        with pytest.raises(ValueError, match="negative"):
            future.result(0)
    assert group.submit(7) == 14
    assert writer.groups[-1] == [7]


def test_a_caller_out_of_patience_before_any_group_took_it_is_never_written() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(group.submit, 1)
        assert writer.first_started.wait(WAIT_S)
        with pytest.raises(Withdrawn):
            group.submit(2, patience=0)
        writer.release.set()
        assert first.result(WAIT_S) == 2
    assert group.submit(3, patience=0) == 6  # nobody writing: it leads at once
    assert writer.groups == [[1], [3]]


def test_a_leader_that_gathers_first_takes_what_arrives_meanwhile_in_its_group() -> None:
    """Where nothing else lets the others in before the leader reads (SQLite), it gathers:
    whoever arrives while it does is handled in its group, not after it."""
    writer = Writer()
    writer.release.set()
    gathering = threading.Event()
    group: GroupCommit[int, int]

    def gather() -> None:
        gathering.set()
        assert group.waiting_at_least(3, WAIT_S)

    group = GroupCommit(writer, gather=gather)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(group.submit, 1)
        assert gathering.wait(WAIT_S)
        others = [pool.submit(group.submit, n) for n in (2, 3)]
        assert [f.result(WAIT_S) for f in (first, *others)] == [2, 4, 6]
    assert len(writer.groups) == 1
    assert sorted(writer.groups[0]) == [1, 2, 3]
