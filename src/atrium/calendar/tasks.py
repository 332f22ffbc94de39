"""Celery tasks of the calendar: reminders, sent by a periodic run (``domain.py``'s beat entry
``calendar.send_reminders``, every minute)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.calendar import notices, recurrence, repository
from atrium.calendar.errors import TooManyOccurrences
from atrium.calendar.models import CalendarEvent
from atrium.calendar.settings import CalendarSettings
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.notifications.runtime import runtime

log = structlog.get_logger(__name__)
# The longest lead a reminder may have (``schemas.MinutesBefore``): how far ahead to look.
MAX_LEAD = timedelta(minutes=40_320)
MAX_PER_EVENT = 100


@dataclass(frozen=True, slots=True)
class Claimed:
    """One reminder of one occurrence, claimed in the ledger: whom and what to tell."""

    recipients: list[UUID]
    event_id: UUID
    title: str
    start: datetime


async def _claim_event(
    session: AsyncSession, event: CalendarEvent, since: datetime, now: datetime
) -> list[Claimed]:
    claimed: list[Claimed] = []
    for reminder in await repository.reminders_of(session, [event.id]):
        lead = timedelta(minutes=reminder.minutes_before)
        for item in recurrence.occurrences(event, since + lead, now + lead, MAX_PER_EVENT):
            due = item.start_utc - lead
            if since < due <= now and await repository.claim_delivery(
                session, reminder, item.start_utc, now
            ):
                recipients = await repository.recipients(session, event)
                claimed.append(Claimed(recipients, event.id, event.title, item.start_utc))
    return claimed


async def send_reminders(state: AppState) -> int:
    """Send every reminder whose time fell within the look-back window, once; how many.

    Each is claimed by inserting its (event, occurrence start, reminder) row into the delivery
    ledger, whose unique key refuses a second claim, and the claims commit before any
    notification goes out: never twice, even with two beats or workers; a run that fails after
    its commit loses those reminders rather than repeating them.
    """
    lookback = state.settings.group(CalendarSettings).reminder_lookback_minutes
    now = utcnow()
    since = now - timedelta(minutes=lookback)
    claimed: list[Claimed] = []
    async with state.db.session() as session:
        for event in await repository.with_reminders(session, since, now + MAX_LEAD):
            try:
                claimed += await _claim_event(session, event, since, now)
            except TooManyOccurrences:
                # A rule too dense to walk this far from its start: its reminders cannot be
                # found; the others still go out.
                log.warning("calendar_reminder_rule_too_long", event_id=str(event.id))
    notifications = runtime(state)
    for item in claimed:
        await notices.remind(notifications, item.recipients, item.event_id, item.title, item.start)
    return len(claimed)


@task(name="calendar.send_reminders", schedulable=True)
async def send_reminders_task() -> int:
    """Send the calendar's due reminders (``send_reminders``) on a worker."""
    return await send_reminders(await worker_state())
