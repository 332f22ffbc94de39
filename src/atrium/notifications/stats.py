"""Notification figures for the dashboard: notifications sent per UTC day and audience, from
counters added as they are stored (a notification to roles or to everyone is one, however many
read it). The notifications stay the record; ``rebuild`` recomputes the counters from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from atrium.core.dailycounts import Change, DailyCounters, DayTotal, totals_by_day
from atrium.notifications.documents import Notification, NotificationDay

NOTIFICATION_DAYS = DailyCounters(NotificationDay)


async def sent(notifications: Sequence[Notification]) -> None:
    await NOTIFICATION_DAYS.add_quietly(
        Change(found.created_at, found.audience.value) for found in notifications
    )


async def notifications(start: datetime, end: datetime) -> list[DayTotal]:
    """Notifications sent per day and audience."""
    return await NOTIFICATION_DAYS.read(start, end)


async def rebuild() -> int:
    """Recompute the counters from the stored notifications; the number of counters stored."""
    return await NOTIFICATION_DAYS.replace(
        await totals_by_day(Notification, "created_at", "$audience")
    )
