"""Per-day counters: keys of any spelling, changes that add up, and the distinct members of a
range read from whole months and the days at its edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from atrium.auth.stats import LOGIN_DAYS
from atrium.core.dailycounts import Change
from atrium.core.state import AppState
from atrium.files.stats import FILE_DAYS


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(1, 20, 0), at(4, 1, 0), {"b", "c", "d"}),  # Jan's edge, Feb and Mar whole
        (at(1, 1, 0), at(4, 3, 0), {"a", "b", "c", "d", "e"}),
        (at(3, 25, 0), at(4, 3, 0), {"d", "e"}),  # no whole month
        (at(2, 11, 0), at(3, 21, 0), {"c"}),
        (at(2, 1, 0), at(3, 1, 0), {"b"}),  # exactly one month
    ],
)
async def test_the_members_of_a_range_are_those_of_its_days(
    state: AppState, start: datetime, end: datetime, expected: set[str]
) -> None:
    days = {"a": at(1, 15), "b": at(2, 10), "c": at(3, 20), "d": at(3, 31, 23), "e": at(4, 2)}
    await LOGIN_DAYS.add(Change(when, "success", member=who) for who, when in days.items())
    await LOGIN_DAYS.add([Change(at(2, 10), "success", member="b")])  # again: still one
    assert await LOGIN_DAYS.members(start, end) == expected


async def test_keys_of_any_spelling_add_up_per_day(state: AppState) -> None:
    keys = ("application/vnd.ms-excel", "$weird.type%2E", "text/plain")
    await FILE_DAYS.add(Change(at(5, 1, h), key, 1, 10) for h in (1, 2) for key in keys)
    await FILE_DAYS.add([Change(at(5, 1, 3), keys[0], -1, -10), Change(at(5, 2), keys[2])])
    found = await FILE_DAYS.read(at(5, 1, 0), at(5, 3, 0))
    assert sorted((t.day.day, t.key, t.count, t.amount) for t in found) == [
        (1, "$weird.type%2E", 2, 20),
        (1, "application/vnd.ms-excel", 1, 10),
        (1, "text/plain", 2, 20),
        (2, "text/plain", 1, 0),
    ]
