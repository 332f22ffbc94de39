"""The calendar's dashboard widget: today's occurrences (UTC day) of the caller's events, those
they organise or attend."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.calendar import repository, service
from atrium.core.dailycounts import day_of
from atrium.core.datascope import Caller, Reach
from atrium.core.widgets import Widget, WidgetItem, WidgetSource

SHOWN = 20


async def today(session: AsyncSession, user_id: UUID, now: datetime) -> Widget:
    start = day_of(now)
    end = start + timedelta(days=1)
    where = repository.scope(Caller.of(user_id), Reach.ALL)
    events = await repository.overlapping(session, where, start, end)
    found = service.expand(events, start, end)
    items = tuple(
        WidgetItem(
            id=str(item.event.id),
            title=item.event.title,
            at=item.start_utc,
            detail=item.event.location,
        )
        for item in found[:SHOWN]
    )
    return Widget(name="calendar.today", title="Today's events", total=len(found), items=items)


WIDGETS: list[WidgetSource] = [today]
