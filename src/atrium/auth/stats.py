"""Login figures for the dashboard, from per-day counters the login log adds to as it writes.

The login log itself stays the record; ``rebuild`` recomputes the counters from it.
"""

from __future__ import annotations

from datetime import datetime

from atrium.auth.documents import LoginDay, LoginLog, LoginOutcome
from atrium.core.dailycounts import Change, DailyCounters, DayTotal, totals_by_day

LOGIN_DAYS = DailyCounters(LoginDay)


def change_of(entry: LoginLog) -> Change:
    """What one logged attempt adds: its outcome's count, and the user if it succeeded."""
    succeeded = entry.outcome is LoginOutcome.SUCCESS and entry.user_id is not None
    member = str(entry.user_id) if succeeded else None
    return Change(entry.created_at, entry.outcome.value, member=member)


async def record(entry: LoginLog) -> None:
    await LOGIN_DAYS.add_quietly([change_of(entry)])


async def logins(start: datetime, end: datetime) -> list[DayTotal]:
    """Attempts per day and outcome (``success``, ``failure``, ``challenged``)."""
    return await LOGIN_DAYS.read(start, end)


async def active_users(start: datetime, end: datetime) -> int:
    """How many distinct users logged in successfully on the days from ``start`` to ``end``."""
    return len(await LOGIN_DAYS.members(start, end))


async def rebuild() -> int:
    """Recompute the counters from the login log; the number of counters stored."""
    totals = await totals_by_day(LoginLog, "created_at", "$outcome")
    succeeded = await totals_by_day(
        LoginLog,
        "created_at",
        "$outcome",
        member="user_id",
        match={"outcome": LoginOutcome.SUCCESS.value, "user_id": {"$ne": None}},
    )
    by_day = {(total.day, total.key): total for total in totals}
    for total in succeeded:  # the same count, with the users
        by_day[(total.day, total.key)] = by_day[(total.day, total.key)].with_members(total.members)
    return await LOGIN_DAYS.replace(list(by_day.values()))
