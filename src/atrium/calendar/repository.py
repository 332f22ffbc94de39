"""The calendar domain's queries: every read and write of its tables is here."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from atrium.calendar.models import (
    EVENT_SCOPE,
    Attendee,
    CalendarEvent,
    FeedToken,
    Reminder,
    ReminderDelivery,
    Response,
)
from atrium.core.datascope import Caller, Reach
from atrium.core.ids import uuid7


def _attending(user_id: UUID) -> ColumnElement[bool]:
    link = select(col(Attendee.id)).where(
        col(Attendee.event_id) == col(CalendarEvent.id), col(Attendee.user_id) == user_id
    )
    return exists(link)


def scope(caller: Caller, reach: Reach = Reach.ALL) -> ColumnElement[bool]:
    """The events within ``reach``: organised (own), attended (shared), or both (all; every
    event with ``calendar:admin``)."""
    if reach is Reach.ALL and caller.sees_all:
        return sa.true()
    own = EVENT_SCOPE.sql(CalendarEvent, caller, Reach.OWN)
    if reach is Reach.OWN:
        return own
    shared = _attending(caller.user_id)
    return sa.and_(shared, sa.not_(own)) if reach is Reach.SHARED else sa.or_(own, shared)


async def get_in_scope(
    session: AsyncSession, event_id: UUID, caller: Caller
) -> CalendarEvent | None:
    """The event if it is within the caller's scope (else None, existing or not)."""
    query = select(CalendarEvent).where(col(CalendarEvent.id) == event_id, scope(caller))
    return (await session.execute(query)).scalars().first()


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def overlapping(
    session: AsyncSession,
    where: ColumnElement[bool],
    start: datetime,
    end: datetime,
    q: str | None = None,
) -> list[CalendarEvent]:
    """Events matching ``where`` whose series may overlap [``start``, ``end``)."""
    query = select(CalendarEvent).where(
        where,
        col(CalendarEvent.starts_at) < end,
        sa.or_(
            col(CalendarEvent.series_ends_at).is_(None), col(CalendarEvent.series_ends_at) > start
        ),
    )
    if q:
        query = query.where(func.lower(col(CalendarEvent.title)).like(_like(q), escape="\\"))
    return list((await session.execute(query.order_by(col(CalendarEvent.id)))).scalars())


async def attendees_of(session: AsyncSession, event_ids: Collection[UUID]) -> list[Attendee]:
    query = select(Attendee).where(col(Attendee.event_id).in_(list(event_ids)))
    return list((await session.execute(query.order_by(col(Attendee.id)))).scalars())


async def reminders_of(session: AsyncSession, event_ids: Collection[UUID]) -> list[Reminder]:
    query = select(Reminder).where(col(Reminder.event_id).in_(list(event_ids)))
    return list((await session.execute(query.order_by(col(Reminder.minutes_before)))).scalars())


async def attendee(session: AsyncSession, event_id: UUID, user_id: UUID) -> Attendee | None:
    query = select(Attendee).where(
        col(Attendee.event_id) == event_id, col(Attendee.user_id) == user_id
    )
    return (await session.execute(query)).scalars().first()


async def replace_attendees(
    session: AsyncSession, event_id: UUID, user_ids: Sequence[UUID]
) -> None:
    """Keep the attendees named (their answers too), add the new, drop the others."""
    kept = {row.user_id for row in await attendees_of(session, [event_id])}
    await session.execute(
        delete(Attendee).where(
            col(Attendee.event_id) == event_id, col(Attendee.user_id).not_in(list(user_ids))
        )
    )
    for user_id in dict.fromkeys(user_ids):
        if user_id not in kept:
            session.add(Attendee(event_id=event_id, user_id=user_id))


async def replace_reminders(session: AsyncSession, event_id: UUID, minutes: Sequence[int]) -> None:
    """Keep the reminders named (their delivery ledger too), add the new, drop the others."""
    kept = {row.minutes_before for row in await reminders_of(session, [event_id])}
    await session.execute(
        delete(Reminder).where(
            col(Reminder.event_id) == event_id, col(Reminder.minutes_before).not_in(list(minutes))
        )
    )
    for value in dict.fromkeys(minutes):
        if value not in kept:
            session.add(Reminder(event_id=event_id, minutes_before=value))


async def with_reminders(
    session: AsyncSession, start: datetime, end: datetime
) -> list[CalendarEvent]:
    """Events with at least one reminder whose series may overlap [``start``, ``end``)."""
    has = exists(select(col(Reminder.id)).where(col(Reminder.event_id) == col(CalendarEvent.id)))
    return await overlapping(session, has, start, end)


async def claim_delivery(
    session: AsyncSession, reminder: Reminder, occurrence_start: datetime, now: datetime
) -> bool:
    """Record the reminder of this occurrence as sent; False when it already was (the unique key
    decides, so two runs at once claim it once)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claim = (
        dialect.insert(ReminderDelivery)
        .values(
            id=uuid7(),
            event_id=reminder.event_id,
            reminder_id=reminder.id,
            occurrence_start=occurrence_start,
            sent_at=now,
        )
        .on_conflict_do_nothing(index_elements=["event_id", "occurrence_start", "reminder_id"])
        .returning(col(ReminderDelivery.id))
    )
    return (await session.execute(claim)).first() is not None


async def recipients(session: AsyncSession, event: CalendarEvent) -> list[UUID]:
    """Who a reminder goes to: the organiser and every attendee who has not declined."""
    query = select(col(Attendee.user_id)).where(
        col(Attendee.event_id) == event.id, col(Attendee.response) != Response.DECLINED
    )
    found = [event.organiser_id, *(await session.execute(query)).scalars()]
    return list(dict.fromkeys(found))


async def feed_of(session: AsyncSession, user_id: UUID) -> FeedToken | None:
    query = select(FeedToken).where(col(FeedToken.user_id) == user_id)
    return (await session.execute(query)).scalars().first()


async def feed_by_hash(session: AsyncSession, token_hash: str) -> FeedToken | None:
    query = select(FeedToken).where(col(FeedToken.token_hash) == token_hash)
    return (await session.execute(query)).scalars().first()


async def events_of(session: AsyncSession, user_id: UUID, limit: int) -> list[CalendarEvent]:
    """The events a user organises or attends without having declined, latest first."""
    declined = select(col(Attendee.id)).where(
        col(Attendee.event_id) == col(CalendarEvent.id),
        col(Attendee.user_id) == user_id,
        col(Attendee.response) == Response.DECLINED,
    )
    query = (
        select(CalendarEvent)
        .where(scope(Caller(user_id)), sa.not_(exists(declined)))
        .order_by(col(CalendarEvent.starts_at).desc(), col(CalendarEvent.id))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
